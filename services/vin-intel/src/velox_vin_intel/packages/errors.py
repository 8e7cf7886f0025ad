"""Domain errors of package identification: a stable ``code``, a message and an HTTP hint."""

from __future__ import annotations

__all__ = [
    "CatalogUnavailable",
    "DocumentTooLarge",
    "OcrUnavailable",
    "PackageError",
    "UnreadableDocument",
    "UnsupportedDocument",
]


class PackageError(Exception):
    """Base of the package identification errors; ``status`` is the suggested HTTP status."""

    code = "package_error"
    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CatalogUnavailable(PackageError):
    """No valid package catalogue could be loaded (nothing good to fall back on)."""

    code = "package_catalog_unavailable"
    status = 503


class UnsupportedDocument(PackageError):
    """The document is neither text, a PDF nor a PNG/JPEG image."""

    code = "unsupported_document"
    status = 415


class DocumentTooLarge(PackageError):
    """The document exceeds the size, page or pixel limits."""

    code = "document_too_large"
    status = 413


class UnreadableDocument(PackageError):
    """The document has a supported type but no text could be read from it."""

    code = "unreadable_document"
    status = 422


class OcrUnavailable(PackageError):
    """An image was sent but the Tesseract OCR engine is not installed on this server."""

    code = "ocr_unavailable"
    status = 501
