"""The vPIC client against the loopback vPIC over a real socket: decoding, batches of 50,
retries, Retry-After, the deadline, the per-host limit and malformed answers."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from urllib.parse import parse_qs

import httpx
import pytest
from velox_devstack.embedded import free_port
from velox_devstack.fakevpic import RECORDINGS
from velox_devstack.fakevpic.shape import check_digit
from velox_vin_intel.vpic import VpicClient, VpicUnavailable

from tests.services.vin_intel.vpic.conftest import FakeVpic

Make = Callable[..., VpicClient]
PILOT = "5FNYF5H59HB011946"
RECORDED = sorted(path.stem for path in RECORDINGS.glob("*.json"))


def unknown_vins(count: int) -> list[str]:
    """VINs with a right check digit that no recording (nor vPIC) knows."""
    vins = []
    for n in range(count):
        raw = f"ZZZZZZZZ0ZZ{n:06d}"
        vins.append(raw[:8] + str(check_digit(raw)) + raw[9:])
    return vins


async def test_an_extended_decode_is_normalised(fake: FakeVpic, make_client: Make) -> None:
    record = await make_client().decode_extended(PILOT, 2017)

    assert record.vin == PILOT
    attrs = record.attributes
    assert (attrs["make"], attrs["model"], attrs["model_year"]) == ("HONDA", "Pilot", 2017)
    assert (attrs["engine_cylinders"], attrs["displacement_l"], attrs["engine_hp"]) == (
        6,
        3.5,
        280.0,
    )
    assert attrs["fuel_type"] == "Gasoline"
    assert (attrs["error_code"], record.clean, record.identified) == ("0", True, True)
    # "Not Applicable" and "" are no value: kept in the raw row, not in the attributes.
    assert record.raw["BusType"] == "Not Applicable"
    assert "BusType" not in attrs["extras"]
    assert attrs["extras"]["NCSAModel"] == "Pilot"
    (sent,) = fake.sent
    assert sent.url.path == f"/api/vehicles/DecodeVinValuesExtended/{PILOT}"
    assert dict(sent.url.params) == {"format": "json", "modelyear": "2017"}


async def test_an_unknown_vin_comes_back_unidentified_with_vpic_error_code(
    make_client: Make,
) -> None:
    (vin,) = unknown_vins(1)
    record = await make_client().decode_extended(vin)

    assert not record.identified
    assert record.error_codes == ("7",)
    assert "not registered with NHTSA" in record.attributes["error_text"]


async def test_a_batch_over_50_is_split_into_calls_of_50_keyed_by_vin(
    fake: FakeVpic, make_client: Make
) -> None:
    vins = RECORDED + unknown_vins(120 - len(RECORDED))
    items = [(vin, 2017 if vin == PILOT else None) for vin in vins]

    records = await make_client().decode_batch(items)

    assert sorted(records) == sorted(vins)
    assert records[PILOT].attributes["model"] == "Pilot"
    assert records["5YJSA1H12FFP71790"].attributes["electrification_level"].startswith("BEV")
    assert not records[vins[-1]].identified
    calls = await fake.calls()
    assert sorted(calls["batch_sizes"]) == [20, 50, 50]
    bodies = [parse_qs(request.content.decode()) for request in fake.sent]
    assert all(body["format"] == ["json"] for body in bodies)
    entries = [entry for body in bodies for entry in body["data"][0].split(";")]
    assert f"{PILOT},2017" in entries
    assert len(entries) == 120


async def test_a_503_is_retried_then_succeeds(fake: FakeVpic, make_client: Make) -> None:
    await fake.set("fail", status=503, times=2)

    record = await make_client(retries=2).decode_extended(PILOT)

    assert record.attributes["model"] == "Pilot"
    assert (await fake.calls())["total"] == 3


async def test_5xx_past_the_retries_is_unavailable(fake: FakeVpic, make_client: Make) -> None:
    await fake.set("fail", status=500)

    with pytest.raises(VpicUnavailable, match=r"after 3 tries: HTTP 500"):
        await make_client(retries=2).decode_extended(PILOT)
    assert (await fake.calls())["total"] == 3


async def test_a_429_waits_the_retry_after_it_is_given(fake: FakeVpic, make_client: Make) -> None:
    await fake.set("fail", status=429, times=1, retry_after=0.4)

    started = time.monotonic()
    record = await make_client(backoff=0.001).decode_extended(PILOT)

    assert time.monotonic() - started >= 0.4
    assert record.attributes["model"] == "Pilot"
    assert (await fake.calls())["total"] == 2


async def test_a_long_retry_after_ends_the_tries_at_once(fake: FakeVpic, make_client: Make) -> None:
    await fake.set("fail", status=429, retry_after=30)

    started = time.monotonic()
    with pytest.raises(VpicUnavailable, match="retry after 30s"):
        await make_client(max_retry_after=2.0).decode_extended(PILOT)
    assert time.monotonic() - started < 1.0
    assert (await fake.calls())["total"] == 1


async def test_a_400_is_not_retried(fake: FakeVpic, make_client: Make) -> None:
    await fake.set("fail", status=400)

    with pytest.raises(VpicUnavailable, match="HTTP 400"):
        await make_client(retries=3).decode_extended(PILOT)
    assert (await fake.calls())["total"] == 1


async def test_a_slow_vpic_is_unavailable_within_the_deadline(
    fake: FakeVpic, make_client: Make
) -> None:
    await fake.set("slow", delay=1.5)
    client = make_client(timeout=0.2, retries=10, backoff=0.05, deadline=0.8)

    started = time.monotonic()
    with pytest.raises(VpicUnavailable) as caught:
        await client.decode_extended(PILOT)
    elapsed = time.monotonic() - started

    assert elapsed < 1.1
    assert "no answer within 0.2s" in caught.value.reason or "0.8s" in caught.value.reason
    assert (await fake.calls())["total"] >= 2  # timed-out attempts were retried


async def test_a_refused_connection_is_retried_then_unavailable() -> None:
    tries: list[httpx.Request] = []

    async def record(request: httpx.Request) -> None:
        tries.append(request)

    async with httpx.AsyncClient(event_hooks={"request": [record]}) as http:
        client = VpicClient(http, f"http://127.0.0.1:{free_port()}/api", retries=2, backoff=0.01)
        with pytest.raises(VpicUnavailable, match="connection failed"):
            await client.decode_extended(PILOT)
    assert len(tries) == 3


async def test_the_per_host_limit_bounds_calls_in_flight(fake: FakeVpic, make_client: Make) -> None:
    await fake.set("slow", delay=0.2)
    client = make_client(max_concurrency=3)

    records = await asyncio.gather(*(client.decode_extended(vin) for vin in RECORDED[:12]))

    assert [r.vin for r in records] == RECORDED[:12]
    calls = await fake.calls()
    assert (calls["extended"], calls["max_in_flight"]) == (12, 3)


async def test_batch_calls_share_the_per_host_limit(fake: FakeVpic, make_client: Make) -> None:
    await fake.set("slow", delay=0.2)
    items = [(vin, None) for vin in unknown_vins(250)]

    records = await make_client(max_concurrency=2).decode_batch(items)

    assert len(records) == 250
    calls = await fake.calls()
    assert (calls["batch_sizes"], calls["max_in_flight"]) == ([50] * 5, 2)


async def test_a_malformed_body_is_unavailable_and_not_retried(
    fake: FakeVpic, make_client: Make
) -> None:
    await fake.set("garble", times=1)

    with pytest.raises(VpicUnavailable, match="not JSON"):
        await make_client().decode_extended(PILOT)
    assert (await fake.calls())["total"] == 1


async def test_a_body_of_another_shape_is_unavailable() -> None:
    transport = httpx.MockTransport(lambda _: httpx.Response(200, json={"Message": "down"}))
    async with httpx.AsyncClient(transport=transport) as http:
        with pytest.raises(VpicUnavailable, match="without a Results list"):
            await VpicClient(http, "http://vpic/api").decode_extended(PILOT)


async def test_a_batch_keeps_the_calls_that_succeeded(fake: FakeVpic, make_client: Make) -> None:
    await fake.set("fail", status=503, times=1)
    items = [(vin, None) for vin in unknown_vins(100)]

    records = await make_client(retries=0).decode_batch(items)

    assert len(records) == 50  # one call of two failed; its VINs are missing
    await fake.set("fail", status=503)
    with pytest.raises(VpicUnavailable, match="HTTP 503"):
        await make_client(retries=0).decode_batch(items)


async def test_an_empty_batch_calls_nobody(fake: FakeVpic, make_client: Make) -> None:
    assert await make_client().decode_batch([]) == {}
    assert (await fake.calls())["total"] == 0


async def test_the_client_closes_only_the_http_client_it_made(fake: FakeVpic) -> None:
    own = VpicClient(None, f"{fake.url}/api")
    assert (await own.decode_extended(PILOT)).attributes["model"] == "Pilot"
    await own.aclose()
    assert own.http.is_closed

    async with httpx.AsyncClient() as http:
        await VpicClient(http, f"{fake.url}/api").aclose()
        assert not http.is_closed
