"""webhook event outcome

Revision ID: 7d1e5a0b9c21
Revises: c4c77e52fd93
Create Date: 2026-11-23 12:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '7d1e5a0b9c21'
down_revision = 'c4c77e52fd93'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('webhook_events', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('outcome', sa.String(length=200), server_default='', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('webhook_events', schema=None) as batch_op:
        batch_op.drop_column('outcome')
