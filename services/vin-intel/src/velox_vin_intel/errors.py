"""Problems the vin-intel API answers with (RFC 9457, rendered by the shared handlers)."""

from __future__ import annotations

from velox_shared.errors import (
    NotFound,
    ServiceUnavailable,
    TooManyRequests,
    UnprocessableContent,
    VeloxError,
)

__all__ = [
    "DocumentProblem",
    "MalformedVin",
    "QuotaWouldExceed",
    "ResourceNotFound",
    "check_quota",
    "document_problem",
]


class MalformedVin(UnprocessableContent):
    """Not 17 characters of the VIN alphabet (a wrong check digit is a 200, not this)."""

    problem = "invalid-vin"
    title = "Not a VIN"


class QuotaWouldExceed(TooManyRequests):
    """More decodes asked for at once than the month has left."""

    problem = "quota-exceeded"
    title = "Monthly quota would be exceeded"


def check_quota(units: int, remaining: int | None, counted: str) -> None:
    """Refuse work needing more decodes than the month has left (``remaining`` None: no
    limit); ``counted`` says what was counted, e.g. "This file has 1,250 distinct VINs"."""
    if remaining is None or units <= remaining:
        return
    excess = units - max(remaining, 0)
    raise QuotaWouldExceed(
        f"{counted} to decode; your plan has {remaining:,} decodes left this month, "
        f"so {excess:,} would exceed it.",
        extensions={"needed": units, "remaining": remaining, "excess": excess},
    )


class ResourceNotFound(NotFound):
    problem = "not-found"
    title = "Not found"


class DocumentProblem(VeloxError):
    """A sticker or build sheet that cannot be read (the subclass pins the status)."""

    problem = "unreadable-document"
    title = "Document not readable"


class UnsupportedDocument(DocumentProblem):
    status = 415
    problem = "unsupported-document"
    title = "Unsupported document type"


class DocumentTooLarge(DocumentProblem):
    status = 413
    problem = "document-too-large"
    title = "Document too large"


class UnreadableDocument(DocumentProblem):
    status = 422


class OcrUnavailable(DocumentProblem):
    status = 501
    problem = "ocr-unavailable"
    title = "Image stickers need OCR, which this server lacks"


class CatalogUnavailable(ServiceUnavailable):
    problem = "package-catalog-unavailable"
    title = "Package catalogue unavailable"


_BY_STATUS: dict[int, type[VeloxError]] = {
    415: UnsupportedDocument,
    413: DocumentTooLarge,
    422: UnreadableDocument,
    501: OcrUnavailable,
    503: CatalogUnavailable,
}


def document_problem(status: int, code: str, message: str) -> VeloxError:
    """The problem for a package-identification error with a suggested ``status``."""
    kind = _BY_STATUS.get(status, UnreadableDocument)
    return kind(message[:1].upper() + message[1:] + ".", extensions={"code": code})
