"""Text out of an uploaded window sticker or build sheet: plain text, PDF, or an image (OCR).

The type is settled by the content's magic bytes, never by a file name; the caller's
content type is only a hint for text. Images are read by Tesseract through ``pytesseract``
when the ``tesseract`` binary is installed, and refused with :class:`OcrUnavailable` when it
is not.
"""

from __future__ import annotations

import io
import logging
import shutil
import warnings
from typing import Final

from pypdf import PdfReader
from pypdf.errors import PdfReadError
from velox_vin_intel.packages.errors import (
    DocumentTooLarge,
    OcrUnavailable,
    UnreadableDocument,
    UnsupportedDocument,
)

__all__ = ["MAX_BYTES", "MAX_PAGES", "MAX_PIXELS", "document_kind", "extract_text"]

MAX_BYTES: Final = 5 * 1024 * 1024
MAX_PAGES: Final = 10
MAX_PIXELS: Final = 40_000_000
OCR_TIMEOUT_S: Final = 30
_MAGIC: Final = (
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
)


def document_kind(data: bytes, content_type_hint: str | None = None) -> str:
    """``pdf``, ``png``, ``jpeg`` or ``text``; :class:`UnsupportedDocument` for anything else."""
    head = data[:1024].lstrip(b"\r\n\t ")
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    try:
        decoded = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        decoded = None
    if decoded is not None and all(c.isprintable() or c in "\r\n\t\f" for c in decoded):
        return "text"
    hint = f" (declared {content_type_hint})" if content_type_hint else ""
    raise UnsupportedDocument(f"the document{hint} is not UTF-8 text, a PDF, or a PNG/JPEG image")


def _pdf_text(data: bytes) -> str:
    try:
        # pypdf warns on slightly malformed files it still reads; those are not errors here.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted:
                raise UnsupportedDocument("the PDF is encrypted; send an unprotected copy")
            pages = len(reader.pages)
            if pages > MAX_PAGES:
                raise DocumentTooLarge(f"the PDF has {pages} pages; at most {MAX_PAGES} are read")
            return "\n".join(page.extract_text() or "" for page in reader.pages)
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise UnreadableDocument(f"the PDF could not be read: {exc}") from exc


def _ocr_text(data: bytes) -> str:
    if shutil.which("tesseract") is None:
        raise OcrUnavailable(
            "image stickers need the Tesseract OCR engine, which is not installed on this "
            "server; send the sticker as a PDF or as text instead"
        )
    import pytesseract
    from PIL import Image, UnidentifiedImageError

    # Deferred: Pillow and pytesseract are only needed on servers that OCR.
    logging.getLogger("PIL").setLevel(logging.WARNING)
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise DocumentTooLarge(f"the image has {width}x{height} pixels; too many to OCR")
            text: str = pytesseract.image_to_string(image.convert("L"), timeout=OCR_TIMEOUT_S)
    except (UnidentifiedImageError, OSError) as exc:
        raise UnreadableDocument(f"the image could not be decoded: {exc}") from exc
    except RuntimeError as exc:  # pytesseract's timeout
        raise UnreadableDocument(f"OCR did not finish: {exc}") from exc
    return text


def extract_text(data: bytes, content_type_hint: str | None = None) -> str:
    """The text of a sticker or build sheet; raises a :class:`PackageError` when it cannot."""
    if not data:
        raise UnreadableDocument("the document is empty")
    if len(data) > MAX_BYTES:
        raise DocumentTooLarge(f"the document has {len(data)} bytes; the limit is {MAX_BYTES}")
    kind = document_kind(data, content_type_hint)
    if kind == "text":
        text = data.decode("utf-8-sig")
    elif kind == "pdf":
        text = _pdf_text(data)
    else:
        text = _ocr_text(data)
    if not text.strip():
        raise UnreadableDocument(
            f"no text found in the {kind} document (a scanned PDF has no text layer; "
            "send it as an image to have it read by OCR)"
        )
    return text
