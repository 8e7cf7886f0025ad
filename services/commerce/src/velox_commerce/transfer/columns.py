"""The column layout of product files, shared by import and export.

One row per variant; the rows of one ``handle`` form one product. Fixed columns
(:data:`FIXED_COLUMNS`) come first, then ``price.<CUR>`` and ``compare_at.<CUR>`` for the
store's currencies and ``attr.<name>`` per product attribute. Header cells are matched
without regard to case, spaces or hyphens (``Option1 Name`` is ``option1_name``);
currency codes are upper-cased and attribute names kept as written.

Cell codecs keep a round trip exact:

* attribute values: text that is not JSON is a string; JSON is parsed (``42``, ``true``,
  ``["a"]``); a string that would read as JSON (or is empty) is written JSON-quoted;
* CSV cells starting with ``= + - @``, a tab or a carriage return are written behind an
  apostrophe so a spreadsheet does not run them as formulas; import drops it again.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from velox_commerce.transfer.errors import ErrorList

__all__ = [
    "FIXED_COLUMNS",
    "OPTION_SLOTS",
    "PRODUCT_COLUMNS",
    "Layout",
    "decode_attribute",
    "encode_attribute",
    "escape_formula",
    "export_header",
    "read_layout",
    "unescape_formula",
]

OPTION_SLOTS = 3
FIXED_COLUMNS = (
    "handle",
    "title",
    "description",
    "status",
    "seo_title",
    "seo_description",
    "categories",
    *(f"option{i}_{part}" for i in range(1, OPTION_SLOTS + 1) for part in ("name", "value")),
    "sku",
    "variant_title",
    "barcode",
    "weight_grams",
    "track_inventory",
    "inventory_policy",
)
# Columns that describe the product: given once per handle (later rows blank or equal).
PRODUCT_COLUMNS = frozenset(
    {"title", "description", "status", "seo_title", "seo_description", "categories"}
    | {f"option{i}_name" for i in range(1, OPTION_SLOTS + 1)}
)
_REQUIRED = ("handle", "sku")
_PREFIXES = {"price": "price", "compare_at": "compare_at", "attr": "attr"}
_FORMULA_START = tuple("=+-@\t\r")
_ESCAPED = frozenset([*_FORMULA_START, "'"])


@dataclass(frozen=True)
class Layout:
    """Where each known column is in the file's rows."""

    index: dict[str, int]
    prices: tuple[str, ...] = ()
    compare_at: tuple[str, ...] = ()
    attributes: tuple[str, ...] = ()
    options: int = 0  # option pairs present: option1 .. option<options>
    order: dict[str, int] = field(default_factory=dict)

    def has(self, name: str) -> bool:
        return name in self.index

    def cell(self, cells: Sequence[str], name: str) -> str:
        position = self.index[name]
        return cells[position] if position < len(cells) else ""


def export_header(currencies: Sequence[str], attributes: Sequence[str]) -> list[str]:
    """The header export writes for a store with these currencies and attribute names."""
    return [
        *FIXED_COLUMNS,
        *(f"price.{c}" for c in currencies),
        *(f"compare_at.{c}" for c in currencies),
        *(f"attr.{a}" for a in attributes),
    ]


def _canonical(cell: str) -> str:
    name = cell.strip()
    if "." in name:
        prefix, rest = name.split(".", 1)
        known = _PREFIXES.get(re.sub(r"[\s\-]+", "_", prefix.strip().lower()))
        if known == "attr":
            return f"attr.{rest.strip()}"
        if known is not None:
            return f"{known}.{rest.strip().upper()}"
    return re.sub(r"[\s\-]+", "_", name.lower())


def read_layout(header: Sequence[str], currencies: Sequence[str], errors: ErrorList) -> Layout:
    """The layout of ``header`` (row 1); unknown, repeated or missing columns and
    currencies the store does not sell in are errors."""
    index: dict[str, int] = {}
    for position, cell in enumerate(header):
        if not cell.strip():
            continue  # a blank header cell: the column is ignored
        name = _canonical(cell)
        if name in index:
            errors.add(1, cell, "The column appears twice.")
        elif not _known(name, currencies, cell, errors):
            continue
        index.setdefault(name, position)
    for name in _REQUIRED:
        if name not in index:
            errors.add(1, name, "This column is required.")
    options = _option_pairs(index, errors)
    return Layout(
        index=index,
        prices=tuple(n.split(".", 1)[1] for n in index if n.startswith("price.")),
        compare_at=tuple(n.split(".", 1)[1] for n in index if n.startswith("compare_at.")),
        attributes=tuple(n.split(".", 1)[1] for n in index if n.startswith("attr.")),
        options=options,
        order={name: position for position, name in enumerate(index)},
    )


def _known(name: str, currencies: Sequence[str], cell: str, errors: ErrorList) -> bool:
    if name in FIXED_COLUMNS:
        return True
    if name.startswith(("price.", "compare_at.")):
        currency = name.split(".", 1)[1]
        if currency not in currencies:
            errors.add(
                1,
                cell,
                f"{currency} is not a currency of this store ({', '.join(currencies)}).",
            )
            return False
        return True
    if name.startswith("attr."):
        if name == "attr.":
            errors.add(1, cell, "An attribute column needs a name: attr.<name>.")
            return False
        return True
    errors.add(
        1,
        cell,
        "Unknown column: expected one of "
        f"{', '.join(FIXED_COLUMNS)}, price.<CUR>, compare_at.<CUR> or attr.<name>.",
    )
    return False


def _option_pairs(index: dict[str, int], errors: ErrorList) -> int:
    """How many option pairs the file has (1..n, each with its name and value column)."""
    count = 0
    for slot in range(1, OPTION_SLOTS + 1):
        name, value = f"option{slot}_name", f"option{slot}_value"
        present = (name in index, value in index)
        if present == (False, False):
            continue
        if present != (True, True):
            missing = value if present[0] else name
            errors.add(1, missing, f"option{slot} needs both {name} and {value}.")
        elif slot != count + 1:
            errors.add(1, name, f"option{slot} is given without option{count + 1}.")
        else:
            count = slot
    return count


def encode_attribute(value: Any) -> str:
    """An attribute value as a cell (see the module's notes)."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False) if _reads_as_json(value) else value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def decode_attribute(text: str) -> Any:
    """A cell as an attribute value (see the module's notes)."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def _reads_as_json(text: str) -> bool:
    if not text:
        return True
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def escape_formula(text: str) -> str:
    """A CSV cell that a spreadsheet shows as text rather than running as a formula."""
    if text.startswith(_FORMULA_START) or (text[:1] == "'" and text[1:2] in _ESCAPED):
        return "'" + text
    return text


def unescape_formula(text: str) -> str:
    """The value :func:`escape_formula` wrote."""
    if text[:1] == "'" and text[1:2] in _ESCAPED:
        return text[1:]
    return text
