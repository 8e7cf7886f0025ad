"""History exports: CSV (spreadsheet-friendly, one row per decode) or JSON lines."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator

from velox_vin_intel.db.models import Decode

__all__ = ["CSV_COLUMNS", "csv_chunks", "json_chunks"]

CSV_COLUMNS = (
    "decoded_at",
    "vin",
    "valid",
    "issues",
    "make",
    "model",
    "model_year",
    "series",
    "trim",
    "body_class",
    "country",
    "enrichment",
)


def _row(decode: Decode) -> list[object]:
    result = decode.result
    issues = " ".join(i.get("code", "") for i in result.get("issues", []))
    return [
        decode.created_at.isoformat(),
        decode.vin,
        "true" if decode.valid else "false",
        issues,
        decode.make or "",
        decode.model or "",
        decode.model_year or "",
        result.get("series") or "",
        result.get("trim") or "",
        result.get("body_class") or "",
        result.get("country") or "",
        decode.enrichment,
    ]


async def csv_chunks(rows: AsyncIterator[Decode], chunk: int = 500) -> AsyncIterator[bytes]:
    """The CSV text in chunks of ``chunk`` rows (header first)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    count = 0
    async for decode in rows:
        writer.writerow(_row(decode))
        count += 1
        if count % chunk == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


async def json_chunks(rows: AsyncIterator[Decode]) -> AsyncIterator[bytes]:
    """A JSON array of ``{"id", "decoded_at", "decode"}`` objects, streamed."""
    yield b"["
    first = True
    async for decode in rows:
        item = {
            "id": decode.id,
            "decoded_at": decode.created_at.isoformat(),
            "decode": decode.result,
        }
        yield (b"" if first else b",") + json.dumps(item, separators=(",", ":")).encode()
        first = False
    yield b"]"
