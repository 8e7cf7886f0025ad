"""Sorts of a product's reviews and their keyset cursors.

The shared :func:`velox_shared.pagination.paginate` pages by ``(created_at, id)`` newest
first; reviews also sort by stars, so a cursor here carries the sort it was made for and
the sort key of the last review shown. Every sort ends with ``created_at, id``, which makes
it total and stable.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_
from velox_shared.pagination import InvalidCursor, decode_cursor, encode_cursor

from velox_commerce.db.discovery import Review
from velox_commerce.reviews.schemas import ReviewSort

__all__ = ["SORTS", "after", "cursor_for", "order_by", "parse_cursor", "rating_average"]

# (column, descending) per sort.
SORTS: dict[ReviewSort, tuple[tuple[str, bool], ...]] = {
    "newest": (("created_at", True), ("id", True)),
    "oldest": (("created_at", False), ("id", False)),
    "highest": (("rating", True), ("created_at", True), ("id", True)),
    "lowest": (("rating", False), ("created_at", True), ("id", True)),
}
_PARSE: dict[str, Any] = {"created_at": datetime.fromisoformat, "rating": int, "id": str}


def order_by(sort: ReviewSort) -> list[ColumnElement[Any]]:
    return [
        getattr(Review, name).desc() if desc else getattr(Review, name).asc()
        for name, desc in SORTS[sort]
    ]


def cursor_for(sort: ReviewSort, review: Review) -> str:
    """The cursor of the page that follows ``review``."""
    return encode_cursor({"s": sort, "v": [getattr(review, name) for name, _ in SORTS[sort]]})


def parse_cursor(sort: ReviewSort, cursor: str) -> list[Any]:
    """The sort key in ``cursor`` (made by :func:`cursor_for` for the same sort)."""
    values = decode_cursor(cursor)
    keys = SORTS[sort]
    raw = values.get("v")
    if values.get("s") != sort or not isinstance(raw, list) or len(raw) != len(keys):
        raise InvalidCursor("The cursor belongs to another sort; start again without one.")
    try:
        return [_PARSE[name](value) for (name, _), value in zip(keys, raw, strict=True)]
    except (TypeError, ValueError):
        raise InvalidCursor("The cursor is malformed; start again without one.") from None


def after(sort: ReviewSort, key: Sequence[Any]) -> ColumnElement[bool]:
    """Reviews that come after the one whose sort key is ``key``."""
    clauses: list[ColumnElement[bool]] = []
    for index, (name, desc) in enumerate(SORTS[sort]):
        column = getattr(Review, name)
        earlier = SORTS[sort][:index]
        equal = [getattr(Review, n) == v for (n, _), v in zip(earlier, key[:index], strict=True)]
        beyond = column < key[index] if desc else column > key[index]
        clauses.append(and_(*equal, beyond))
    return or_(false(), *clauses)


def rating_average(distribution: dict[int, int]) -> float | None:
    """The mean of the stars, rounded half up to 2 decimals as PostgreSQL's ``round`` does
    (the search documents hold the same figure); None without reviews."""
    count = sum(distribution.values())
    if count == 0:
        return None
    total = sum(stars * n for stars, n in distribution.items())
    # Integer arithmetic: hundredths rounded half up, no binary fractions on the way.
    hundredths = (total * 200 + count) // (2 * count)
    return hundredths / 100
