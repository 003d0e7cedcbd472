"""Waste collection schedule set up from YAML."""

from homeassistant.core import HomeAssistant  # an integration: Home Assistant watches its loop
from .collection.source_shell import SourceShell


class WasteCollectionApi:
    def __init__(self, hass, separator: str, fetch_time) -> None:
        self._hass = hass
        self._separator = separator
        self._fetch_time = fetch_time
        self._shells: list[SourceShell] = []

    def add_source_shell(self, source_name: str, customize: dict, source_args: dict, calendar_title=None) -> None:
        shell = SourceShell.create(source_name, customize, source_args, calendar_title)
        if shell is not None:
            self._shells.append(shell)


async def async_setup(hass, config: dict) -> bool:
    settings = config["waste_collection_schedule"]
    api = WasteCollectionApi(hass, separator=settings["separator"], fetch_time=settings["fetch_time"])
    for source in settings["sources"]:
        await hass.async_add_executor_job(
            api.add_source_shell,
            source["name"],
            source.get("customize", {}),
            source.get("args", {}),
            source.get("calendar_title"),
        )
    hass.data.setdefault("waste_collection_schedule", api)
    return True
