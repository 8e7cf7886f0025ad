"""Usage metering events: the gateway counts, billing reports to Stripe."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from velox_shared.events.envelope import EventPayload

__all__ = ["QUOTA_REMAINING_HEADER", "USAGE_UNITS_HEADER", "UsageRecorded"]

# Operations whose units only the service knows (a batch of VINs, a file): the gateway
# sends the units the caller may still use this month (absent: unlimited) and the service
# answers with the units it used; the gateway charges those.
QUOTA_REMAINING_HEADER = "Velox-Quota-Remaining"
USAGE_UNITS_HEADER = "Velox-Usage-Units"


class UsageRecorded(EventPayload):
    """One metered call that succeeded (``units`` of ``operation``)."""

    event_type: ClassVar[str] = "gateway.usage.recorded"

    account_id: str
    principal_id: str
    operation: str = Field(examples=["vin.decodes"])
    units: int = Field(ge=1)
    period: str = Field(pattern=r"^\d{4}-\d{2}$", description="Calendar month (UTC).")
