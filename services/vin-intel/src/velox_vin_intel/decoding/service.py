"""Decoding for the API: offline decode, live enrichment, quota units and history."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from velox_vin_intel.decoding.decoder import Decoder, InvalidVin
from velox_vin_intel.decoding.schemas import VinDecode
from velox_vin_intel.enrichment.service import Enricher
from velox_vin_intel.errors import MalformedVin
from velox_vin_intel.history.writer import HistoryWriter

__all__ = ["DecodeService"]


class DecodeService:
    """One place that turns VIN strings into recorded, enriched decodes."""

    def __init__(self, decoder: Decoder, enricher: Enricher, history: HistoryWriter) -> None:
        self.decoder = decoder
        self.enricher = enricher
        self.history = history

    def offline(self, vins: Sequence[str]) -> list[VinDecode]:
        """Offline decodes; a malformed VIN raises a 422 naming every bad entry."""
        out: list[VinDecode] = []
        errors: list[dict[str, object]] = []
        for index, raw in enumerate(vins):
            try:
                out.append(self.decoder.decode(raw))
            except InvalidVin as exc:
                errors.append(
                    {"index": index, "vin": raw, "detail": exc.detail, "positions": exc.positions}
                )
        if errors:
            detail = (
                str(errors[0]["detail"])
                if len(errors) == 1
                else (f"{len(errors)} entries are not VINs; see errors.")
            )
            raise MalformedVin(detail, extensions={"errors": errors})
        return out

    async def decode(
        self,
        account_id: str,
        vins: Sequence[str],
        *,
        enrich: bool = True,
    ) -> list[VinDecode]:
        """Decode, enrich (never failing on vPIC) and record each VIN in the history
        (written behind, within the history writer's interval)."""
        decodes = self.offline(vins)
        if enrich:
            decodes = await self.enricher.enrich(decodes)
        self.history.add(account_id, decodes)
        return decodes

    async def decode_file_batch(self, vins: Sequence[str], *, enrich: bool) -> list[VinDecode]:
        """A bulk job's batch (VINs the upload check passed): decoded off the event loop so
        API requests keep flowing, then enriched (vPIC's batch call, 50 VINs at a time)."""
        decodes = await asyncio.to_thread(lambda: [self.decoder.decode(v) for v in vins])
        return await self.enricher.enrich(decodes) if enrich else decodes
