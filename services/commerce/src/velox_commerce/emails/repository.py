"""Data access of queued emails: the staff's delivery log and the worker's claims."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select, true, update
from velox_shared.repository import Repository

from velox_commerce.db.aftersales import EmailMessage
from velox_commerce.db.catalog import Store

__all__ = ["Claimed", "Emails"]


@dataclass(frozen=True, slots=True)
class Claimed:
    """An email taken for one attempt, with what sending it needs."""

    id: str
    recipient: str
    subject: str
    body: str
    attempts: int
    store_name: str


class Emails(Repository[EmailMessage]):
    model = EmailMessage

    def log(
        self, store: Store, *, order_id: str | None, status: str | None
    ) -> Select[tuple[EmailMessage]]:
        query = self.query(account_id=store.account_id).where(EmailMessage.store_id == store.id)
        if order_id is not None:
            query = query.where(EmailMessage.order_id == order_id)
        if status is not None:
            query = query.where(EmailMessage.status == status)
        return query

    async def claim_due(
        self,
        limit: int,
        lease: timedelta,
        now: datetime | None = None,
        store_ids: Sequence[str] | None = None,
    ) -> list[Claimed]:
        """Take up to ``limit`` queued emails due by ``now`` (the database's clock unless
        given), of ``store_ids`` only if given, for one attempt each.

        Rows are locked with ``SKIP LOCKED`` (workers side by side take different ones),
        the attempt is counted and the next try pushed past ``lease``: if this worker dies
        while sending, another tries again after it. The caller commits before sending.
        """
        e = EmailMessage
        clock: ColumnElement[Any] | datetime = func.now() if now is None else now
        due = (
            select(e.id)
            .where(
                e.status == "queued",
                e.next_attempt_at <= clock,
                true() if store_ids is None else e.store_id.in_(list(store_ids)),
            )
            .order_by(e.next_attempt_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
            .cte("due")
        )
        statement = (
            update(e)
            .where(e.id == due.c.id, Store.id == e.store_id)
            .values(attempts=e.attempts + 1, next_attempt_at=clock + lease)
            .returning(e.id, e.recipient, e.subject, e.body, e.attempts, Store.name)
        )
        rows = (await self.session.execute(statement)).all()
        return [Claimed(*row) for row in rows]

    async def sent(self, claimed: Claimed) -> None:
        await self._settle(claimed, status="sent", sent_at=func.now(), last_error=None)

    async def failed(
        self, claimed: Claimed, error: str, retry_at: datetime | ColumnElement[Any] | None
    ) -> None:
        """Record a failed attempt: tried again at ``retry_at``, or failed for good if None."""
        if retry_at is None:
            await self._settle(claimed, status="failed", last_error=error[:500])
        else:
            await self._settle(claimed, last_error=error[:500], next_attempt_at=retry_at)

    async def _settle(self, claimed: Claimed, **values: Any) -> None:
        # Only the attempt this worker claimed (the lease may have run out meanwhile).
        await self.session.execute(
            update(EmailMessage)
            .where(EmailMessage.id == claimed.id, EmailMessage.attempts == claimed.attempts)
            .values(**values)
        )
