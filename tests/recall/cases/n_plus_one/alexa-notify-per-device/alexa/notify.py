"""Notification service: speak or push a message on several Echo devices."""
import logging

from .device import EchoDevice

_LOGGER = logging.getLogger(__name__)


class EchoNotifier:
    async def async_send_message(self, message: str, kind: str, targets: list[EchoDevice], title: str = "") -> None:
        if kind == "tts":
            for device in targets:
                _LOGGER.debug("TTS on %s", device.serial)
                await device.async_send_tts(message)
        elif kind == "push":
            for device in targets:
                await device.async_send_push(message, title=title)
