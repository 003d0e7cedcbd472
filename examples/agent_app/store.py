"""The conversation store: one query or cache round trip per item (APL202, APL203, APL205).

Each mistake sits next to the correct way.
"""

from __future__ import annotations

import asyncio
import sqlite3

import asyncpg
import psycopg
import redis.asyncio as aioredis


# --- sqlite (sync): in-process, so only a commit per row costs ------------------------------
class MessageArchive:
    def __init__(self, path: str) -> None:
        self.db = sqlite3.connect(path)

    def archive_slow(self, rows: list[tuple[str, str]]) -> None:
        for row in rows:
            self.db.execute("insert into messages values (?, ?)", row)  # a commit, a disk sync, per row (APL202)
            self.db.commit()

    def archive(self, rows: list[tuple[str, str]]) -> None:
        self.db.executemany("insert into messages values (?, ?)", rows)
        self.db.commit()

    def titles(self, ids: list[str]) -> list[str]:
        # SQLite runs in-process: a query per id is a library call, not a round trip (not reported)
        return [self.db.execute("select title from conversations where id = ?", (i,)).fetchone()[0] for i in ids]


# --- postgres (sync) ----------------------------------------------------------------------------
class ConversationIndex:
    def __init__(self, dsn: str) -> None:
        self.db = psycopg.connect(dsn)

    def titles_slow(self, ids: list[int]) -> list[str]:
        return [self.db.execute("select title from conversations where id = %s", (i,)).fetchone()[0]
                for i in ids]  # one round trip per id (APL202)

    def titles(self, ids: list[int]) -> list[str]:
        rows = dict(self.db.execute("select id, title from conversations where id = any(%s)", (ids,)).fetchall())
        return [rows[i] for i in ids]


# --- postgres and redis (async) ---------------------------------------------------------------
class ConversationStore:
    def __init__(self, pool: asyncpg.Pool, cache: aioredis.Redis) -> None:
        self.pool = pool
        self.cache = cache

    async def load_slow(self, conn: asyncpg.Connection, ids: list[int]) -> list[asyncpg.Record]:
        rows = []
        for conversation_id in ids:  # one round trip per conversation (APL203)
            rows.append(await conn.fetchrow("select * from conversations where id = $1", conversation_id))
        return rows

    async def load(self, conn: asyncpg.Connection, ids: list[int]) -> list[asyncpg.Record]:
        return await conn.fetch("select * from conversations where id = any($1)", ids)

    async def cached_titles_slow(self, keys: list[str]) -> list[bytes | None]:
        return [await self.cache.get(key) for key in keys]  # one round trip per key (APL203)

    async def cached_titles(self, keys: list[str]) -> list[bytes | None]:
        return await self.cache.mget(keys)

    async def walk_thread(self, conn: asyncpg.Connection, message_id: int, depth: int) -> list[int]:
        chain = []
        for _ in range(depth):  # each query needs the previous answer: not reported
            message_id = await conn.fetchval("select parent from messages where id = $1", message_id)
            if message_id is None:
                break
            chain.append(message_id)
        return chain

    async def warm_all_at_once(self, keys: list[str]) -> None:
        # one connection per key, all at once (APL205)
        await asyncio.gather(*(self.cache.expire(key, 3600) for key in keys))
