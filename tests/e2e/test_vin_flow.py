"""VIN intelligence through the gateway and real processes: decode, enrichment from the
loopback vPIC, quotas counted per VIN, entitlements, bulk jobs and tenant isolation."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from tests.e2e.stack import Stack, velox_cli

pytestmark = pytest.mark.e2e

PILOT = "5FNYF5H59HB011946"  # recorded in the loopback vPIC
ALTIMA = "1N4AL3AP0JC123456"  # recorded
MALIBU = "1G1ZD5STXJF123456"  # recorded
RAV4 = "2T3P1RFV7KW123456"  # recorded
OFFLINE_ONLY = ["5YJ3E1EA2KF317000", "WBA8E9G54GNU12345", "3VW2B7AJ8HM123456"]


@pytest.fixture
def stack(services_stack: Stack) -> Stack:
    return services_stack


async def key_for(stack: Stack, name: str, plan: str) -> dict[str, str]:
    made = await velox_cli(stack, "accounts", "create", "--name", name, "--plan", plan)
    return {"X-API-Key": made["api_key"]}


async def test_decode_enriches_from_vpic_then_from_the_cache(stack: Stack) -> None:
    headers = await key_for(stack, "vin-enrich", "vin:pro")
    async with httpx.AsyncClient(base_url=stack.gateway, timeout=30) as client:
        first = await client.get(f"/v1/vin/{PILOT}", headers=headers)
        again = await client.get(f"/v1/vin/{PILOT}", headers=headers)
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["enrichment"] == "vpic"
    assert (body["make"], body["model"], body["model_year"]) == ("Honda", "Pilot", 2017)
    assert body["attributes"]["source"] == "vpic"
    assert body["attributes"]["engine_model"] == "J35Y6"  # beyond the offline snapshot
    assert again.json()["enrichment"] == "cache"
    assert again.json()["attributes"] == body["attributes"]
    assert first.headers["ratelimit-limit"]


async def test_free_quota_counts_every_vin_of_a_batch(stack: Stack) -> None:
    headers = await key_for(stack, "vin-quota", "vin:free")
    batch = [ALTIMA, MALIBU, RAV4, *OFFLINE_ONLY, PILOT, ALTIMA]  # 8 VINs
    async with httpx.AsyncClient(base_url=stack.gateway, timeout=30) as client:
        decoded = await client.post("/v1/vin/decode", json={"vins": batch}, headers=headers)
        too_many = await client.post(
            "/v1/vin/decode", json={"vins": [PILOT, RAV4, MALIBU]}, headers=headers
        )
        ninth = await client.get(f"/v1/vin/{RAV4}", headers=headers)
        tenth = await client.get(f"/v1/vin/{MALIBU}", headers=headers)
        refused = await client.get(f"/v1/vin/{PILOT}", headers=headers)
        usage = (await client.get("/v1/usage", headers=headers)).json()
        packages = await client.post("/v1/vin/packages", json={"vin": PILOT}, headers=headers)
        jobs = await client.get("/v1/vin/jobs", headers=headers)
    assert decoded.status_code == 200, decoded.text
    assert [d["vin"] for d in decoded.json()["items"]] == batch
    assert decoded.headers["velox-usage-units"] == "8"
    # 2 left: the service refuses 3 and says by how many they exceed.
    assert too_many.status_code == 429
    assert too_many.json()["type"].endswith("/quota-exceeded")
    assert (too_many.json()["remaining"], too_many.json()["excess"]) == (2, 1)
    assert (ninth.status_code, tenth.status_code) == (200, 200)
    assert refused.status_code == 429
    assert refused.json()["quota"] == "vin.decodes"
    (line,) = [i for i in usage["items"] if i["operation"] == "vin.decodes"]
    assert (line["used"], line["limit"], line["remaining"]) == (10, 10, 0)
    # Packages and bulk jobs belong to higher plans.
    assert packages.status_code == 403
    assert packages.json()["required_plan"] == "vin:pro"
    assert jobs.status_code == 403
    assert jobs.json()["required_plan"] == "vin:enterprise"


async def test_history_is_per_account(stack: Stack) -> None:
    mine = await key_for(stack, "vin-hist-a", "vin:pro")
    theirs = await key_for(stack, "vin-hist-b", "vin:pro")
    async with httpx.AsyncClient(base_url=stack.gateway, timeout=30) as client:
        await client.get(f"/v1/vin/{RAV4}", headers=mine)
        await client.get(f"/v1/vin/{MALIBU}", headers=theirs)
        for _ in range(100):  # the history is written behind, within 50 ms
            listed = (await client.get("/v1/vin/history", headers=mine)).json()
            if listed["items"]:
                break
            await asyncio.sleep(0.02)
        exported = await client.get("/v1/vin/history/export", headers=mine)
    assert [i["decode"]["vin"] for i in listed["items"]] == [RAV4]
    assert MALIBU not in exported.text and RAV4 in exported.text


async def wait_for_job(
    client: httpx.AsyncClient, url: str, headers: dict[str, str]
) -> dict[str, Any]:
    for _ in range(300):
        job: dict[str, Any] = (await client.get(url, headers=headers)).json()
        if job["status"] in ("succeeded", "failed", "cancelled"):
            return job
        await asyncio.sleep(0.1)
    raise AssertionError(f"job not finished: {job}")


async def test_bulk_job_through_the_gateway(stack: Stack) -> None:
    headers = await key_for(stack, "vin-bulk", "vin:enterprise")
    other = await key_for(stack, "vin-bulk-other", "vin:enterprise")
    rows = ["vin", PILOT, ALTIMA, "not a vin", PILOT, "5FNYF5H58HB011946", *OFFLINE_ONLY]
    upload = ("\n".join(rows) + "\n").encode()
    async with httpx.AsyncClient(base_url=stack.gateway, timeout=30) as client:
        created = await client.post(
            "/v1/vin/jobs",
            files={"file": ("fleet.csv", upload, "text/csv")},
            headers={**headers, "Idempotency-Key": "fleet-1"},
        )
        assert created.status_code == 202, created.text
        url = f"/v1/vin/jobs/{created.json()['id']}"
        job = await wait_for_job(client, url, headers)
        result = await client.get(f"{url}/result", headers=headers)
        as_json = await client.get(
            f"{url}/result", headers={**headers, "Accept": "application/json"}
        )
        errors = await client.get(f"{url}/errors", headers=headers)
        stranger = await client.get(url, headers=other)
        usage = (await client.get("/v1/usage", headers=headers)).json()
    assert created.headers["velox-usage-units"] == "6"  # distinct well-formed VINs
    progress = job["progress"]
    assert job["status"] == "succeeded", job
    assert (progress["total_rows"], progress["unique_vins"]) == (8, 6)
    assert (progress["duplicates"], progress["rejected"]) == (1, 1)
    assert (progress["valid"], progress["invalid"], progress["percent"]) == (5, 1, 100.0)
    assert progress["enriched"] == 2  # Pilot and Altima are recorded in the loopback vPIC
    lines = result.text.strip().splitlines()
    assert len(lines) == 9  # header + every row of the file, in order
    assert [line.split(",")[1] for line in lines[1:3]] == [PILOT, ALTIMA]
    assert len(as_json.json()["rows"]) == 8
    assert "4,NOT A VIN,length" in errors.text and "6,5FNYF5H58HB011946,check_digit" in errors.text
    assert stranger.status_code == 404
    (line,) = [i for i in usage["items"] if i["operation"] == "vin.decodes"]
    assert line["used"] == 6 and line["limit"] is None
