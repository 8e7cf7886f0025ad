"""The write-behind history: one INSERT per interval, nothing dropped on a failed write,
everything flushed when the service stops."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from velox_shared.db import create_engine
from velox_vin_intel.decoding.decoder import Decoder
from velox_vin_intel.decoding.snapshot import Snapshot
from velox_vin_intel.history.writer import HistoryWriter

VINS = ["5FNYF5H59HB011946", "KNDCE3LG2L5073161", "5YJ3E1EA2KF317000"]


async def stored(engine: AsyncEngine, account: str) -> list[str]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT vin FROM vin_intel.decodes WHERE account_id = :a ORDER BY vin"),
            {"a": account},
        )
        return [r[0] for r in rows]


async def test_rows_are_written_together_and_flushed_on_stop(
    vin_db: AsyncEngine, accounts: Callable[[str], str]
) -> None:
    account = accounts("w")
    decodes = [Decoder(Snapshot()).decode(v) for v in VINS]
    writer = HistoryWriter(vin_db, interval=60)  # only a stop writes in this test
    task = asyncio.create_task(writer.run())
    writer.add(account, decodes[:2])
    writer.add(account, decodes[2:])
    await asyncio.sleep(0.05)
    assert await stored(vin_db, account) == []
    await writer.stop()
    task.cancel()
    assert await stored(vin_db, account) == sorted(VINS)


async def test_a_failed_write_keeps_the_rows_for_the_next(
    vin_db: AsyncEngine, accounts: Callable[[str], str]
) -> None:
    account = accounts("w")
    decodes = [Decoder(Snapshot()).decode(v) for v in VINS]
    broken = create_engine("postgresql+asyncpg://nobody@127.0.0.1:9/none", schema="vin_intel")
    writer = HistoryWriter(broken, interval=0.001, max_buffered=2)
    writer.add(account, decodes)
    assert await writer.flush() == 0  # nothing listens on port 9
    await broken.dispose()
    writer.engine = vin_db
    # Three rows waited with room for two: the oldest was dropped, with an error logged.
    assert await writer.flush() == 2
    assert await stored(vin_db, account) == sorted(VINS[1:])
