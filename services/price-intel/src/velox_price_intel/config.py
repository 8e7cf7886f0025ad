"""Settings of the price-intel service (platform variables plus ``PRICE_INTEL_*``)."""

from velox_shared.settings import ServiceSettings, service_settings_config


class Settings(ServiceSettings):
    model_config = service_settings_config("PRICE_INTEL_")
