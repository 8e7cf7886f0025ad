"""Data access of webhook subscriptions and deliveries (every API read takes the account)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from velox_shared.repository import Repository

from velox_commerce.db.aftersales import WebhookDelivery, WebhookSubscription
from velox_commerce.webhooks.catalogue import ALL_EVENTS

__all__ = ["Claimed", "Deliveries", "Subscriptions"]

_DUE = ("pending", "failed")


class Subscriptions(Repository[WebhookSubscription]):
    model = WebhookSubscription

    async def matching(
        self, account_id: str, event_type: str, store_id: str | None, occurred_at: datetime
    ) -> list[str]:
        """Ids of the account's active subscriptions that want this event (made before it
        happened: a new subscription does not get the stream's backlog)."""
        sub = WebhookSubscription
        any_store = sub.store_id.is_(None)
        stores = any_store if store_id is None else or_(any_store, sub.store_id == store_id)
        query = select(sub.id).where(
            sub.account_id == account_id,
            sub.active.is_(True),
            sub.event_types.overlap([event_type, ALL_EVENTS]),
            stores,
            sub.created_at <= occurred_at,
        )
        return list(await self.session.scalars(query))


@dataclass(frozen=True)
class Claimed:
    """A delivery taken for one attempt, with what sending it needs."""

    id: str
    event_id: str
    payload: dict[str, Any]
    attempts: int
    url: str
    secret: str


class Deliveries(Repository[WebhookDelivery]):
    model = WebhookDelivery

    def log(
        self, account_id: str, subscription_id: str | None, status: str | None
    ) -> Select[tuple[WebhookDelivery]]:
        query = self.query(account_id=account_id)
        if subscription_id is not None:
            query = query.where(WebhookDelivery.subscription_id == subscription_id)
        if status is not None:
            query = query.where(WebhookDelivery.status == status)
        return query

    async def add_once(self, rows: list[dict[str, Any]]) -> int:
        """Insert deliveries; one that exists for the same subscription and event is kept
        (a stream message seen twice makes one delivery). Returns how many were new."""
        if not rows:
            return 0
        statement = (
            insert(WebhookDelivery)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["subscription_id", "event_id"])
            .returning(WebhookDelivery.id)
        )
        return len((await self.session.scalars(statement)).all())

    async def claim_due(self, limit: int, lease: timedelta) -> list[Claimed]:
        """Take up to ``limit`` due deliveries of active subscriptions for one attempt each.

        Rows are locked with ``SKIP LOCKED`` (workers side by side take different ones), the
        attempt is counted and the next try pushed past ``lease``: if this worker dies while
        sending, another tries again after it. The caller commits before sending.
        """
        d, s = WebhookDelivery, WebhookSubscription
        due = (
            select(d.id)
            .join(s, s.id == d.subscription_id)
            .where(d.status.in_(_DUE), d.next_attempt_at <= func.now(), s.active.is_(True))
            .order_by(d.next_attempt_at)
            .limit(limit)
            .with_for_update(of=d, skip_locked=True)
            .cte("due")
        )
        statement = (
            update(d)
            .where(d.id == due.c.id, s.id == d.subscription_id)
            .values(attempts=d.attempts + 1, next_attempt_at=func.now() + lease)
            .returning(d.id, d.event_id, d.payload, d.attempts, s.url, s.secret)
        )
        rows = (await self.session.execute(statement)).all()
        return [Claimed(*row) for row in rows]

    async def succeeded(self, claimed: Claimed, status_code: int) -> None:
        await self._settle(
            claimed,
            status="succeeded",
            delivered_at=func.now(),
            last_status_code=status_code,
            last_error=None,
        )

    async def failed(
        self, claimed: Claimed, status_code: int | None, error: str, retry_in: float | None
    ) -> None:
        """Record a failed attempt: retried after ``retry_in`` seconds, or dead if None."""
        await self._settle(
            claimed,
            status="dead" if retry_in is None else "failed",
            last_status_code=status_code,
            last_error=error[:500],
            next_attempt_at=func.now() + timedelta(seconds=retry_in or 0),
        )

    async def _settle(self, claimed: Claimed, **values: Any) -> None:
        # Only the attempt this worker claimed: a redelivery meanwhile starts afresh.
        await self.session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id == claimed.id, WebhookDelivery.attempts == claimed.attempts)
            .values(**values)
        )

    async def redeliver(self, delivery: WebhookDelivery) -> None:
        """Due now with a fresh schedule of retries (the same event id)."""
        delivery.status = "pending"
        delivery.attempts = 0
        delivery.next_attempt_at = func.now()
        await self.session.flush()
        await self.session.refresh(delivery)
