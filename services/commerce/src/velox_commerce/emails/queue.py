"""Queueing a transactional email in the transaction of the change it tells about.

:func:`queue_email` only adds a row to the session (no statement of its own: the caller's
next flush inserts it), so the email exists exactly when the order change commits, and
the mail worker sends it afterwards.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.ids import new_id

from velox_commerce.db.aftersales import EmailMessage
from velox_commerce.db.catalog import Store
from velox_commerce.db.orders import Order, OrderLine
from velox_commerce.emails.templates import EmailKind, render
from velox_commerce.pricing import format_minor

__all__ = ["Shipment", "queue_email"]


class Shipment(Protocol):
    """What the shipped email tells (a fulfilment request fits)."""

    @property
    def carrier(self) -> str | None: ...

    @property
    def tracking_number(self) -> str | None: ...

    @property
    def lines(self) -> Sequence[Any]: ...


def _field(line: OrderLine | Mapping[str, Any], name: str) -> Any:
    return line[name] if isinstance(line, Mapping) else getattr(line, name)


def _line_list(order: Order, lines: Sequence[OrderLine | Mapping[str, Any]]) -> str:
    return "\n".join(
        f"{_field(line, 'quantity')} x {_field(line, 'title')}"
        f"  {format_minor(int(_field(line, 'total')), order.currency)}"
        for line in lines
    )


def _values(
    store: Store,
    order: Order,
    *,
    lines: Sequence[OrderLine | Mapping[str, Any]],
    shipment: Shipment | None,
    amount: int | None,
) -> dict[str, str]:
    values = {
        "store": store.name,
        "number": str(order.number),
        "total": format_minor(order.total, order.currency),
        "lines": _line_list(order, lines),
        "amount": format_minor(amount or 0, order.currency),
        "carrier": "-",
        "tracking": "-",
        "items": "Your items",
    }
    if shipment is not None:
        units = sum(int(getattr(item, "quantity", 0)) for item in shipment.lines)
        values["carrier"] = shipment.carrier or "-"
        values["tracking"] = shipment.tracking_number or "-"
        values["items"] = f"{units} item{'s' if units != 1 else ''}"
    return values


def queue_email(
    session: AsyncSession,
    store: Store,
    order: Order,
    kind: EmailKind,
    *,
    lines: Sequence[OrderLine | Mapping[str, Any]] = (),
    shipment: Shipment | None = None,
    amount: int | None = None,
) -> EmailMessage | None:
    """Add ``kind``'s email to the order's buyer to the session; None when the order has
    no email address.

    ``lines`` are listed in the order placed email, ``shipment`` gives the shipped
    email its carrier and tracking number, ``amount`` is the refunded email's amount.
    """
    if not order.email:
        return None
    rendered = render(kind, _values(store, order, lines=lines, shipment=shipment, amount=amount))
    message = EmailMessage(
        id=new_id("eml"),
        account_id=order.account_id,
        store_id=order.store_id,
        order_id=order.id,
        kind=kind,
        recipient=order.email,
        subject=rendered.subject,
        body=rendered.body,
        status="queued",
        attempts=0,
    )
    session.add(message)
    return message
