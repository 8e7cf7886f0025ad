"""Where the mail worker hands emails: the :class:`EmailSender` protocol and two senders.

* :class:`SmtpSender` speaks SMTP with the standard library's :mod:`smtplib`, in a thread
  so the event loop never blocks. ``smtp://`` upgrades with STARTTLS when the server
  offers it, ``smtps://`` is TLS from the first byte; a user and password are sent only
  over TLS.
* :class:`LogSender` writes the email to the log: the default for local development.

A sender raises :class:`PermanentEmailError` when retrying cannot help (the server
refused the recipient); any other exception is retried by the worker.

Example::

    sender = SmtpSender.from_url("smtp://mailer:secret@smtp.example.com:587")
    await sender.send(OutgoingEmail("eml_1", "Shop <no-reply@shop.test>", "a@b.test",
                                    "Your order", "Hello"))
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage as MimeMessage
from email.utils import formataddr, formatdate, parseaddr
from typing import Protocol
from urllib.parse import unquote, urlsplit

from velox_commerce.config import Settings

__all__ = [
    "EmailSender",
    "LogSender",
    "OutgoingEmail",
    "PermanentEmailError",
    "SmtpSender",
    "from_address",
    "sender_from_settings",
]

_log = logging.getLogger("velox.commerce.emails")
_DEFAULT_PORTS = {"smtp": 25, "smtps": 465}


class PermanentEmailError(Exception):
    """Sending this email again cannot succeed (the worker marks it failed at once)."""


@dataclass(frozen=True, slots=True)
class OutgoingEmail:
    """One email as a sender gets it; ``id`` makes its ``Message-ID`` (the same on every
    attempt, so a receiver can drop a copy sent twice)."""

    id: str
    sender: str
    recipient: str
    subject: str
    body: str

    def mime(self) -> MimeMessage:
        message = MimeMessage()
        message["From"] = self.sender
        message["To"] = self.recipient
        message["Subject"] = self.subject
        message["Date"] = formatdate(localtime=False, usegmt=True)
        message["Message-ID"] = f"<{self.id}@velox-commerce>"
        message.set_content(self.body)
        return message


def from_address(configured: str, display_name: str) -> str:
    """The ``From`` header: the configured address under the store's name."""
    _, address = parseaddr(configured)
    return formataddr((" ".join(display_name.split()), address or configured))


class EmailSender(Protocol):
    async def send(self, message: OutgoingEmail) -> None:
        """Hand ``message`` over for delivery, or raise."""


class LogSender:
    """Writes each email to the log instead of sending it (local development)."""

    async def send(self, message: OutgoingEmail) -> None:
        _log.info(
            "email %s to %s: %s\n%s",
            message.id,
            message.recipient,
            message.subject,
            message.body,
            extra={"email_id": message.id, "kind": "email"},
        )


@dataclass(frozen=True, slots=True)
class SmtpSender:
    host: str
    port: int
    implicit_tls: bool
    username: str | None = None
    password: str | None = None
    timeout: float = 15.0

    @classmethod
    def from_url(cls, url: str, *, timeout: float = 15.0) -> SmtpSender:
        """``smtp://[user:password@]host[:port]`` or ``smtps://...`` (ports 25 and 465
        unless given); raises ValueError for anything else."""
        parts = urlsplit(url)
        if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
            raise ValueError("COMMERCE_SMTP_URL must be smtp://host[:port] or smtps://...")
        try:
            port = parts.port or _DEFAULT_PORTS[parts.scheme]
        except ValueError:
            raise ValueError("COMMERCE_SMTP_URL has an invalid port") from None
        return cls(
            host=parts.hostname,
            port=port,
            implicit_tls=parts.scheme == "smtps",
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            timeout=timeout,
        )

    async def send(self, message: OutgoingEmail) -> None:
        await asyncio.to_thread(self._send, message)

    def _connect(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        if self.implicit_tls:
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        client.ehlo()
        if client.has_extn("starttls"):
            client.starttls(context=context)
            client.ehlo()
        elif self.username is not None:
            client.close()
            raise ConnectionError(f"{self.host} offers no STARTTLS; refusing to log in")
        return client

    def _send(self, message: OutgoingEmail) -> None:
        client = self._connect()
        try:
            if self.username is not None:
                client.login(self.username, self.password or "")
            client.send_message(message.mime())
        except smtplib.SMTPRecipientsRefused as refused:
            raise PermanentEmailError(f"recipient refused: {refused.recipients}") from None
        finally:
            try:
                client.quit()
            except (smtplib.SMTPException, OSError):
                client.close()


def sender_from_settings(settings: Settings) -> EmailSender:
    """SMTP when ``COMMERCE_SMTP_URL`` is set, else the log."""
    if settings.smtp_url is None:
        return LogSender()
    return SmtpSender.from_url(
        settings.smtp_url.get_secret_value(), timeout=settings.smtp_timeout_seconds
    )
