"""Commerce search benchmark: search and category pages on a large catalogue.

A scratch database is migrated with the commerce role, then one store is filled by bulk
SQL as that role (``INSERT ... SELECT`` from ``generate_series``, in one transaction):
``BENCH_SEARCH_PRODUCTS`` (100,000) active products of generated titles, descriptions and
attributes (colour, material, brand) in a tree of 10 top categories of 10 subcategories,
each with ``BENCH_SEARCH_VARIANTS`` (3) variants of a size option, priced in USD and EUR,
with stock (1 product in 10 sold out, and 1 other variant in 8) and approved reviews for
a product in 4. The search table is built by the migration's triggers when that
transaction commits, as it would be for an import: the load and the build are timed
apart.

The commerce app (``velox_commerce.app:create_app``) then serves over HTTP on a loopback
port of this process, and one client (one tenant, signed identity) times, one request at
a time, after ``BENCH_SEARCH_WARMUP`` (30) unmeasured requests of each kind:

- search: ``BENCH_SEARCH_QUERIES`` (300) searches of a word or two, a top category, a colour,
  a USD price range and a sort (rotating relevance, price up, price down, newest, rating),
  with facet counts: ``GET .../search?q=&category=&attr=color:..&min_price=&max_price=&sort=``;
- typos: a third as many searches with a misspelt word (trigram fallback), for information;
- category pages: ``BENCH_SEARCH_LISTINGS`` (500) pages of 24 products, newest first, with
  prices in USD and EUR of a random category (a top one 3 times in 10, about 10,000
  products; else a subcategory, about 1,000), a fifth of them second pages:
  ``GET .../categories/{id}/products?currencies=USD&currencies=EUR&limit=24``; then a fifth
  as many sorted by price, for information.

Each figure comes with the app's own side: mean time in the app, SQL time and statements
per request (counted by :mod:`bench.sqltrace`), the costliest statement first.

Aims (the commerce issue): search p95 under 100 ms, category page p95 under 50 ms.
``BENCH_STRICT=1`` exits 1 when one is missed. ``BENCH_SEARCH_EXPLAIN=1`` prints the plan of
one search statement. ``DATABASE_URL`` (an admin URL) and ``REDIS_URL`` select servers;
without them embedded ones start in a temporary folder. Results go to
``bench/results/commerce_search.json``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import secrets
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from velox_devstack.components import COMPONENTS
from velox_devstack.database import component_url, migrate_all, plain_dsn
from velox_shared.identity import IDENTITY_HEADER, Identity, IdentitySigner, generate_keypair

from bench.commerce import environment, latency, private_redis, serve, statement_figures
from bench.common import (
    describe_servers,
    env_number,
    scratch_database,
    server_versions,
    servers,
    write_results,
)
from bench.sqltrace import Phase, Tracer

RESULTS = Path(__file__).resolve().parent / "results" / "commerce_search.json"
TARGET_SEARCH_P95_MS = 100.0
TARGET_LISTING_P95_MS = 50.0
STORE = "sto_bench_search"
SORTS = ("relevance", "price_asc", "price_desc", "newest", "rating")

NOUNS = [
    "shoe",
    "boot",
    "sneaker",
    "sandal",
    "jacket",
    "coat",
    "shirt",
    "dress",
    "skirt",
    "sock",
    "hat",
    "scarf",
    "glove",
    "bag",
    "belt",
    "watch",
    "lamp",
    "chair",
    "table",
    "mug",
    "kettle",
    "pan",
    "knife",
    "towel",
    "pillow",
    "blanket",
    "candle",
    "vase",
    "backpack",
    "wallet",
    "umbrella",
    "bottle",
]
ADJECTIVES = [
    "classic",
    "modern",
    "vintage",
    "light",
    "heavy",
    "soft",
    "warm",
    "cool",
    "slim",
    "classic",
    "rugged",
    "elegant",
    "compact",
    "durable",
    "cozy",
    "sleek",
    "bold",
    "simple",
    "premium",
    "handmade",
]
COLORS = [
    "red",
    "blue",
    "green",
    "black",
    "white",
    "grey",
    "yellow",
    "orange",
    "purple",
    "brown",
    "pink",
    "navy",
]
MATERIALS = [
    "cotton",
    "wool",
    "leather",
    "linen",
    "silk",
    "denim",
    "steel",
    "oak",
    "ceramic",
    "glass",
]
BRANDS = [f"brand{i:02d}" for i in range(50)]


@dataclass(frozen=True)
class Settings:
    products: int
    variants: int
    queries: int
    listings: int
    warmup: int
    explain: bool
    strict: bool

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            products=env_number("BENCH_SEARCH_PRODUCTS", 100_000),
            variants=env_number("BENCH_SEARCH_VARIANTS", 3),
            queries=env_number("BENCH_SEARCH_QUERIES", 300),
            listings=env_number("BENCH_SEARCH_LISTINGS", 500),
            warmup=env_number("BENCH_SEARCH_WARMUP", 30),
            explain=os.environ.get("BENCH_SEARCH_EXPLAIN", "0") == "1",
            strict=os.environ.get("BENCH_STRICT", "0") == "1",
        )


# --------------------------------------------------------------------------- the load


def _pick(words: list[str], seed: str) -> str:
    """SQL picking one of ``words`` from a deterministic hash of ``seed`` (an expression)."""
    array = "ARRAY[" + ",".join(f"'{w}'" for w in words) + "]"
    return f"({array})[1 + (hashtext({seed}) & 2147483647) % {len(words)}]"


def load_statements(s: Settings, account: str) -> list[tuple[str, str]]:
    """(what, SQL) of the bulk load, in order; ids and words derive from row numbers."""
    noun, adjective = _pick(NOUNS, "'n' || i"), _pick(ADJECTIVES, "'a' || i")
    color, material = _pick(COLORS, "'c' || i"), _pick(MATERIALS, "'m' || i")
    brand, other = _pick(BRANDS, "'b' || i"), _pick(NOUNS, "'o' || i")
    sizes = "ARRAY['XS','S','M','L','XL','XXL','3XL','4XL','5XL','6XL']"
    return [
        (
            "store",
            "INSERT INTO commerce.stores (id, account_id, name, handle, default_currency,"
            " currencies, locale, country, tax_inclusive) VALUES"
            f" ('{STORE}', '{account}', 'Bench', 'bench', 'USD', '{{USD,EUR}}', 'en-US', 'US',"
            " false);"
            " INSERT INTO commerce.locations (id, account_id, store_id, name)"
            f" VALUES ('loc_bench', '{account}', '{STORE}', 'Depot')",
        ),
        (
            "categories",
            "INSERT INTO commerce.categories (id, account_id, store_id, parent_id, name, handle)"
            f" SELECT 'cat_t' || t, '{account}', '{STORE}', NULL, 'Top ' || t, 'top-' || t"
            " FROM generate_series(0, 9) t;"
            " INSERT INTO commerce.categories (id, account_id, store_id, parent_id, name, handle)"
            f" SELECT 'cat_' || t || '_' || c, '{account}', '{STORE}', 'cat_t' || t,"
            " 'Sub ' || t || '.' || c, 'sub-' || t || '-' || c"
            " FROM generate_series(0, 9) t, generate_series(0, 9) c",
        ),
        (
            "products",
            "INSERT INTO commerce.products (id, account_id, store_id, title, handle, description,"
            " status, options, attributes, created_at, updated_at)"
            f" SELECT 'prod_' || i, '{account}', '{STORE}',"
            f" initcap({adjective} || ' ' || {color} || ' ' || {material} || ' ' || {noun})"
            f" || ' ' || {brand}, 'p-' || i,"
            f" 'A ' || {adjective} || ' ' || {noun} || ' in ' || {material} || ', goes well with"
            f" a ' || {other} || '. Made by ' || {brand} || ' for everyday use.', 'active',"
            f" jsonb_build_array(jsonb_build_object('name', 'Size', 'values',"
            f" to_jsonb(({sizes})[1:{s.variants}]))),"
            f" jsonb_build_object('color', {color}, 'material', {material}, 'brand', {brand}),"
            " now() - make_interval(secs => i * 60), now()"
            f" FROM generate_series(1, {s.products}) i",
        ),
        (
            "product categories",
            "INSERT INTO commerce.product_categories (product_id, category_id)"
            " SELECT 'prod_' || i, 'cat_' || (i % 10) || '_' || (i / 10 % 10)"
            f" FROM generate_series(1, {s.products}) i",
        ),
        (
            "variants",
            "INSERT INTO commerce.variants (id, account_id, store_id, product_id, sku, title,"
            " option_values, position)"
            f" SELECT 'var_' || i || '_' || v, '{account}', '{STORE}', 'prod_' || i,"
            f" 'SKU-' || i || '-' || ({sizes})[v], ({sizes})[v],"
            f" jsonb_build_object('Size', ({sizes})[v]), v"
            f" FROM generate_series(1, {s.products}) i, generate_series(1, {s.variants}) v",
        ),
        (
            "prices",
            "INSERT INTO commerce.variant_prices (variant_id, currency, account_id, amount)"
            f" SELECT 'var_' || i || '_' || v, cur, '{account}',"
            " (500 + (hashtext('p' || i) & 2147483647) % 30000 + v * 100)"
            " * CASE cur WHEN 'EUR' THEN 92 ELSE 100 END / 100"
            f" FROM generate_series(1, {s.products}) i, generate_series(1, {s.variants}) v,"
            " unnest(ARRAY['USD', 'EUR']) cur",
        ),
        (
            "stock",
            "INSERT INTO commerce.stock_levels (variant_id, location_id, account_id, on_hand)"
            f" SELECT 'var_' || i || '_' || v, 'loc_bench', '{account}',"
            " CASE WHEN (hashtext('o' || i) & 2147483647) % 10 = 0"
            " OR (hashtext('s' || i || v) & 2147483647) % 8 = 0 THEN 0"
            " ELSE (hashtext('s' || i || v) & 2147483647) % 40 END"
            f" FROM generate_series(1, {s.products}) i, generate_series(1, {s.variants}) v",
        ),
        (
            "reviews",
            "INSERT INTO commerce.reviews (id, account_id, store_id, product_id, reviewer,"
            " order_id, author_name, rating, status)"
            f" SELECT 'rev_' || i || '_' || r, '{account}', '{STORE}', 'prod_' || i,"
            " 'email:' || r || '@example.com', 'ord_bench', 'Ann',"
            " 1 + (hashtext('r' || i || r) & 2147483647) % 5, 'approved'"
            f" FROM generate_series(4, {s.products}, 4) i, generate_series(1, 2) r",
        ),
    ]


async def load(s: Settings, url: str, account: str) -> dict[str, Any]:
    """The catalogue in one transaction; the commit builds the search table."""
    conn = await asyncpg.connect(plain_dsn(url))
    steps: dict[str, float] = {}
    try:
        begun = time.perf_counter()
        async with conn.transaction():
            for what, sql in load_statements(s, account):
                started = time.perf_counter()
                await conn.execute(sql)
                steps[what] = round(time.perf_counter() - started, 2)
            loaded = time.perf_counter()
        built = time.perf_counter() - loaded
        total = time.perf_counter() - begun
        started = time.perf_counter()
        await conn.execute("VACUUM ANALYZE")
        vacuum = time.perf_counter() - started
        counts = await conn.fetchrow(
            "SELECT (SELECT count(*) FROM commerce.products) AS products,"
            " (SELECT count(*) FROM commerce.variants) AS variants,"
            " (SELECT count(*) FROM commerce.variant_prices) AS prices,"
            " (SELECT count(*) FROM commerce.product_search) AS documents,"
            " (SELECT count(*) FROM commerce.product_search WHERE NOT in_stock) AS sold_out,"
            " pg_size_pretty(pg_total_relation_size('commerce.product_search')) AS search_size"
        )
    finally:
        await conn.close()
    return {
        "load_s": round(loaded - begun, 1),
        "steps_s": steps,
        "search_build_at_commit_s": round(built, 1),
        "load_and_build_s": round(total, 1),
        "vacuum_analyze_s": round(vacuum, 1),
        **dict(counts),
    }


# --------------------------------------------------------------------------- requests


def search_params(rng: random.Random, i: int, typo: bool = False) -> dict[str, Any]:
    """A noun, a third of the time with a material, from the titles' words; with a typo,
    one letter of the noun dropped."""
    noun = rng.choice(NOUNS)
    if typo:
        at = rng.randrange(1, len(noun) - 1)
        noun = noun[:at] + noun[at + 1 :]
    words = f"{rng.choice(MATERIALS)} {noun}" if i % 3 == 2 else noun
    low = rng.randrange(500, 15_000, 100)
    return {
        "q": words,
        "category": f"cat_t{rng.randrange(10)}",
        "attr": f"color:{rng.choice(COLORS)}",
        "min_price": low,
        "max_price": low + rng.randrange(5_000, 25_000, 100),
        "sort": SORTS[i % len(SORTS)],
    }


def listing_path(rng: random.Random, sort: str) -> tuple[str, dict[str, Any]]:
    top = rng.randrange(10)
    category = f"cat_t{top}" if rng.random() < 0.3 else f"cat_{top}_{rng.randrange(10)}"
    params: dict[str, Any] = {"currencies": ["USD", "EUR"], "limit": 24, "sort": sort}
    return f"/v1/commerce/stores/{STORE}/categories/{category}/products", params


class Timer:
    """Times requests from the client, and keeps the server's trace of each timed one."""

    def __init__(self, client: httpx.AsyncClient, tracer: Tracer) -> None:
        self.client = client
        self.tracer = tracer

    async def get(
        self, path: str, params: dict[str, Any], check: str, phase: Phase | None
    ) -> tuple[float, dict[str, Any]]:
        with self.tracer.phase("request") as one:
            started = time.perf_counter()
            answer = await self.client.get(path, params=params)
            elapsed = time.perf_counter() - started
        if answer.status_code != 200:
            raise RuntimeError(f"GET {path} {params}: {answer.status_code} {answer.text[:300]}")
        body: dict[str, Any] = answer.json()
        if check not in body:
            raise RuntimeError(f"GET {path}: no {check} in the answer")
        if phase is not None:
            phase.traces += one.traces
        return elapsed, body


def server_figures(phase: Phase) -> dict[str, Any]:
    figures = statement_figures(phase)
    return {
        key: figures[key]
        for key in ("statements_per_request", "server_mean_ms", "sql_mean_ms", "by_statement")
    }


async def searches(timer: Timer, count: int, warmup: int, typo: bool) -> dict[str, Any]:
    rng = random.Random(7 if typo else 3)
    path = f"/v1/commerce/stores/{STORE}/search"
    phase = Phase("search")
    times: list[float] = []
    totals: list[int] = []
    matches: dict[str, int] = {}
    for i in range(warmup + count):
        measured = phase if i >= warmup else None
        elapsed, body = await timer.get(path, search_params(rng, i, typo), "facets", measured)
        if measured is not None:
            times.append(elapsed)
            totals.append(body["total"])
            matches[body["match"]] = matches.get(body["match"], 0) + 1
    return {
        "requests": count,
        **latency(times),
        "mean_total": round(sum(totals) / len(totals), 1),
        "empty": sum(1 for t in totals if t == 0),
        "match": matches,
        "example": search_params(random.Random(3), 0, typo),
        "server": server_figures(phase),
    }


async def listings(timer: Timer, count: int, warmup: int, sort: str = "newest") -> dict[str, Any]:
    """Category pages, a fifth of them a second page."""
    rng = random.Random(5)
    phase = Phase("listing")
    times: list[float] = []
    items: list[int] = []
    for i in range(warmup + count):
        path, params = listing_path(rng, sort)
        if rng.random() < 0.2:  # a later page
            _, first = await timer.get(path, params, "items", None)
            if first.get("next_cursor"):
                params["cursor"] = first["next_cursor"]
        measured = phase if i >= warmup else None
        elapsed, body = await timer.get(path, params, "items", measured)
        if measured is not None:
            times.append(elapsed)
            items.append(len(body["items"]))
            if any(set(card["prices"]) != {"USD", "EUR"} for card in body["items"]):
                raise RuntimeError("a card without its two prices")
    return {
        "requests": count,
        **latency(times),
        "mean_items": round(sum(items) / len(items), 1),
        "server": server_figures(phase),
    }


async def explain(url: str, account: str) -> list[str]:
    """The plan of one search statement as the app runs it (facets, 2 filters, a range)."""
    from sqlalchemy import text
    from velox_commerce.search.engine import SearchQuery
    from velox_commerce.search.postgres import _Statement
    from velox_shared.db import create_engine

    query = SearchQuery(
        account_id=account,
        store_id=STORE,
        currency="USD",
        currencies=("USD", "EUR"),
        text="leather boot",
        categories=("cat_t3",),
        attributes=(("color", ("black",)),),
        min_price=2000,
        max_price=12000,
        sort="price_asc",
    )
    statement = _Statement(query, "fulltext")
    sql = statement.faceted()
    engine = create_engine(url, schema="commerce")
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(text(f"EXPLAIN (ANALYZE, BUFFERS) {sql}"), statement.params)
            return [str(r[0]) for r in rows]
    finally:
        await engine.dispose()


# --------------------------------------------------------------------------- the run


async def measure(s: Settings, app_env: dict[str, str], account: str) -> dict[str, Any]:
    from velox_commerce.app import create_app

    with environment(app_env):
        app = create_app()
    signer = IdentitySigner(app_env["VELOX_IDENTITY_PRIVATE_KEY"], ttl_seconds=3600)
    identity = Identity(account_id=account, principal_id="usr_bench", plan="pro", scopes=("*",))
    headers = {IDENTITY_HEADER: signer.sign(identity, audience="commerce")}
    tracer = Tracer()
    tracer.install()
    try:
        async with (
            serve(tracer.wrap(app)) as url,
            httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as client,
        ):
            timer = Timer(client, tracer)
            return {
                "search": await searches(timer, s.queries, s.warmup, typo=False),
                "search_typo": await searches(timer, max(1, s.queries // 3), s.warmup, True),
                "listing": await listings(timer, s.listings, s.warmup),
                "listing_by_price": await listings(
                    timer, max(1, s.listings // 5), s.warmup, sort="price_asc"
                ),
            }
    finally:
        tracer.remove()


async def main() -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s %(message)s")
    s = Settings.from_env()
    suffix = secrets.token_hex(4)
    component = next(c for c in COMPONENTS if c.name == "commerce")
    account = f"acc_bench_search_{suffix}"
    async with servers() as srv:
        versions = await server_versions(srv.admin_url, srv.redis_url)
        name, prefix = f"bench_search_{suffix}", f"bsr{suffix}_"
        async with (
            private_redis(srv, account) as redis,
            scratch_database(srv.admin_url, name, prefix, (component,)) as db_url,
        ):
            await asyncio.to_thread(migrate_all, db_url, prefix, (component,))
            role_url = component_url(db_url, component, prefix)
            loaded = await load(s, role_url, account)
            private, public = generate_keypair()
            app_env = {
                "DATABASE_URL": role_url,
                "REDIS_URL": redis["url"],
                "VELOX_IDENTITY_PUBLIC_KEY": public,
                "VELOX_IDENTITY_PRIVATE_KEY": private,
                "VELOX_ENV": "local",
                "LOG_LEVEL": "WARNING",
            }
            figures = await measure(s, app_env, account)
            plan = await explain(role_url, account) if s.explain else []
    targets = {
        "search_p95_under_100ms": figures["search"]["p95_ms"] < TARGET_SEARCH_P95_MS,
        "listing_p95_under_50ms": figures["listing"]["p95_ms"] < TARGET_LISTING_P95_MS,
    }
    report = {
        "settings": asdict(s),
        "servers": {"embedded": srv.embedded, **versions, "cpus": os.cpu_count()},
        "aims": {"search_p95_ms": TARGET_SEARCH_P95_MS, "listing_p95_ms": TARGET_LISTING_P95_MS},
        "load": loaded,
        **figures,
        "targets": targets,
    }
    write_results(RESULTS, report)
    print(f"commerce search benchmark ({describe_servers(srv, versions)}; app in-process)")
    for line in report_lines(report):
        print(line)
    for line in plan:
        print(f"    {line}")
    print(f"  results: {RESULTS}")
    return 1 if s.strict and not all(targets.values()) else 0


def report_lines(report: dict[str, Any]) -> list[str]:
    load, search, typo = (report[k] for k in ("load", "search", "search_typo"))
    lines = [
        f"  catalogue: {load['products']} products, {load['variants']} variants, "
        f"{load['prices']} prices loaded in {load['load_s']} s; search table "
        f"({load['documents']} documents, {load['search_size']}) built at commit in "
        f"{load['search_build_at_commit_s']} s; VACUUM ANALYZE {load['vacuum_analyze_s']} s"
    ]
    for what, r in (("search", search), ("search with a typo", typo)):
        lines.append(
            f"  {what} (words, category, colour, price range, sort, facets; "
            f"{r['requests']} one at a time): p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms, "
            f"p99 {r['p99_ms']} ms; {r['mean_total']} matches on average, {r['match']}"
        )
        lines.append(_server_line(r["server"]))
    for key, what in (("listing", "newest first"), ("listing_by_price", "by price")):
        r = report[key]
        lines.append(
            f"  category page, {what} (24 cards, USD + EUR; {r['requests']} one at a time): "
            f"p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms, p99 {r['p99_ms']} ms"
        )
        lines.append(_server_line(r["server"]))
    for name, met in report["targets"].items():
        lines.append(f"  {'met' if met else 'MISSED'}: {name}")
    return lines


def _server_line(server: dict[str, Any]) -> str:
    slowest = server["by_statement"][0]
    return (
        f"    in the app: {server['server_mean_ms']} ms mean, of which SQL "
        f"{server['sql_mean_ms']} ms over {server['statements_per_request']} statements "
        f"(most: {slowest['statement'][:40]}, {slowest['mean_ms']} ms)"
    )


def _run() -> int:
    try:
        import uvloop  # what uvicorn runs the services on
    except ImportError:
        return asyncio.run(main())
    return uvloop.run(main())


if __name__ == "__main__":
    raise SystemExit(_run())
