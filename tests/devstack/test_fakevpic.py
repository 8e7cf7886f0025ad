"""The loopback vPIC: vPIC's shapes for recorded and unknown VINs, the batch form body,
the ``/_fake`` controls, the recordings themselves and ``python -m velox_devstack.fakevpic``."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from velox_devstack.embedded import free_port
from velox_devstack.fakevpic import RECORDINGS, create_app
from velox_devstack.fakevpic.shape import KEYS, MESSAGE, check_digit

PILOT = "5FNYF5H59HB011946"
EXTENDED = "/api/vehicles/DecodeVinValuesExtended"
BATCH = "/api/vehicles/DecodeVINValuesBatch/"


@pytest.fixture
async def vpic() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://vpic") as client:
        yield client


async def extended(vpic: httpx.AsyncClient, vin: str) -> dict[str, str]:
    response = await vpic.get(f"{EXTENDED}/{vin}", params={"format": "json"})
    assert response.status_code == 200
    row: dict[str, str] = response.json()["Results"][0]
    return row


def test_every_recording_is_a_full_clean_vpic_answer_for_a_valid_vin() -> None:
    paths = sorted(RECORDINGS.glob("*.json"))
    assert len(paths) >= 20
    for path in paths:
        body = json.loads(path.read_text())
        (row,) = body["Results"]
        assert (body["Count"], body["Message"]) == (1, MESSAGE)
        assert body["SearchCriteria"] == f"VIN(s): {path.stem}"
        assert tuple(row) == KEYS, path.stem
        assert row["VIN"] == path.stem and check_digit(path.stem) == path.stem[8]
        assert row["ErrorCode"] == "0" and row["Make"] and row["Model"] and row["ModelYear"]
    makes = {json.loads(p.read_text())["Results"][0]["Make"] for p in paths}
    assert len(makes) >= 14


async def test_a_recorded_vin_answers_its_recording(vpic: httpx.AsyncClient) -> None:
    response = await vpic.get(f"{EXTENDED}/{PILOT}", params={"format": "json", "modelyear": "2017"})

    body = response.json()
    assert (body["Count"], body["SearchCriteria"]) == (1, f"VIN(s): {PILOT}")
    assert body == json.loads((RECORDINGS / f"{PILOT}.json").read_text())


@pytest.mark.parametrize(
    ("vin", "codes"),
    [
        ("ZZZZZZZZ9ZZZZZZZZ", "7"),
        ("ZZZZZZZZ1ZZZZZZZZ", "1,7"),
        ("ZZZZZZZZ1ZZZZZZZO", "1,7,400"),
        ("ZZZZZZZZ", "6,7"),
    ],
)
async def test_an_unknown_vin_gets_vpics_undecodable_answer(
    vpic: httpx.AsyncClient, vin: str, codes: str
) -> None:
    row = await extended(vpic, vin)

    assert row["ErrorCode"] == codes
    assert len(row["ErrorText"].split("; ")) >= len(codes.split(","))
    assert tuple(row) == KEYS
    assert (row["VIN"], row["Make"], row["Model"]) == (vin, "", "")


async def test_a_batch_answers_one_row_per_entry_in_order(vpic: httpx.AsyncClient) -> None:
    data = f" {PILOT.lower()},2017; ZZZZZZZZ9ZZZZZZZZ ;5YJSA1H12FFP71790"
    response = await vpic.post(BATCH, data={"format": "json", "data": data})

    rows = response.json()["Results"]
    assert [row["VIN"] for row in rows] == [PILOT.lower(), "ZZZZZZZZ9ZZZZZZZZ", "5YJSA1H12FFP71790"]
    assert [row["Model"] for row in rows] == ["Pilot", "", "Model S"]
    assert response.json()["Count"] == 3


async def test_paths_match_without_case_and_a_batch_over_50_is_refused(
    vpic: httpx.AsyncClient,
) -> None:
    lower = await vpic.post(
        "/api/vehicles/decodevinvaluesbatch", data={"format": "json", "data": PILOT}
    )
    assert lower.json()["Results"][0]["Model"] == "Pilot"
    too_many = ";".join([PILOT] * 51)
    refused = await vpic.post(BATCH, data={"format": "json", "data": too_many})
    assert refused.status_code == 400
    xml = await vpic.get(f"{EXTENDED}/{PILOT}", params={"format": "xml"})
    assert xml.status_code == 400
    assert (await vpic.get(f"/api/vehicles/DecodeWMI/{PILOT}")).status_code == 404
    assert (await vpic.get("/_fake/calls")).json()["total"] == 1


async def test_fail_for_the_next_calls_then_normal(vpic: httpx.AsyncClient) -> None:
    await vpic.post("/_fake/fail", json={"status": 503, "times": 2, "retry_after": 1})

    first = await vpic.get(f"{EXTENDED}/{PILOT}", params={"format": "json"})
    second = await vpic.get(f"{EXTENDED}/{PILOT}", params={"format": "json"})
    assert (first.status_code, second.status_code) == (503, 503)
    assert first.headers["retry-after"] == "1"
    assert (await extended(vpic, PILOT))["Model"] == "Pilot"


async def test_fail_always_until_normal(vpic: httpx.AsyncClient) -> None:
    await vpic.post("/_fake/fail", json={"status": 429})
    for _ in range(3):
        response = await vpic.get(f"{EXTENDED}/{PILOT}", params={"format": "json"})
        assert response.status_code == 429

    await vpic.post("/_fake/normal")
    assert (await extended(vpic, PILOT))["Model"] == "Pilot"


async def test_garble_sends_a_body_that_is_not_json(vpic: httpx.AsyncClient) -> None:
    await vpic.post("/_fake/garble", json={"times": 1})

    response = await vpic.get(f"{EXTENDED}/{PILOT}", params={"format": "json"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    with pytest.raises(json.JSONDecodeError):
        response.json()
    assert (await extended(vpic, PILOT))["Model"] == "Pilot"


async def test_slow_delays_every_call_and_counts_calls_in_flight(vpic: httpx.AsyncClient) -> None:
    await vpic.post("/_fake/slow", json={"delay": 0.2})

    started = time.monotonic()
    await asyncio.gather(*(extended(vpic, PILOT) for _ in range(4)))
    assert 0.2 <= time.monotonic() - started < 0.8

    calls = (await vpic.get("/_fake/calls")).json()
    assert (calls["total"], calls["extended"], calls["max_in_flight"]) == (4, 4, 4)
    assert calls["vins"] == [PILOT] * 4
    assert (await vpic.delete("/_fake/calls")).json()["total"] == 0
    assert (await vpic.get("/_fake/calls")).json()["vins"] == []


async def test_the_recordings_are_listed(vpic: httpx.AsyncClient) -> None:
    listed = (await vpic.get("/_fake/recordings")).json()

    assert {"VIN": PILOT, "ModelYear": "2017", "Make": "HONDA", "Model": "Pilot"} in listed
    assert len(listed) == len(list(RECORDINGS.glob("*.json")))


async def test_python_dash_m_serves_the_fake_on_the_given_port() -> None:
    port = free_port()
    command = [sys.executable, "-m", "velox_devstack.fakevpic", "--port", str(port)]
    process = subprocess.Popen(command)  # noqa: ASYNC220 - a child we stop below
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            for _ in range(200):
                try:
                    response = await client.get(f"{EXTENDED}/{PILOT}?format=json")
                    break
                except httpx.ConnectError:
                    await asyncio.sleep(0.05)
            else:
                pytest.fail("the fake vPIC did not start")
        assert response.json()["Results"][0]["Model"] == "Pilot"
    finally:
        process.terminate()
        process.wait(timeout=10)
