"""Wire models of /v1/auth."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, EmailStr, Field

Password = Field(min_length=10, max_length=256, description="At least 10 characters.")


class SignupIn(BaseModel):
    email: EmailStr
    password: str = Password
    account_name: str = Field(min_length=1, max_length=200)


class LoginIn(BaseModel):
    email: EmailStr
    password: str = Field(min_length=1, max_length=256)


class RefreshIn(BaseModel):
    refresh_token: str = Field(min_length=10, max_length=200)


class LogoutIn(BaseModel):
    refresh_token: str | None = Field(None, min_length=10, max_length=200)


class TokenIn(BaseModel):
    token: str = Field(min_length=10, max_length=200)


class ResetRequestIn(BaseModel):
    email: EmailStr


class ResetConfirmIn(BaseModel):
    token: str = Field(min_length=10, max_length=200)
    new_password: str = Password


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the scheme name
    expires_in: int = Field(description="Seconds until the access token expires.")


class SignupOut(TokenPair):
    account_id: str
    user_id: str


class Accepted(BaseModel):
    status: Literal["accepted"] = "accepted"
