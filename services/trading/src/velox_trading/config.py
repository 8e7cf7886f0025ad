"""Settings of the trading service (platform variables plus ``TRADING_*``)."""

from velox_shared.settings import ServiceSettings, service_settings_config


class Settings(ServiceSettings):
    model_config = service_settings_config("TRADING_")
