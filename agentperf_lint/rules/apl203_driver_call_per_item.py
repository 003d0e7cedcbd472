"""APL203: one awaited database/cache driver call per item of a loop (async N+1)."""

from __future__ import annotations

import libcst as cst

from ..rule import FixAvailability, Invalid, Valid
from ._loops import PerItemCallRule, call_name

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
    motor `find_one`/`insert_one`/`update_one`..., and `redis.asyncio` `get`/`set`/`hget`....

    ## Why is this bad?
    Each call is a network round trip and the loop waits for every one in turn: 1,000 keys
    read with `await redis.get(key)` cost 1,000 round trips, where one `mget` costs one. Unlike
    HTTP calls, these usually cannot simply be gathered: an asyncpg connection or an
    `AsyncSession` runs one query at a time, so the batched query is the fix.

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
    kinds = frozenset({"sql", "mongo", "redis"})

    def describe(self, call: cst.Call, kind: str | None) -> str:
        hint = _HINTS.get(call_name(call)) if kind == "sql" else None
        return (f"`await {self.callee(call)}(...)` makes one database round trip per item of the loop; "
                f"{hint or _KIND_HINTS.get(kind or '', '')}")

    VALID = ()
    INVALID = ()
