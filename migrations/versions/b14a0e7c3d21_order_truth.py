"""order truth: the Wix product and variant of order lines, Wix item mappings for lines
without SKU, and shipments wrongly marked sent are sent again

Revision ID: b14a0e7c3d21
Revises: 02f3263e404e
Create Date: 2026-11-30 04:40:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b14a0e7c3d21'
down_revision = '02f3263e404e'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'wix_item_mappings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('channel_id', sa.Integer(), nullable=False),
        sa.Column('wix_product_id', sa.String(length=64), nullable=False),
        sa.Column('wix_variant_id', sa.String(length=64), nullable=False),
        sa.Column('variant_id', sa.Integer(), nullable=False),
        sa.Column('product_name', sa.String(length=255), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['channel_id'], ['channels.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['variant_id'], ['variants.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('channel_id', 'wix_product_id', 'wix_variant_id'),
    )
    with op.batch_alter_table('wix_item_mappings', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_wix_item_mappings_variant_id'), ['variant_id'], unique=False
        )

    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('wix_product_id', sa.String(length=64), server_default='', nullable=False)
        )
        batch_op.add_column(
            sa.Column('wix_variant_id', sa.String(length=64), server_default='', nullable=False)
        )

    # Shipments marked sent with Wix's error code as their id (Wix never made them): send them
    # again; the push reconciles them with the order's fulfillments in Wix.
    op.execute(
        "UPDATE shipments SET wix_fulfillment_id = NULL, pushed_at = NULL "
        "WHERE wix_fulfillment_id = 'TRACKING_NUMBER_ALREADY_EXISTS'"
    )


def downgrade():
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.drop_column('wix_variant_id')
        batch_op.drop_column('wix_product_id')

    with op.batch_alter_table('wix_item_mappings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wix_item_mappings_variant_id'))

    op.drop_table('wix_item_mappings')
