"""Refunds: a refund is split over what paid the order, the card payment (through Stripe)
and the gift cards (credited back), so a refund row records both parts.

``payment_amount`` is the part refunded through the payment (``payment_id``, now None
when only gift cards took part, as for an order paid entirely by gift card);
``gift_cards`` lists ``{id, code, amount}`` credited back; ``amount`` stays the whole
refund. Refunds made before were card refunds only: their ``payment_amount`` is their
amount.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 07:00:00.000000
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "refunds",
        sa.Column("payment_amount", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        schema="commerce",
    )
    op.add_column(
        "refunds",
        sa.Column(
            "gift_cards",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="[]",
            nullable=False,
        ),
        schema="commerce",
    )
    op.execute("UPDATE commerce.refunds SET payment_amount = amount")
    op.alter_column("refunds", "payment_id", nullable=True, schema="commerce")


def downgrade() -> None:
    # Gift-card-only refunds have no payment to keep: they go (their cards keep the credit).
    op.execute("DELETE FROM commerce.refunds WHERE payment_id IS NULL")
    op.execute("UPDATE commerce.refunds SET amount = payment_amount")
    op.alter_column("refunds", "payment_id", nullable=False, schema="commerce")
    op.drop_column("refunds", "gift_cards", schema="commerce")
    op.drop_column("refunds", "payment_amount", schema="commerce")
