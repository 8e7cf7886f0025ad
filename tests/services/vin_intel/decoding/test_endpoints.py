"""GET /v1/vin/{vin}, POST /v1/vin/decode and the history, through the real app."""

from __future__ import annotations

from collections.abc import Callable

from tests.services.vin_intel.conftest import VinClient, wait_for_history

PILOT = "5FNYF5H59HB011946"
NIRO = "KNDCE3LG2L5073161"
TESLA = "5YJ3E1EA2KF317000"
MAZDA = "JM1BL1SF5A1123456"  # in no other test that reaches the vPIC cache


async def test_single_decode_happy_path(
    vin_client: VinClient, accounts: Callable[[str], str]
) -> None:
    async with vin_client(accounts("a")) as client:
        response = await client.get(f"/v1/vin/{PILOT.lower()}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["vin"] == PILOT
    assert body["valid"] is True
    assert body["check_digit"] == {"valid": True, "expected": "9", "actual": "9"}
    assert (body["make"], body["model"], body["model_year"]) == ("Honda", "Pilot", 2017)
    assert body["manufacturer"] == "American Honda Motor Co., Inc."
    assert body["country"] == "United States"
    assert body["enrichment"] == "offline"
    assert isinstance(body["attributes"], dict)


async def test_wrong_check_digit_is_200_with_the_reason(
    vin_client: VinClient, accounts: Callable[[str], str]
) -> None:
    async with vin_client(accounts("a")) as client:
        response = await client.get("/v1/vin/5FNYF5H58HB011946")
    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is False
    assert body["check_digit"]["expected"] == "9"
    assert body["issues"][0]["code"] == "check_digit"


async def test_malformed_vins_are_422_problems(
    vin_client: VinClient, accounts: Callable[[str], str]
) -> None:
    async with vin_client(accounts("a")) as client:
        short = await client.get("/v1/vin/5FNYF5H59HB01194")
        alphabet = await client.get("/v1/vin/5FNYF5H59HBO11946")
        batch = await client.post(
            "/v1/vin/decode", json={"vins": [PILOT, "nope", "IIIIIIIIIIIIIIIII"]}
        )
        empty = await client.post("/v1/vin/decode", json={"vins": []})
        too_many = await client.post("/v1/vin/decode", json={"vins": [PILOT] * 51})
    for response in (short, alphabet, batch, empty, too_many):
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["request_id"]
    assert short.json()["type"].endswith("/invalid-vin")
    assert "has 16" in short.json()["detail"]
    assert "'O' at position 12" in alphabet.json()["detail"]
    errors = batch.json()["errors"]
    assert [e["index"] for e in errors] == [1, 2]
    assert errors[1]["positions"] == list(range(1, 18))


async def test_batch_decodes_in_order_and_reports_units(
    vin_client: VinClient, accounts: Callable[[str], str]
) -> None:
    async with vin_client(accounts("a")) as client:
        response = await client.post(
            "/v1/vin/decode",
            json={"vins": [TESLA, PILOT, NIRO, PILOT]},
            headers={"Velox-Quota-Remaining": "10"},
        )
    assert response.status_code == 200, response.text
    assert [d["model"] for d in response.json()["items"]] == ["Model 3", "Pilot", "Niro", "Pilot"]
    assert response.headers["velox-usage-units"] == "4"


async def test_batch_beyond_the_remaining_quota_is_refused_with_the_excess(
    vin_client: VinClient, accounts: Callable[[str], str]
) -> None:
    account = accounts("a")
    async with vin_client(account) as client:
        response = await client.post(
            "/v1/vin/decode",
            json={"vins": [TESLA, PILOT, NIRO]},
            headers={"Velox-Quota-Remaining": "2"},
        )
        await client.get(f"/v1/vin/{PILOT}")  # written behind, after the refused batch
        await wait_for_history(client, 1)
        history = await client.get("/v1/vin/history")
    assert response.status_code == 429
    problem = response.json()
    assert problem["type"].endswith("/quota-exceeded")
    assert (problem["needed"], problem["remaining"], problem["excess"]) == (3, 2, 1)
    assert [i["decode"]["vin"] for i in history.json()["items"]] == [PILOT]


async def test_history_search_pages_and_tenant_isolation(
    vin_client: VinClient, accounts: Callable[[str], str]
) -> None:
    mine, theirs = accounts("mine"), accounts("theirs")
    async with vin_client(mine) as client:
        await client.post("/v1/vin/decode", json={"vins": [TESLA, PILOT, NIRO]})
        await client.get("/v1/vin/5FNYF5H58HB011946")
    async with vin_client(theirs) as client:
        await client.get(f"/v1/vin/{TESLA}")
        other = await wait_for_history(client, 1)
    assert [i["decode"]["vin"] for i in other] == [TESLA]
    async with vin_client(mine) as client:
        first = (await client.get("/v1/vin/history", params={"limit": 2})).json()
        second = (
            await client.get("/v1/vin/history", params={"limit": 2, "cursor": first["next_cursor"]})
        ).json()
        hondas = (await client.get("/v1/vin/history", params={"make": "honda"})).json()
        invalid = (await client.get("/v1/vin/history", params={"valid": "false"})).json()
        by_wmi = (await client.get("/v1/vin/history", params={"vin": "5yj"})).json()
        bad = await client.get("/v1/vin/history", params={"model_year": "1900"})
        bad_cursor = await client.get("/v1/vin/history", params={"cursor": "garbage"})
    seen = [i["decode"]["vin"] for i in first["items"] + second["items"]]
    assert len(seen) == 4 and len(set(i["id"] for i in first["items"] + second["items"])) == 4
    assert second["next_cursor"] is None
    assert {i["decode"]["vin"] for i in hondas["items"]} == {PILOT, "5FNYF5H58HB011946"}
    assert [i["decode"]["vin"] for i in invalid["items"]] == ["5FNYF5H58HB011946"]
    assert [i["decode"]["vin"] for i in by_wmi["items"]] == [TESLA]
    assert bad.status_code == 422
    assert bad_cursor.status_code == 400


async def test_history_export_csv_and_json(
    vin_client: VinClient, accounts: Callable[[str], str]
) -> None:
    mine, theirs = accounts("mine"), accounts("theirs")
    async with vin_client(theirs) as client:
        await client.get(f"/v1/vin/{NIRO}")
    async with vin_client(mine) as client:
        await client.post("/v1/vin/decode", json={"vins": [TESLA, PILOT]})
        await wait_for_history(client, 2)
        csv_export = await client.get("/v1/vin/history/export")
        json_export = await client.get(
            "/v1/vin/history/export", headers={"Accept": "application/json"}
        )
    assert csv_export.status_code == 200
    assert csv_export.headers["content-type"].startswith("text/csv")
    lines = csv_export.text.strip().splitlines()
    assert lines[0].startswith("decoded_at,vin,valid")
    assert sorted(line.split(",")[1] for line in lines[1:]) == sorted([TESLA, PILOT])
    assert sorted(i["decode"]["vin"] for i in json_export.json()) == sorted([TESLA, PILOT])


async def test_vpic_down_answers_offline_with_unavailable(
    vin_client: VinClient, accounts: Callable[[str], str]
) -> None:
    # Nothing listens on port 9: every attempt fails at once, within the deadline.
    async with vin_client(accounts("a"), vpic="http://127.0.0.1:9/api") as client:
        response = await client.get(f"/v1/vin/{MAZDA}")
        invalid = await client.get("/v1/vin/5FNYF5H58HB011946")
    assert response.status_code == 200
    assert response.json()["enrichment"] == "unavailable"
    assert response.json()["model"] == "Mazda3"
    # An invalid VIN is never sent to vPIC.
    assert invalid.json()["enrichment"] == "offline"


async def test_requests_without_identity_are_refused(
    vin_client: VinClient, accounts: Callable[[str], str]
) -> None:
    async with vin_client(accounts("a")) as client:
        del client.headers["X-Velox-Identity"]
        response = await client.get(f"/v1/vin/{PILOT}")
    assert response.status_code == 401
