"""System health panel of the integration."""

from homeassistant.core import HomeAssistant  # an integration: Home Assistant watches its loop
from .core import xutils

DOMAIN = "sonoff"


async def system_health_info(hass) -> dict:
    online = sum(1 for registry in hass.data[DOMAIN].values() if registry.cloud.online)
    digest = await hass.async_add_executor_job(xutils.source_digest)
    integration = hass.data["integrations"][DOMAIN]
    return {
        "version": f"{integration.version} ({digest})",
        "cloud_online": online,
    }
