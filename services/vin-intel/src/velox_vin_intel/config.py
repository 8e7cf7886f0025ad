"""Settings of the vin-intel service (platform variables plus ``VIN_INTEL_*``).

``VIN_INTEL_VPIC_BASE_URL`` points the vPIC client at another vPIC (the loopback one in
tests and ``make run``); ``VIN_INTEL_VPIC_ENABLED=false`` answers from the offline snapshot
only (``enrichment: "offline"``).
"""

from __future__ import annotations

from pydantic import Field
from velox_shared.settings import ServiceSettings, service_settings_config


class Settings(ServiceSettings):
    model_config = service_settings_config("VIN_INTEL_")

    vpic_enabled: bool = True
    vpic_base_url: str = "https://vpic.nhtsa.dot.gov/api"
    # Per attempt; the whole call (with retries) is bounded by the deadline.
    vpic_timeout_seconds: float = Field(2.0, gt=0, le=30)
    vpic_deadline_seconds: float = Field(4.0, gt=0, le=60)
    vpic_retries: int = Field(2, ge=0, le=5)
    vpic_max_concurrency: int = Field(8, ge=1, le=64)
    vpic_cache_prefix: str = "vin-intel:vpic:"
    vpic_redis_ttl_days: int = Field(30, ge=1, le=365)
    vpic_database_ttl_days: int = Field(90, ge=1, le=3650)
    # Build every WMI's index at start (2-3 s in a thread) rather than on first use.
    warm_snapshot: bool = True
    # Decode history is written behind, in one INSERT per interval (see history.writer).
    history_flush_seconds: float = Field(0.05, gt=0, le=5)
    # A reviewed package catalogue outside the package (reloaded when its files change).
    package_catalog_dir: str | None = None
    job_poll_seconds: float = Field(1.0, gt=0)
    # Worker loops per process (each holds one batch's row lock while it decodes).
    job_concurrency: int = Field(2, ge=1, le=16)
    # Bulk jobs: enrich with vPIC (50 VINs a call) after the offline decode.
    job_enrich: bool = True
