"""Gateway settings: platform variables, signing keys and secrets, the service map, limits."""

from typing import Literal

from pydantic import Field, SecretStr
from velox_shared.settings import ServiceSettings, service_settings_config

DEFAULT_SERVICE_URLS = {
    "billing": "http://127.0.0.1:8001",
    "commerce": "http://127.0.0.1:8002",
    "analytics": "http://127.0.0.1:8003",
    "automation": "http://127.0.0.1:8004",
    "price-intel": "http://127.0.0.1:8005",
    "vin-intel": "http://127.0.0.1:8006",
    "trading": "http://127.0.0.1:8007",
}

# The API prefix of each service: the gateway's routing table (the public contract).
SERVICE_PREFIXES = {
    "billing": "/v1/billing",
    "commerce": "/v1/commerce",
    "analytics": "/v1/analytics",
    "automation": "/v1/automation",
    "price-intel": "/v1/price-intel",
    "vin-intel": "/v1/vin",
    "trading": "/v1/trading",
}


class Settings(ServiceSettings):
    model_config = service_settings_config("GATEWAY_")

    identity_private_key: SecretStr = Field(validation_alias="VELOX_IDENTITY_PRIVATE_KEY")
    service_urls: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_SERVICE_URLS),
        validation_alias="VELOX_SERVICE_URLS",
    )
    session_secret: SecretStr = Field(
        validation_alias="VELOX_SESSION_SECRET",
        min_length=32,
        description="HMAC key of user access tokens.",
    )
    api_key_pepper: SecretStr = Field(
        validation_alias="VELOX_API_KEY_PEPPER",
        min_length=32,
        description="HMAC key under which API keys are stored (never the keys themselves).",
    )
    key_environment: Literal["live", "test"] = "test"
    access_token_ttl_seconds: int = Field(900, ge=60, le=86_400)
    refresh_token_ttl_days: int = Field(30, ge=1, le=365)
    max_body_bytes: int = Field(110 * 1024 * 1024, ge=1024)
    own_max_body_bytes: int = Field(64 * 1024, ge=1024)
    cors_origins: list[str] = Field(default_factory=list)
    route_policy_file: str | None = None
    # A fixed catalogue (JSON file) instead of the one billing publishes (tests, emergencies).
    plans_file: str | None = None
    login_attempts_per_email: int = Field(5, ge=1)
    login_attempts_per_ip_per_minute: int = Field(20, ge=1)
