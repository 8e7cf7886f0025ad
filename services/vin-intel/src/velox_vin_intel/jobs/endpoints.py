"""/v1/vin/jobs: upload a file of VINs, follow the job, download its result and errors.

Mount this router before the decoding router: its ``GET /v1/vin/{vin}`` would otherwise
take ``GET /v1/vin/jobs``. The job worker is found at ``app.state.vin_job_worker`` (set
by the app's lifespan; without one, jobs wait for a worker in another process).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Header, Path, Query, Request, Response, UploadFile
from fastapi.responses import StreamingResponse
from velox_shared.auth import CurrentIdentity
from velox_shared.contracts.usage import USAGE_UNITS_HEADER
from velox_shared.errors import PROBLEM_JSON
from velox_shared.pagination import CursorParam, LimitParam, Page

from velox_vin_intel.deps import ContextDep, RemainingQuota, SessionDep
from velox_vin_intel.errors import check_quota
from velox_vin_intel.jobs import service
from velox_vin_intel.jobs.files import MAX_FILE_BYTES, parse_upload
from velox_vin_intel.jobs.results import (
    iter_error_report_csv,
    iter_result_csv,
    iter_result_json,
)
from velox_vin_intel.jobs.schemas import JobCreated, JobOut
from velox_vin_intel.jobs.worker import JobWorker

__all__ = ["router"]

router = APIRouter(prefix="/v1/vin/jobs", tags=["vin bulk jobs"])
PROBLEM: dict[str, Any] = {"content": {PROBLEM_JSON: {}}}
JobId = Annotated[str, Path(max_length=40, pattern=r"^job_[0-9a-z]+$")]


async def job_worker(request: Request) -> JobWorker | None:
    worker: JobWorker | None = getattr(request.app.state, "vin_job_worker", None)
    return worker


WorkerDep = Annotated[JobWorker | None, Depends(job_worker)]


@router.post(
    "",
    status_code=202,
    responses={409: PROBLEM, 413: PROBLEM, 415: PROBLEM, 422: PROBLEM, 429: PROBLEM},
)
async def create_job(
    response: Response,
    identity: CurrentIdentity,
    session: SessionDep,
    worker: WorkerDep,
    remaining: RemainingQuota,
    file: Annotated[UploadFile, File(description="CSV or Excel (.xlsx), up to 100,000 rows.")],
    idempotency_key: Annotated[str | None, Header(max_length=255)] = None,
) -> JobCreated:
    """Upload a CSV or Excel file of VINs; answered at once with the job to follow."""
    data = await file.read(MAX_FILE_BYTES + 1)
    # Reading 100,000 rows (or a workbook) takes a while: off the event loop.
    parsed = await asyncio.to_thread(parse_upload, data, file.filename)
    account = identity.account_id
    replay = idempotency_key is not None and (
        await service.find_by_idempotency_key(session, account, idempotency_key) is not None
    )
    if not replay:
        unique = len(parsed.unique)
        check_quota(unique, remaining, f"This file has {unique:,} distinct VINs")
    job = await service.create_job(session, account, parsed, file.filename, idempotency_key)
    # Committed before answering and before waking the worker, so both can see the job.
    await session.commit()
    if worker is not None:
        worker.wake()
    response.headers["Location"] = f"{router.prefix}/{job.id}"
    response.headers[USAGE_UNITS_HEADER] = "0" if replay else str(len(parsed.unique))
    return JobCreated.model_validate({"id": job.id, "status": job.status})


@router.get("", responses={400: PROBLEM})
async def list_jobs(
    identity: CurrentIdentity,
    session: SessionDep,
    limit: LimitParam = 50,
    cursor: CursorParam = None,
) -> Page[JobOut]:
    """This account's bulk jobs, newest first."""
    page = await service.list_jobs(session, identity.account_id, limit=limit, cursor=cursor)
    return Page(items=[JobOut.from_job(j) for j in page.items], next_cursor=page.next_cursor)


@router.get("/{job_id}", responses={404: PROBLEM})
async def get_job(job_id: JobId, identity: CurrentIdentity, session: SessionDep) -> JobOut:
    """A job's status and progress (percent, valid, invalid and enriched counts)."""
    return JobOut.from_job(await service.get_job(session, identity.account_id, job_id))


@router.post("/{job_id}/cancel", responses={404: PROBLEM})
async def cancel_job(job_id: JobId, identity: CurrentIdentity, session: SessionDep) -> JobOut:
    """Stop a queued or running job; a finished job is returned as it is."""
    return JobOut.from_job(await service.cancel_job(session, identity.account_id, job_id))


@router.get(
    "/{job_id}/result",
    responses={
        200: {"content": {"text/csv": {}, "application/json": {}}},
        404: PROBLEM,
        409: PROBLEM,
    },
    response_class=StreamingResponse,
)
async def job_result(
    request: Request,
    job_id: JobId,
    identity: CurrentIdentity,
    context: ContextDep,
    format: Annotated[Literal["csv", "json"] | None, Query(description="Else by Accept.")] = None,
) -> StreamingResponse:
    """Every row of the file in order with its decode, as CSV or JSON (``format`` or Accept)."""
    kind = format or ("json" if "application/json" in request.headers.get("accept", "") else "csv")
    sessions = context.runtime.sessions
    if kind == "json":
        stream = await iter_result_json(sessions, identity.account_id, job_id)
        return StreamingResponse(stream, media_type="application/json")
    stream = await iter_result_csv(sessions, identity.account_id, job_id)
    return _csv(stream, f"{job_id}.csv")


@router.get(
    "/{job_id}/errors",
    responses={200: {"content": {"text/csv": {}}}, 404: PROBLEM, 409: PROBLEM},
    response_class=StreamingResponse,
)
async def job_errors(
    job_id: JobId, identity: CurrentIdentity, context: ContextDep
) -> StreamingResponse:
    """The error report: rows not read as VINs and VINs decoded as invalid, with reasons."""
    sessions = context.runtime.sessions
    stream = await iter_error_report_csv(sessions, identity.account_id, job_id)
    return _csv(stream, f"{job_id}-errors.csv")


def _csv(stream: AsyncIterator[bytes], filename: str) -> StreamingResponse:
    return StreamingResponse(
        stream,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
