"""Set-up of a config entry made in the UI."""

from homeassistant.core import HomeAssistant  # an integration: Home Assistant watches its loop
from .collection.source_shell import SourceShell


async def async_setup_entry(hass, entry) -> bool:
    shell = SourceShell.create(
        source_name=entry.data["source"],
        customize={},
        source_args=entry.data["args"],
        calendar_title=entry.options.get("calendar_title"),
    )
    if shell is None:
        return False
    hass.data.setdefault("waste", {})[entry.entry_id] = shell
    return True
