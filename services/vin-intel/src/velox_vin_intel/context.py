"""Per-process vin-intel resources, built in the lifespan and reached through ``deps``."""

from __future__ import annotations

from dataclasses import dataclass

from velox_shared.app import Runtime

from velox_vin_intel.config import Settings
from velox_vin_intel.decoding.decoder import Decoder
from velox_vin_intel.decoding.service import DecodeService
from velox_vin_intel.enrichment.cache import VpicCache
from velox_vin_intel.packages.catalog import CatalogStore


@dataclass
class VinContext:
    settings: Settings
    runtime: Runtime
    decoder: Decoder
    decodes: DecodeService
    packages: CatalogStore
    vpic_cache: VpicCache
