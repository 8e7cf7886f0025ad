"""GET /v1/vin/{vin} and POST /v1/vin/decode: one VIN, or up to 50 in order."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, Field
from velox_shared.auth import CurrentIdentity
from velox_shared.contracts.usage import USAGE_UNITS_HEADER
from velox_shared.errors import PROBLEM_JSON
from velox_vin_intel.decoding.schemas import VinDecode
from velox_vin_intel.deps import ContextDep, RemainingQuota
from velox_vin_intel.errors import check_quota

router = APIRouter(prefix="/v1/vin", tags=["vin decoding"])
PROBLEM: dict[str, Any] = {"content": {PROBLEM_JSON: {}}}
MAX_BATCH = 50

EnrichParam = Annotated[
    bool,
    Query(description="Complete the offline decode from NHTSA vPIC (cached 30/90 days)."),
]


class DecodeRequest(BaseModel):
    vins: list[Annotated[str, Field(max_length=40)]] = Field(
        min_length=1,
        max_length=MAX_BATCH,
        description="Up to 50 VINs; spaces and dashes are ignored, case does not matter.",
        examples=[["5FNYF5H59HB011946", "KNDCE3LG2L5073161"]],
    )
    enrich: bool = True


class DecodeBatch(BaseModel):
    items: list[VinDecode] = Field(description="One decode per requested VIN, in order.")


@router.post("/decode", responses={422: PROBLEM, 429: PROBLEM})
async def decode_many(
    body: DecodeRequest,
    response: Response,
    identity: CurrentIdentity,
    context: ContextDep,
    remaining: RemainingQuota,
) -> DecodeBatch:
    """Decode up to 50 VINs in one call (vPIC's batch decode for what the cache lacks)."""
    check_quota(len(body.vins), remaining, f"This request has {len(body.vins):,} VINs")
    items = await context.decodes.decode(identity.account_id, body.vins, enrich=body.enrich)
    response.headers[USAGE_UNITS_HEADER] = str(len(items))
    return DecodeBatch(items=items)


@router.get("/{vin}", responses={422: PROBLEM})
async def decode_one(
    vin: Annotated[str, Path(max_length=40, description="The 17-character VIN.")],
    identity: CurrentIdentity,
    context: ContextDep,
    enrich: EnrichParam = True,
) -> VinDecode:
    """Decode one VIN: check digit, model year, maker, vehicle attributes and enrichment."""
    (decode,) = await context.decodes.decode(identity.account_id, [vin], enrich=enrich)
    return decode
