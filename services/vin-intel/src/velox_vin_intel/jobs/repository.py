"""SQL of bulk jobs: tenant-filtered reads for callers, batch claims and writes for workers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, Text, any_, bindparam, case, cast, func, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, JSONPATH, insert
from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.repository import Repository

from velox_vin_intel.db.jobs import Job, JobBatch, JobResult, JobRows

__all__ = ["ACTIVE", "BatchCounts", "ClaimedBatch", "JobStore", "Jobs"]

ACTIVE = ("queued", "running")

_INSERT_RESULTS = text(
    """
    INSERT INTO vin_intel.job_results (job_id, seq, account_id, vin, result)
    SELECT CAST(:job_id AS text), CAST(:first_seq AS integer) + t.i - 1,
           CAST(:account_id AS text), t.vin, CAST(t.result AS jsonb)
    FROM unnest(CAST(:vins AS text[]), CAST(:results AS text[]))
         WITH ORDINALITY AS t(vin, result, i)
    """
)


@dataclass(frozen=True)
class ClaimedBatch:
    """A batch locked by this worker's transaction until it commits or rolls back."""

    job_id: str
    batch_no: int
    account_id: str
    first_seq: int
    vins: list[str]
    job_status: str


@dataclass(frozen=True)
class BatchCounts:
    decoded: int
    valid: int
    enriched: int


class Jobs(Repository[Job]):
    """Jobs as their owners see them: every read takes ``account_id``."""

    model = Job

    async def by_idempotency_key(self, account_id: str, key: str) -> Job | None:
        query = self.query(account_id=account_id).where(Job.idempotency_key == key)
        job: Job | None = await self.session.scalar(query)
        return job

    async def insert(self, values: dict[str, Any]) -> str | None:
        """Insert a job; ``None`` when its idempotency key is already taken."""
        statement = insert(Job).values(**values)
        if values.get("idempotency_key") is not None:
            statement = statement.on_conflict_do_nothing(
                index_elements=["account_id", "idempotency_key"],
                index_where=Job.idempotency_key.is_not(None),
            )
        job_id: str | None = await self.session.scalar(statement.returning(Job.id))
        return job_id

    async def add_children(self, rows: list[dict[str, Any]], batches: list[dict[str, Any]]) -> None:
        """Store the file's row chunks and the decode batches (multi-row inserts)."""
        if rows:
            await self.session.execute(insert(JobRows), rows)
        if batches:
            await self.session.execute(insert(JobBatch), batches)

    async def cancel(self, account_id: str, job_id: str) -> None:
        await self.session.execute(
            update(Job)
            .where(Job.id == job_id, Job.account_id == account_id, Job.status.in_(ACTIVE))
            .values(status="cancelled", finished_at=func.clock_timestamp())
        )

    async def chunk_numbers(self, account_id: str, job_id: str) -> list[int]:
        query = (
            select(JobRows.chunk_no)
            .where(JobRows.job_id == job_id, JobRows.account_id == account_id)
            .order_by(JobRows.chunk_no)
        )
        return list((await self.session.scalars(query)).all())

    async def chunk(self, account_id: str, job_id: str, chunk_no: int) -> JobRows:
        query = select(JobRows).where(
            JobRows.job_id == job_id, JobRows.account_id == account_id, JobRows.chunk_no == chunk_no
        )
        return (await self.session.scalars(query)).one()

    async def result_texts(self, account_id: str, job_id: str, seqs: list[int]) -> dict[int, str]:
        """The stored decodes of ``seqs`` as JSON text (no parse and re-dump)."""
        query = select(JobResult.seq, cast(JobResult.result, Text)).where(
            *self._results_of(account_id, job_id, seqs)
        )
        return {seq: doc for seq, doc in (await self.session.execute(query)).all()}

    async def result_fields(
        self,
        account_id: str,
        job_id: str,
        seqs: list[int],
        fields: Sequence[str],
        attributes: Sequence[str],
    ) -> dict[int, tuple[Any, ...]]:
        """Per decode: vin, valid, issue codes, then ``fields`` and ``attributes`` as text.

        PostgreSQL picks the values out of the JSONB, so a CSV of 100,000 rows is not
        parsed back into Python dictionaries first.
        """
        result = JobResult.result
        columns = [
            result["vin"].astext,
            result["valid"].astext,
            func.jsonb_path_query_array(result, cast("$.issues[*].code", JSONPATH), type_=JSONB),
            *(result[name].astext for name in fields),
            *(result["attributes"][name].astext for name in attributes),
        ]
        query = select(JobResult.seq, *columns).where(*self._results_of(account_id, job_id, seqs))
        return {row[0]: tuple(row[1:]) for row in await self.session.execute(query)}

    async def invalid_issues(
        self, account_id: str, job_id: str, seqs: list[int]
    ) -> dict[int, list[dict[str, Any]]]:
        """The issues of the decodes among ``seqs`` that are not valid."""
        query = select(JobResult.seq, JobResult.result["issues"]).where(
            *self._results_of(account_id, job_id, seqs),
            JobResult.result["valid"].as_boolean().is_(False),
        )
        return {seq: list(issues or []) for seq, issues in (await self.session.execute(query))}

    @staticmethod
    def _results_of(account_id: str, job_id: str, seqs: list[int]) -> tuple[Any, ...]:
        wanted = bindparam("seqs", seqs, type_=ARRAY(Integer))
        return (
            JobResult.job_id == job_id,
            JobResult.account_id == account_id,
            JobResult.seq == any_(wanted),
        )


class JobStore:
    """The worker's side: claim a pending batch, store its results, record failures."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim(self) -> ClaimedBatch | None:
        """Lock the oldest active job's next pending batch, skipping batches others hold."""
        query = (
            select(
                JobBatch.job_id,
                JobBatch.batch_no,
                JobBatch.account_id,
                JobBatch.first_seq,
                JobBatch.vins,
                Job.status,
            )
            .join(Job, Job.id == JobBatch.job_id)
            .where(JobBatch.done_at.is_(None), Job.status.in_(ACTIVE))
            .order_by(Job.created_at, JobBatch.job_id, JobBatch.batch_no)
            .limit(1)
            .with_for_update(of=JobBatch, skip_locked=True)
        )
        row = (await self.session.execute(query)).first()
        return None if row is None else ClaimedBatch(*row)

    async def mark_running(self, job_id: str) -> None:
        await self.session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == "queued")
            .values(status="running", started_at=func.clock_timestamp())  # now(), not the txn start
        )

    async def store(self, batch: ClaimedBatch, results: Sequence[str], counts: BatchCounts) -> None:
        """Write the batch's results, mark it done and count it on the job."""
        await self.session.execute(
            _INSERT_RESULTS,
            {
                "job_id": batch.job_id,
                "first_seq": batch.first_seq,
                "account_id": batch.account_id,
                "vins": batch.vins,
                "results": list(results),
            },
        )
        await self.session.execute(
            update(JobBatch)
            .where(JobBatch.job_id == batch.job_id, JobBatch.batch_no == batch.batch_no)
            .values(done_at=func.clock_timestamp(), attempts=JobBatch.attempts + 1)
        )
        await self.session.execute(_count_batch(batch.job_id, counts))

    async def record_failure(self, batch: ClaimedBatch, error: str, max_attempts: int) -> bool:
        """Count a failed attempt; fail the job after ``max_attempts``. True if it failed."""
        attempts = await self.session.scalar(
            update(JobBatch)
            .where(JobBatch.job_id == batch.job_id, JobBatch.batch_no == batch.batch_no)
            .values(attempts=JobBatch.attempts + 1, last_error=error)
            .returning(JobBatch.attempts)
        )
        if attempts is None or attempts < max_attempts:
            return False
        await self.session.execute(
            update(Job)
            .where(Job.id == batch.job_id, Job.status.in_(ACTIVE))
            .values(
                status="failed",
                finished_at=func.clock_timestamp(),
                error=f"Batch {batch.batch_no} failed {attempts} times: {error}",
            )
        )
        return True


def _count_batch(job_id: str, counts: BatchCounts) -> Any:
    # SET expressions all read the row before the update, so "+ 1" is this batch.
    last = Job.batches_done + 1 >= Job.batches_total
    return (
        update(Job)
        .where(Job.id == job_id, Job.status.in_(ACTIVE))
        .values(
            batches_done=Job.batches_done + 1,
            decoded=Job.decoded + counts.decoded,
            valid=Job.valid + counts.valid,
            invalid=Job.invalid + (counts.decoded - counts.valid),
            enriched=Job.enriched + counts.enriched,
            status=case((last, "succeeded"), else_="running"),
            started_at=func.coalesce(Job.started_at, func.clock_timestamp()),
            finished_at=case((last, func.clock_timestamp()), else_=None),
        )
    )
