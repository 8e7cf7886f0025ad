"""POST /v1/vin/packages (JSON and multipart) and the catalogue versions, through the app."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from tests.services.vin_intel.conftest import VinClient

F150 = "1FTEW1EP6JFA12345"  # 2018 Ford F-150 in the offline snapshot
X5 = "5UXCR6C07L9B12345"  # 2020 BMW X5 xDrive40i


def sticker_pdf(text: str) -> bytes:
    """A one-page PDF whose text layer holds ``text``."""
    writer = PdfWriter()
    page = writer.add_blank_page(612, 792)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
    )
    lines = " ".join(f"({line}) Tj 0 -14 Td" for line in text.splitlines())
    stream = DecodedStreamObject()
    stream.set_data(f"BT /F1 12 Tf 72 720 Td {lines} ET".encode())
    page[NameObject("/Contents")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


async def test_json_option_codes_and_sticker_text(
    vin_client: VinClient, accounts: Callable[[str], str]
) -> None:
    async with vin_client(accounts("a")) as client:
        response = await client.post(
            "/v1/vin/packages",
            json={"vin": F150, "option_codes": ["302A", "55A"], "sticker_text": None},
        )
        bmw = await client.post(
            "/v1/vin/packages", json={"vin": X5, "sticker_text": "M SPORT PACKAGE  $3,300"}
        )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["vehicle"]["model"] == "F-150"
    assert body["trim"]["name"] == "XLT"
    found = {p["code"]: p for p in body["packages"]}
    assert set(found) >= {"302A", "55A"}
    assert found["55A"]["name"] == "FX4 Off-Road Package"
    assert 0.5 < found["55A"]["confidence"] <= 1
    assert "55A" in found["55A"]["explanation"]
    assert body["catalog_version"]
    (m_sport,) = [p for p in bmw.json()["packages"] if p["name"] == "M Sport Package"]
    assert "sticker" in m_sport["explanation"]


async def test_multipart_pdf_sticker(vin_client: VinClient, accounts: Callable[[str], str]) -> None:
    pdf = sticker_pdf("2020 BMW X5 xDrive40i\nM SPORT PACKAGE 3300")
    async with vin_client(accounts("a")) as client:
        response = await client.post(
            "/v1/vin/packages",
            data={"vin": X5},
            # The name says .txt: the content decides.
            files={"file": ("sticker.txt", pdf, "text/plain")},
        )
    assert response.status_code == 200, response.text
    assert "M Sport Package" in {p["name"] for p in response.json()["packages"]}


async def test_bad_input_is_a_problem(
    vin_client: VinClient, accounts: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("shutil.which", lambda name, *a, **k: None)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    async with vin_client(accounts("a")) as client:
        not_json = await client.post(
            "/v1/vin/packages", content=b"{", headers={"content-type": "application/json"}
        )
        no_vin = await client.post("/v1/vin/packages", json={"option_codes": ["55A"]})
        bad_vin = await client.post("/v1/vin/packages", json={"vin": "12345"})
        image = await client.post(
            "/v1/vin/packages", data={"vin": X5}, files={"file": ("s.png", png, "image/png")}
        )
        junk = await client.post(
            "/v1/vin/packages",
            data={"vin": X5},
            files={"file": ("s.bin", bytes(range(256)) * 4, "application/octet-stream")},
        )
    for response in (not_json, no_vin, bad_vin, image, junk):
        assert response.headers["content-type"] == "application/problem+json", response.text
    assert (not_json.status_code, no_vin.status_code, bad_vin.status_code) == (422, 422, 422)
    assert "vin" in no_vin.json()["detail"]
    assert bad_vin.json()["type"].endswith("/invalid-vin")
    assert image.status_code == 501
    assert image.json()["code"] == "ocr_unavailable"
    assert junk.status_code == 415


async def test_identification_is_recorded_only_for_its_account(
    vin_client: VinClient, accounts: Callable[[str], str]
) -> None:
    mine, theirs = accounts("mine"), accounts("theirs")
    async with vin_client(mine) as client:
        await client.post("/v1/vin/packages", json={"vin": F150, "option_codes": ["55A"]})
        catalog = (await client.get("/v1/vin/packages/catalog")).json()
    async with vin_client(theirs) as client:
        other = (await client.get("/v1/vin/history")).json()
    async with vin_client(mine) as client:
        own = (await client.get("/v1/vin/history")).json()
    assert [i["decode"]["vin"] for i in own["items"]] == [F150]
    assert other["items"] == []
    assert {"ford", "toyota", "bmw"} <= {k.lower() for k in catalog["versions"]}
    assert catalog["last_error"] is None
