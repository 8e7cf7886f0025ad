"""Settings of the commerce service (platform variables, Stripe's, plus ``COMMERCE_*``).

Stripe's variables keep the names Stripe's tooling uses and are the same ones billing
reads: ``STRIPE_API_KEY``, ``STRIPE_WEBHOOK_SECRET`` (comma-separated while a secret is
rolled) and ``STRIPE_API_BASE`` (another Stripe, such as the loopback fake). Without a key
the shop still runs; checkouts with an amount due answer 503 ``payments-not-configured``.
"""

from __future__ import annotations

from pydantic import Field, SecretStr
from velox_shared.settings import ServiceSettings, service_settings_config


class Settings(ServiceSettings):
    model_config = service_settings_config("COMMERCE_")

    stripe_api_key: SecretStr | None = Field(None, validation_alias="STRIPE_API_KEY")
    stripe_webhook_secret: SecretStr | None = Field(None, validation_alias="STRIPE_WEBHOOK_SECRET")
    stripe_api_base: str | None = Field(None, validation_alias="STRIPE_API_BASE")
    stripe_timeout_seconds: float = Field(10.0, gt=0, le=80)
    stripe_max_retries: int = Field(2, ge=0, le=5)
    webhook_tolerance_seconds: int = Field(300, ge=1, le=3600)
    # How long an Idempotency-Key's answer is kept for replays.
    idempotency_hours: int = Field(24, ge=1, le=24 * 30)
    # Expired reservations are deleted this often (they stop counting at expiry anyway).
    reservation_sweep_seconds: float = Field(60.0, gt=0)
    max_cart_lines: int = Field(250, ge=1, le=1000)
    max_line_quantity: int = Field(10_000, ge=1)

    def webhook_secrets(self) -> list[str]:
        if self.stripe_webhook_secret is None:
            return []
        raw = self.stripe_webhook_secret.get_secret_value()
        return [s.strip() for s in raw.split(",") if s.strip()]
