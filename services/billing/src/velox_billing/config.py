"""Settings of the billing service (platform variables, Stripe's, plus ``BILLING_*``).

Stripe's three variables keep the names Stripe's own tooling uses: ``STRIPE_API_KEY``,
``STRIPE_WEBHOOK_SECRET`` (several secrets, comma-separated, while a secret is rolled) and
``STRIPE_API_BASE`` (another Stripe, such as the loopback fake; unset means Stripe itself).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from velox_shared.contracts.plans import Catalog, load_catalog
from velox_shared.settings import ServiceSettings, service_settings_config

PLANS_FILE = Path(__file__).parent / "catalog" / "plans.json"


class Settings(ServiceSettings):
    model_config = service_settings_config("BILLING_")

    # The plan catalogue billing owns; a JSON file replacing catalog/plans.json (tests).
    plans_file: str | None = None
    # Billing re-publishes the catalogue this often (and at start), so a gateway that lost
    # its copy (a flushed Redis) gets it back without a billing restart.
    catalog_publish_interval_seconds: float = Field(300.0, gt=0)
    stripe_api_key: SecretStr | None = Field(None, validation_alias="STRIPE_API_KEY")
    stripe_webhook_secret: SecretStr | None = Field(None, validation_alias="STRIPE_WEBHOOK_SECRET")
    stripe_api_base: str | None = Field(None, validation_alias="STRIPE_API_BASE")
    stripe_timeout_seconds: float = Field(10.0, gt=0, le=80)
    stripe_max_retries: int = Field(2, ge=0, le=5)
    webhook_tolerance_seconds: int = Field(300, ge=1, le=3600)
    webhook_max_attempts: int = Field(8, ge=1, le=50)
    # Payment failed: the paid tier stays this long, then the family falls back to free.
    grace_period_seconds: int = Field(7 * 86400, ge=0)
    grace_check_interval_seconds: float = Field(30.0, gt=0)
    # Usage: how often aggregated units become meter reports sent to Stripe.
    usage_report_interval_seconds: float = Field(60.0, gt=0)
    worker_poll_seconds: float = Field(1.0, gt=0)
    # For a loopback Stripe (make run): sync the catalogue into it when billing starts.
    sync_plans_on_start: bool = False
    checkout_success_url: str = (
        "http://localhost:8000/billing/success?session={CHECKOUT_SESSION_ID}"
    )
    checkout_cancel_url: str = "http://localhost:8000/billing/cancelled"

    def catalog(self) -> Catalog:
        return load_catalog(self.plans_file or str(PLANS_FILE))

    def webhook_secrets(self) -> list[str]:
        if self.stripe_webhook_secret is None:
            return []
        raw = self.stripe_webhook_secret.get_secret_value()
        return [s.strip() for s in raw.split(",") if s.strip()]
