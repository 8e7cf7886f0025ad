"""Consuming ``gateway.usage.recorded``: one upsert per event into the month's total.

The shared consumer records each event id in the same transaction as the upsert, so a
redelivered event is skipped and a crash before commit loses nothing (the event is read
again). Batches of up to a hundred events share one transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.app import Runtime, consumer_name
from velox_shared.contracts.usage import UsageRecorded
from velox_shared.events import EventEnvelope, StreamConsumer, stream_for

from velox_billing import NAME
from velox_billing.db.models import UsageTotal

__all__ = ["record_usage", "usage_consumer"]


async def record_usage(envelope: EventEnvelope, session: AsyncSession) -> None:
    usage = envelope.parse(UsageRecorded)
    statement = insert(UsageTotal).values(
        account_id=usage.account_id,
        operation=usage.operation,
        period=usage.period,
        units=usage.units,
        reported_units=0,
    )
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
