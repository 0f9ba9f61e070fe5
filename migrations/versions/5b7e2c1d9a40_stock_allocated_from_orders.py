"""stock allocated from open orders: the hand-typed reserved column goes

Allocated stock is now computed from the lines of open, unshipped orders (wixoms/sync/stock.py),
so the per-level "reserved" number typed by hand no longer exists.

Revision ID: 5b7e2c1d9a40
Revises: b19a7e3c5d10
Create Date: 2026-11-30 04:45:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5b7e2c1d9a40"
down_revision = "b19a7e3c5d10"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("inventory_levels", schema=None) as batch_op:
        batch_op.drop_column("reserved")


def downgrade():
    with op.batch_alter_table("inventory_levels", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reserved", sa.Integer(), server_default="0", nullable=False))
