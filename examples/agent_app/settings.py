"""Settings fetched from the config service: the classic stall two calls away from the
coroutine (APL114).

Each mistake sits next to the correct way. (A helper that only reads a local file, such as
``read_json`` below, is reported through a chain in Home Assistant code, or everywhere with
``report-file-chains = true`` in ``[tool.agentperf-lint.blocking]``.)
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import aiofiles
import requests

SETTINGS_PATH = Path(os.environ.get("AGENT_SETTINGS", "settings.json"))
CONFIG_URL = os.environ.get("AGENT_CONFIG_URL", "https://config.example.com/agent")


def read_json(path: Path) -> dict[str, object]:
    with open(path, encoding="utf-8") as handle:  # fine here: a sync helper
        return json.load(handle)


def fetch_json(url: str) -> dict[str, object]:
    response = requests.get(url, timeout=10)  # fine here: a sync helper
    response.raise_for_status()
    return response.json()


def load_settings() -> dict[str, object]:
    return {**read_json(SETTINGS_PATH), **fetch_json(CONFIG_URL)}


async def settings_for_request_slow() -> dict[str, object]:
    # load_settings() -> fetch_json() -> requests.get(): a network round trip on the event loop (APL114)
    return load_settings()


async def settings_for_request() -> dict[str, object]:
    # the correct way: the sync helper runs in a worker thread
    return await asyncio.to_thread(load_settings)


async def read_prompt_slow(name: str) -> str:
    path = SETTINGS_PATH.parent / "prompts" / f"{name}.txt"
    if not path.exists():  # a stat() on the loop (APL104)
        return ""
    return path.read_text(encoding="utf-8")  # a whole file read on the loop (APL104)


async def read_prompt(name: str) -> str:
    # the correct way: aiofiles reads in its own thread pool
    path = SETTINGS_PATH.parent / "prompts" / f"{name}.txt"
    try:
        async with aiofiles.open(path, encoding="utf-8") as handle:
            return await handle.read()
    except FileNotFoundError:
        return ""
