"""Set-up of the gateway integration from YAML."""

from homeassistant.core import HomeAssistant  # an integration: Home Assistant watches its loop
from .core import logger

DOMAIN = "gateway3"


async def async_setup(hass, config: dict) -> bool:
    if settings := config.get(DOMAIN):
        if logger_config := settings.get("logger"):
            logger.init(__name__, logger_config, hass.config.config_dir)
    hass.data.setdefault(DOMAIN, {})
    return True
