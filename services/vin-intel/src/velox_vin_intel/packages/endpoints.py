"""POST /v1/vin/packages (JSON, or multipart with a sticker or build sheet) and the
catalogue versions in service."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated, Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field, ValidationError
from starlette.datastructures import UploadFile
from velox_shared.auth import CurrentIdentity
from velox_shared.errors import PROBLEM_JSON, UnprocessableContent
from velox_vin_intel.decoding.schemas import VinDecode
from velox_vin_intel.deps import ContextDep
from velox_vin_intel.errors import document_problem
from velox_vin_intel.packages.errors import PackageError
from velox_vin_intel.packages.facts import VehicleFacts
from velox_vin_intel.packages.report import PackageReport
from velox_vin_intel.packages.service import extract_document, identify

router = APIRouter(prefix="/v1/vin/packages", tags=["vin packages"])
PROBLEM: dict[str, Any] = {"content": {PROBLEM_JSON: {}}}
MAX_UPLOAD = 5 * 1024 * 1024

OptionCode = Annotated[str, Field(min_length=1, max_length=16)]


class PackagesRequest(BaseModel):
    vin: str = Field(max_length=40, examples=["1FTFW1ET9DFC10312"])
    option_codes: list[OptionCode] = Field(
        default_factory=list, max_length=200, description="OEM option codes (e.g. 55A, ZPP)."
    )
    sticker_text: str | None = Field(
        None, max_length=200_000, description="Text of a window sticker or build sheet."
    )


class PackagesOut(PackageReport):
    vehicle: VinDecode = Field(description="The decode the identification started from.")


class CatalogVersions(BaseModel):
    versions: dict[str, str] = Field(description="Catalogue version per OEM file.")
    last_error: str | None = Field(description="Why the latest files were not loaded, if so.")


_MULTIPART_SCHEMA = {
    "type": "object",
    "required": ["vin"],
    "properties": {
        "vin": {"type": "string", "maxLength": 40},
        "option_codes": {"type": "string", "description": "Comma-separated option codes."},
        "file": {
            "type": "string",
            "format": "binary",
            "description": "Window sticker or build sheet: text, PDF, or PNG/JPEG (OCR).",
        },
    },
}


@router.post(
    "",
    responses={413: PROBLEM, 415: PROBLEM, 422: PROBLEM, 501: PROBLEM, 503: PROBLEM},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": PackagesRequest.model_json_schema()},
                "multipart/form-data": {"schema": _MULTIPART_SCHEMA},
            },
        }
    },
)
async def identify_packages(
    request: Request, identity: CurrentIdentity, context: ContextDep
) -> PackagesOut:
    """Trim and option packages of a VIN, each with a confidence and the evidence for it."""
    body, text = await _read_request(request)
    (decode,) = await context.decodes.decode(identity.account_id, [body.vin])
    catalog = context.packages.get()
    report = identify(
        VehicleFacts.from_decode(decode),
        option_codes=body.option_codes,
        text=text,
        catalog=catalog,
    )
    return PackagesOut(**report.model_dump(), vehicle=decode)


@router.get("/catalog")
async def catalog_versions(identity: CurrentIdentity, context: ContextDep) -> CatalogVersions:
    """The package catalogue in service: its version per OEM (reloaded when files change)."""
    store = context.packages
    return CatalogVersions(versions=store.versions, last_error=store.last_error)


async def _read_request(request: Request) -> tuple[PackagesRequest, str | None]:
    kind = request.headers.get("content-type", "")
    try:
        if kind.startswith("multipart/form-data"):
            return await _read_form(request)
        body = PackagesRequest.model_validate(json.loads(await request.body() or b"null"))
    except (ValueError, ValidationError) as exc:
        raise UnprocessableContent(_first_error(exc)) from None
    return body, body.sticker_text


async def _read_form(request: Request) -> tuple[PackagesRequest, str | None]:
    async with request.form(max_files=1, max_fields=10) as form:
        codes = str(form.get("option_codes") or "")
        body = PackagesRequest(
            vin=str(form.get("vin") or ""),
            option_codes=[c.strip() for c in codes.replace(";", ",").split(",") if c.strip()],
        )
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            return body, None
        data = await upload.read(MAX_UPLOAD + 1)
        hint = upload.content_type
    try:
        # PDF parsing and OCR are CPU work: off the event loop.
        return body, await asyncio.to_thread(extract_document, data, hint)
    except PackageError as exc:
        raise document_problem(exc.status, exc.code, exc.message) from None


def _first_error(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"]) or "body"
        return f"{where}: {error['msg']}"
    return 'The body must be JSON: {"vin", "option_codes"?, "sticker_text"?}.'
