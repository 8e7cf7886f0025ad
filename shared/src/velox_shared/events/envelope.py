"""The event envelope every stream message carries, and the base of payload models."""

from __future__ import annotations

import builtins
import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from velox_shared.context import current_request_id

__all__ = ["STREAM_PREFIX", "EventEnvelope", "EventPayload", "new_envelope", "stream_for"]

STREAM_PREFIX = "velox:events:"


class EventPayload(BaseModel):
    """Base of event payloads; subclasses pin ``event_type`` (dotted) and ``event_version``.

    Example::

        class OrderPlaced(EventPayload):
            event_type: ClassVar[str] = "commerce.order.placed"
            order_id: str
    """

    model_config = ConfigDict(extra="forbid")

    event_type: ClassVar[str]
    event_version: ClassVar[int] = 1


EventPayloadT = TypeVar("EventPayloadT", bound=EventPayload)


class EventEnvelope(BaseModel):
    """``id, type, version, occurred_at, account_id, payload`` plus the originating request id."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(min_length=1, max_length=64)
    type: str = Field(pattern=r"^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)+$", max_length=128)
    version: int = Field(ge=1)
    occurred_at: datetime
    account_id: str | None = Field(default=None, max_length=64)
    payload: dict[str, Any]
    request_id: str | None = None

    def parse(self, model: builtins.type[EventPayloadT]) -> EventPayloadT:
        """The payload as its typed model."""
        return model.model_validate(self.payload)


def new_envelope(payload: EventPayload, *, account_id: str | None) -> EventEnvelope:
    """Wrap ``payload`` in a fresh envelope stamped now (UTC) with the current request id."""
    return EventEnvelope(
        id="evt_" + uuid.uuid4().hex,
        type=payload.event_type,
        version=payload.event_version,
        occurred_at=datetime.now(UTC),
        account_id=account_id,
        payload=payload.model_dump(mode="json"),
        request_id=current_request_id(),
    )


def stream_for(event_type: str) -> str:
    """The stream an event type is published on: one stream per producing domain.

    Example::

        stream_for("commerce.order.placed")  # "velox:events:commerce"
    """
    return STREAM_PREFIX + event_type.split(".", 1)[0]
