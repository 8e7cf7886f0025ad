"""Settings base shared by every Velox process (pydantic-settings, read from the environment).

Platform-wide variables (``DATABASE_URL``, ``REDIS_URL``, ``SENTRY_DSN`` ...) keep their
usual unprefixed names; each service subclasses :class:`ServiceSettings` and sets its own
``env_prefix`` for anything only it reads. See ``.env.example`` for every variable.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["PlatformSettings", "ServiceSettings", "service_settings_config"]

Environment = Literal["local", "test", "staging", "production"]


def service_settings_config(prefix: str) -> SettingsConfigDict:
    """The settings config a service uses, e.g. ``service_settings_config("COMMERCE_")``."""
    return SettingsConfigDict(env_prefix=prefix, extra="ignore")


class PlatformSettings(BaseSettings):
    """Variables every process reads."""

    # Only the process environment: `make run`, containers and tests all set it, so there
    # is one source of truth (a stray .env must not change what a test or service sees).
    model_config = SettingsConfigDict(extra="ignore")

    environment: Environment = Field("local", validation_alias="VELOX_ENV")
    database_url: str = Field(validation_alias="DATABASE_URL")
    redis_url: str = Field(validation_alias="REDIS_URL")
    log_level: str = Field("INFO", validation_alias="LOG_LEVEL")
    sentry_dsn: SecretStr | None = Field(None, validation_alias="SENTRY_DSN")
    otel_endpoint: str | None = Field(None, validation_alias="OTEL_EXPORTER_OTLP_ENDPOINT")
    identity_public_key: str = Field(validation_alias="VELOX_IDENTITY_PUBLIC_KEY")
    cache_backend: Literal["redis", "upstash"] = Field("redis", validation_alias="VELOX_CACHE")
    upstash_url: str | None = Field(None, validation_alias="UPSTASH_REDIS_REST_URL")
    upstash_token: SecretStr | None = Field(None, validation_alias="UPSTASH_REDIS_REST_TOKEN")
    db_pool_size: int = Field(5, ge=1, le=100, validation_alias="VELOX_DB_POOL_SIZE")
    stream_maxlen: int = Field(100_000, ge=1_000, validation_alias="VELOX_STREAM_MAXLEN")

    @model_validator(mode="after")
    def _upstash_needs_credentials(self) -> PlatformSettings:
        if self.cache_backend == "upstash" and not (self.upstash_url and self.upstash_token):
            raise ValueError(
                "VELOX_CACHE=upstash needs UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN"
            )
        return self


class ServiceSettings(PlatformSettings):
    """Base of each service's ``config.Settings``; subclasses add prefixed fields."""
