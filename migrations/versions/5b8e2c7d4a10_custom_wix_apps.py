"""custom Wix apps per channel (Helm's way) and the app-removed mark

Revision ID: 5b8e2c7d4a10
Revises: 5b7e2c1d9a40
Create Date: 2026-11-30 04:55:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '5b8e2c7d4a10'
down_revision = '5b7e2c1d9a40'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('channels', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('custom_app_id', sa.String(length=64), server_default='', nullable=False)
        )
        batch_op.add_column(sa.Column('custom_app_secret', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('custom_app_public_key', sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column('app_removed_at', sa.DateTime(timezone=True), nullable=True)
        )

    with op.batch_alter_table('wizard_sessions', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('custom_app_id', sa.String(length=64), server_default='', nullable=False)
        )
        batch_op.add_column(sa.Column('custom_app_secret', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('custom_app_public_key', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('wizard_sessions', schema=None) as batch_op:
        batch_op.drop_column('custom_app_public_key')
        batch_op.drop_column('custom_app_secret')
        batch_op.drop_column('custom_app_id')

    with op.batch_alter_table('channels', schema=None) as batch_op:
        batch_op.drop_column('app_removed_at')
        batch_op.drop_column('custom_app_public_key')
        batch_op.drop_column('custom_app_secret')
        batch_op.drop_column('custom_app_id')
