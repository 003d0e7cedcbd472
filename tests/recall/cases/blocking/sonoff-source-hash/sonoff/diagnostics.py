"""Diagnostics download of the integration."""

from homeassistant.core import HomeAssistant  # an integration: Home Assistant watches its loop
from .core import xutils

DOMAIN = "sonoff"


async def async_get_config_entry_diagnostics(hass, entry) -> dict:
    registry = hass.data[DOMAIN][entry.entry_id]
    return {
        "version": xutils.source_digest(),
        "cloud_auth": registry.cloud.auth is not None,
        "options": dict(entry.options),
    }
