"""Downloads of a finished job: the result (CSV or JSON) and the error report (CSV).

Every input row appears in file order with its row number; a duplicate VIN gets the
decode of its first occurrence. Rows are read one chunk (5,000 rows) at a time together
with the decodes they need, so a 100,000-row result never sits in memory at once.

Each ``iter_*`` coroutine checks the job first (owner, finished) and only then returns
the byte stream, so a refusal is a proper error response rather than a broken download.
They take the session factory, not a session: the stream reads in its own session, as
the response body is sent after the request's own session has ended::

    stream = await iter_result_csv(context.runtime.sessions, account_id, job_id)
    return StreamingResponse(stream, media_type="text/csv")
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from velox_vin_intel.db.jobs import Job, JobRows
from velox_vin_intel.jobs.errors import JobNotReady
from velox_vin_intel.jobs.files import rejection_detail
from velox_vin_intel.jobs.repository import Jobs
from velox_vin_intel.jobs.service import get_job

__all__ = [
    "ERROR_COLUMNS",
    "RESULT_COLUMNS",
    "iter_error_report_csv",
    "iter_result_csv",
    "iter_result_json",
]

_NAMED = (
    "make",
    "manufacturer",
    "model",
    "model_year",
    "series",
    "trim",
    "body_class",
    "vehicle_type",
    "country",
    "region",
    "plant_code",
    "serial",
    "enrichment",
)
_ATTRIBUTES = ("drive_type", "fuel_type", "engine_model", "engine_cylinders", "displacement_l")
RESULT_COLUMNS = ("row", "vin", "valid", "issues", *_NAMED, *_ATTRIBUTES)
ERROR_COLUMNS = ("row", "value", "code", "detail")
_BLANKS = ("",) * (len(RESULT_COLUMNS) - 4)
_LINES_PER_WRITE = 1000

# One row of a chunk: (row number, value, index of its distinct VIN, rejection code).
Entry = tuple[int, str, int | None, str | None]


Body = Callable[[Jobs, Job], AsyncIterator[bytes]]


async def iter_result_csv(
    sessions: async_sessionmaker[AsyncSession], account_id: str, job_id: str
) -> AsyncIterator[bytes]:
    """The result as CSV (columns :data:`RESULT_COLUMNS`), once the job has succeeded."""
    return _stream(sessions, await _finished(sessions, account_id, job_id), _result_csv)


async def iter_result_json(
    sessions: async_sessionmaker[AsyncSession], account_id: str, job_id: str
) -> AsyncIterator[bytes]:
    """The result as one JSON document ``{"job_id", "rows": [{row, vin, decode, error}]}``."""
    return _stream(sessions, await _finished(sessions, account_id, job_id), _result_json)


async def iter_error_report_csv(
    sessions: async_sessionmaker[AsyncSession], account_id: str, job_id: str
) -> AsyncIterator[bytes]:
    """Rows rejected when the file was read and rows whose VIN decoded as invalid."""
    return _stream(sessions, await _finished(sessions, account_id, job_id), _error_report)


async def _finished(
    sessions: async_sessionmaker[AsyncSession], account_id: str, job_id: str
) -> Job:
    async with sessions() as session:
        job = await get_job(session, account_id, job_id)
    if job.status != "succeeded":
        why = f"it failed: {job.error}" if job.status == "failed" else f"it is {job.status}"
        raise JobNotReady(
            f"Job {job_id} has no result because {why}.", extensions={"job_status": job.status}
        )
    return job


async def _stream(
    sessions: async_sessionmaker[AsyncSession], job: Job, body: Body
) -> AsyncIterator[bytes]:
    async with sessions() as session:
        async for chunk in body(Jobs(session), job):
            yield chunk


async def _chunks(jobs: Jobs, job: Job) -> AsyncIterator[tuple[list[Entry], list[int]]]:
    """The job's rows chunk by chunk, with the distinct VIN indexes each chunk needs."""
    for chunk_no in await jobs.chunk_numbers(job.account_id, job.id):
        chunk: JobRows = await jobs.chunk(job.account_id, job.id, chunk_no)
        entries = list(zip(chunk.row_nos, chunk.vals, chunk.seqs, chunk.rejections, strict=True))
        seqs = sorted({seq for seq in chunk.seqs if seq is not None})
        yield entries, seqs


def _csv_bytes(lines: Iterable[Iterable[Any]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(lines)
    return buffer.getvalue().encode()


def _in_blocks(lines: list[Any], render: Callable[[list[Any]], bytes]) -> Iterable[bytes]:
    for start in range(0, len(lines), _LINES_PER_WRITE):
        yield render(lines[start : start + _LINES_PER_WRITE])


def _result_line(entry: Entry, decode: tuple[Any, ...] | None) -> list[Any]:
    row, value, _, rejection = entry
    if decode is None:
        return [row, value, "false", rejection or "not_decoded", *_BLANKS]
    vin, valid, issues, *rest = decode
    return [row, vin, valid, ";".join(issues), *("" if v is None else v for v in rest)]


async def _result_csv(jobs: Jobs, job: Job) -> AsyncIterator[bytes]:
    yield _csv_bytes([RESULT_COLUMNS])
    async for entries, seqs in _chunks(jobs, job):
        decodes = await jobs.result_fields(job.account_id, job.id, seqs, _NAMED, _ATTRIBUTES)
        lines = [_result_line(e, decodes.get(e[2]) if e[2] is not None else None) for e in entries]
        for block in _in_blocks(lines, _csv_bytes):
            yield block


def _json_row(entry: Entry, decode: str | None) -> str:
    row, value, seq, rejection = entry
    head = f'{{"row":{row},"vin":{json.dumps(value)},'
    if seq is not None and decode is not None:
        return head + f'"decode":{decode},"error":null}}'
    if rejection is None:
        error = {"code": "not_decoded", "detail": "The VIN has no stored decode."}
    else:
        error = {"code": rejection, "detail": rejection_detail(rejection, value)}
    return head + f'"decode":null,"error":{json.dumps(error)}}}'


async def _result_json(jobs: Jobs, job: Job) -> AsyncIterator[bytes]:
    yield f'{{"job_id":{json.dumps(job.id)},"rows":['.encode()
    separator = ""
    async for entries, seqs in _chunks(jobs, job):
        decodes = await jobs.result_texts(job.account_id, job.id, seqs)
        parts = [_json_row(e, decodes.get(e[2]) if e[2] is not None else None) for e in entries]
        for start in range(0, len(parts), _LINES_PER_WRITE):
            yield (separator + ",".join(parts[start : start + _LINES_PER_WRITE])).encode()
            separator = ","
    yield b"]}"


def _error_lines(entry: Entry, issues: list[dict[str, Any]] | None) -> list[list[Any]]:
    row, value, _, rejection = entry
    if rejection is not None:
        return [[row, value, rejection, rejection_detail(rejection, value)]]
    if not issues:
        return [[row, value, "invalid", "The VIN did not decode as valid."]]
    return [[row, value, issue["code"], issue["detail"]] for issue in issues]


async def _error_report(jobs: Jobs, job: Job) -> AsyncIterator[bytes]:
    yield _csv_bytes([ERROR_COLUMNS])
    async for entries, seqs in _chunks(jobs, job):
        invalid = await jobs.invalid_issues(job.account_id, job.id, seqs)
        lines: list[list[Any]] = []
        for entry in entries:
            seq = entry[2]
            if entry[3] is not None or (seq is not None and seq in invalid):
                lines.extend(_error_lines(entry, invalid.get(seq) if seq is not None else None))
        for block in _in_blocks(lines, _csv_bytes):
            yield block
