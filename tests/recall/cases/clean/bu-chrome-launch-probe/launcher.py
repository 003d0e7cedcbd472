"""Starts a local Chrome for the agent, or reuses one already listening on the debug port."""

import asyncio
import subprocess

import httpx

DEBUG_URL = "http://127.0.0.1:9222/json/version"


class ChromeLauncher:
    def __init__(self, binary: str, profile_dir: str) -> None:
        self.binary = binary
        self.profile_dir = profile_dir
        self.process = None

    async def _debug_port_answers(self, http: httpx.AsyncClient) -> bool:
        try:
            reply = await http.get(DEBUG_URL, timeout=2)
        except httpx.RequestError:
            return False
        return reply.status_code == 200

    async def ensure_running(self, driver):
        async with httpx.AsyncClient() as http:
            if await self._debug_port_answers(http):
                return await driver.connect_over_cdp(DEBUG_URL)

            self.process = await asyncio.create_subprocess_exec(
                self.binary, "--remote-debugging-port=9222", f"--user-data-dir={self.profile_dir}",
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
            for _attempt in range(10):
                if await self._debug_port_answers(http):
                    break
                await asyncio.sleep(1)
        return await driver.connect_over_cdp(DEBUG_URL)
