"""Sticker documents: text, PDF and images are told apart by content, limits are enforced."""

from __future__ import annotations

import io
import shutil
from typing import Any

import pytest
from PIL import Image
from velox_vin_intel.packages.documents import MAX_BYTES, MAX_PAGES, document_kind
from velox_vin_intel.packages.errors import (
    DocumentTooLarge,
    OcrUnavailable,
    UnreadableDocument,
    UnsupportedDocument,
)
from velox_vin_intel.packages.service import extract_document


def make_pdf(pages: list[str]) -> bytes:
    """A minimal valid PDF with one line of Helvetica text per page."""
    n = len(pages)
    font_id = 3 + 2 * n
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids ["
        + b" ".join(f"{3 + 2 * i} 0 R".encode() for i in range(n))
        + f"] /Count {n} >>".encode(),
    ]
    for i, text in enumerate(pages):
        stream = f"BT /F1 12 Tf 72 712 Td ({text}) Tj ET".encode()
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {4 + 2 * i} 0 R "
            f"/Resources << /Font << /F1 {font_id} 0 R >> >> >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def test_pdf_text_is_extracted_whatever_the_declared_type() -> None:
    pdf = make_pdf(["2021 F-150 XLT", "FX4 OFF-ROAD PACKAGE 55A"])
    text = extract_document(pdf, "application/octet-stream")
    assert "2021 F-150 XLT" in text
    assert "FX4 OFF-ROAD PACKAGE 55A" in text


def test_a_pdf_with_too_many_pages_is_refused() -> None:
    with pytest.raises(DocumentTooLarge, match="pages"):
        extract_document(make_pdf(["x"] * (MAX_PAGES + 1)), "application/pdf")


def test_a_pdf_without_text_is_unreadable() -> None:
    with pytest.raises(UnreadableDocument, match="no text found in the pdf"):
        extract_document(make_pdf([""]), "application/pdf")


def test_a_corrupt_pdf_is_unreadable() -> None:
    with pytest.raises(UnreadableDocument):
        extract_document(b"%PDF-1.4\n garbage without objects", "application/pdf")


def test_plain_text_passes_through() -> None:
    assert extract_document(b"M SPORT PACKAGE  $3,300\n", None).startswith("M SPORT")


def test_image_is_refused_clearly_without_tesseract(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(OcrUnavailable) as caught:
        extract_document(png_bytes(), "image/png")
    assert caught.value.code == "ocr_unavailable"
    assert "Tesseract" in caught.value.message and "PDF" in caught.value.message


def test_image_goes_through_tesseract_when_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    def fake_ocr(image: Image.Image, timeout: int) -> str:
        seen["size"], seen["mode"] = image.size, image.mode
        return "M SPORT PACKAGE"

    import pytesseract

    monkeypatch.setattr(shutil, "which", lambda name: "/usr/bin/tesseract")
    monkeypatch.setattr(pytesseract, "image_to_string", fake_ocr)
    assert extract_document(png_bytes(), None) == "M SPORT PACKAGE"
    assert seen == {"size": (40, 20), "mode": "L"}


def test_jpeg_is_recognised_by_magic_bytes_not_by_name() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, format="JPEG")
    assert document_kind(buffer.getvalue(), "text/plain") == "jpeg"


def test_binary_content_is_unsupported_and_names_the_declared_type() -> None:
    with pytest.raises(UnsupportedDocument, match=r"declared application/zip"):
        extract_document(b"PK\x03\x04\x00\x00binary", "application/zip")


def test_oversized_and_empty_documents_are_refused() -> None:
    with pytest.raises(DocumentTooLarge):
        extract_document(b"a" * (MAX_BYTES + 1), "text/plain")
    with pytest.raises(UnreadableDocument, match="empty"):
        extract_document(b"", "text/plain")
