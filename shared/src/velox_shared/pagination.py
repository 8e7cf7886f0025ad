"""Cursor pagination: opaque cursors over a stable (created_at, id) sort.

Example::

    page = await paginate(session, select(ApiKey).where(ApiKey.account_id == acc),
                          ApiKey.created_at, ApiKey.id, limit=50, cursor=cursor)
    return Page(items=[...], next_cursor=page.next_cursor)
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel
from sqlalchemy import Select, and_, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from velox_shared.errors import BadRequest

__all__ = [
    "CursorParam",
    "InvalidCursor",
    "LimitParam",
    "Page",
    "PageResult",
    "decode_cursor",
    "encode_cursor",
    "paginate",
]

T = TypeVar("T")
ItemT = TypeVar("ItemT")

LimitParam = Annotated[int, Query(ge=1, le=200, description="Items per page (1-200).")]
CursorParam = Annotated[
    str | None,
    Query(max_length=512, description="The `next_cursor` of the previous page."),
]


class InvalidCursor(BadRequest):
    problem = "invalid-cursor"
    title = "Invalid cursor"


class Page(BaseModel, Generic[ItemT]):
    """One page of a list; pass ``next_cursor`` back as ``cursor`` for the next one."""

    items: list[ItemT]
    next_cursor: str | None = None


@dataclass
class PageResult(Generic[T]):
    items: list[T]
    next_cursor: str | None


def encode_cursor(values: dict[str, Any]) -> str:
    """An opaque, URL-safe cursor for ``values`` (datetimes become ISO strings)."""
    raw = json.dumps(values, default=lambda v: v.isoformat(), separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> dict[str, Any]:
    """Inverse of :func:`encode_cursor`; raises :class:`InvalidCursor` on anything else."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError):
        raise InvalidCursor("The cursor is malformed; start again without one.") from None
    if not isinstance(value, dict):
        raise InvalidCursor("The cursor is malformed; start again without one.")
    return value


async def paginate(
    session: AsyncSession,
    query: Select[tuple[T]],
    created: InstrumentedAttribute[datetime],
    key: InstrumentedAttribute[str],
    *,
    limit: int,
    cursor: str | None,
) -> PageResult[T]:
    """Newest first by ``(created, key)``, which is stable even for equal timestamps."""
    if cursor:
        values = decode_cursor(cursor)
        try:
            at, last = datetime.fromisoformat(values["t"]), str(values["k"])
        except (KeyError, TypeError, ValueError):
            raise InvalidCursor("The cursor is malformed; start again without one.") from None
        query = query.where(or_(created < at, and_(created == at, key < last)))
    query = query.order_by(created.desc(), key.desc()).limit(limit + 1)
    rows: list[Any] = list((await session.scalars(query)).all())
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if more and rows:
        tail = rows[-1]
        next_cursor = encode_cursor({"t": getattr(tail, created.key), "k": getattr(tail, key.key)})
    return PageResult(items=rows, next_cursor=next_cursor)
