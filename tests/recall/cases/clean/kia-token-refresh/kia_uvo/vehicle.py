"""One car of the account, as Home Assistant sees it."""

from datetime import datetime

from .uvo_api import Token, UvoApi

DATE_FORMAT = "%Y-%m-%d %H:%M:%S.%f"


class Vehicle:
    def __init__(self, hass, token: Token, uvo_api: UvoApi) -> None:
        self.hass = hass
        self.token = token
        self.uvo_api = uvo_api

    async def refresh_token(self) -> bool:
        if self.token.valid_until <= datetime.now().strftime(DATE_FORMAT):
            await self.hass.async_add_executor_job(self.login)
            return True
        return False

    def login(self) -> None:
        self.token = self.uvo_api.login()
