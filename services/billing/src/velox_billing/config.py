"""Settings of the billing service (platform variables plus ``BILLING_*``)."""

from velox_shared.settings import ServiceSettings, service_settings_config


class Settings(ServiceSettings):
    model_config = service_settings_config("BILLING_")
