"""Settings of the analytics service (platform variables plus ``ANALYTICS_*``)."""

from velox_shared.settings import ServiceSettings, service_settings_config


class Settings(ServiceSettings):
    model_config = service_settings_config("ANALYTICS_")
