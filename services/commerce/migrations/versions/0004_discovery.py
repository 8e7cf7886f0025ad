"""Discovery: the search document of each product (kept current by triggers), reviews,
wishlists, recently viewed products, and order indexes for verified purchases and
"frequently bought together".

pg_trgm: the commerce role cannot create extensions (it has no CREATE on the database),
so provisioning installs pg_trgm in ``public`` as the admin where the server has it (the
embedded PostgreSQL of ``make run`` has no contrib extensions: there the search falls back
to ``commerce.trigram_share``, made here)
(``velox_devstack.database.provision``); here ``CREATE EXTENSION IF NOT EXISTS`` is then a
no-op, and it still installs the extension when the migrating role may (a database owner).
Every use is schema-qualified (``public.gin_trgm_ops``, ``OPERATOR(public.%>)``) because
the commerce role's ``search_path`` is its own schema only.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 09:00:00.000000
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TRGM = """
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm')
            AND EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') THEN
        BEGIN
            CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE EXCEPTION 'pg_trgm is not installed and role % may not install it',
                current_user
                USING HINT = 'Provision the database first (make migrate installs it as '
                    'the admin), or run CREATE EXTENSION pg_trgm SCHEMA public as its owner.';
        END;
    END IF;
    IF (SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_trgm')
            <> 'public' THEN
        RAISE EXCEPTION 'pg_trgm is installed outside the public schema'
            USING HINT = 'commerce qualifies its operators with public.';
    END IF;
END $$
"""

# Without pg_trgm (the embedded PostgreSQL of `make run` ships no contrib extensions) the
# search's typo fallback uses these: a text's trigrams as pg_trgm makes them (each word
# lower-cased, padded with two spaces before and one after), and for each word of the
# query the best share of its trigrams one word of the text has, averaged over the query's
# words. Unindexed and slower than pg_trgm's ``%>``; the same idea, word by word.
TRIGRAMS = """
CREATE FUNCTION commerce.trigrams(t text) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT coalesce(array_agg(DISTINCT substr('  ' || w || ' ', i, 3)), '{}')
    FROM regexp_split_to_table(lower(t), '[^[:alnum:]]+') AS w,
         generate_series(1, length(w) + 1) AS i
    WHERE w <> ''
$$
"""
TRIGRAM_SHARE = """
CREATE FUNCTION commerce.trigram_share(q text, t text) RETURNS real LANGUAGE sql IMMUTABLE
PARALLEL SAFE AS $$
    SELECT coalesce(avg(best), 0)::real FROM (
        SELECT (
            SELECT max((
                SELECT count(*) FROM unnest(commerce.trigrams(qw)) g
                WHERE g = ANY(commerce.trigrams(tw))
            )::real / greatest(cardinality(commerce.trigrams(qw)), 1))
            FROM regexp_split_to_table(lower(t), '[^[:alnum:]]+') AS tw
            WHERE tw <> ''
        ) AS best
        FROM regexp_split_to_table(lower(q), '[^[:alnum:]]+') AS qw
        WHERE qw <> ''
    ) x
$$
"""

# The effective price of a variant price at ``at``: the scheduled sale price inside its
# window, else the regular price.
EFFECTIVE_PRICE = """
CREATE FUNCTION commerce.effective_price(
    amount bigint, sale_amount bigint, starts timestamptz, ends timestamptz, at timestamptz
) RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN sale_amount IS NOT NULL AND (starts IS NULL OR starts <= at)
            AND (ends IS NULL OR ends > at) THEN sale_amount
        ELSE amount
    END
$$
"""

# {currency: [min, max]} of a product's variants at ``at``.
PRODUCT_PRICES = """
CREATE FUNCTION commerce.product_prices_now(product text, at timestamptz DEFAULT now())
RETURNS jsonb LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(jsonb_object_agg(g.currency, jsonb_build_array(g.lo, g.hi)), '{}')
    FROM (
        SELECT vp.currency,
               min(commerce.effective_price(vp.amount, vp.sale_amount, vp.sale_starts_at,
                                            vp.sale_ends_at, product_prices_now.at)) AS lo,
               max(commerce.effective_price(vp.amount, vp.sale_amount, vp.sale_starts_at,
                                            vp.sale_ends_at, product_prices_now.at)) AS hi
        FROM commerce.variants va
        JOIN commerce.variant_prices vp ON vp.variant_id = va.id
        WHERE va.product_id = product_prices_now.product
        GROUP BY vp.currency
    ) g
$$
"""

# Rebuilds the search rows of ``wanted``, set-based: each source table is read once for
# all of them, so one call serves one product (index lookups) or a 100,000-row import
# (hash joins) alike.
SEARCH_REFRESH = r"""
CREATE FUNCTION commerce.search_refresh(wanted text[]) RETURNS void LANGUAGE sql AS $$
-- Lock the rows to rebuild in one order: two transactions refreshing the same products
-- queue instead of deadlocking, and the statements below run after the other committed,
-- so they read its stock and prices (a SQL function takes a snapshot per statement).
SELECT 1 FROM commerce.product_search s
WHERE s.product_id = ANY(search_refresh.wanted)
ORDER BY s.product_id FOR UPDATE;

DELETE FROM commerce.product_search s
WHERE s.product_id = ANY(search_refresh.wanted)
  AND NOT EXISTS (SELECT 1 FROM commerce.products p WHERE p.id = s.product_id);

WITH RECURSIVE placed(product_id, id, parent_id) AS (
    SELECT pc.product_id, c.id, c.parent_id
    FROM commerce.product_categories pc
    JOIN commerce.categories c ON c.id = pc.category_id
    WHERE pc.product_id = ANY(search_refresh.wanted)
    UNION
    SELECT placed.product_id, c.id, c.parent_id
    FROM placed JOIN commerce.categories c ON c.id = placed.parent_id
),
categories AS (
    SELECT product_id, array_agg(DISTINCT id::text ORDER BY id::text) AS category_ids
    FROM placed GROUP BY product_id
),
variants AS MATERIALIZED (
    SELECT va.id, va.product_id, va.sku, va.position, va.option_values,
           NOT va.track_inventory OR va.inventory_policy <> 'deny' AS unlimited
    FROM commerce.variants va WHERE va.product_id = ANY(search_refresh.wanted)
),
stock AS (
    SELECT sl.variant_id, sum(sl.on_hand - sl.allocated) AS units
    FROM commerce.stock_levels sl
    WHERE sl.variant_id IN (SELECT id FROM variants)
    GROUP BY sl.variant_id
),
-- A bundle holds no stock: it makes as many as its scarcest limiting component allows,
-- and is unlimited when no component limits sales.
kits AS (
    SELECT bc.bundle_variant_id AS variant_id,
           bool_and(NOT (cv.track_inventory AND cv.inventory_policy = 'deny')) AS unlimited,
           min(floor(coalesce(cs.units, 0) / bc.quantity))
               FILTER (WHERE cv.track_inventory AND cv.inventory_policy = 'deny') AS units
    FROM commerce.bundle_components bc
    JOIN commerce.variants cv ON cv.id = bc.component_variant_id
    LEFT JOIN LATERAL (
        SELECT sum(sl.on_hand - sl.allocated) AS units
        FROM commerce.stock_levels sl WHERE sl.variant_id = bc.component_variant_id
    ) cs ON true
    WHERE bc.bundle_variant_id IN (SELECT id FROM variants)
    GROUP BY bc.bundle_variant_id
),
sellable AS (
    SELECT v.product_id,
           string_agg(v.sku, ' ' ORDER BY v.position, v.id) AS skus,
           bool_or(CASE WHEN k.variant_id IS NOT NULL THEN k.unlimited OR k.units > 0
                        ELSE v.unlimited OR coalesce(st.units, 0) > 0 END) AS in_stock
    FROM variants v
    LEFT JOIN stock st ON st.variant_id = v.id
    LEFT JOIN kits k ON k.variant_id = v.id
    GROUP BY v.product_id
),
amounts AS (
    SELECT v.product_id, vp.currency,
           commerce.effective_price(vp.amount, vp.sale_amount, vp.sale_starts_at,
                                    vp.sale_ends_at, now()) AS amount,
           CASE WHEN vp.sale_amount IS NOT NULL THEN least(
               CASE WHEN vp.sale_starts_at > now() THEN vp.sale_starts_at END,
               CASE WHEN vp.sale_ends_at > now() THEN vp.sale_ends_at END
           ) END AS changes_at
    FROM variants v JOIN commerce.variant_prices vp ON vp.variant_id = v.id
),
priced AS (
    SELECT product_id, jsonb_object_agg(currency, jsonb_build_array(lo, hi)) AS prices,
           min(changes_at) AS valid_until
    FROM (
        SELECT product_id, currency, min(amount) AS lo, max(amount) AS hi,
               min(changes_at) AS changes_at
        FROM amounts GROUP BY product_id, currency
    ) g
    GROUP BY product_id
),
pairs AS (
    SELECT p.id AS product_id, a.key AS k, x.v
    FROM commerce.products p
    CROSS JOIN LATERAL jsonb_each(p.attributes) a
    CROSS JOIN LATERAL (
        SELECT a.value #>> '{}' AS v
        WHERE jsonb_typeof(a.value) IN ('string', 'number', 'boolean')
        UNION ALL
        SELECT e.value #>> '{}'
        FROM jsonb_array_elements(
            CASE WHEN jsonb_typeof(a.value) = 'array' THEN a.value ELSE '[]' END
        ) e
        WHERE jsonb_typeof(e.value) IN ('string', 'number', 'boolean')
    ) x
    WHERE p.id = ANY(search_refresh.wanted)
    UNION ALL
    SELECT v.product_id, o.key, o.value
    FROM variants v CROSS JOIN LATERAL jsonb_each_text(v.option_values) o
),
facets AS (
    SELECT product_id,
           array_agg(DISTINCT lower(k) || E'\x1f' || lower(v)) AS facets,
           string_agg(DISTINCT v, ' ') AS words
    FROM (
        SELECT product_id, translate(k, E'\x1f', ' ') AS k, translate(v, E'\x1f', ' ') AS v
        FROM pairs
    ) kv
    WHERE btrim(k) <> '' AND btrim(v) <> '' AND length(k) <= 100 AND length(v) <= 200
    GROUP BY product_id
),
ratings AS (
    SELECT rv.product_id, round(avg(rv.rating), 2) AS average, count(*) AS count
    FROM commerce.reviews rv
    WHERE rv.product_id = ANY(search_refresh.wanted) AND rv.status = 'approved'
    GROUP BY rv.product_id
)
INSERT INTO commerce.product_search AS s (
    product_id, account_id, store_id, status, title, handle, document, search_text,
    category_ids, facets, in_stock, prices, prices_valid_until, rating_avg, rating_count,
    created_at, refreshed_at
)
SELECT p.id, p.account_id, p.store_id, p.status, p.title, p.handle,
       setweight(to_tsvector('english', p.title), 'A')
       || setweight(to_tsvector('simple', coalesce(v.skus, '')), 'B')
       || setweight(to_tsvector('english', coalesce(f.words, '')), 'B')
       || setweight(to_tsvector('english', p.description), 'C'),
       concat_ws(' ', p.title, f.words),
       coalesce(c.category_ids, '{}'),
       coalesce(f.facets, '{}'),
       coalesce(v.in_stock, false),
       coalesce(pr.prices, '{}'),
       pr.valid_until,
       r.average,
       coalesce(r.count, 0),
       p.created_at,
       now()
FROM commerce.products p
LEFT JOIN categories c ON c.product_id = p.id
LEFT JOIN sellable v ON v.product_id = p.id
LEFT JOIN facets f ON f.product_id = p.id
LEFT JOIN priced pr ON pr.product_id = p.id
LEFT JOIN ratings r ON r.product_id = p.id
WHERE p.id = ANY(search_refresh.wanted)
ON CONFLICT (product_id) DO UPDATE SET
    account_id = excluded.account_id, store_id = excluded.store_id,
    status = excluded.status, title = excluded.title, handle = excluded.handle,
    document = excluded.document, search_text = excluded.search_text,
    category_ids = excluded.category_ids, facets = excluded.facets,
    in_stock = excluded.in_stock, prices = excluded.prices,
    prices_valid_until = excluded.prices_valid_until, rating_avg = excluded.rating_avg,
    rating_count = excluded.rating_count, created_at = excluded.created_at,
    refreshed_at = excluded.refreshed_at;
$$
"""

# This transaction's id: ``search_dirty`` rows are per transaction, so two transactions
# queueing the same product never wait on each other's uncommitted row.
TX = "pg_current_xact_id()::text::bigint"

# Runs at commit (deferred), once per transaction that queued products (its one
# ``search_pending`` row): rebuilds them all at once.
SEARCH_FLUSH = """
CREATE FUNCTION commerce.search_flush() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    queued text[];
BEGIN
    DELETE FROM commerce.search_pending WHERE tx = TX;
    WITH taken AS (
        DELETE FROM commerce.search_dirty WHERE tx = TX RETURNING product_id
    )
    SELECT array_agg(product_id) INTO queued FROM taken;
    IF queued IS NOT NULL THEN
        PERFORM commerce.search_refresh(queued);
    END IF;
    RETURN NULL;
END $$
""".replace("= TX", f"= {TX}")

# After queueing products: one flush at commit for the whole transaction.
PENDING = """
    IF FOUND THEN
        INSERT INTO commerce.search_pending (tx) VALUES (DEFAULT) ON CONFLICT DO NOTHING;
    END IF;"""

# How each source table's changed rows lead to product ids: (table, function body for
# INSERT/UPDATE from new_rows, for DELETE from old_rows). ``{rows}`` is the transition table.
SOURCES = {
    "products": "SELECT id FROM {rows}",
    "variants": "SELECT product_id FROM {rows}",
    "variant_prices": (
        "SELECT va.product_id FROM {rows} r JOIN commerce.variants va ON va.id = r.variant_id"
    ),
    "product_categories": "SELECT product_id FROM {rows}",
    "reviews": "SELECT product_id FROM {rows}",
    "bundle_components": (
        "SELECT va.product_id FROM {rows} r JOIN commerce.variants va"
        " ON va.id = r.bundle_variant_id"
    ),
}

MARK = """
CREATE FUNCTION commerce.search_mark_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO commerce.search_dirty (product_id)
        SELECT DISTINCT x.id FROM ({old}) x(id) WHERE x.id IS NOT NULL
        ON CONFLICT DO NOTHING;
    ELSE
        INSERT INTO commerce.search_dirty (product_id)
        SELECT DISTINCT x.id FROM ({new}) x(id) WHERE x.id IS NOT NULL
        ON CONFLICT DO NOTHING;
    END IF;{pending}
    RETURN NULL;
END $$
"""

# Stock changes queue a product only when one of its variants goes from available to sold
# out or back (sum of on hand - allocated over its locations crosses zero), so checkouts
# that take one of many units do not rebuild the product's document. ``{changes}`` is
# (variant_id, delta) of the statement's rows; the table already holds the new levels.
STOCK_CHANGES = {
    "INSERT": "SELECT variant_id, on_hand - allocated FROM new_rows",
    "UPDATE": (
        "SELECT variant_id, on_hand - allocated FROM new_rows"
        " UNION ALL SELECT variant_id, allocated - on_hand FROM old_rows"
    ),
    "DELETE": "SELECT variant_id, allocated - on_hand FROM old_rows",
}
MARK_STOCK = """
CREATE FUNCTION commerce.search_mark_stock_{op}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- A variant's product when it sells out or comes back; a bundle's product when one of
    -- its components crosses what one bundle takes of it.
    WITH changed AS (
        SELECT c.variant_id, c.delta, now_.units
        FROM (
            SELECT d.variant_id, sum(d.delta) AS delta
            FROM ({changes}) d(variant_id, delta) GROUP BY d.variant_id
        ) c
        JOIN commerce.variants va ON va.id = c.variant_id
        CROSS JOIN LATERAL (
            SELECT coalesce(sum(sl.on_hand - sl.allocated), 0) AS units
            FROM commerce.stock_levels sl WHERE sl.variant_id = c.variant_id
        ) now_
        WHERE va.track_inventory AND va.inventory_policy = 'deny'
    )
    INSERT INTO commerce.search_dirty (product_id)
    SELECT va.product_id FROM changed ch JOIN commerce.variants va ON va.id = ch.variant_id
    WHERE (ch.units > 0) <> (ch.units - ch.delta > 0)
    UNION
    SELECT kit.product_id
    FROM changed ch
    JOIN commerce.bundle_components bc ON bc.component_variant_id = ch.variant_id
    JOIN commerce.variants kit ON kit.id = bc.bundle_variant_id
    WHERE (ch.units >= bc.quantity) <> (ch.units - ch.delta >= bc.quantity)
    ON CONFLICT DO NOTHING;{pending}
    RETURN NULL;
END $$
"""

# A category moved under another parent: its products' ancestor lists change.
MARK_CATEGORIES = """
CREATE FUNCTION commerce.search_mark_categories() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO commerce.search_dirty (product_id)
    SELECT s.product_id FROM commerce.product_search s
    WHERE s.category_ids && ARRAY(
        SELECT n.id::text FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE n.parent_id IS DISTINCT FROM o.parent_id
    )
    ON CONFLICT DO NOTHING;{pending}
    RETURN NULL;
END $$
"""


def upgrade() -> None:
    op.execute(TRGM)
    _tables()
    _indexes()
    for statement in (
        EFFECTIVE_PRICE,
        PRODUCT_PRICES,
        SEARCH_REFRESH,
        SEARCH_FLUSH,
        TRIGRAMS,
        TRIGRAM_SHARE,
    ):
        op.execute(statement)
    op.execute(
        "CREATE CONSTRAINT TRIGGER search_pending_flush AFTER INSERT ON commerce.search_pending"
        " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION commerce.search_flush()"
    )
    for table, source in SOURCES.items():
        op.execute(
            MARK.format(
                table=table,
                new=source.format(rows="new_rows"),
                old=source.format(rows="old_rows"),
                pending=PENDING,
            )
        )
        for event, rows in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
            op.execute(
                f"CREATE TRIGGER search_{event.lower()} AFTER {event} ON commerce.{table}"
                f" REFERENCING {rows} TABLE AS {rows.lower()}_rows FOR EACH STATEMENT"
                f" EXECUTE FUNCTION commerce.search_mark_{table}()"
            )
    for event, changes in STOCK_CHANGES.items():
        op.execute(MARK_STOCK.format(op=event.lower(), changes=changes, pending=PENDING))
        tables = {"INSERT": "NEW TABLE AS new_rows", "DELETE": "OLD TABLE AS old_rows"}
        op.execute(
            f"CREATE TRIGGER search_{event.lower()} AFTER {event} ON commerce.stock_levels"
            f" REFERENCING {tables.get(event, 'OLD TABLE AS old_rows NEW TABLE AS new_rows')}"
            f" FOR EACH STATEMENT EXECUTE FUNCTION commerce.search_mark_stock_{event.lower()}()"
        )
    op.execute(MARK_CATEGORIES.format(pending=PENDING))
    op.execute(
        "CREATE TRIGGER search_update AFTER UPDATE ON commerce.categories"
        " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT"
        " EXECUTE FUNCTION commerce.search_mark_categories()"
    )
    # The products that exist already.
    op.execute("SELECT commerce.search_refresh(array_agg(id)) FROM commerce.products")


def _tables() -> None:
    op.create_table(
        "product_search",
        sa.Column("product_id", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("store_id", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("handle", sa.String(length=150), nullable=False),
        sa.Column("document", postgresql.TSVECTOR(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("category_ids", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("facets", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("in_stock", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column(
            "prices", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.Column("prices_valid_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rating_avg", sa.Numeric(precision=3, scale=2), nullable=True),
        sa.Column("rating_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "refreshed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["commerce.products.id"],
            name=op.f("fk_product_search_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("product_id", name=op.f("pk_product_search")),
        schema="commerce",
    )
    op.create_table(
        "search_dirty",
        sa.Column("tx", sa.BigInteger(), server_default=sa.text(TX), nullable=False),
        sa.Column("product_id", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("tx", "product_id", name=op.f("pk_search_dirty")),
        schema="commerce",
    )
    op.create_table(
        "search_pending",
        sa.Column("tx", sa.BigInteger(), server_default=sa.text(TX), nullable=False),
        sa.PrimaryKeyConstraint("tx", name=op.f("pk_search_pending")),
        schema="commerce",
    )
    _reviews()
    for name, at in (("wishlist_items", "added_at"), ("recent_views", "viewed_at")):
        _shopper_list(name, at)


def _reviews() -> None:
    op.create_table(
        "reviews",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("store_id", sa.String(length=40), nullable=False),
        sa.Column("product_id", sa.String(length=40), nullable=False),
        sa.Column("reviewer", sa.String(length=400), nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("order_id", sa.String(length=40), nullable=False),
        sa.Column("author_name", sa.String(length=100), nullable=False),
        sa.Column("rating", sa.SmallInteger(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("body", sa.Text(), server_default="", nullable=False),
        sa.Column("status", sa.String(length=10), server_default="pending", nullable=False),
        sa.Column("moderation_note", sa.String(length=500), nullable=True),
        sa.Column("moderated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name=op.f("ck_reviews_rating")),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'rejected')", name=op.f("ck_reviews_status")
        ),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["commerce.stores.id"],
            name=op.f("fk_reviews_store_id_stores"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["commerce.products.id"],
            name=op.f("fk_reviews_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews")),
        schema="commerce",
    )


def _shopper_list(name: str, at: str) -> None:
    op.create_table(
        name,
        sa.Column("store_id", sa.String(length=40), nullable=False),
        sa.Column("owner", sa.String(length=160), nullable=False),
        sa.Column("product_id", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column(at, sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["commerce.stores.id"],
            name=op.f(f"fk_{name}_store_id_stores"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["commerce.products.id"],
            name=op.f(f"fk_{name}_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("store_id", "owner", "product_id", name=op.f(f"pk_{name}")),
        schema="commerce",
    )
    op.create_index(
        f"ix_{name}_owner", name, ["store_id", "owner", at], unique=False, schema="commerce"
    )


def _has_trgm() -> bool:
    found = op.get_bind().execute(
        sa.text("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm')")
    )
    return bool(found.scalar())


def _indexes() -> None:
    search = "product_search"
    for index, column in (
        ("ix_product_search_document", "document"),
        ("ix_product_search_categories", "category_ids"),
        ("ix_product_search_facets", "facets"),
    ):
        op.create_index(index, search, [column], postgresql_using="gin", schema="commerce")
    if _has_trgm():
        op.execute(
            "CREATE INDEX ix_product_search_text_trgm ON commerce.product_search"
            " USING gin (search_text public.gin_trgm_ops)"
        )
    op.create_index(
        "ix_product_search_store_created",
        search,
        ["store_id", "created_at", "product_id"],
        schema="commerce",
    )
    op.create_index(
        "ix_product_search_prices_expire",
        search,
        ["store_id", "prices_valid_until"],
        schema="commerce",
        postgresql_where=sa.text("prices_valid_until IS NOT NULL"),
    )
    op.create_index(
        "uq_reviews_product_reviewer",
        "reviews",
        ["product_id", "reviewer"],
        unique=True,
        schema="commerce",
    )
    op.create_index(
        "ix_reviews_product_status",
        "reviews",
        ["product_id", "status", "created_at", "id"],
        schema="commerce",
    )
    op.create_index(
        "ix_reviews_store_created", "reviews", ["store_id", "created_at", "id"], schema="commerce"
    )
    op.create_index(
        "ix_order_lines_product", "order_lines", ["product_id", "order_id"], schema="commerce"
    )
    op.create_index(
        "ix_orders_store_email",
        "orders",
        ["store_id", sa.text("lower(email)")],
        schema="commerce",
    )


def downgrade() -> None:
    # pg_trgm stays: extensions are database-wide and provisioning owns it.
    for table in (*SOURCES, "stock_levels", "categories"):
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS search_{event} ON commerce.{table}")
    op.execute("DROP INDEX commerce.ix_orders_store_email")
    op.execute("DROP INDEX commerce.ix_order_lines_product")
    for name in (
        "recent_views",
        "wishlist_items",
        "reviews",
        "search_pending",
        "search_dirty",
        "product_search",
    ):
        op.drop_table(name, schema="commerce")
    for table in (*SOURCES, "stock_insert", "stock_update", "stock_delete", "categories"):
        op.execute(f"DROP FUNCTION IF EXISTS commerce.search_mark_{table}()")
    op.execute("DROP FUNCTION commerce.search_flush()")
    op.execute("DROP FUNCTION commerce.trigram_share(text, text)")
    op.execute("DROP FUNCTION commerce.trigrams(text)")
    op.execute("DROP FUNCTION commerce.search_refresh(text[])")
    op.execute("DROP FUNCTION commerce.product_prices_now(text, timestamptz)")
    op.execute(
        "DROP FUNCTION commerce.effective_price(bigint, bigint, timestamptz, timestamptz,"
        " timestamptz)"
    )
