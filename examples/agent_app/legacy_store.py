"""A DB-backed conversation store: sync drivers called from coroutines (APL107, APL109).

Each mistake sits next to the correct way.
"""

from __future__ import annotations

import asyncio
import queue
import sqlite3

import aiosqlite
import redis
import redis.asyncio as aioredis


class LegacyStore:
    def __init__(self, path: str) -> None:
        self.db = sqlite3.connect(path, check_same_thread=False)
        self.cache = redis.Redis()
        self.outbox: queue.Queue[str] = queue.Queue()

    async def save_slow(self, conversation_id: str, text: str) -> None:
        self.db.execute("insert into messages values (?, ?)", (conversation_id, text))  # APL107
        self.db.commit()  # APL107
        self.cache.delete(conversation_id)  # APL107

    async def next_event_slow(self) -> str:
        return self.outbox.get()  # parks the loop until a worker thread puts something (APL109)

    async def next_event(self) -> str:
        return await asyncio.to_thread(self.outbox.get)  # the correct way


class Store:
    """The correct way: async drivers."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.cache = aioredis.Redis()

    async def save(self, conversation_id: str, text: str) -> None:
        async with aiosqlite.connect(self.path) as db:
            await db.execute("insert into messages values (?, ?)", (conversation_id, text))
            await db.commit()
        await self.cache.delete(conversation_id)
