"""An edit's changes checked against the order's lines: the lines after the edit, as the
pricing calculator takes them, and the log of what changed. Pure (no database)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from velox_commerce import pricing
from velox_commerce.db.orders import OrderLine
from velox_commerce.edits.repository import NewVariant
from velox_commerce.edits.schemas import AddLine, EditChange, RemoveLine, SetQuantity
from velox_commerce.errors import ResourceNotFound
from velox_shared.errors import UnprocessableContent
from velox_shared.ids import new_id

__all__ = ["AddedLine", "EditPlan", "plan_edit"]


@dataclass(frozen=True, slots=True)
class AddedLine:
    line_id: str
    variant: NewVariant
    quantity: int


@dataclass
class EditPlan:
    """Each existing line's quantity after the edit (0: removed), the lines added, and
    the log entries (``op``, the line and variant, quantities before and after)."""

    quantities: dict[str, int]
    added: list[AddedLine] = field(default_factory=list)
    log: list[dict[str, Any]] = field(default_factory=list)

    def line_inputs(self, lines: Sequence[OrderLine]) -> tuple[pricing.LineInput, ...]:
        """The lines after the edit: kept lines at the unit price they were sold at
        (whatever their new quantity), added ones at what a cart line of them costs now."""
        kept = [
            pricing.LineInput(
                line_id=line.id,
                variant_id=line.variant_id,
                product_id=line.product_id,
                quantity=self.quantities[line.id],
                unit_price=line.unit_price,
            )
            for line in lines
            if self.quantities[line.id] > 0
        ]
        added = [
            pricing.LineInput(
                line_id=a.line_id,
                variant_id=a.variant.variant_id,
                product_id=a.variant.product_id,
                quantity=a.quantity,
                unit_price=int(a.variant.price or 0),
            )
            for a in self.added
        ]
        return (*kept, *added)


def _line(lines: Mapping[str, OrderLine], line_id: str) -> OrderLine:
    line = lines.get(line_id)
    if line is None:
        raise ResourceNotFound.of("order line", line_id)
    return line


def _added(variant: NewVariant | None, change: AddLine, on_order: set[str]) -> AddedLine:
    if variant is None:
        raise UnprocessableContent(f"No variant {change.variant_id} in this store.")
    if change.variant_id in on_order:
        raise UnprocessableContent(
            f"Variant {change.variant_id} is on the order already; set its line's quantity."
        )
    if variant.product_status != "active":
        raise UnprocessableContent(f"Variant {change.variant_id} is not for sale.")
    if variant.price is None:
        raise UnprocessableContent(f"Variant {change.variant_id} has no price in this currency.")
    return AddedLine(new_id("oline"), variant, change.quantity)


def plan_edit(
    lines: Sequence[OrderLine],
    changes: Sequence[EditChange],
    variants: Mapping[str, NewVariant],
    *,
    max_quantity: int,
    max_lines: int,
) -> EditPlan:
    """Check ``changes`` against the order's ``lines`` (404 for a line not on the order,
    422 for a variant that cannot be added or an edit that leaves no line)."""
    by_id = {line.id: line for line in lines}
    plan = EditPlan(quantities={line.id: line.quantity for line in lines})
    for change in changes:
        if isinstance(change, AddLine):
            continue
        line = _line(by_id, change.line_id)
        after = change.quantity if isinstance(change, SetQuantity) else 0
        plan.quantities[line.id] = after
        plan.log.append(_entry(change, line.id, line.variant_id, line.quantity, after))
    on_order = {line.variant_id for line in lines if plan.quantities[line.id] > 0}
    for change in changes:
        if isinstance(change, AddLine):
            added = _added(variants.get(change.variant_id), change, on_order)
            plan.added.append(added)
            plan.log.append(_entry(change, added.line_id, change.variant_id, 0, change.quantity))
    _check_limits(plan, max_quantity=max_quantity, max_lines=max_lines)
    return plan


def _entry(
    change: SetQuantity | RemoveLine | AddLine,
    line_id: str,
    variant_id: str,
    before: int,
    after: int,
) -> dict[str, Any]:
    return {
        "op": change.op,
        "line_id": line_id,
        "variant_id": variant_id,
        "quantity_before": before,
        "quantity_after": after,
    }


def _check_limits(plan: EditPlan, *, max_quantity: int, max_lines: int) -> None:
    quantities = [q for q in plan.quantities.values() if q > 0] + [a.quantity for a in plan.added]
    if not quantities:
        raise UnprocessableContent("An edit cannot remove every line; cancel the order instead.")
    if len(quantities) > max_lines:
        raise UnprocessableContent(f"An order holds at most {max_lines} lines.")
    if max(quantities) > max_quantity:
        raise UnprocessableContent(f"A line holds at most {max_quantity} units.")
