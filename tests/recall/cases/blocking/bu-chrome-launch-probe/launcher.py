"""Starts a local Chrome for the agent, or reuses one already listening on the debug port."""

import asyncio
import subprocess

import requests

DEBUG_URL = "http://127.0.0.1:9222/json/version"


class ChromeLauncher:
    def __init__(self, binary: str, profile_dir: str) -> None:
        self.binary = binary
        self.profile_dir = profile_dir
        self.process = None

    async def ensure_running(self, driver):
        try:
            reply = requests.get(DEBUG_URL, timeout=2)
            if reply.status_code == 200:
                return await driver.connect_over_cdp(DEBUG_URL)
        except requests.ConnectionError:
            pass

        command = [self.binary, "--remote-debugging-port=9222", f"--user-data-dir={self.profile_dir}"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        for _attempt in range(10):
            try:
                reply = requests.get(DEBUG_URL, timeout=2)
                if reply.status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            await asyncio.sleep(1)
        return await driver.connect_over_cdp(DEBUG_URL)
