"""Domain errors of bulk jobs; each renders as problem+json with a stable ``code``."""

from __future__ import annotations

from typing import Any, ClassVar

from velox_shared.errors import Conflict, NotFound, UnprocessableContent

__all__ = [
    "EmptyFile",
    "FileTooLarge",
    "IdempotencyKeyReused",
    "JobNotFound",
    "JobNotReady",
    "NoVinColumn",
    "NotATable",
    "TooManyRows",
    "UnsupportedFile",
    "UploadError",
]


class UploadError(UnprocessableContent):
    """An uploaded file that cannot become a job; ``code`` says why."""

    code: ClassVar[str] = "invalid_file"
    problem = "invalid-upload"
    title = "The file cannot be used"

    def __init__(self, detail: str, **extensions: Any) -> None:
        super().__init__(detail, extensions={"code": self.code, **extensions})


class EmptyFile(UploadError):
    code = "empty_file"
    title = "The file is empty"


class FileTooLarge(UploadError):
    status = 413
    code = "file_too_large"
    problem = "payload-too-large"
    title = "The file is too large"


class TooManyRows(UploadError):
    code = "too_many_rows"
    title = "The file has too many rows"


class NotATable(UploadError):
    code = "not_a_table"
    title = "The file is not a CSV or Excel table"


class UnsupportedFile(UploadError):
    status = 415
    code = "unsupported_format"
    problem = "unsupported-media-type"
    title = "Unsupported file format"


class NoVinColumn(UploadError):
    code = "no_vin_column"
    title = "No VIN column found"


class JobNotFound(NotFound):
    problem = "job-not-found"
    title = "Job not found"


class JobNotReady(Conflict):
    problem = "job-not-ready"
    title = "The job has no result yet"


class IdempotencyKeyReused(Conflict):
    problem = "idempotency-key-reused"
    title = "Idempotency key already used for another file"
