"""Returns: a received return may be closed without a refund (an exchange, store credit
given elsewhere, nothing left to refund), so ``closed`` joins the statuses.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 10:00:00.000000
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_OLD = "status IN ('requested', 'approved', 'received', 'refunded', 'rejected', 'cancelled')"
_NEW = (
    "status IN ('requested', 'approved', 'received', 'refunded', 'rejected', 'cancelled', 'closed')"
)


def upgrade() -> None:
    op.drop_constraint(op.f("ck_returns_status"), "returns", schema="commerce", type_="check")
    op.create_check_constraint(op.f("ck_returns_status"), "returns", _NEW, schema="commerce")


def downgrade() -> None:
    op.execute("UPDATE commerce.returns SET status = 'cancelled' WHERE status = 'closed'")
    op.drop_constraint(op.f("ck_returns_status"), "returns", schema="commerce", type_="check")
    op.create_check_constraint(op.f("ck_returns_status"), "returns", _OLD, schema="commerce")
