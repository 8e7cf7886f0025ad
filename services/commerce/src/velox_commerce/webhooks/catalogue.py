"""The event types partners subscribe to and the JSON body each delivery carries.

A body follows the Standard Webhooks payload shape::

    {"type": "order.placed", "timestamp": "2025-01-01T12:00:00Z", "data": {...}}

``data`` is the commerce event's payload (:mod:`velox_shared.contracts.commerce`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final, Literal

from velox_shared.contracts.commerce import (
    OrderCancelled,
    OrderEdited,
    OrderFulfilled,
    OrderPaid,
    OrderPlaced,
    OrderRefunded,
    ProductCreated,
    ProductUpdated,
    ReturnUpdated,
    StockLow,
)

__all__ = [
    "ALL_EVENTS",
    "EVENT_TYPES",
    "PUBLIC_TYPES",
    "TEST_EVENT",
    "EventType",
    "webhook_body",
]

# The commerce event each public type is made from.
PUBLIC_TYPES: Final[dict[str, str]] = {
    OrderPlaced.event_type: "order.placed",
    OrderPaid.event_type: "order.paid",
    OrderCancelled.event_type: "order.cancelled",
    OrderRefunded.event_type: "order.refunded",
    OrderFulfilled.event_type: "order.fulfilled",
    OrderEdited.event_type: "order.edited",
    ProductCreated.event_type: "product.created",
    ProductUpdated.event_type: "product.updated",
    ReturnUpdated.event_type: "return.updated",
    StockLow.event_type: "stock.low",
}

EventType = Literal[
    "order.placed",
    "order.paid",
    "order.cancelled",
    "order.refunded",
    "order.fulfilled",
    "order.edited",
    "product.created",
    "product.updated",
    "return.updated",
    "stock.low",
    "*",
]
EVENT_TYPES: Final[tuple[str, ...]] = tuple(PUBLIC_TYPES.values())
# A subscription to every type, today's and those added later.
ALL_EVENTS: Final = "*"
# Sent on request only (``POST .../subscriptions/{id}/test``), whatever the subscription's types.
TEST_EVENT: Final = "webhook.test"


def webhook_body(event_type: str, occurred_at: datetime, data: dict[str, Any]) -> dict[str, Any]:
    """The JSON body of a delivery (stored with it, so every attempt sends the same)."""
    stamp = occurred_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return {"type": event_type, "timestamp": stamp, "data": data}
