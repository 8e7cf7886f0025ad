"""The decode history table: one multi-row insert per call, filtered reads per account."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.ids import new_id
from velox_shared.pagination import PageResult, paginate

from velox_vin_intel.db.models import Decode
from velox_vin_intel.decoding.schemas import VinDecode

__all__ = ["DecodeHistory", "HistoryFilter"]


@dataclass(frozen=True)
class HistoryFilter:
    vin: str | None = None  # a prefix (WMI, WMI + VDS, ...) or the whole VIN
    make: str | None = None
    model: str | None = None
    model_year: int | None = None
    valid: bool | None = None
    since: datetime | None = None
    until: datetime | None = None


class DecodeHistory:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def query(self, account_id: str, where: HistoryFilter) -> Select[Any]:
        query: Select[Any] = select(Decode).where(Decode.account_id == account_id)
        if where.vin:
            query = query.where(Decode.vin.startswith(where.vin, autoescape=True))
        if where.make:
            query = query.where(Decode.make.ilike(where.make))
        if where.model:
            query = query.where(Decode.model.ilike(where.model))
        if where.model_year is not None:
            query = query.where(Decode.model_year == where.model_year)
        if where.valid is not None:
            query = query.where(Decode.valid.is_(where.valid))
        if where.since:
            query = query.where(Decode.created_at >= where.since)
        if where.until:
            query = query.where(Decode.created_at < where.until)
        return query

    async def page(
        self, account_id: str, where: HistoryFilter, *, limit: int, cursor: str | None
    ) -> PageResult[Decode]:
        return await paginate(
            self.session,
            self.query(account_id, where),
            Decode.created_at,
            Decode.id,
            limit=limit,
            cursor=cursor,
        )

    async def stream(
        self, account_id: str, where: HistoryFilter, *, limit: int
    ) -> AsyncIterator[Decode]:
        query = self.query(account_id, where).order_by(Decode.created_at.desc(), Decode.id.desc())
        result = await self.session.stream(query.limit(limit).execution_options(yield_per=1000))
        async for row in result.scalars():
            yield row


def history_rows(account_id: str, decodes: Sequence[VinDecode]) -> list[dict[str, Any]]:
    """The history rows of ``decodes`` (one multi-row insert)."""
    return [
        {
            "id": new_id("dec"),
            "account_id": account_id,
            "vin": d.vin,
            "valid": d.valid,
            "make": (d.make or "")[:100] or None,
            "model": (d.model or "")[:100] or None,
            "model_year": d.model_year,
            "enrichment": d.enrichment,
            "result": d.model_dump(mode="json"),
        }
        for d in decodes
    ]
