"""Wire models of the email delivery log."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

__all__ = ["EmailOut", "EmailStatus"]

EmailStatus = Literal["queued", "sent", "failed"]


class EmailOut(BaseModel):
    """An email to a buyer and where its delivery stands."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    order_id: str | None
    kind: str
    recipient: str
    subject: str
    body: str
    status: str
    attempts: int
    last_error: str | None
    next_attempt_at: datetime
    sent_at: datetime | None
    created_at: datetime
