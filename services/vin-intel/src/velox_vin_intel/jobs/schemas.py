"""Wire models of bulk jobs."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from velox_vin_intel.db.jobs import Job
from velox_vin_intel.jobs.service import progress

__all__ = ["JobCreated", "JobOut", "JobProgress", "JobStatus"]

JobStatus = Literal["queued", "running", "succeeded", "failed", "cancelled"]


class JobCreated(BaseModel):
    """The answer to an upload: the job to poll."""

    id: str
    status: JobStatus


class JobProgress(BaseModel):
    """How far a job is; counts of decodes are over distinct VINs."""

    percent: float = Field(description="Share of the distinct VINs decoded, 0-100.")
    total_rows: int = Field(description="Data rows with a value in the VIN column.")
    unique_vins: int = Field(description="Distinct well-formed VINs (each decoded once).")
    duplicates: int = Field(description="Rows repeating a VIN of an earlier row.")
    rejected: int = Field(description="Rows whose value is not 17 VIN characters.")
    decoded: int
    valid: int
    invalid: int
    enriched: int = Field(description="Decodes completed by vPIC (live or cached).")
    batches_done: int
    batches_total: int


class JobOut(BaseModel):
    """A bulk job and its progress."""

    id: str
    status: JobStatus
    filename: str | None
    file_format: Literal["csv", "xlsx"]
    progress: JobProgress
    error: str | None = None
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None

    @classmethod
    def from_job(cls, job: Job) -> JobOut:
        """The wire form of a stored job."""
        return cls.model_validate(
            {
                "id": job.id,
                "status": job.status,
                "filename": job.filename,
                "file_format": job.file_format,
                "progress": progress(job),
                "error": job.error,
                "created_at": job.created_at,
                "started_at": job.started_at,
                "finished_at": job.finished_at,
            }
        )
