"""Rows of a product file into product drafts, validated row by row without the database.

Cells are checked by the catalogue's own wire models (:class:`VariantCreate`,
:class:`ProductUpdate`, :class:`OptionIn`), so an import accepts exactly what the API
accepts; their errors are reported with the row and column of the offending cell.

What a draft holds follows one rule: a column left out of the file leaves that field
alone; a column in the file sets it, a blank cell clearing what may be empty (barcode,
SEO text, a price, a compare-at price, an attribute, the categories) and keeping what
may not (title, status, weight, stock policy).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter, ValidationError

from velox_commerce.catalog.schemas import OptionIn, ProductUpdate, VariantCreate
from velox_commerce.stores.schemas import Handle
from velox_commerce.transfer.columns import Layout, decode_attribute
from velox_commerce.transfer.errors import ErrorList

__all__ = ["MAX_VARIANTS", "ProductDraft", "VariantDraft", "parse_rows"]

MAX_VARIANTS = 2000  # as many as one product takes through the API
_HANDLE: TypeAdapter[str] = TypeAdapter(Handle)
_VARIANT_COLUMNS = {"title": "variant_title"}
_PRICE_HINT = " (prices are whole minor units: 1999 for 19.99)"
# Kept as written: title, description, SEO text and attribute values; these are trimmed.
_TRIMMED = frozenset({"status", "categories"})


@dataclass
class VariantDraft:
    row: int
    sku: str
    # The variant fields the file sets: barcode, title (None: made from the options),
    # weight_grams, track_inventory, inventory_policy.
    fields: dict[str, Any]
    option_values: dict[str, str]
    prices: dict[str, int | None]  # per price column; None clears
    compare_at: dict[str, int | None]


@dataclass
class ProductDraft:
    handle: str
    row: int  # the product's first row
    fields: dict[str, Any] = field(default_factory=dict)
    categories: list[str] | None = None  # category handles; None: no categories column
    option_names: list[str] | None = None  # None: no option columns
    attributes: dict[str, Any] = field(default_factory=dict)
    removed: set[str] = field(default_factory=set)  # attributes a blank cell clears
    variants: list[VariantDraft] = field(default_factory=list)
    # Where each product-level value came from: column -> row.
    rows: dict[str, int] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    # An error was found in one of its rows: it is checked against the store (SKUs,
    # categories) but not planned.
    broken: bool = False


def parse_rows(
    layout: Layout, rows: Sequence[tuple[int, list[str]]], errors: ErrorList
) -> list[ProductDraft]:
    """The products of a file, in the order their handles first appear."""
    products: dict[str, ProductDraft] = {}
    skus: dict[str, int] = {}
    for number, cells in rows:
        if errors.full:
            break
        found = len(errors.items)
        handle = layout.cell(cells, "handle").strip()
        sku = layout.cell(cells, "sku").strip()
        valid_handle = _valid_handle(number, handle, errors)
        valid_sku = _valid_sku(number, sku, skus, errors)
        if not valid_handle:
            continue
        draft = products.get(handle)
        if draft is None:
            draft = products[handle] = ProductDraft(handle=handle, row=number)
        _product_cells(layout, draft, number, cells, errors)
        variant = _variant(layout, number, sku, cells, errors) if valid_sku else None
        if variant is not None:
            skus[sku] = number
            draft.variants.append(variant)
        draft.broken = draft.broken or len(errors.items) > found or errors.full
    for draft in products.values():
        found = len(errors.items)
        _finish_product(layout, draft, errors)
        draft.broken = draft.broken or len(errors.items) > found or errors.full
    return list(products.values())


def _valid_handle(number: int, handle: str, errors: ErrorList) -> bool:
    if not handle:
        errors.add(number, "handle", "A handle is required (rows of one handle form a product).")
        return False
    try:
        _HANDLE.validate_python(handle)
    except ValidationError:
        errors.add(number, "handle", "A handle is 1-100 lower-case letters and digits joined by -.")
        return False
    return True


def _valid_sku(number: int, sku: str, skus: dict[str, int], errors: ErrorList) -> bool:
    if not sku:
        errors.add(number, "sku", "A SKU is required.")
        return False
    if sku in skus:
        errors.add(number, "sku", f"SKU {sku!r} is also on row {skus[sku]}.")
        return False
    return True


def _product_cells(
    layout: Layout, draft: ProductDraft, number: int, cells: list[str], errors: ErrorList
) -> None:
    """Product-level cells: the first non-blank value of each column wins; a different
    non-blank value on another row of the product is an error."""
    for name in _product_columns(layout):
        text = layout.cell(cells, name)
        if name in _TRIMMED or name.startswith("option"):
            text = text.strip()
        if not text.strip():
            continue
        first = draft.texts.get(name)
        if first is None:
            draft.texts[name] = text
            draft.rows[name] = number
        elif first != text:
            errors.add(
                number,
                name,
                f"Differs from row {draft.rows[name]}: the rows of one product repeat its "
                "values or leave them blank.",
            )


def _product_columns(layout: Layout) -> list[str]:
    fixed = ["title", "description", "status", "seo_title", "seo_description", "categories"]
    options = [f"option{i}_name" for i in range(1, layout.options + 1)]
    attributes = [f"attr.{a}" for a in layout.attributes]
    return [name for name in (*fixed, *options, *attributes) if layout.has(name)]


def _variant(
    layout: Layout, number: int, sku: str, cells: list[str], errors: ErrorList
) -> VariantDraft | None:
    payload: dict[str, Any] = {"sku": sku}
    for name in ("barcode", "weight_grams", "track_inventory", "inventory_policy"):
        if layout.has(name):
            text = layout.cell(cells, name).strip()
            if text or name == "barcode":
                payload[name] = text.lower() if name == "inventory_policy" else (text or None)
    if layout.has("variant_title"):
        payload["title"] = layout.cell(cells, "variant_title") or None
    prices = {c: layout.cell(cells, f"price.{c}").strip() for c in layout.prices}
    compare = {c: layout.cell(cells, f"compare_at.{c}").strip() for c in layout.compare_at}
    payload["prices"] = {c: v for c, v in prices.items() if v}
    payload["compare_at_prices"] = {c: v for c, v in compare.items() if v}
    try:
        variant = VariantCreate.model_validate(payload)
    except ValidationError as exc:
        for error in exc.errors():
            column = _variant_column(error["loc"])
            hint = _PRICE_HINT if column.startswith(("price.", "compare_at.")) else ""
            errors.add(number, column, f"{error['msg']}{hint}.")
        return None
    fields: dict[str, Any] = {
        name: getattr(variant, name)
        for name in ("barcode", "title", "weight_grams", "track_inventory", "inventory_policy")
        if name in payload
    }
    options = {
        str(slot): layout.cell(cells, f"option{slot}_value").strip()
        for slot in range(1, layout.options + 1)
    }
    return VariantDraft(
        row=number,
        sku=sku,
        fields=fields,
        option_values=options,
        prices={c: variant.prices.get(c) for c in prices},
        compare_at={c: variant.compare_at_prices.get(c) for c in compare},
    )


def _variant_column(loc: tuple[int | str, ...]) -> str:
    head = str(loc[0]) if loc else "sku"
    if head == "prices" and len(loc) > 1:
        return f"price.{loc[1]}"
    if head == "compare_at_prices" and len(loc) > 1:
        return f"compare_at.{loc[1]}"
    return _VARIANT_COLUMNS.get(head, head)


def _finish_product(layout: Layout, draft: ProductDraft, errors: ErrorList) -> None:
    texts = draft.texts
    payload: dict[str, Any] = {"handle": draft.handle}
    for name in ("title", "status"):
        if name in texts:
            payload[name] = texts[name].lower() if name == "status" else texts[name]
    for name in ("description", "seo_title", "seo_description"):
        if layout.has(name):
            payload[name] = texts.get(name, "" if name == "description" else None)
    for name in layout.attributes:
        text = texts.get(f"attr.{name}")
        if text is None:
            draft.removed.add(name)
        else:
            draft.attributes[name] = decode_attribute(text)
    payload["attributes"] = draft.attributes
    try:
        checked = ProductUpdate.model_validate(payload)
    except ValidationError as exc:
        for error in exc.errors():
            column = str(error["loc"][0]) if error["loc"] else None
            column = "attr.*" if column == "attributes" else column
            errors.add(draft.rows.get(column or "", draft.row), column, f"{error['msg']}.")
        return
    draft.fields = {k: getattr(checked, k) for k in payload if k not in ("handle", "attributes")}
    if len(draft.variants) > MAX_VARIANTS:
        row = draft.variants[MAX_VARIANTS].row
        errors.add(row, None, f"A product has at most {MAX_VARIANTS} variants.")
    if layout.has("categories"):
        draft.categories = _categories(draft, errors)
    if layout.options:
        _options(layout, draft, errors)


def _categories(draft: ProductDraft, errors: ErrorList) -> list[str]:
    text = draft.texts.get("categories", "")
    handles = list(dict.fromkeys(h.strip() for h in text.split("|") if h.strip()))
    row = draft.rows.get("categories", draft.row)
    for handle in handles:
        try:
            _HANDLE.validate_python(handle)
        except ValidationError:
            errors.add(row, "categories", f"{handle!r} is not a category handle.")
    if len(handles) > 50:
        errors.add(row, "categories", "At most 50 categories per product.")
    return handles


def _options(layout: Layout, draft: ProductDraft, errors: ErrorList) -> None:
    """Option names from the product's rows; every variant gives a value for each."""
    slots = [draft.texts.get(f"option{i}_name", "") for i in range(1, layout.options + 1)]
    count = len(slots)
    while count and not slots[count - 1]:
        count -= 1
    names = slots[:count]
    for slot, name in enumerate(names, start=1):
        column = f"option{slot}_name"
        row = draft.rows.get(column, draft.row)
        if not name:
            errors.add(row, column, f"option{slot}_name is blank but a later option is named.")
        elif name in names[: slot - 1]:
            errors.add(row, column, f"{name!r} is already the name of another option.")
    draft.option_names = names
    _option_values(draft, names, errors)


def _option_values(draft: ProductDraft, names: list[str], errors: ErrorList) -> None:
    combos: dict[tuple[str, ...], int] = {}
    values: dict[int, dict[str, int]] = {slot: {} for slot in range(1, len(names) + 1)}
    for variant in draft.variants:
        given = variant.option_values
        for slot_text, value in given.items():
            slot = int(slot_text)
            column = f"option{slot}_value"
            if slot > len(names) and value:
                errors.add(variant.row, column, f"The product has no option{slot}_name.")
            elif slot <= len(names) and not value:
                errors.add(variant.row, column, f"A value for {names[slot - 1]} is required.")
            elif slot <= len(names):
                values[slot].setdefault(value, variant.row)
        combo = tuple(given[str(slot)] for slot in range(1, len(names) + 1))
        if names and combo in combos:
            errors.add(variant.row, None, f"The same options as row {combos[combo]}.")
        combos.setdefault(combo, variant.row)
        variant.option_values = {name: given[str(slot)] for slot, name in enumerate(names, start=1)}
    for slot, name in enumerate(names, start=1):
        _check_option(draft, slot, name, values[slot], errors)


def _check_option(
    draft: ProductDraft, slot: int, name: str, values: dict[str, int], errors: ErrorList
) -> None:
    try:
        OptionIn.model_validate({"name": name, "values": list(values)})
    except ValidationError as exc:
        for error in exc.errors():
            loc = error["loc"]
            if loc and loc[0] == "values" and len(loc) > 1:
                value = list(values)[int(loc[1])]
                errors.add(values[value], f"option{slot}_value", f"{error['msg']}.")
            else:
                row = draft.rows.get(f"option{slot}_name", draft.row)
                errors.add(row, f"option{slot}_name", f"{name}: {error['msg']}.")
