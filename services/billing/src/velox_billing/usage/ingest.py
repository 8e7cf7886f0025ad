"""Consuming ``gateway.usage.recorded``: the month's totals, one upsert per batch.

The shared consumer records each event id in the same transaction as the totals, so a
redelivered event is skipped and a crash before commit loses nothing (the event is read
again). A batch of up to a hundred events shares one transaction: each event adds its
units to a tally kept on the session, and one multi-row upsert (rows in key order, so two
consumers lock them in the same order) writes the tally before the batch commits.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.app import Runtime, consumer_name
from velox_shared.contracts.usage import UsageRecorded
from velox_shared.events import EventEnvelope, StreamConsumer, before_commit, stream_for

from velox_billing import NAME
from velox_billing.db.models import UsageTotal

__all__ = ["record_usage", "usage_consumer"]

_TALLY = "velox_billing.usage_tally"

Tally = Counter[tuple[str, str, str]]


async def record_usage(envelope: EventEnvelope, session: AsyncSession) -> None:
    usage = envelope.parse(UsageRecorded)
    tally: Tally = session.info.setdefault(_TALLY, Counter())
    tally[(usage.account_id, usage.operation, usage.period)] += usage.units
    before_commit(session, _TALLY, lambda: _write_tally(session))


async def _write_tally(session: AsyncSession) -> None:
    tally: Tally = session.info.pop(_TALLY, Counter())
    if not tally:
        return
    rows = [
        {"account_id": a, "operation": o, "period": p, "units": units, "reported_units": 0}
        for (a, o, p), units in sorted(tally.items())
    ]
    statement = insert(UsageTotal).values(rows)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["account_id", "operation", "period"],
            set_={
                "units": UsageTotal.units + statement.excluded.units,
                "updated_at": datetime.now(UTC),
            },
        )
    )


def usage_consumer(runtime: Runtime) -> StreamConsumer:
    return StreamConsumer(
        runtime.redis,
        runtime.sessions,
        runtime.events,
        group=NAME,
        consumer=consumer_name(NAME),
        streams=[stream_for(UsageRecorded.event_type)],
        handlers={UsageRecorded.event_type: record_usage},
    )
