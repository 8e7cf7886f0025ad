"""Settings of the commerce service (platform variables, Stripe's, plus ``COMMERCE_*``).

Stripe's variables keep the names Stripe's tooling uses and are the same ones billing
reads: ``STRIPE_API_KEY``, ``STRIPE_WEBHOOK_SECRET`` (comma-separated while a secret is
rolled) and ``STRIPE_API_BASE`` (another Stripe, such as the loopback fake). Without a key
the shop still runs; checkouts with an amount due answer 503 ``payments-not-configured``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

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
    # Partner webhooks: the dispatcher looks for due deliveries this often, sends at most
    # this many at once, waits this long for an answer, and retries a failure after each
    # of these waits in turn (seconds, jittered; then the delivery is dead). The default
    # waits add up to about 24 hours.
    webhook_poll_seconds: float = Field(1.0, gt=0, le=60)
    webhook_batch_size: int = Field(20, ge=1, le=200)
    webhook_timeout_seconds: float = Field(10.0, gt=0, le=30)
    webhook_retry_schedule: list[Annotated[float, Field(gt=0, le=86_400)]] = Field(
        default_factory=lambda: [5.0, 30, 120, 600, 1800, 3600, 7200, 14400, 28800, 28800],
        max_length=30,
    )
    # Transactional emails go out through SMTP when COMMERCE_SMTP_URL is set
    # (smtp://user:pass@host:587 upgrades with STARTTLS, smtps://host:465 is TLS from the
    # start), else to the log (local development). The mail worker looks for due messages
    # this often, sends at most this many per round and retries a failure after each of
    # these waits in turn (seconds; then the message is marked failed).
    smtp_url: SecretStr | None = None
    smtp_timeout_seconds: float = Field(15.0, gt=0, le=120)
    email_from: str = Field("no-reply@localhost", min_length=3, max_length=320)
    mail_poll_seconds: float = Field(2.0, gt=0, le=300)
    mail_batch_size: int = Field(20, ge=1, le=200)
    mail_retry_schedule: list[float] = Field(
        default_factory=lambda: [30.0, 120, 600, 1800, 3600, 7200, 14400],
        min_length=1,
        max_length=30,
    )
    # Product images: stored on local disk under COMMERCE_IMAGE_DIR ("disk") or in an
    # S3-compatible bucket ("s3": COMMERCE_IMAGE_S3_*; keys and region may come from the
    # usual AWS variables when unset). Files are served by the service under its prefix,
    # unless COMMERCE_IMAGE_PUBLIC_BASE_URL names where the stored keys are public (a CDN,
    # the bucket's website, a static server over the directory). An upload is refused past
    # these many bytes or pixels (decompression bombs); thumbnails are WebP, longest side.
    image_storage: Literal["disk", "s3"] = "disk"
    image_dir: Path = Path("var/commerce/images")
    image_public_base_url: str | None = Field(None, max_length=500)
    image_s3_bucket: str | None = Field(None, max_length=63)
    image_s3_endpoint_url: str | None = Field(None, max_length=500)
    image_s3_region: str | None = Field(None, max_length=40)
    image_s3_access_key_id: str | None = None
    image_s3_secret_access_key: SecretStr | None = None
    image_max_bytes: int = Field(10 * 1024 * 1024, ge=1024, le=100 * 1024 * 1024)
    image_max_pixels: int = Field(40_000_000, ge=10_000, le=200_000_000)
    image_thumbnail_sizes: list[Annotated[int, Field(ge=16, le=4096)]] = Field(
        default_factory=lambda: [160, 480, 1024], min_length=1, max_length=6
    )
    image_max_per_product: int = Field(50, ge=1, le=500)

    def webhook_secrets(self) -> list[str]:
        if self.stripe_webhook_secret is None:
            return []
        raw = self.stripe_webhook_secret.get_secret_value()
        return [s.strip() for s in raw.split(",") if s.strip()]
