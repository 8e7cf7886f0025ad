"""Settings of the commerce service (platform variables plus ``COMMERCE_*``)."""

from velox_shared.settings import ServiceSettings, service_settings_config


class Settings(ServiceSettings):
    model_config = service_settings_config("COMMERCE_")
