"""Outgoing mail is pluggable; the default writes the message to the log."""

from __future__ import annotations

import logging
from typing import Protocol

_log = logging.getLogger("velox.gateway.mail")


class MailSender(Protocol):
    async def send(self, *, to: str, subject: str, body: str) -> None: ...


class LogMailSender:
    """Development sender: the message (with its link or token) goes to the JSON log."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str]] = []

    async def send(self, *, to: str, subject: str, body: str) -> None:
        self.sent.append((to, subject, body))
        _log.info("mail", extra={"to": to, "subject": subject, "body": body})
