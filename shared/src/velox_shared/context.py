"""Per-request context (the request id) carried through logs, outbound calls and events."""

from __future__ import annotations

import secrets
from contextvars import ContextVar

__all__ = ["REQUEST_ID_HEADER", "current_request_id", "new_request_id", "set_request_id"]

REQUEST_ID_HEADER = "X-Request-ID"

_request_id: ContextVar[str | None] = ContextVar("velox_request_id", default=None)


def new_request_id() -> str:
    """Return a fresh opaque request id such as ``req_3f2a...``."""
    return "req_" + secrets.token_hex(12)


def current_request_id() -> str | None:
    """The request id of the running request or job, if any."""
    return _request_id.get()


def set_request_id(value: str | None) -> None:
    """Bind ``value`` as the request id of the current context."""
    _request_id.set(value)
