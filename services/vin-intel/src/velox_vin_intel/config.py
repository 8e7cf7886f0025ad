"""Settings of the vin-intel service (platform variables plus ``VIN_INTEL_*``)."""

from velox_shared.settings import ServiceSettings, service_settings_config


class Settings(ServiceSettings):
    model_config = service_settings_config("VIN_INTEL_")
