"""job timers: each scheduled job's next due time survives a scheduler takeover

Revision ID: b19a7e3c5d10
Revises: b14a0e7c3d21
Create Date: 2026-11-30 05:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b19a7e3c5d10'
down_revision = 'b14a0e7c3d21'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'job_timers',
        sa.Column('job_id', sa.String(length=80), nullable=False),
        sa.Column('minutes', sa.Integer(), nullable=False),
        sa.Column('next_due_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('job_id'),
    )


def downgrade():
    op.drop_table('job_timers')
