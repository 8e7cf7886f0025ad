"""GET /v1/vin/history (search) and /v1/vin/history/export (CSV or JSON)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel
from velox_shared.auth import CurrentIdentity
from velox_shared.errors import PROBLEM_JSON
from velox_shared.pagination import CursorParam, LimitParam, Page

from velox_vin_intel.context import VinContext
from velox_vin_intel.db.models import Decode
from velox_vin_intel.decoding.schemas import VinDecode
from velox_vin_intel.deps import ContextDep, SessionDep
from velox_vin_intel.history.export import csv_chunks, json_chunks
from velox_vin_intel.history.repository import DecodeHistory, HistoryFilter

router = APIRouter(prefix="/v1/vin/history", tags=["vin history"])
PROBLEM: dict[str, Any] = {"content": {PROBLEM_JSON: {}}}
EXPORT_LIMIT = 100_000


class HistoryItem(BaseModel):
    id: str
    decoded_at: datetime
    decode: VinDecode


async def history_filter(
    vin: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=17,
            pattern=r"^[A-HJ-NPR-Za-hj-npr-z0-9]+$",
            description="A VIN or its beginning (WMI, WMI + VDS, ...).",
        ),
    ] = None,
    make: Annotated[str | None, Query(max_length=100, description="Exact, any case.")] = None,
    model: Annotated[str | None, Query(max_length=100, description="Exact, any case.")] = None,
    model_year: Annotated[int | None, Query(ge=1980, le=2100)] = None,
    valid: bool | None = None,
    since: Annotated[datetime | None, Query(description="Decoded at or after (RFC 3339).")] = None,
    until: Annotated[datetime | None, Query(description="Decoded before (RFC 3339).")] = None,
) -> HistoryFilter:
    return HistoryFilter(vin and vin.upper(), make, model, model_year, valid, since, until)


FilterDep = Annotated[HistoryFilter, Depends(history_filter)]


@router.get("", responses={400: PROBLEM, 422: PROBLEM})
async def search_history(
    identity: CurrentIdentity,
    session: SessionDep,
    where: FilterDep,
    limit: LimitParam = 50,
    cursor: CursorParam = None,
) -> Page[HistoryItem]:
    """This account's decodes, newest first, filtered by VIN prefix, make, model, year, date."""
    page = await DecodeHistory(session).page(identity.account_id, where, limit=limit, cursor=cursor)
    items = [
        HistoryItem(
            id=row.id, decoded_at=row.created_at, decode=VinDecode.model_validate(row.result)
        )
        for row in page.items
    ]
    return Page(items=items, next_cursor=page.next_cursor)


@router.get(
    "/export",
    responses={
        200: {"content": {"text/csv": {}, "application/json": {}}},
        422: PROBLEM,
    },
    response_class=StreamingResponse,
)
async def export_history(
    request: Request,
    identity: CurrentIdentity,
    context: ContextDep,
    where: FilterDep,
    format: Annotated[Literal["csv", "json"] | None, Query(description="Else by Accept.")] = None,
) -> StreamingResponse:
    """Export up to 100,000 matching decodes as CSV or JSON (by ``format`` or ``Accept``)."""
    kind = format or ("json" if "application/json" in request.headers.get("accept", "") else "csv")
    rows = _rows(context, identity.account_id, where)
    if kind == "json":
        return StreamingResponse(json_chunks(rows), media_type="application/json")
    return StreamingResponse(
        csv_chunks(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="vin-history.csv"'},
    )


async def _rows(
    context: VinContext, account_id: str, where: HistoryFilter
) -> AsyncIterator[Decode]:
    # Its own session: the response streams after the request's dependencies have ended.
    async with context.runtime.sessions() as session:
        async for row in DecodeHistory(session).stream(account_id, where, limit=EXPORT_LIMIT):
            yield row
