"""Order numbers come from a sequence per store instead of a counter on the store row.

Completing a checkout used to ``UPDATE stores SET order_sequence = order_sequence + 1``,
which locked the store row until the commit: every completion in a store waited for the
one before it. A sequence hands out numbers without a row lock (a number whose
transaction rolls back is skipped, as with Saleor's and Medusa's order numbers).

Triggers keep one sequence per store, ``commerce."order_numbers_<store id>"``: made when
a store is inserted (first number 1001), dropped when it is deleted. Existing stores get
theirs starting after the counter they had, and the counter column goes.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 06:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_FUNCTIONS = (
    """
CREATE FUNCTION commerce.store_order_numbers_create() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('CREATE SEQUENCE commerce.%I AS bigint START WITH 1001',
                   'order_numbers_' || NEW.id);
    RETURN NULL;
END $$
""",
    """
CREATE FUNCTION commerce.store_order_numbers_drop() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('DROP SEQUENCE IF EXISTS commerce.%I', 'order_numbers_' || OLD.id);
    RETURN NULL;
END $$
""",
    """
CREATE TRIGGER stores_order_numbers_create AFTER INSERT ON commerce.stores
    FOR EACH ROW EXECUTE FUNCTION commerce.store_order_numbers_create()
""",
    """
CREATE TRIGGER stores_order_numbers_drop AFTER DELETE ON commerce.stores
    FOR EACH ROW EXECUTE FUNCTION commerce.store_order_numbers_drop()
""",
)

_BACKFILL = """
DO $$
DECLARE store record;
BEGIN
    FOR store IN SELECT id, order_sequence FROM commerce.stores LOOP
        EXECUTE format('CREATE SEQUENCE commerce.%I AS bigint START WITH %s',
                       'order_numbers_' || store.id, store.order_sequence + 1);
    END LOOP;
END $$;
"""

_FORWARD = """
DO $$
DECLARE store record;
BEGIN
    FOR store IN SELECT id FROM commerce.stores LOOP
        UPDATE commerce.stores SET order_sequence = coalesce(
            (SELECT max(number) FROM commerce.orders WHERE store_id = store.id), 1000)
        WHERE id = store.id;
        EXECUTE format('DROP SEQUENCE IF EXISTS commerce.%I', 'order_numbers_' || store.id);
    END LOOP;
END $$;
"""


def upgrade() -> None:
    op.execute(_BACKFILL)
    for statement in _FUNCTIONS:
        op.execute(statement)
    op.drop_column("stores", "order_sequence", schema="commerce")


def downgrade() -> None:
    op.add_column(
        "stores",
        sa.Column(
            "order_sequence", sa.BigInteger(), server_default=sa.text("1000"), nullable=False
        ),
        schema="commerce",
    )
    op.execute("DROP TRIGGER stores_order_numbers_create ON commerce.stores")
    op.execute("DROP TRIGGER stores_order_numbers_drop ON commerce.stores")
    op.execute("DROP FUNCTION commerce.store_order_numbers_create()")
    op.execute("DROP FUNCTION commerce.store_order_numbers_drop()")
    op.execute(_FORWARD)
