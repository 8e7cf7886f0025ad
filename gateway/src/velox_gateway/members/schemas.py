"""Members API shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

Role = Literal["owner", "admin", "member"]


class MemberOut(BaseModel):
    user_id: str = Field(examples=["usr_01HZX..."])
    email: EmailStr
    role: Role
    email_verified: bool
    joined_at: datetime


class MemberAdd(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr = Field(max_length=320)
    role: Role = "member"


class MemberUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role
