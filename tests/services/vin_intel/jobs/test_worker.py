"""The worker: batches decoded once each, progress, crashes resumed, work shared, failures."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable

import pytest
from sqlalchemy import func, select
from velox_shared.workers import stop_tasks
from velox_vin_intel.db.jobs import JobBatch, JobResult
from velox_vin_intel.jobs.service import cancel_job, progress
from velox_vin_intel.jobs.worker import JobWorker

from tests.services.vin_intel.jobs.conftest import (
    FakeDecoder,
    Sessions,
    csv_file,
    load_job,
    make_vin,
    new_job,
    wait_for_status,
)

# 20 distinct VINs in 5 batches of 4; every fourth has a wrong check digit.
VINS = [make_vin(i, valid=i % 4 != 3) for i in range(20)]


async def stored_results(sessions: Sessions, job_id: str) -> Counter[str]:
    async with sessions() as session:
        vins = await session.scalars(select(JobResult.vin).where(JobResult.job_id == job_id))
        return Counter(vins)


async def test_worker_decodes_every_batch_once_and_counts_progress(
    sessions: Sessions, tenants: Callable[[str], str]
) -> None:
    job = await new_job(sessions, tenants("a"), csv_file("vin", *VINS, *VINS[:5]), batch_size=4)
    decoder = FakeDecoder()
    worker = JobWorker(sessions, decoder, poll_interval=0.05)
    assert await worker.run_once() and await worker.run_once()
    half = await load_job(sessions, job.id)
    assert (half.status, half.started_at is not None, half.finished_at) == ("running", True, None)
    assert progress(half) == {
        "percent": 40.0,
        "total_rows": 25,
        "unique_vins": 20,
        "duplicates": 5,
        "rejected": 0,
        "decoded": 8,
        "valid": 6,
        "invalid": 2,
        "enriched": 4,
        "batches_done": 2,
        "batches_total": 5,
    }
    while await worker.run_once():
        pass
    done = await load_job(sessions, job.id)
    assert (done.status, done.decoded, done.valid, done.invalid) == ("succeeded", 20, 15, 5)
    assert done.finished_at is not None and progress(done)["percent"] == 100.0
    assert decoder.calls == [VINS[i : i + 4] for i in range(0, 20, 4)]
    assert await stored_results(sessions, job.id) == Counter(VINS)


async def test_crash_mid_job_resumes_without_redoing_finished_batches(
    sessions: Sessions, tenants: Callable[[str], str]
) -> None:
    job = await new_job(sessions, tenants("a"), csv_file("vin", *VINS), batch_size=4)
    crashing = FakeDecoder(fail_on_call=3)
    first = JobWorker(sessions, crashing, poll_interval=0.05)
    assert await first.run_once() and await first.run_once()
    with pytest.raises(RuntimeError, match="decoder crashed"):
        await first.run_once()
    stalled = await load_job(sessions, job.id)
    assert (stalled.status, stalled.batches_done, stalled.decoded) == ("running", 2, 8)
    assert await stored_results(sessions, job.id) == Counter(VINS[:8])

    healthy = FakeDecoder()
    second = JobWorker(sessions, healthy, poll_interval=0.05)
    task = asyncio.create_task(second.run())
    done = await wait_for_status(sessions, job.id, "succeeded")
    await stop_tasks([task], [second])
    assert healthy.calls == [VINS[8:12], VINS[12:16], VINS[16:20]]
    assert Counter(crashing.decoded() + healthy.decoded()) == Counter(VINS) + Counter(VINS[8:12])
    assert (done.batches_done, done.decoded, done.valid) == (5, 20, 15)
    assert await stored_results(sessions, job.id) == Counter(VINS)
    async with sessions() as session:
        crashed = await session.get(JobBatch, (job.id, 2))
    assert crashed is not None and crashed.attempts == 2
    assert crashed.last_error is not None and "decoder crashed" in crashed.last_error


async def test_worker_killed_mid_batch_leaves_the_batch_for_the_next_worker(
    sessions: Sessions, tenants: Callable[[str], str]
) -> None:
    job = await new_job(sessions, tenants("a"), csv_file("vin", *VINS), batch_size=4)
    hanging = FakeDecoder(hang_on_call=2)
    doomed = JobWorker(sessions, hanging, poll_interval=0.05)
    task = asyncio.create_task(doomed.run())
    await asyncio.wait_for(hanging.entered_hang.wait(), 10)
    task.cancel()  # no graceful stop: the transaction of batch 1 dies with the task
    await asyncio.gather(task, return_exceptions=True)
    assert (await load_job(sessions, job.id)).batches_done == 1

    healthy = FakeDecoder()
    successor = JobWorker(sessions, healthy, poll_interval=0.05)
    while await successor.run_once():
        pass
    assert healthy.calls == [VINS[4:8], VINS[8:12], VINS[12:16], VINS[16:20]]
    assert (await load_job(sessions, job.id)).status == "succeeded"
    assert await stored_results(sessions, job.id) == Counter(VINS)


async def test_concurrent_workers_share_batches_and_never_decode_one_twice(
    sessions: Sessions, tenants: Callable[[str], str]
) -> None:
    vins = [make_vin(i) for i in range(200)]
    job = await new_job(sessions, tenants("a"), csv_file("vin", *vins), batch_size=10)
    decoders = [FakeDecoder(), FakeDecoder()]
    workers = [JobWorker(sessions, d, poll_interval=0.02, concurrency=2) for d in decoders]
    tasks = [asyncio.create_task(w.run()) for w in workers]
    for w in workers:
        w.wake()
    done = await wait_for_status(sessions, job.id, "succeeded")
    await stop_tasks(tasks, workers)
    decoded = decoders[0].decoded() + decoders[1].decoded()
    assert Counter(decoded) == Counter(vins)
    assert all(d.calls for d in decoders), "both processes took batches"
    assert (done.batches_done, done.decoded) == (20, 200)
    assert await stored_results(sessions, job.id) == Counter(vins)


async def test_a_batch_failing_every_attempt_fails_the_job(
    sessions: Sessions, tenants: Callable[[str], str]
) -> None:
    job = await new_job(sessions, tenants("a"), csv_file("vin", *VINS[:4]), batch_size=4)
    worker = JobWorker(sessions, FakeDecoder(fail_on_call=1), max_attempts=1)
    with pytest.raises(RuntimeError):
        await worker.run_once()
    failed = await load_job(sessions, job.id)
    assert failed.status == "failed" and failed.finished_at is not None
    assert failed.error is not None and "decoder crashed" in failed.error
    assert not await worker.run_once(), "a failed job's batches are not claimed again"


async def test_cancelled_job_is_not_worked_on(
    sessions: Sessions, tenants: Callable[[str], str]
) -> None:
    account = tenants("a")
    job = await new_job(sessions, account, csv_file("vin", *VINS), batch_size=4)
    async with sessions() as session, session.begin():
        await cancel_job(session, account, job.id)
    decoder = FakeDecoder()
    assert not await JobWorker(sessions, decoder).run_once()
    async with sessions() as session:
        pending = await session.scalar(
            select(func.count())
            .select_from(JobBatch)
            .where(JobBatch.job_id == job.id, JobBatch.done_at.is_(None))
        )
    assert decoder.calls == [] and pending == 5
