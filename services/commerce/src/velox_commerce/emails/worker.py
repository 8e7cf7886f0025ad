"""The mail worker: sends due emails through the configured sender, retries with backoff.

Each round claims a small batch in a short transaction (``FOR UPDATE SKIP LOCKED``, so
replicas share the work; the attempt is counted and the row leased), sends the batch with
no transaction open, then records each outcome in a second transaction: ``sent``; or
tried again after the next wait of the schedule (jittered); or ``failed`` once the
schedule is used up or the sender says retrying cannot help. Delivery is at least once:
a worker that dies after the server took an email but before recording it sends it again
when the lease runs out (with the same ``Message-ID``).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func
from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.workers import BackgroundWorker, Quiesce

from velox_commerce.emails.repository import Claimed, Emails
from velox_commerce.emails.sender import (
    EmailSender,
    OutgoingEmail,
    PermanentEmailError,
    from_address,
)

__all__ = ["MailWorker"]

_log = logging.getLogger("velox.commerce.emails")
# Spread of each wait (a fraction either way), so a failing server is not hit in bursts.
_JITTER = 0.1


class MailWorker(BackgroundWorker):
    name = "mail-worker"

    def __init__(
        self,
        sessions: Callable[[], AsyncSession],
        sender: EmailSender,
        *,
        from_address: str,
        poll_seconds: float,
        batch_size: int,
        schedule: Sequence[float],
        send_timeout: float = 30.0,
    ) -> None:
        if not schedule or any(wait <= 0 for wait in schedule):
            raise ValueError("the mail retry schedule needs one or more positive waits")
        self.sessions = sessions
        self.sender = sender
        self.from_address = from_address
        self.poll_seconds = poll_seconds
        self.batch_size = batch_size
        self.schedule = list(schedule)
        self.send_timeout = send_timeout
        # A claimed email is tried again after this if its worker never reports back.
        self.lease = timedelta(seconds=send_timeout + 60)
        self.quiesce = Quiesce()

    def retry_in(self, attempts: int) -> float | None:
        """Seconds until the next try after ``attempts`` failed ones; None when done."""
        if attempts > len(self.schedule):
            return None
        return self.schedule[attempts - 1] * random.uniform(1 - _JITTER, 1 + _JITTER)

    async def run(self) -> None:
        while True:
            try:
                handled = await self.deliver()
            except Exception:
                _log.exception("mail round failed; next try in %.1f s", self.poll_seconds)
                handled = 0
            if handled < self.batch_size:
                await asyncio.sleep(self.poll_seconds)

    async def deliver(
        self, *, now: datetime | None = None, store_ids: Sequence[str] | None = None
    ) -> int:
        """One round: claim due emails, send them, record the outcomes; returns how many.

        ``now`` replaces the database's clock and ``store_ids`` keeps to some stores (an
        operator's run for one store, or a test reaching the emails it queued for later
        while other workers share the database).
        """
        async with self.quiesce.section(), self.sessions() as session, session.begin():
            claimed = await Emails(session).claim_due(self.batch_size, self.lease, now, store_ids)
        if not claimed:
            return 0
        errors = [await self.attempt(email) for email in claimed]
        clock: ColumnElement[Any] | datetime = func.now() if now is None else now
        async with self.quiesce.section(), self.sessions() as session, session.begin():
            emails = Emails(session)
            for email, error in zip(claimed, errors, strict=True):
                if error is None:
                    await emails.sent(email)
                    continue
                permanent, detail = error
                wait = None if permanent else self.retry_in(email.attempts)
                retry_at = None if wait is None else clock + timedelta(seconds=wait)
                await emails.failed(email, detail, retry_at)
                _log.warning(
                    "email %s not sent (attempt %d%s): %s",
                    email.id,
                    email.attempts,
                    "" if wait is not None else ", giving up",
                    detail,
                )
        return len(claimed)

    async def attempt(self, email: Claimed) -> tuple[bool, str] | None:
        """Send one email; None on success, else (permanent?, what went wrong)."""
        message = OutgoingEmail(
            id=email.id,
            sender=from_address(self.from_address, email.store_name),
            recipient=email.recipient,
            subject=email.subject,
            body=email.body,
        )
        try:
            async with asyncio.timeout(self.send_timeout):
                await self.sender.send(message)
        except PermanentEmailError as exc:
            return True, str(exc) or type(exc).__name__
        except TimeoutError:
            return False, f"not sent within {self.send_timeout:g} s"
        except Exception as exc:
            return False, f"{type(exc).__name__}: {exc}"
        return None
