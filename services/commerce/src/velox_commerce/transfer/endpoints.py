"""/v1/commerce/stores/{store_id}/products/import and /products/export.

Mount this router before the catalogue's: its ``GET /products/{product_id}`` would
otherwise take ``GET /products/export``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import StreamingResponse
from velox_shared.errors import PROBLEM_JSON

from velox_commerce.deps import ContextDep, SessionDep, StoreDep
from velox_commerce.openapi import problems
from velox_commerce.transfer.export import csv_export, xlsx_export
from velox_commerce.transfer.schemas import ImportResult
from velox_commerce.transfer.service import ImportService
from velox_commerce.transfer.tables import CSV_MEDIA, XLSX_MEDIA, attachment, negotiate
from velox_commerce.transfer.upload import OPENAPI_BODY, read_upload

__all__ = ["router"]

router = APIRouter(prefix="/v1/commerce/stores/{store_id}", tags=["commerce: import and export"])

_415: dict[int | str, dict[str, Any]] = {
    415: {"description": "Neither a UTF-8 CSV nor an .xlsx", "content": {PROBLEM_JSON: {}}}
}


@router.post(
    "/products/import",
    summary="Import products from CSV or Excel",
    responses={**problems(400, 404, 409, 413, 422), **_415},
    openapi_extra=OPENAPI_BODY,
)
async def import_products(
    request: Request,
    store: StoreDep,
    session: SessionDep,
    dry_run: Annotated[bool, Query(description="Check the file; write nothing.")] = False,
) -> ImportResult:
    """Create and update products from a CSV (UTF-8, comma or semicolon) or .xlsx file, a
    multipart ``file`` or the raw body, one row per variant (see the import guide): all
    rows or none; errors answer 422 ``import-invalid`` with each row and column."""
    data = await read_upload(request)
    return await ImportService(session, store).run(data, dry_run=dry_run)


@router.get(
    "/products/export",
    summary="Export products as CSV or Excel",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}, XLSX_MEDIA: {}}}, **problems(404, 422)},
)
async def export_products(
    store: StoreDep,
    context: ContextDep,
    format: Annotated[Literal["csv", "xlsx"] | None, Query(description="Else by Accept.")] = None,
    accept: Annotated[str, Header()] = "",
) -> Response:
    """Every product of the store in the import layout, one row per variant (CSV is
    streamed); importing the file back changes nothing."""
    kind = negotiate(format, accept, "csv")
    if kind == "xlsx":
        data = await xlsx_export(context.runtime.sessions, store)
        return Response(data, media_type=XLSX_MEDIA, headers=attachment("products.xlsx"))
    stream = csv_export(context.runtime.sessions, store)
    return StreamingResponse(stream, media_type=CSV_MEDIA, headers=attachment("products.csv"))
