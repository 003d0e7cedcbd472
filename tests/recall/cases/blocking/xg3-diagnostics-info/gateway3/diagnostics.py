"""Diagnostics download: entry and device."""

from homeassistant.core import HomeAssistant  # an integration: Home Assistant watches its loop
from .core.const import DOMAIN, source_hash


async def async_get_config_entry_diagnostics(hass, config_entry) -> dict:
    gateway = hass.data[DOMAIN][config_entry.entry_id]
    try:
        devices = {did: device.as_dict() for did, device in gateway.devices.items()}
    except Exception as error:
        devices = repr(error)
    info = get_info(hass, config_entry)
    info["devices"] = devices
    return info


async def async_get_device_diagnostics(hass, config_entry, device) -> dict:
    info = get_info(hass, config_entry)
    info["device"] = {"name": device.name, "model": device.model}
    return info


def get_info(hass, config_entry) -> dict:
    return {
        "version": source_hash(),
        "options": dict(config_entry.options),
        "errors": [entry.to_dict() for entry in hass.data.get("system_log", {}).get("records", [])],
    }
