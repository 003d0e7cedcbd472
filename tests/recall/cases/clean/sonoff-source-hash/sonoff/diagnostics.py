"""Diagnostics download of the integration."""

from homeassistant.core import HomeAssistant  # an integration: Home Assistant watches its loop
from .core import xutils

DOMAIN = "sonoff"


async def async_get_config_entry_diagnostics(hass, entry) -> dict:
    registry = hass.data[DOMAIN][entry.entry_id]
    digest = await hass.async_add_executor_job(xutils.source_digest)
    return {
        "version": digest,
        "cloud_auth": registry.cloud.auth is not None,
        "options": dict(entry.options),
    }
