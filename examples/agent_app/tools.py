"""Tools an agent calls: web fetches, shell commands, LLM calls, user confirmation.

Each mistake (APL1xx) sits next to the correct way.
"""

from __future__ import annotations

import asyncio
import subprocess
import time

import requests
from openai import AsyncOpenAI, OpenAI

from agentperf_lint.runtime import ConnectionPool

_pool = ConnectionPool(max_connections=100)


async def web_search_slow(query: str) -> str:
    # the whole round trip blocks every agent on the loop (APL102)
    return requests.get("http://127.0.0.1:8082/search", params={"q": query}, timeout=10).text


async def web_search(query: str) -> str:
    # the correct way: a shared aiohttp session from the pool
    session = await _pool.acquire()
    try:
        async with session.get("http://127.0.0.1:8082/search", params={"q": query}) as response:
            return await response.text()
    finally:
        await _pool.release(session)


async def run_shell_slow(command: list[str]) -> str:
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # APL103
    return result.stdout


async def run_shell(command: list[str]) -> str:
    # the correct way: the child runs while the loop keeps serving other agents
    proc = await asyncio.create_subprocess_exec(*command, stdout=asyncio.subprocess.PIPE)
    stdout, _ = await proc.communicate()
    return stdout.decode()


class ResearchAgentSlow:
    def __init__(self) -> None:
        self.client = OpenAI()  # a sync client...

    async def answer(self, question: str) -> str:
        # ...called from a coroutine: seconds of frozen loop per completion (APL111)
        reply = self.client.chat.completions.create(
            model="small", messages=[{"role": "user", "content": question}])
        return reply.choices[0].message.content or ""


class ResearchAgent:
    def __init__(self) -> None:
        self.client = AsyncOpenAI()  # the correct way: the async twin

    async def answer(self, question: str) -> str:
        reply = await self.client.chat.completions.create(
            model="small", messages=[{"role": "user", "content": question}])
        return reply.choices[0].message.content or ""


async def retry_slow(attempt: int) -> None:
    time.sleep(2 ** attempt)  # APL101


async def retry(attempt: int) -> None:
    await asyncio.sleep(2 ** attempt)


async def confirm_slow(action: str) -> bool:
    return input(f"run {action}? [y/N] ") == "y"  # APL106


async def confirm(action: str) -> bool:
    answer = await asyncio.to_thread(input, f"run {action}? [y/N] ")
    return answer == "y"
