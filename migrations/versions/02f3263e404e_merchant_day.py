"""merchant day: settings version, connected at, wizard revision, orders by placed time,
location names

Revision ID: 02f3263e404e
Revises: 7d1e5a0b9c21
Create Date: 2026-11-30 01:08:54.966127

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '02f3263e404e'
down_revision = '7d1e5a0b9c21'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('channels', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('settings_version', sa.Integer(), server_default='1', nullable=False)
        )
        batch_op.add_column(sa.Column('connected_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index(
            'ix_orders_account_id_placed_at', ['account_id', 'placed_at', 'id'], unique=False
        )

    with op.batch_alter_table('wizard_sessions', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('revision', sa.Integer(), server_default='1', nullable=False)
        )

    with op.batch_alter_table('warehouse_mappings', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('wix_location_name', sa.String(length=150), server_default='', nullable=False)
        )



def downgrade():
    with op.batch_alter_table('warehouse_mappings', schema=None) as batch_op:
        batch_op.drop_column('wix_location_name')

    with op.batch_alter_table('wizard_sessions', schema=None) as batch_op:
        batch_op.drop_column('revision')

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index('ix_orders_account_id_placed_at')

    with op.batch_alter_table('channels', schema=None) as batch_op:
        batch_op.drop_column('connected_at')
        batch_op.drop_column('settings_version')

