"""One Echo device as Home Assistant sees it."""
from alexapy import AlexaAPI


class EchoDevice:
    def __init__(self, api: AlexaAPI, serial: str, customer_id: str):
        self.api = api
        self.serial = serial
        self.customer_id = customer_id

    async def async_send_tts(self, message: str) -> None:
        """Speak the message on this device (one request to the Alexa cloud)."""
        await self.api.send_tts(message, customer_id=self.customer_id)

    async def async_send_push(self, message: str, title: str) -> None:
        await self.api.send_mobilepush(message, title=title, customer_id=self.customer_id)
