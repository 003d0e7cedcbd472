"""Set-up of a config entry made in the UI."""

from homeassistant.core import HomeAssistant  # an integration: Home Assistant watches its loop
from .collection.source_shell import SourceShell


async def async_setup_entry(hass, entry) -> bool:
    shell = await hass.async_add_executor_job(
        SourceShell.create, entry.data["source"], {}, entry.data["args"], entry.options.get("calendar_title")
    )
    if shell is None:
        return False
    hass.data.setdefault("waste", {})[entry.entry_id] = shell
    return True
