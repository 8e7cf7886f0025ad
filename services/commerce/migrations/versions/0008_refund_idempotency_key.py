"""Refunds: the ``Idempotency-Key`` a staff refund (``POST /orders/{id}/refunds``) was made
with, unique per account, so two requests with the same key never both refund.

The key is the caller's, kept only for refunds asked for with one (null otherwise, and
for every refund made before). The unique index is the last guard: a second request
with the key waits on the first's row and fails once it commits, then answers the first
refund instead of making another.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08 07:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "refunds",
        sa.Column("idempotency_key", sa.String(length=255), nullable=True),
        schema="commerce",
    )
    op.create_index(
        "uq_refunds_account_idempotency_key",
        "refunds",
        ["account_id", "idempotency_key"],
        unique=True,
        schema="commerce",
        postgresql_where=sa.text("idempotency_key IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index(
        "uq_refunds_account_idempotency_key",
        table_name="refunds",
        schema="commerce",
        postgresql_where=sa.text("idempotency_key IS NOT NULL"),
    )
    op.drop_column("refunds", "idempotency_key", schema="commerce")
