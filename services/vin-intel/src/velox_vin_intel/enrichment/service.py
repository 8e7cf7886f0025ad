"""Live enrichment: the offline decode completed by vPIC, through the two-level cache.

vPIC never fails a request: when it is slow or down the offline decode is returned with
``enrichment: "unavailable"``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Protocol

from velox_vin_intel.decoding.schemas import Enrichment, VinDecode
from velox_vin_intel.enrichment.cache import VpicCache

__all__ = ["Enricher", "SourceUnavailable", "VpicSource", "merge"]

_log = logging.getLogger("velox.vin_intel.enrichment")

# vPIC's values that fill the named fields of a decode (the rest go to ``attributes``).
_NAMED = ("make", "manufacturer", "model", "model_year", "series", "trim", "body_class")
_SKIP = {"vehicle_type", "vin"}


class SourceUnavailable(Exception):
    """vPIC could not answer (down, slow, refused or malformed)."""


class VpicSource(Protocol):
    async def fetch(self, items: Sequence[tuple[str, int | None]]) -> dict[str, dict[str, Any]]: ...


def merge(decode: VinDecode, attrs: dict[str, Any], enrichment: Enrichment) -> VinDecode:
    """The decode with vPIC's non-empty values over the offline ones.

    vPIC answers a VIN it cannot place with a row of error codes and no make: the offline
    decode stands (``enrichment: "offline"``) and vPIC's reason is kept beside it.
    """
    if not attrs.get("make"):
        reason = {k: attrs[k] for k in ("error_code", "error_text") if attrs.get(k)}
        attributes = {**decode.attributes, **{f"vpic_{k}": v for k, v in reason.items()}}
        return decode.model_copy(update={"attributes": attributes, "enrichment": "offline"})
    update: dict[str, Any] = {
        k: attrs[k]
        for k in _NAMED
        if attrs.get(k) not in (None, "") and not _same(decode, k, attrs[k])
    }
    extra = {
        k: v for k, v in attrs.items() if k not in _NAMED and k not in _SKIP and v not in (None, "")
    }
    attributes = {**decode.attributes, **extra, "source": "vpic"}
    return decode.model_copy(update={**update, "attributes": attributes, "enrichment": enrichment})


def _same(decode: VinDecode, name: str, value: Any) -> bool:
    """vPIC writes makes in capitals ("HONDA"): the snapshot's "Honda" says the same."""
    current = getattr(decode, name)
    return isinstance(current, str) and isinstance(value, str) and current.lower() == value.lower()


class Enricher:
    """Completes valid decodes from the cache, then vPIC for what the cache lacks."""

    def __init__(self, cache: VpicCache, source: VpicSource | None) -> None:
        self.cache = cache
        self.source = source

    async def enrich(self, decodes: Sequence[VinDecode]) -> list[VinDecode]:
        """The decodes in the same order, enriched where possible."""
        wanted = list(dict.fromkeys(d.vin for d in decodes if d.valid))
        if self.source is None or not wanted:
            return list(decodes)
        cached = await self.cache.get_many(wanted)
        fresh: dict[str, dict[str, Any]] = {}
        missing = [v for v in wanted if v not in cached]
        failed = False
        if missing:
            fresh, failed = await self._fetch(decodes, missing)
        out = []
        for d in decodes:
            if d.vin in fresh:
                out.append(merge(d, fresh[d.vin], "vpic"))
            elif d.vin in cached:
                out.append(merge(d, cached[d.vin], "cache"))
            elif d.valid and failed:
                out.append(d.model_copy(update={"enrichment": "unavailable"}))
            else:
                out.append(d)
        return out

    async def _fetch(
        self, decodes: Sequence[VinDecode], missing: list[str]
    ) -> tuple[dict[str, dict[str, Any]], bool]:
        assert self.source is not None
        years = {d.vin: _year_hint(d) for d in decodes}
        try:
            fresh = await self.source.fetch([(vin, years.get(vin)) for vin in missing])
        except SourceUnavailable as exc:
            _log.warning("vPIC unavailable for %d VIN(s): %s", len(missing), exc)
            return {}, True
        await self._keep(fresh)
        return fresh, len(fresh) < len(missing)

    async def _keep(self, fresh: dict[str, dict[str, Any]]) -> None:
        try:
            await self.cache.put_many(fresh)
        except Exception:
            # Losing a cache write costs one more vPIC call later, not this answer.
            _log.exception("vPIC cache write failed")


def _year_hint(decode: VinDecode) -> int | None:
    """The model year to send vPIC, when position 7 settled the 30-year cycle."""
    candidates = decode.attributes.get("model_year_candidates") or []
    return decode.model_year if len(candidates) == 1 else None
