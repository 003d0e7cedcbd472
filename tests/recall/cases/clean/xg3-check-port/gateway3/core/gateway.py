"""The gateway's main loop."""

import asyncio

from .network import GatewayNetwork


class GatewayEntry(GatewayNetwork):
    async def enable_telnet(self) -> bool:
        return False

    async def run_forever(self) -> None:
        while True:
            if not await self.check_port(23) and not await self.enable_telnet():
                await asyncio.sleep(30)
                continue
            await self.process_messages()

    async def process_messages(self) -> None:
        await asyncio.sleep(1)
