"""Wire models of webhook subscriptions and deliveries."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from velox_commerce.stores.schemas import refuse_nulls
from velox_commerce.webhooks.catalogue import ALL_EVENTS, EventType

__all__ = [
    "DeliveryDetail",
    "DeliveryOut",
    "DeliveryStatus",
    "SubscriptionCreate",
    "SubscriptionOut",
    "SubscriptionUpdate",
    "SubscriptionWithSecret",
]

DeliveryStatus = Literal["pending", "succeeded", "failed", "dead"]


def _event_types(types: list[str]) -> list[str]:
    """Each type once, in the order given; ``*`` alone stands for all."""
    if ALL_EVENTS in types:
        return [ALL_EVENTS]
    return list(dict.fromkeys(types))


EventTypes = Annotated[
    list[EventType],
    Field(
        min_length=1,
        max_length=20,
        description="Event types to receive (`*` for all, including types added later).",
        examples=[["order.placed", "order.paid"]],
    ),
    AfterValidator(_event_types),
]
Url = Annotated[
    str,
    Field(
        min_length=1,
        max_length=2000,
        description="Where events are POSTed: https (plain http only to localhost outside "
        "production).",
        examples=["https://partner.example/hooks/velox"],
    ),
]
StoreId = Annotated[
    str | None,
    Field(max_length=40, description="Only events of this store of the account (else all)."),
]
Description = Annotated[str | None, Field(max_length=500)]


class SubscriptionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: Url
    event_types: EventTypes
    store_id: StoreId = None
    description: Description = None
    active: bool = True


class SubscriptionUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: Url | None = None
    event_types: EventTypes | None = None
    store_id: StoreId = None
    description: Description = None
    active: bool | None = None

    @model_validator(mode="after")
    def _no_nulls(self) -> SubscriptionUpdate:
        refuse_nulls(self, nullable=frozenset({"store_id", "description"}))
        return self


class SubscriptionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    url: str
    event_types: list[str]
    store_id: str | None
    description: str | None
    active: bool
    created_at: datetime


class SubscriptionWithSecret(SubscriptionOut):
    """A subscription with its signing secret: shown on creation and rotation only."""

    secret: str = Field(
        description="`whsec_` + base64 key: verify `webhook-signature` with it. Shown once."
    )


class DeliveryOut(BaseModel):
    """One event for one subscription and where its sending stands."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    subscription_id: str
    event_id: str = Field(description="Sent as `webhook-id`; the same on every attempt.")
    event_type: str
    status: DeliveryStatus = Field(
        description="`pending` (not tried yet), `failed` (a retry is scheduled), "
        "`succeeded` (a 2xx answer) or `dead` (retries exhausted)."
    )
    attempts: int
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: datetime | None = Field(
        description="When the next attempt is due (null once succeeded or dead)."
    )
    delivered_at: datetime | None
    created_at: datetime


class DeliveryDetail(DeliveryOut):
    payload: dict[str, Any] = Field(description="The JSON body sent (every attempt sends it).")
