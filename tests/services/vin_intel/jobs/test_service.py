"""Creating, reading, listing and cancelling jobs; idempotency, tenant isolation, quota."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import func, select
from velox_vin_intel.db.jobs import Job, JobBatch, JobRows
from velox_vin_intel.errors import QuotaWouldExceed, check_quota
from velox_vin_intel.jobs.errors import IdempotencyKeyReused, JobNotFound
from velox_vin_intel.jobs.results import iter_error_report_csv, iter_result_csv
from velox_vin_intel.jobs.service import cancel_job, get_job, list_jobs, progress

from tests.services.vin_intel.jobs.conftest import Sessions, csv_file, make_vin, new_job

VINS = [make_vin(i) for i in range(10)]


async def test_create_stores_rows_and_batches_and_queues_the_job(
    sessions: Sessions, tenants: Callable[[str], str]
) -> None:
    account = tenants("a")
    job = await new_job(sessions, account, csv_file("vin", *VINS, VINS[0], "bad"), batch_size=4)
    assert job.id.startswith("job_")
    assert (job.status, job.total_rows, job.unique_vins) == ("queued", 12, 10)
    assert (job.duplicates, job.rejected, job.batches_total, job.batch_size) == (1, 1, 3, 4)
    async with sessions() as session:
        batches = (
            await session.scalars(
                select(JobBatch).where(JobBatch.job_id == job.id).order_by(JobBatch.batch_no)
            )
        ).all()
        rows = (await session.scalars(select(JobRows).where(JobRows.job_id == job.id))).one()
    assert [b.vins for b in batches] == [VINS[:4], VINS[4:8], VINS[8:]]
    assert [b.first_seq for b in batches] == [0, 4, 8]
    assert rows.row_nos == list(range(2, 14))
    assert rows.seqs == [*range(10), 0, None]
    assert rows.rejections == [None] * 11 + ["length"]


async def test_a_file_with_only_rejected_values_is_done_at_once(
    sessions: Sessions, tenants: Callable[[str], str]
) -> None:
    job = await new_job(sessions, tenants("a"), csv_file("vin", "ABC", "DEF"))
    assert (job.status, job.batches_total, job.rejected) == ("succeeded", 0, 2)
    assert job.finished_at is not None
    assert progress(job)["percent"] == 100.0


async def test_repeated_idempotency_key_returns_the_same_job(
    sessions: Sessions, tenants: Callable[[str], str]
) -> None:
    account, other = tenants("a"), tenants("b")
    data = csv_file("vin", *VINS)
    first = await new_job(sessions, account, data, key="upload-1")
    again = await new_job(sessions, account, data, key="upload-1")
    elsewhere = await new_job(sessions, other, data, key="upload-1")
    assert again.id == first.id
    assert elsewhere.id != first.id
    with pytest.raises(IdempotencyKeyReused):
        await new_job(sessions, account, csv_file("vin", VINS[0]), key="upload-1")
    async with sessions() as session:
        count = await session.scalar(
            select(func.count()).select_from(Job).where(Job.account_id == account)
        )
        batches = await session.scalar(
            select(func.count()).select_from(JobBatch).where(JobBatch.job_id == first.id)
        )
    assert (count, batches) == (1, 1)


async def test_list_is_newest_first_with_a_cursor(
    sessions: Sessions, tenants: Callable[[str], str]
) -> None:
    account = tenants("a")
    made = [await new_job(sessions, account, csv_file("vin", v)) for v in VINS[:3]]
    async with sessions() as session:
        first = await list_jobs(session, account, limit=2)
        assert first.next_cursor is not None
        second = await list_jobs(session, account, limit=2, cursor=first.next_cursor)
    listed = [j.id for j in first.items + second.items]
    assert listed == [j.id for j in reversed(made)]
    assert second.next_cursor is None


async def test_another_account_cannot_see_get_list_cancel_or_download_a_job(
    sessions: Sessions, tenants: Callable[[str], str]
) -> None:
    owner, intruder = tenants("owner"), tenants("intruder")
    job = await new_job(sessions, owner, csv_file("vin", "ABC"))  # done at once
    async with sessions() as session:
        assert (await get_job(session, owner, job.id)).id == job.id
        with pytest.raises(JobNotFound):
            await get_job(session, intruder, job.id)
        assert (await list_jobs(session, intruder)).items == []
        with pytest.raises(JobNotFound):
            await cancel_job(session, intruder, job.id)
        with pytest.raises(JobNotFound):
            await iter_result_csv(sessions, intruder, job.id)
        with pytest.raises(JobNotFound):
            await iter_error_report_csv(sessions, intruder, job.id)
        stream = await iter_result_csv(sessions, owner, job.id)
        assert b"ABC" in b"".join([chunk async for chunk in stream])


async def test_cancel_stops_a_queued_job_once(
    sessions: Sessions, tenants: Callable[[str], str]
) -> None:
    account = tenants("a")
    job = await new_job(sessions, account, csv_file("vin", *VINS))
    async with sessions() as session, session.begin():
        cancelled = await cancel_job(session, account, job.id)
    assert cancelled.status == "cancelled"
    assert cancelled.finished_at is not None


def test_quota_check_says_how_many_would_exceed() -> None:
    check_quota(1000, 1000, "This file has 1,000 distinct VINs")
    check_quota(10**6, None, "This file has 1,000,000 distinct VINs")
    with pytest.raises(QuotaWouldExceed) as caught:
        check_quota(1250, 1000, "This file has 1,250 distinct VINs")
    assert caught.value.detail == (
        "This file has 1,250 distinct VINs to decode; your plan has 1,000 decodes left "
        "this month, so 250 would exceed it."
    )
    assert caught.value.extensions == {"needed": 1250, "remaining": 1000, "excess": 250}
    assert caught.value.status == 429
