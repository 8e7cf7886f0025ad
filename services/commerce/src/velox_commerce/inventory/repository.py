"""Stock queries. The locking ones take rows in one fixed order, (variant id, location id),
so concurrent checkouts wait for each other instead of deadlocking."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ["Also", "LedgerEntry", "StockRepository", "StockRow"]


@dataclass(slots=True)
class StockRow:
    variant_id: str
    location_id: str
    priority: int
    on_hand: int
    allocated: int
    threshold: int | None


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    variant_id: str
    location_id: str | None
    kind: str
    on_hand_delta: int
    allocated_delta: int
    reference: str | None
    note: str | None = None


_LOCK = text(
    """
    SELECT s.variant_id, s.location_id, l.priority, s.on_hand, s.allocated,
           s.low_stock_threshold
    FROM commerce.stock_levels s JOIN commerce.locations l ON l.id = s.location_id
    WHERE s.account_id = :account AND s.variant_id = ANY(CAST(:variants AS text[]))
    ORDER BY s.variant_id, s.location_id
    FOR UPDATE OF s
    """
)
_HELD = text(
    """
    SELECT variant_id, sum(quantity)::int FROM commerce.reservations
    WHERE variant_id = ANY(CAST(:variants AS text[])) AND expires_at > now()
      AND cart_id <> :cart
    GROUP BY variant_id
    """
)
_APPLY = text(
    """
    UPDATE commerce.stock_levels s
    SET on_hand = s.on_hand + d.on_hand, allocated = s.allocated + d.allocated,
        updated_at = now()
    FROM unnest(CAST(:variants AS text[]), CAST(:locations AS text[]),
                CAST(:on_hand AS int[]), CAST(:allocated AS int[]))
         AS d(variant_id, location_id, on_hand, allocated)
    WHERE s.variant_id = d.variant_id AND s.location_id = d.location_id
    """
)
_LEDGER = text(
    """
    INSERT INTO commerce.stock_movements
        (account_id, store_id, variant_id, location_id, kind, on_hand_delta,
         allocated_delta, reference, note)
    SELECT :account, :store, d.variant_id, d.location_id, d.kind, d.on_hand, d.allocated,
           d.reference, d.note
    FROM unnest(CAST(:variants AS text[]), CAST(:locations AS text[]), CAST(:kinds AS text[]),
                CAST(:on_hand AS int[]), CAST(:allocated AS int[]),
                CAST(:refs AS text[]), CAST(:notes AS text[]))
         AS d(variant_id, location_id, kind, on_hand, allocated, reference, note)
    """
)
_RESERVE_UPSERT = text(
    """
    INSERT INTO commerce.reservations (cart_id, variant_id, account_id, quantity, expires_at)
    SELECT :cart, d.variant_id, :account, d.quantity, :until
    FROM unnest(CAST(:variants AS text[]), CAST(:quantities AS int[])) AS d(variant_id, quantity)
    ON CONFLICT (cart_id, variant_id)
    DO UPDATE SET quantity = excluded.quantity, expires_at = excluded.expires_at
    """
)


_MOVE = """
    WITH d AS (
        SELECT * FROM unnest(
            CAST(:variants AS text[]), CAST(:locations AS text[]), CAST(:kinds AS text[]),
            CAST(:on_hand AS int[]), CAST(:allocated AS int[]), CAST(:refs AS text[]),
            CAST(:notes AS text[])
        ) AS d(variant_id, location_id, kind, on_hand, allocated, reference, note)
    ),
    levels AS (
        UPDATE commerce.stock_levels s
        SET on_hand = s.on_hand + d.on_hand, allocated = s.allocated + d.allocated,
            updated_at = now()
        FROM d WHERE s.variant_id = d.variant_id AND s.location_id = d.location_id
    ),
    held AS (DELETE FROM commerce.reservations WHERE cart_id = :release_cart),
    ledger AS (
        INSERT INTO commerce.stock_movements
            (account_id, store_id, variant_id, location_id, kind, on_hand_delta,
             allocated_delta, reference, note)
        SELECT :account, :store, d.variant_id, d.location_id, d.kind, d.on_hand, d.allocated,
               d.reference, d.note
        FROM d
    )
"""


@dataclass(frozen=True, slots=True)
class Also:
    """A statement that runs in the same round trip as a stock move (see
    :meth:`StockRepository.move`): ``sql`` is an ``UPDATE``/``INSERT`` whose ``RETURNING``
    gives one text column ``ref``, and its parameters are named ``<name>_...``."""

    name: str
    sql: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        prefix = f"{self.name}_"
        if not self.name.isidentifier() or not all(p.startswith(prefix) for p in self.params):
            raise ValueError(f"{self.name!r}: a CTE name, and parameters named after it")


class StockRepository:
    def __init__(self, session: AsyncSession, account_id: str, store_id: str) -> None:
        self.session = session
        self.account_id = account_id
        self.store_id = store_id

    async def lock(self, variant_ids: Sequence[str]) -> list[StockRow]:
        """The stock rows of these variants, locked until the transaction ends."""
        result = await self.session.execute(
            _LOCK, {"account": self.account_id, "variants": sorted(set(variant_ids))}
        )
        return [StockRow(*row) for row in result]

    async def held_by_others(self, variant_ids: Sequence[str], cart_id: str) -> dict[str, int]:
        """Units of live reservations of other carts, per variant."""
        result = await self.session.execute(_HELD, {"variants": list(variant_ids), "cart": cart_id})
        return {variant: int(held) for variant, held in result}

    async def apply(self, changes: Sequence[tuple[str, str, int, int]]) -> None:
        """Add ``(variant, location, on_hand delta, allocated delta)`` to locked rows."""
        if not changes:
            return
        variants, locations, on_hand, allocated = (list(col) for col in zip(*changes, strict=True))
        await self.session.execute(
            _APPLY,
            {
                "variants": variants,
                "locations": locations,
                "on_hand": on_hand,
                "allocated": allocated,
            },
        )

    async def move(
        self,
        entries: Sequence[LedgerEntry],
        *,
        release_cart: str | None = None,
        also: Sequence[Also] = (),
    ) -> dict[str, list[str]]:
        """Apply ``entries`` to locked rows, write them to the ledger, drop the holds of
        ``release_cart`` and run ``also``, all in one statement: a checkout holds its stock
        row locks from here to the commit, so it makes one round trip. Returns the
        ``ref`` values each ``also`` statement returned, by name."""
        if not entries and not also:
            if release_cart is not None:
                await self.release(release_cart)
            return {}
        # Names and SQL are the callers' constants (checked identifiers); values are bound.
        ctes = "".join(f",\n    {a.name} AS ({a.sql})" for a in also)
        returned = ", ".join(f"ARRAY(SELECT ref FROM {a.name})" for a in also) or "1"  # noqa: S608
        params = self._ledger_params(entries) | {"release_cart": release_cart}
        for extra in also:
            params.update(extra.params)
        row = (await self.session.execute(text(f"{_MOVE}{ctes}\nSELECT {returned}"), params)).one()
        return {a.name: list(refs) for a, refs in zip(also, row, strict=False)}

    async def record(self, entries: Sequence[LedgerEntry]) -> None:
        if not entries:
            return
        await self.session.execute(_LEDGER, self._ledger_params(entries))

    def _ledger_params(self, entries: Sequence[LedgerEntry]) -> dict[str, Any]:
        """The ledger statements' parameters: ``entries`` as one array per column."""
        return {
            "account": self.account_id,
            "store": self.store_id,
            "variants": [e.variant_id for e in entries],
            "locations": [e.location_id for e in entries],
            "kinds": [e.kind for e in entries],
            "on_hand": [e.on_hand_delta for e in entries],
            "allocated": [e.allocated_delta for e in entries],
            "refs": [e.reference for e in entries],
            "notes": [e.note for e in entries],
        }

    async def reserve(
        self, cart_id: str, quantities: dict[str, int], until: datetime, *, replace: bool
    ) -> None:
        """Hold ``quantities`` for the cart until ``until`` (``replace``: drop its holds on
        other variants)."""
        if replace:
            await self.session.execute(
                text(
                    "DELETE FROM commerce.reservations WHERE cart_id = :cart"
                    " AND variant_id <> ALL(CAST(:variants AS text[]))"
                ),
                {"cart": cart_id, "variants": list(quantities)},
            )
        await self.session.execute(
            _RESERVE_UPSERT,
            {
                "cart": cart_id,
                "account": self.account_id,
                "until": until,
                "variants": list(quantities),
                "quantities": list(quantities.values()),
            },
        )

    async def release(self, cart_id: str) -> None:
        await self.session.execute(
            text("DELETE FROM commerce.reservations WHERE cart_id = :cart"), {"cart": cart_id}
        )

    async def ensure_rows(self, variant_id: str, location_id: str) -> None:
        await self.session.execute(
            text(
                "INSERT INTO commerce.stock_levels (variant_id, location_id, account_id)"
                " VALUES (:v, :l, :a) ON CONFLICT DO NOTHING"
            ),
            {"v": variant_id, "l": location_id, "a": self.account_id},
        )
