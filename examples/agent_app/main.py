"""Entry point: one shared HTTP session for the whole run, created here and passed down."""

from __future__ import annotations

import asyncio
import time

import aiohttp


async def heartbeat(interval: float) -> None:
    while True:
        time.sleep(interval)  # blocks every agent on the loop (APL101)
        await asyncio.sleep(interval)  # the correct way: other tasks run meanwhile


async def main() -> None:
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(timeout=timeout) as session:  # created once, passed down
        await run_agents(session)


async def run_agents(session: aiohttp.ClientSession) -> None:
    async with session.get("http://127.0.0.1:8080/health") as response:
        response.raise_for_status()


if __name__ == "__main__":
    asyncio.run(main())
