"""Downloads: every row in file order, duplicates expanded, CSV and JSON, the error report."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator, Callable

import pytest
from velox_vin_intel.jobs import results, service
from velox_vin_intel.jobs.errors import JobNotReady
from velox_vin_intel.jobs.results import (
    ERROR_COLUMNS,
    RESULT_COLUMNS,
    iter_error_report_csv,
    iter_result_csv,
    iter_result_json,
)
from velox_vin_intel.jobs.worker import JobWorker

from tests.services.vin_intel.jobs.conftest import FakeDecoder, Sessions, make_vin, new_job

GOOD, OTHER, WRONG = make_vin(10), make_vin(12), make_vin(11, valid=False)
# Rows 2-8: a VIN, a wrong check digit, a duplicate typed with dashes, too short, a missing
# value, another VIN, and the bad one again.
FILE = (
    "stock;vin;colour\n"
    f"s1;{GOOD};red\n"
    f"s2;{WRONG};blue\n"
    f"s3;{GOOD[:3]}-{GOOD[3:].lower()};red\n"
    "s4;ABC123;green\n"
    "s5;;black\n"
    f"s6;{OTHER};white\n"
    f"s7;{WRONG};blue\n"
).encode()


async def collect(stream: AsyncIterator[bytes]) -> str:
    return b"".join([chunk async for chunk in stream]).decode()


@pytest.fixture
async def finished(
    sessions: Sessions, tenants: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> tuple[str, str]:
    """A decoded job of FILE stored in chunks of two rows, written in blocks of two lines."""
    monkeypatch.setattr(service, "ROWS_PER_CHUNK", 2)
    monkeypatch.setattr(results, "_LINES_PER_WRITE", 2)
    account = tenants("a")
    job = await new_job(sessions, account, FILE, batch_size=2)
    worker = JobWorker(sessions, FakeDecoder())
    while await worker.run_once():
        pass
    return account, job.id


async def test_result_csv_has_every_row_in_file_order(
    sessions: Sessions, finished: tuple[str, str]
) -> None:
    text = await collect(await iter_result_csv(sessions, *finished))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0]) == RESULT_COLUMNS
    assert [(r["row"], r["vin"], r["valid"], r["issues"]) for r in rows] == [
        ("2", GOOD, "true", ""),
        ("3", WRONG, "false", "check_digit"),
        ("4", GOOD, "true", ""),
        ("5", "ABC123", "false", "length"),
        ("6", "", "false", "missing"),
        ("7", OTHER, "true", ""),
        ("8", WRONG, "false", "check_digit"),
    ]
    assert rows[2] == rows[0] | {"row": "4"}, "a duplicate gets its VIN's decode"
    first = rows[0]
    assert (first["make"], first["model_year"], first["serial"]) == ("Honda", "2017", GOOD[11:])
    assert (first["enrichment"], first["fuel_type"], first["drive_type"]) == (
        "vpic",
        "Gasoline",
        "AWD",
    )
    assert rows[3]["make"] == ""


async def test_result_json_holds_the_decodes_and_the_rejections(
    sessions: Sessions, finished: tuple[str, str]
) -> None:
    document = json.loads(await collect(await iter_result_json(sessions, *finished)))
    assert document["job_id"] == finished[1]
    rows = document["rows"]
    assert [r["row"] for r in rows] == [2, 3, 4, 5, 6, 7, 8]
    assert rows[0]["decode"]["vin"] == GOOD and rows[0]["error"] is None
    assert rows[2]["decode"] == rows[0]["decode"]
    assert rows[1]["decode"]["issues"][0]["code"] == "check_digit"
    assert rows[3]["decode"] is None
    assert rows[3]["error"]["code"] == "length"
    assert "17 characters" in rows[3]["error"]["detail"]
    assert rows[4]["error"]["code"] == "missing"


async def test_error_report_lists_rejected_and_invalid_rows(
    sessions: Sessions, finished: tuple[str, str]
) -> None:
    text = await collect(await iter_error_report_csv(sessions, *finished))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0]) == ERROR_COLUMNS
    assert [(r["row"], r["value"], r["code"]) for r in rows] == [
        ("3", WRONG, "check_digit"),
        ("5", "ABC123", "length"),
        ("6", "", "missing"),
        ("8", WRONG, "check_digit"),
    ]
    assert rows[0]["detail"] == "wrong check digit"
    assert rows[2]["detail"] == "The row has no value in the VIN column."


async def test_no_download_before_the_job_succeeded(
    sessions: Sessions, tenants: Callable[[str], str]
) -> None:
    account = tenants("a")
    job = await new_job(sessions, account, FILE)
    for opener in (iter_result_csv, iter_result_json, iter_error_report_csv):
        with pytest.raises(JobNotReady) as caught:
            await opener(sessions, account, job.id)
        assert caught.value.extensions == {"job_status": "queued"}
