"""Events the commerce service publishes (stream ``velox:events:commerce``).

Other services (analytics, automation) and the partner webhooks of commerce itself read
these; amounts are minor units with their ISO 4217 currency.
"""

from __future__ import annotations

from typing import ClassVar

from velox_shared.events.envelope import EventPayload

__all__ = [
    "OrderCancelled",
    "OrderEdited",
    "OrderFulfilled",
    "OrderPaid",
    "OrderPlaced",
    "OrderRefunded",
    "ProductCreated",
    "ProductUpdated",
    "ReturnUpdated",
    "StockLow",
]


class OrderPlaced(EventPayload):
    event_type: ClassVar[str] = "commerce.order.placed"

    store_id: str
    order_id: str
    number: int
    currency: str
    total: int
    lines: int


class OrderPaid(EventPayload):
    event_type: ClassVar[str] = "commerce.order.paid"

    store_id: str
    order_id: str
    currency: str
    amount: int


class OrderCancelled(EventPayload):
    event_type: ClassVar[str] = "commerce.order.cancelled"

    store_id: str
    order_id: str


class OrderRefunded(EventPayload):
    event_type: ClassVar[str] = "commerce.order.refunded"

    store_id: str
    order_id: str
    currency: str
    amount: int
    refunded_total: int


class OrderEdited(EventPayload):
    """Lines of an unfulfilled order changed: the totals before and after, and how the
    payment followed (``payment_action``: ``none``, ``capture_adjusted`` (an authorised
    payment will be captured for the new amount) or ``refunded`` (the difference))."""

    event_type: ClassVar[str] = "commerce.order.edited"

    store_id: str
    order_id: str
    edit_id: str
    total_before: int
    total_after: int
    payment_action: str | None = None


class OrderFulfilled(EventPayload):
    """A shipment left: ``status`` is ``fulfilled`` once every unit has shipped, else
    ``partially_fulfilled`` (one event per shipment)."""

    event_type: ClassVar[str] = "commerce.order.fulfilled"

    store_id: str
    order_id: str
    fulfillment_id: str
    status: str
    carrier: str | None = None
    tracking_number: str | None = None


class ProductCreated(EventPayload):
    event_type: ClassVar[str] = "commerce.product.created"

    store_id: str
    product_id: str
    handle: str
    status: str


class ProductUpdated(EventPayload):
    """A product or one of its variants (``variant_id``) changed; ``changed`` names the
    fields the update set."""

    event_type: ClassVar[str] = "commerce.product.updated"

    store_id: str
    product_id: str
    variant_id: str | None = None
    changed: list[str]


class ReturnUpdated(EventPayload):
    """A return (RMA) was requested or moved on: ``status`` is where it is now
    (requested, approved, rejected, received, refunded, closed)."""

    event_type: ClassVar[str] = "commerce.return.updated"

    store_id: str
    order_id: str
    return_id: str
    status: str
    refund_amount: int | None = None


class StockLow(EventPayload):
    """A variant's available units fell to or below its low-stock threshold."""

    event_type: ClassVar[str] = "commerce.stock.low"

    store_id: str
    variant_id: str
    available: int
    threshold: int
