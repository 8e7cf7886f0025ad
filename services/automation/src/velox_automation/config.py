"""Settings of the automation service (platform variables plus ``AUTOMATION_*``)."""

from velox_shared.settings import ServiceSettings, service_settings_config


class Settings(ServiceSettings):
    model_config = service_settings_config("AUTOMATION_")
