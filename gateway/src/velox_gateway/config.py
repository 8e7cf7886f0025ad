"""Gateway settings: platform variables, the identity signing key and the service map."""

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


class Settings(ServiceSettings):
    model_config = service_settings_config("GATEWAY_")

    identity_private_key: SecretStr = Field(validation_alias="VELOX_IDENTITY_PRIVATE_KEY")
    service_urls: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_SERVICE_URLS),
        validation_alias="VELOX_SERVICE_URLS",
    )
