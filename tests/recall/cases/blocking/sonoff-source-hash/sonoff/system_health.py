"""System health panel of the integration."""

from .core import xutils

DOMAIN = "sonoff"


async def system_health_info(hass) -> dict:
    online = sum(1 for registry in hass.data[DOMAIN].values() if registry.cloud.online)
    integration = hass.data["integrations"][DOMAIN]
    return {
        "version": f"{integration.version} ({xutils.source_digest()})",
        "cloud_online": online,
    }
