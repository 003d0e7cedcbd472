"""One car of the account, as Home Assistant sees it."""

from datetime import datetime

from .vehicle_api import VehicleApi


class Vehicle:
    def __init__(self, hass, token) -> None:
        self._hass = hass
        self._token = token
        self._api = VehicleApi()
        self.data: dict = {}
        self.last_updated = datetime.min

    async def async_update(self) -> None:
        self.data = await self._hass.async_add_executor_job(self._api.get_cached_status, self._token)
        self.last_updated = datetime.now()

    async def async_force_update(self) -> None:
        await self._hass.async_add_executor_job(self._api.request_fresh_status, self._token)
        await self.async_update()
