"""The vPIC client as the enricher's source: one VIN per extended call, more in batches."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from velox_vin_intel.enrichment.service import SourceUnavailable
from velox_vin_intel.vpic.client import VpicClient
from velox_vin_intel.vpic.errors import VpicUnavailable

__all__ = ["VpicSource"]


class VpicSource:
    def __init__(self, client: VpicClient) -> None:
        self.client = client

    async def fetch(self, items: Sequence[tuple[str, int | None]]) -> dict[str, dict[str, Any]]:
        """Normalised attributes per VIN; VINs vPIC could not answer are left out."""
        try:
            if len(items) == 1:
                vin, year = items[0]
                record = await self.client.decode_extended(vin, year)
                return {vin: record.attributes}
            records = await self.client.decode_batch(items)
        except VpicUnavailable as exc:
            raise SourceUnavailable(str(exc)) from exc
        return {vin: record.attributes for vin, record in records.items()}
