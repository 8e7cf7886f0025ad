"""Bulk jobs for their owners: create from a parsed file, read, list, cancel, quota check.

Services flush, never commit: the request's session commits. Call the worker's ``wake()``
after that commit so the new job starts at once (before it, the worker would not see it
and would find it at its next poll instead).
"""

from __future__ import annotations

import heapq
from typing import Any

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.ids import new_id
from velox_shared.pagination import PageResult

from velox_vin_intel.db.jobs import Job
from velox_vin_intel.jobs.errors import IdempotencyKeyReused, JobNotFound
from velox_vin_intel.jobs.files import ParsedVins
from velox_vin_intel.jobs.repository import ACTIVE, Jobs

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "ROWS_PER_CHUNK",
    "cancel_job",
    "create_job",
    "find_by_idempotency_key",
    "get_job",
    "list_jobs",
    "progress",
]

DEFAULT_BATCH_SIZE = 1000
MAX_BATCH_SIZE = 10_000
ROWS_PER_CHUNK = 5000


async def create_job(
    session: AsyncSession,
    account_id: str,
    parsed: ParsedVins,
    filename: str | None,
    idempotency_key: str | None = None,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> Job:
    """Store a queued job with its rows and batches; a repeated idempotency key returns
    the job it created (or raises :class:`IdempotencyKeyReused` for another file)."""
    jobs = Jobs(session)
    if idempotency_key is not None:
        existing = await jobs.by_idempotency_key(account_id, idempotency_key)
        if existing is not None:
            return _same_file(existing, parsed)
    size = max(1, min(batch_size, MAX_BATCH_SIZE))
    batches = _batches(account_id, parsed.unique, size)
    values = _job_values(account_id, parsed, filename, idempotency_key, size, len(batches))
    job_id = await jobs.insert(values)
    if job_id is None:  # a concurrent request with the same key won the insert
        assert idempotency_key is not None
        existing = await jobs.by_idempotency_key(account_id, idempotency_key)
        assert existing is not None
        return _same_file(existing, parsed)
    for values in batches:
        values["job_id"] = job_id
    chunks = _row_chunks(job_id, account_id, parsed)
    await jobs.add_children(chunks, batches)
    job = await jobs.get(job_id, account_id=account_id)
    assert job is not None
    return job


async def find_by_idempotency_key(
    session: AsyncSession, account_id: str, idempotency_key: str
) -> Job | None:
    """The account's job created with ``idempotency_key``, if any."""
    return await Jobs(session).by_idempotency_key(account_id, idempotency_key)


async def get_job(session: AsyncSession, account_id: str, job_id: str) -> Job:
    """The account's job; :class:`JobNotFound` for a missing job or another account's."""
    job = await Jobs(session).get(job_id, account_id=account_id)
    if job is None:
        raise JobNotFound(f"No job {job_id}.")
    return job


async def list_jobs(
    session: AsyncSession, account_id: str, *, limit: int = 50, cursor: str | None = None
) -> PageResult[Job]:
    """The account's jobs, newest first, one page at a time."""
    jobs = Jobs(session)
    return await jobs.page(jobs.query(account_id=account_id), limit=limit, cursor=cursor)


async def cancel_job(session: AsyncSession, account_id: str, job_id: str) -> Job:
    """Stop a queued or running job (batches already decoded stay); finished jobs stay."""
    job = await get_job(session, account_id, job_id)
    if job.status in ACTIVE:
        await Jobs(session).cancel(account_id, job_id)
        await session.refresh(job)
    return job


def progress(job: Job) -> dict[str, Any]:
    """Percent done (of the distinct VINs) and the job's counters."""
    if job.unique_vins:
        percent = round(min(100.0, job.decoded * 100 / job.unique_vins), 1)
    else:
        percent = 100.0 if job.status == "succeeded" else 0.0
    return {
        "percent": percent,
        "total_rows": job.total_rows,
        "unique_vins": job.unique_vins,
        "duplicates": job.duplicates,
        "rejected": job.rejected,
        "decoded": job.decoded,
        "valid": job.valid,
        "invalid": job.invalid,
        "enriched": job.enriched,
        "batches_done": job.batches_done,
        "batches_total": job.batches_total,
    }


def _same_file(job: Job, parsed: ParsedVins) -> Job:
    if job.file_sha256 != parsed.sha256:
        raise IdempotencyKeyReused(
            f"The Idempotency-Key was used for job {job.id} with a different file; "
            "use a new key for a new file."
        )
    return job


def _job_values(
    account_id: str,
    parsed: ParsedVins,
    filename: str | None,
    idempotency_key: str | None,
    batch_size: int,
    batches_total: int,
) -> dict[str, Any]:
    # A file whose values were all rejected has nothing to decode: it is done at once.
    done = batches_total == 0
    return {
        "id": new_id("job"),
        "account_id": account_id,
        "status": "succeeded" if done else "queued",
        "filename": filename[:255] if filename else None,
        "file_format": parsed.file_format,
        "file_sha256": parsed.sha256,
        "idempotency_key": idempotency_key,
        "total_rows": parsed.total_rows,
        "unique_vins": len(parsed.unique),
        "duplicates": parsed.duplicates,
        "rejected": len(parsed.rejected),
        "batch_size": batch_size,
        "batches_total": batches_total,
        "started_at": func.now() if done else None,
        "finished_at": func.now() if done else None,
    }


def _batches(account_id: str, unique: list[str], size: int) -> list[dict[str, Any]]:
    return [
        {
            "batch_no": n,
            "account_id": account_id,
            "first_seq": start,
            "vins": unique[start : start + size],
        }
        for n, start in enumerate(range(0, len(unique), size))
    ]


def _row_chunks(job_id: str, account_id: str, parsed: ParsedVins) -> list[dict[str, Any]]:
    """The file's rows in file order, accepted and rejected merged, as array chunks."""
    seq_of = parsed.seq_of
    accepted = ((row, vin, seq_of[vin], None) for row, vin in parsed.rows)
    rejected = ((row, value, None, code) for row, value, code in parsed.rejected)
    merged = list(heapq.merge(accepted, rejected, key=lambda item: item[0]))
    chunks = []
    for n, start in enumerate(range(0, len(merged), ROWS_PER_CHUNK)):
        part = merged[start : start + ROWS_PER_CHUNK]
        chunks.append(
            {
                "job_id": job_id,
                "chunk_no": n,
                "account_id": account_id,
                "row_nos": [item[0] for item in part],
                "vals": [item[1] for item in part],
                "seqs": [item[2] for item in part],
                "rejections": [item[3] for item in part],
            }
        )
    return chunks
