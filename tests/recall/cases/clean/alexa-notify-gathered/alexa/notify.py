"""Notification service: speak or push a message on several Echo devices."""
import asyncio
import logging

from .device import EchoDevice

_LOGGER = logging.getLogger(__name__)


class EchoNotifier:
    async def async_send_message(self, message: str, kind: str, targets: list[EchoDevice], title: str = "") -> None:
        pending = []
        if kind == "tts":
            for device in targets:
                _LOGGER.debug("TTS on %s", device.serial)
                pending.append(device.async_send_tts(message))
        elif kind == "push":
            for device in targets:
                pending.append(device.async_send_push(message, title=title))
        await asyncio.gather(*pending)
