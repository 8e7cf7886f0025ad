"""Events over Redis Streams: typed envelopes, a transactional outbox, a relay and consumers.

Producer side: :func:`publish` (or :func:`publish_many`) writes events to the service's outbox table
in the caller's transaction; :class:`OutboxRelay` moves committed rows to Redis streams.
Consumer side: :class:`StreamConsumer` reads with a consumer group, records processed
event ids in the same transaction as the handler's writes, acknowledges after commit,
reclaims stuck messages and dead-letters poison ones.
"""

from velox_shared.events.consumer import Handler, StreamConsumer, after_commit, before_commit
from velox_shared.events.direct import publish_now
from velox_shared.events.envelope import EventEnvelope, EventPayload, new_envelope, stream_for
from velox_shared.events.outbox import publish, publish_many
from velox_shared.events.relay import OutboxRelay
from velox_shared.events.tables import EventTables, event_tables

__all__ = [
    "EventEnvelope",
    "EventPayload",
    "EventTables",
    "Handler",
    "OutboxRelay",
    "StreamConsumer",
    "after_commit",
    "before_commit",
    "event_tables",
    "new_envelope",
    "publish",
    "publish_many",
    "publish_now",
    "stream_for",
]
