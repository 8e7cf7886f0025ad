"""The fake Stripe's memory: objects by kind, events, idempotent replies, meter events."""

from __future__ import annotations

import itertools
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ApiError", "Store", "now"]


def now() -> int:
    return int(time.time())


class ApiError(Exception):
    """A Stripe error response: ``{"error": {"type", "message", "code"?, "param"?}}``."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        param: str | None = None,
        kind: str = "invalid_request_error",
    ) -> None:
        super().__init__(message)
        self.status = status
        self.body: dict[str, Any] = {"type": kind, "message": message}
        if code:
            self.body["code"] = code
        if param:
            self.body["param"] = param


@dataclass
class Store:
    objects: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    # Not part of Stripe's objects: checkout line items, meter events counted.
    line_items: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    meter_events: list[dict[str, Any]] = field(default_factory=list)
    meter_identifiers: set[str] = field(default_factory=set)
    idempotent: dict[str, tuple[str, str, int, dict[str, Any]]] = field(default_factory=dict)
    deliveries: list[dict[str, Any]] = field(default_factory=list)
    _serial: itertools.count[int] = field(default_factory=itertools.count)

    def new_id(self, prefix: str) -> str:
        return f"{prefix}_{secrets.token_hex(4)}{next(self._serial):06d}"

    def kind(self, name: str) -> dict[str, dict[str, Any]]:
        return self.objects.setdefault(name, {})

    def add(self, name: str, obj: dict[str, Any]) -> dict[str, Any]:
        self.kind(name)[obj["id"]] = obj
        return obj

    def get(self, name: str, object_id: str, param: str = "id") -> dict[str, Any]:
        found = self.kind(name).get(object_id)
        if found is None:
            raise ApiError(
                404, f"No such {name}: '{object_id}'", code="resource_missing", param=param
            )
        return found

    def reset(self) -> None:
        self.objects.clear()
        self.line_items.clear()
        self.meter_events.clear()
        self.meter_identifiers.clear()
        self.idempotent.clear()
        self.deliveries.clear()


def page(items: list[dict[str, Any]], params: dict[str, Any], url: str) -> dict[str, Any]:
    """A Stripe list, newest first, with ``limit``, ``starting_after`` and ``ending_before``."""
    ordered = list(reversed(items))
    limit = max(1, min(100, int(params.get("limit", 10))))
    after, before = params.get("starting_after"), params.get("ending_before")
    ids = [o["id"] for o in ordered]
    if after:
        ordered = ordered[ids.index(after) + 1 :] if after in ids else []
    elif before:
        ordered = ordered[: ids.index(before)] if before in ids else []
        ordered = ordered[-limit:]
    return {
        "object": "list",
        "data": ordered[:limit],
        "has_more": len(ordered) > limit,
        "url": url,
    }
