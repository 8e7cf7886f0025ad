"""Wire models of /v1/api-keys."""

from __future__ import annotations

import re
from datetime import datetime

from pydantic import BaseModel, Field, field_validator

SCOPE = re.compile(r"^(\*|[a-z][a-z-]*:(read|write|\*))$")


class ApiKeyCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100, examples=["production server"])
    scopes: list[str] = Field(
        default_factory=lambda: ["*"],
        max_length=50,
        description="`*`, or `<family>:read|write|*` such as `vin:read`.",
    )
    expires_at: datetime | None = Field(None, description="RFC 3339; omit for no expiry.")

    @field_validator("scopes")
    @classmethod
    def _scopes_are_well_formed(cls, scopes: list[str]) -> list[str]:
        bad = [s for s in scopes if not SCOPE.match(s)]
        if bad:
            raise ValueError(f"unknown scope format: {', '.join(bad[:5])}")
        if not scopes:
            raise ValueError("give at least one scope")
        return sorted(set(scopes))

    @field_validator("expires_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("expires_at needs a timezone (RFC 3339)")
        return value


class ApiKeyRotate(BaseModel):
    grace_seconds: int = Field(
        3600, ge=0, le=30 * 86_400, description="How long the old key keeps working."
    )


class ApiKeyOut(BaseModel):
    id: str
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyOut):
    key: str = Field(description="The secret. Shown only in this response; store it now.")
