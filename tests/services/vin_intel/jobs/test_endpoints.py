"""/v1/vin/jobs through the real app: upload, progress, downloads, quota, idempotency, tenants."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from velox_shared.contracts.usage import QUOTA_REMAINING_HEADER, USAGE_UNITS_HEADER
from velox_shared.workers import stop_tasks
from velox_vin_intel.jobs.endpoints import router as jobs_router
from velox_vin_intel.jobs.files import MAX_FILE_BYTES
from velox_vin_intel.jobs.worker import JobWorker

from tests.conftest import Keys, serve
from tests.services.vin_intel.jobs.conftest import FakeDecoder, csv_file, make_vin

JobsClient = Callable[[str], AbstractAsyncContextManager[httpx.AsyncClient]]
GOOD, WRONG = make_vin(20), make_vin(21, valid=False)
FILE = csv_file("vin,colour", f"{GOOD},red", f"{WRONG},blue", f"{GOOD},red", "nope,green")


def _mount(app: FastAPI) -> None:
    """Put the jobs routes ahead of ``GET /v1/vin/{vin}`` unless the app has them already."""
    if any(getattr(r, "path", "") == "/v1/vin/jobs" for r in app.router.routes):
        return
    holder = APIRouter()
    holder.include_router(jobs_router)
    app.router.routes[:0] = holder.routes


@pytest.fixture
def jobs_client(
    component_app: Callable[[str], FastAPI], keys: Keys, monkeypatch: pytest.MonkeyPatch
) -> JobsClient:
    """``async with jobs_client(account) as client``: the app with a job worker running."""

    @asynccontextmanager
    async def open_client(account: str) -> AsyncIterator[httpx.AsyncClient]:
        monkeypatch.setenv("VIN_INTEL_VPIC_ENABLED", "false")
        monkeypatch.setenv("VIN_INTEL_WARM_SNAPSHOT", "false")
        app = component_app("vin-intel")
        _mount(app)
        async with serve(app) as client:
            tasks, workers = [], []
            if getattr(app.state, "vin_job_worker", None) is None:
                worker = JobWorker(app.state.vin.runtime.sessions, FakeDecoder(), 0.05)
                app.state.vin_job_worker = worker
                tasks, workers = [asyncio.create_task(worker.run())], [worker]
            client.headers["X-Velox-Identity"] = keys.token("vin-intel", account=account)
            try:
                yield client
            finally:
                await stop_tasks(tasks, workers)

    return open_client


async def upload(
    client: httpx.AsyncClient, data: bytes = FILE, headers: dict[str, str] | None = None
) -> httpx.Response:
    files = {"file": ("fleet.csv", data, "text/csv")}
    return await client.post("/v1/vin/jobs", files=files, headers=headers)


async def finished(client: httpx.AsyncClient, job_id: str) -> dict[str, Any]:
    for _ in range(400):
        body: dict[str, Any] = (await client.get(f"/v1/vin/jobs/{job_id}")).json()
        if body["status"] == "succeeded":
            return body
        await asyncio.sleep(0.025)
    raise AssertionError(f"job {job_id} did not finish")


async def test_upload_is_accepted_at_once_then_decoded_and_downloadable(
    jobs_client: JobsClient, tenants: Callable[[str], str]
) -> None:
    async with jobs_client(tenants("a")) as client:
        created = await upload(client)
        assert created.status_code == 202, created.text
        job_id = created.json()["id"]
        assert created.json()["status"] == "queued"
        assert created.headers["Location"] == f"/v1/vin/jobs/{job_id}"
        assert created.headers[USAGE_UNITS_HEADER] == "2"
        body = await finished(client, job_id)
        result_csv = await client.get(f"/v1/vin/jobs/{job_id}/result")
        result_json = await client.get(
            f"/v1/vin/jobs/{job_id}/result", headers={"Accept": "application/json"}
        )
        errors = await client.get(f"/v1/vin/jobs/{job_id}/errors")
    assert body["progress"] == {
        "percent": 100.0,
        "total_rows": 4,
        "unique_vins": 2,
        "duplicates": 1,
        "rejected": 1,
        "decoded": 2,
        "valid": 1,
        "invalid": 1,
        "enriched": body["progress"]["enriched"],  # the fake and the real decoder differ
        "batches_done": 1,
        "batches_total": 1,
    }
    assert result_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(result_csv.text)))
    assert [(r["row"], r["vin"], r["valid"]) for r in rows] == [
        ("2", GOOD, "true"),
        ("3", WRONG, "false"),
        ("4", GOOD, "true"),
        ("5", "NOPE", "false"),
    ]
    assert [r["row"] for r in result_json.json()["rows"]] == [2, 3, 4, 5]
    report = list(csv.DictReader(io.StringIO(errors.text)))
    assert [(r["row"], r["code"]) for r in report] == [("3", "check_digit"), ("5", "length")]


async def test_a_file_beyond_the_remaining_quota_is_refused_with_the_excess(
    jobs_client: JobsClient, tenants: Callable[[str], str]
) -> None:
    async with jobs_client(tenants("a")) as client:
        refused = await upload(client, headers={QUOTA_REMAINING_HEADER: "1"})
        listed = await client.get("/v1/vin/jobs")
    assert refused.status_code == 429
    problem = refused.json()
    assert (problem["needed"], problem["remaining"], problem["excess"]) == (2, 1, 1)
    assert "so 1 would exceed it" in problem["detail"]
    assert listed.json()["items"] == []


async def test_a_repeated_idempotency_key_returns_the_job_without_charging_again(
    jobs_client: JobsClient, tenants: Callable[[str], str]
) -> None:
    async with jobs_client(tenants("a")) as client:
        first = await upload(client, headers={"Idempotency-Key": "k1"})
        again = await upload(client, headers={"Idempotency-Key": "k1"})
        other = await upload(client, csv_file("vin", GOOD), headers={"Idempotency-Key": "k1"})
    assert first.json()["id"] == again.json()["id"]
    assert (first.headers[USAGE_UNITS_HEADER], again.headers[USAGE_UNITS_HEADER]) == ("2", "0")
    assert other.status_code == 409


async def test_unusable_files_are_problems_with_a_code(
    jobs_client: JobsClient, tenants: Callable[[str], str]
) -> None:
    async with jobs_client(tenants("a")) as client:
        junk = await upload(client, b"\x00\x01\x02binary")
        columnless = await upload(client, csv_file("name", "Pilot"))
        huge = await upload(client, b"vin\n" + b"x" * MAX_FILE_BYTES)
    assert (junk.status_code, junk.json()["code"]) == (422, "not_a_table")
    assert (columnless.status_code, columnless.json()["code"]) == (422, "no_vin_column")
    assert (huge.status_code, huge.json()["code"]) == (413, "file_too_large")


async def test_another_account_cannot_reach_a_job(
    jobs_client: JobsClient, tenants: Callable[[str], str]
) -> None:
    async with jobs_client(tenants("owner")) as owner:
        job_id = (await upload(owner)).json()["id"]
        await finished(owner, job_id)
    async with jobs_client(tenants("intruder")) as intruder:
        answers = [
            await intruder.get(f"/v1/vin/jobs/{job_id}"),
            await intruder.get(f"/v1/vin/jobs/{job_id}/result"),
            await intruder.get(f"/v1/vin/jobs/{job_id}/errors"),
            await intruder.post(f"/v1/vin/jobs/{job_id}/cancel"),
        ]
        listed = await intruder.get("/v1/vin/jobs")
    assert [a.status_code for a in answers] == [404, 404, 404, 404]
    assert listed.json() == {"items": [], "next_cursor": None}
