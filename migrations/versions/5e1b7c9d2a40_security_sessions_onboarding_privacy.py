"""security: session versions, wizards begun by Wix links, used signed instances, purged
webhook bodies

Revision ID: 5e1b7c9d2a40
Revises: 5b8e2c7d4a10
Create Date: 2026-11-30 05:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '5e1b7c9d2a40'
down_revision = '5b8e2c7d4a10'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('session_version', sa.Integer(), server_default='0', nullable=False)
        )

    with op.batch_alter_table('wizard_sessions', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('origin', sa.String(length=8), server_default='wixoms', nullable=False)
        )
        batch_op.add_column(sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True))

    op.create_table(
        'used_signed_instances',
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('digest', name=op.f('pk_used_signed_instances')),
    )
    with op.batch_alter_table('used_signed_instances', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_used_signed_instances_expires_at'), ['expires_at'], unique=False
        )

    with op.batch_alter_table('webhook_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('body_purged_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('webhook_events', schema=None) as batch_op:
        batch_op.drop_column('body_purged_at')

    with op.batch_alter_table('used_signed_instances', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_used_signed_instances_expires_at'))
    op.drop_table('used_signed_instances')

    with op.batch_alter_table('wizard_sessions', schema=None) as batch_op:
        batch_op.drop_column('confirmed_at')
        batch_op.drop_column('origin')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_version')
