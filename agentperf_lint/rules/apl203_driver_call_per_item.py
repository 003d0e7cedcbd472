"""APL203: one awaited database/cache driver call per item of a loop (async N+1)."""

from __future__ import annotations

import libcst as cst

from ..rule import FixAvailability, Invalid, Valid
from ._django_orm import ASYNC_HINTS, ASYNC_NOTE, ASYNC_TERMINALS
from ._embedded_db import SQLITE_COMMITS, is_sqlite
from ._loops import PerItemCallRule, bulk_hint, call_name

_HINTS = {
    "fetchrow": "fetch them in one query with `fetch(... WHERE id = ANY($1), ids)`",
    "fetchval": "fetch them in one query with `fetch(... WHERE id = ANY($1), ids)`",
    "fetch": "fetch them in one query with `... WHERE id = ANY($1)`",
    "execute": "send them together with `executemany` (or one `... = ANY($1)` statement)",
    "get": "load them in one query with `select(Model).where(Model.id.in_(ids))`",
}
_KIND_HINTS = {
    "sql": "batch them in one query (`= ANY($1)`, `IN (...)`) or `executemany`",
    "mongo": "use one `find({'_id': {'$in': ids}})`, `insert_many` or `bulk_write`",
    "redis": "use `mget`/`mset` or a pipeline (`async with redis.pipeline() as pipe`)",
}


class DriverCallPerItem(PerItemCallRule):
    """## What it does
    Reports an awaited database or cache call made once per item of a `for` loop or
    comprehension whose iterations are independent: asyncpg `fetchrow`/`fetchval`/`fetch`/
    `execute`, SQLAlchemy `AsyncSession.execute/get/scalars`, aiosqlite/aiomysql cursors,
    motor `find_one`/`insert_one`/`update_one`..., `redis.asyncio` `get`/`set`/`hget`...,
    and Django's async ORM (`await Model.objects.aget(...)`, `acreate`,
    `filter(...).adelete()`).

    A lookup whose result the same item's next step uses (`row = await conn.fetchrow(...)`, then
    `await conn.execute(..., row["id"])`) is still one query per item: the batched query loads
    every item's row first, then the rest runs. A body that opens a transaction per item
    (`async with conn.transaction():`, `transaction.atomic()`, `session.begin()`) is left alone:
    each item is its own atomic unit on purpose.

    On SQLite (`sqlite3`, `aiosqlite`) a statement is a call into an in-process library, not a
    round trip: a loop is reported only when each item is its own transaction (it commits per
    item), and the message names the commit as the cost.

    ## Why is this bad?
    Each call is a network round trip and the loop waits for every one in turn: 1,000 keys
    read with `await redis.get(key)` cost 1,000 round trips, where one `mget` costs one. Unlike
    HTTP calls, these usually cannot simply be gathered: an asyncpg connection or an
    `AsyncSession` runs one query at a time, and Django runs its async ORM calls one after
    another in a single thread, so the batched query is the fix.

    ## Example
    ```python
    async def load_users(conn, ids):
        return [await conn.fetchrow("SELECT * FROM users WHERE id = $1", i) for i in ids]
    ```

    ## Use instead
    ```python
    async def load_users(conn, ids):
        return await conn.fetch("SELECT * FROM users WHERE id = ANY($1)", ids)
    ```

    ## Fix safety
    No fix is offered: gathering the calls on one connection fails ("another operation is in
    progress"), and the batched query returns rows in a different order and shape.

    ## Options
    None.
    """

    code = "APL203"
    name = "driver-call-per-item"
    message = "`await {call}(...)` makes one database round trip per item"
    fix_availability = FixAvailability.NEVER
    triggers = ("await",)
    kinds = frozenset({"sql", "mongo", "redis", "orm"})
    batches_chains = True

    def describe(self, call: cst.Call, kind: str | None) -> str:
        if kind == "sql" and is_sqlite(self.ctx, call):
            return f"`await {self.callee(call)}(...)` {SQLITE_COMMITS}"
        terminal = ASYNC_TERMINALS.get(call_name(call)) if kind == "orm" else None
        if terminal is not None:
            return (f"`await {self.callee(call)}(...)` makes one database round trip per item of the loop; "
                    f"{ASYNC_HINTS[terminal]} {ASYNC_NOTE}")
        hint = _HINTS.get(call_name(call)) if kind == "sql" else None
        hint = bulk_hint(self.ctx, call, kind, hint or _KIND_HINTS.get(kind or "", ""))
        return f"`await {self.callee(call)}(...)` makes one database round trip per item of the loop; {hint}"

    VALID = (
        # each item is its own transaction on purpose: one batched statement would merge them
        Valid("""
            async def merge_blocks(conn, blocks):
                for block in blocks:
                    async with conn.transaction():
                        new_id = await conn.fetchval('INSERT INTO merged VALUES ($1) RETURNING id', block.name)
                        await conn.execute('DELETE FROM entities WHERE id = ANY($1)', block.ids)
        """),
        # SQLite runs in-process: statements in one transaction cost no round trip
        Valid("""
            import aiosqlite
            async def f(path, ids):
                async with aiosqlite.connect(path) as db:
                    for i in ids:
                        await db.execute('DELETE FROM t WHERE id = ?', (i,))
                    await db.commit()
        """),
        Valid("async def f(conn, ids):\n    return await conn.fetch('SELECT * FROM t WHERE id = ANY($1)', ids)\n"),
        Valid("async def f(conn, rows):\n    await conn.executemany('INSERT INTO t VALUES ($1, $2)', rows)\n"),
        Valid("async def f(redis, keys):\n    return await redis.mget(keys)\n"),
        # a transaction per item, or a lock around each write: deliberate
        Valid("""
            async def f(pool, rows):
                for row in rows:
                    async with pool.acquire() as conn:
                        await conn.execute('INSERT INTO t VALUES ($1)', row)
        """),
        # the next query needs this one's answer
        Valid("""
            async def f(conn, node_id):
                for _ in range(10):
                    node_id = await conn.fetchval('SELECT parent FROM t WHERE id = $1', node_id)
        """),
        Valid("""
            async def f(conn, ids):
                for i in ids:
                    row = await conn.fetchrow('SELECT * FROM t WHERE id = $1', i)
                    if row is None:
                        return i
        """),
        # a cache read that stops at the first hit
        Valid("""
            async def f(redis, keys):
                for key in keys:
                    value = await redis.get(key)
                    if value is not None:
                        break
        """),
        # loop-invariant statements (APL305)
        Valid("async def f(conn, items):\n    for item in items:\n        await conn.execute('SELECT 1')\n"),
        # a dict's get is no driver call
        Valid("async def f(mapping, keys):\n    for key in keys:\n        await mapping.get(key)\n"),
        Valid("async def f(conn, stream):\n    async for row in stream:\n        await conn.execute('INSERT INTO t VALUES ($1)', row)\n"),
    )
    INVALID = (
        Invalid(  # a lookup that the next step of the same item uses: still one query per item
            """
            async def copy_files(conn, agent_id, names):
                for name in names:
                    source = await conn.fetchrow('SELECT id, body FROM files WHERE name = $1', name)
                    await conn.execute('INSERT INTO agent_files VALUES ($1, $2)', agent_id, source['body'])
            """,
            line=3, column=18, message_contains="fetch them in one query"),
        Invalid(  # Django's async ORM: one round trip per item, and gather would not overlap them
            "from django.db import models\n\n\nclass Memory(models.Model):\n    pass\n\n\n"
            "async def forget(ids):\n    for memory_id in ids:\n        await Memory.objects.filter(id=memory_id).adelete()\n",
            line=10, column=9,
            message_contains="delete them in one query with `await ...filter(<field>__in=values).adelete()` (Django runs "
            "its async ORM calls one at a time in one thread, so `asyncio.gather` would not overlap them)"),
        Invalid(
            "from django.db import models\n\n\nclass Memory(models.Model):\n    pass\n\n\n"
            "async def load(ids):\n    return [await Memory.objects.aget(pk=i) for i in ids]\n",
            line=9, column=13, message_contains="`await ...ain_bulk(ids)`"),
        Invalid(  # SQLite: a commit, and so a disk sync, per item
            """
            import aiosqlite
            async def f(path, ids):
                async with aiosqlite.connect(path) as db:
                    for i in ids:
                        await db.execute('DELETE FROM t WHERE id = ?', (i,))
                        await db.commit()
            """,
            line=5, column=13, message_contains="`await db.execute(...)` commits once per item of the loop",
        ),
        Invalid(
            "async def f(conn, ids):\n    return [await conn.fetchrow('SELECT * FROM t WHERE id = $1', i) for i in ids]\n",
            line=2, column=13, message_contains="ANY($1)",
        ),
        Invalid(
            "async def f(conn, rows):\n    for row in rows:\n        await conn.execute('INSERT INTO t VALUES ($1, $2)', *row)\n",
            line=3, column=9, message_contains="`executemany`",
        ),
        Invalid(
            """
            import redis.asyncio as redis
            async def f(keys):
                client = redis.Redis()
                values = {}
                for key in keys:
                    values[key] = await client.get(key)
                return values
            """,
            line=6, column=23, message_contains="`mget`",
        ),
        Invalid(
            "async def f(self, ids):\n    for i in ids:\n        doc = await self.db.users.find_one({'_id': i})\n        print(doc)\n",
            line=3, column=15, message_contains="'$in'",
        ),
        Invalid(
            """
            async def f(session, User, ids):
                users = []
                for uid in ids:
                    users.append(await session.get(User, uid))
                return users
            """,
            line=4, column=22, message_contains="in_(ids)",
        ),
        Invalid(
            """
            async def f(session, stmt_for, ids):
                for i in ids:
                    result = await session.execute(stmt_for(i))
                    print(result.scalar_one())
            """,
            line=3, column=18,
        ),
    )
