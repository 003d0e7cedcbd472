"""System health panel of the integration."""

from homeassistant.core import HomeAssistant  # an integration: Home Assistant watches its loop
from .core import xutils

DOMAIN = "sonoff"


async def system_health_info(hass) -> dict:
    online = sum(1 for registry in hass.data[DOMAIN].values() if registry.cloud.online)
    integration = hass.data["integrations"][DOMAIN]
    return {
        "version": f"{integration.version} ({xutils.source_digest()})",
        "cloud_online": online,
    }
