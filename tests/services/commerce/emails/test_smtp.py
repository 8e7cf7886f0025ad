"""The mail worker over real SMTP (a loopback aiosmtpd server): sent, refused for good,
retried on a server that is down then failed; the staff's log shows each outcome."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy.ext.asyncio import AsyncEngine
from velox_commerce.db.aftersales import EmailMessage
from velox_commerce.emails.sender import SmtpSender
from velox_commerce.emails.worker import MailWorker
from velox_devstack.embedded import free_port
from velox_shared.db import session_factory
from velox_shared.ids import new_id

from tests.services.commerce.conftest import Shop
from tests.services.commerce.factory import ok

REFUSED = "nobody@example.com"


@dataclass
class Mailbox:
    """An SMTP handler keeping what it accepts; ``REFUSED`` is an unknown mailbox."""

    received: list[Any] = field(default_factory=list)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address == REFUSED:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
async def smtp() -> AsyncIterator[tuple[str, Mailbox]]:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    await asyncio.to_thread(controller.start)
    try:
        yield f"smtp://127.0.0.1:{port}", mailbox
    finally:
        await asyncio.to_thread(controller.stop)


async def _queue(
    engine: AsyncEngine, account: str, store: dict[str, Any], recipients: list[str]
) -> datetime:
    """Emails queued for an hour on (so the shared app's own mail worker leaves them)."""
    later = datetime.now(UTC) + timedelta(hours=1)
    async with session_factory(engine)() as session, session.begin():
        for recipient in recipients:
            session.add(
                EmailMessage(
                    id=new_id("eml"),
                    account_id=account,
                    store_id=store["id"],
                    kind="order_placed",
                    recipient=recipient,
                    subject=f"Your order at {store['name']}",
                    body="Thank you.",
                    next_attempt_at=later,
                )
            )
    return later + timedelta(seconds=1)


def _worker(engine: AsyncEngine, url: str) -> MailWorker:
    return MailWorker(
        session_factory(engine),
        SmtpSender.from_url(url, timeout=5),
        from_address="no-reply@shop.test",
        poll_seconds=1,
        batch_size=10,
        schedule=[60, 120],
    )


async def test_emails_go_out_over_smtp_and_a_refused_recipient_fails_at_once(
    shop: Shop, unique: str, commerce_db: AsyncEngine, smtp: tuple[str, Mailbox]
) -> None:
    url, mailbox = smtp
    account = shop.account("smtp", unique)
    client = shop.client(account)
    body = {"name": "Trail shop", "handle": "t"}
    store = ok(await client.post("/v1/commerce/stores", json=body), 201)
    due = await _queue(commerce_db, account, store, ["buyer@example.com", REFUSED])
    assert await _worker(commerce_db, url).deliver(now=due, store_ids=[store["id"]]) == 2
    [envelope] = mailbox.received
    assert envelope.rcpt_tos == ["buyer@example.com"]
    mime = message_from_bytes(envelope.content)
    assert mime["From"] == "Trail shop <no-reply@shop.test>"
    assert mime["Subject"] == "Your order at Trail shop"
    emails = f"/v1/commerce/stores/{store['id']}/emails"
    [sent] = ok(await client.get(emails, params={"status": "sent"}))["items"]
    assert sent["recipient"] == "buyer@example.com" and sent["sent_at"] and sent["attempts"] == 1
    assert mime["Message-ID"] == f"<{sent['id']}@velox-commerce>"
    [failed] = ok(await client.get(emails, params={"status": "failed"}))["items"]
    assert failed["recipient"] == REFUSED and "refused" in failed["last_error"]


async def test_a_server_that_is_down_is_retried_on_schedule_then_given_up(
    shop: Shop, unique: str, commerce_db: AsyncEngine
) -> None:
    account = shop.account("down", unique)
    client = shop.client(account)
    store = ok(await client.post("/v1/commerce/stores", json={"name": "Shop", "handle": "d"}), 201)
    due = await _queue(commerce_db, account, store, ["buyer@example.com"])
    worker = _worker(commerce_db, f"smtp://127.0.0.1:{free_port()}")  # nothing listens
    emails = f"/v1/commerce/stores/{store['id']}/emails"
    for attempt in (1, 2):
        assert await worker.deliver(now=due, store_ids=[store["id"]]) == 1
        [queued] = ok(await client.get(emails))["items"]
        assert queued["status"] == "queued" and queued["attempts"] == attempt
        wait = datetime.fromisoformat(queued["next_attempt_at"]) - due
        assert timedelta(seconds=0.8 * 60 * attempt) < wait < timedelta(seconds=1.2 * 60 * attempt)
        # Not due before its retry time.
        assert await worker.deliver(now=due, store_ids=[store["id"]]) == 0
        due += wait
    assert await worker.deliver(now=due, store_ids=[store["id"]]) == 1
    [failed] = ok(await client.get(emails))["items"]
    assert failed["status"] == "failed" and failed["attempts"] == 3 and failed["last_error"]
