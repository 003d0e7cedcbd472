"""APL107: sync database and cache drivers used inside ``async def``."""

from __future__ import annotations

from ..rule import Invalid, Valid
from ._blocking import BlockingCallRule


class BlockingDatabase(BlockingCallRule):
    """## What it does
    Reports calls to synchronous database and cache drivers inside an `async def` body:
    `sqlite3`, `psycopg2` and sync `psycopg`, `pymysql`, `mysql.connector` (connecting, and the
    methods of their connections and cursors), `pymongo.MongoClient`, sync `redis.Redis`
    clients, and SQLAlchemy's sync `Engine`/`Connection`/`Session`. Connections are followed
    through variables, `with` targets, `self` attributes and annotations.

    The Django ORM too: queries on `<Model>.objects` chains (`get`, `first`, `count`, `exists`,
    `create`, `update`, `delete`, ... after any `filter`/`order_by`), the same on reverse
    relations (`agent.file_set.exists()`), `save`/`delete`/`refresh_from_db` on an instance whose
    class the file queries through `.objects` or defines on `django.db.models`, and a lazy
    queryset iterated by a sync `for`, a comprehension or `list()` (also one returned by a
    function of the same file that only returns `<Model>.objects...`). Awaited async twins
    (`afirst()`, `acount()`, `asave()`), `async for` and `sync_to_async` are not reported.

    Cost class (named in every message, counted by `--statistics`): a database round trip.

    ## Why is this bad?
    Every query is a network round trip (or a disk write for SQLite) on the event loop thread:
    an agent's memory store or tool cache that is hit per step turns into a global lock
    around the whole application.

    ## Example
    ```python
    import redis

    cache = redis.Redis()

    async def remember(key, value):
        cache.set(key, value)
    ```

    ## Use instead
    ```python
    import redis.asyncio as redis

    cache = redis.Redis()

    async def remember(key, value):
        await cache.set(key, value)
    ```
    (`asyncpg` or `psycopg.AsyncConnection` for PostgreSQL, `aiosqlite`, `aiomysql`, `motor`,
    `sqlalchemy.ext.asyncio`).

    ## Fix safety
    Where the call is a whole statement or the right-hand side of an assignment, the fix runs
    it in a worker thread (`await asyncio.to_thread(cur.execute, sql)`). It is unsafe: the
    call now runs in another thread. For `sqlite3` it is offered only where every connection
    the call can be on was opened with `check_same_thread=False` in this module: otherwise a
    connection refuses to be used from another thread than the one that opened it
    (`ProgrammingError`). An in-memory database (`sqlite3.connect(":memory:")`, or a
    `mode=memory` URI) does no I/O and is not reported, nor are calls on its connections.

    ## Options
    - `check-tests` (in `[tool.agentperf-lint.blocking]`, shared by the APL1xx rules, default
      false): also report blocking calls in test code, which is skipped by default.

    ## Known problems
    A module-level client (`cache = redis.Redis()`) is recognised only in the module that
    creates it; one imported from elsewhere has an unknown type and is not reported.
    """

    code = "APL107"
    name = "blocking-database"

    VALID = (
        Valid("import sqlite3\ndef f():\n    return sqlite3.connect('db').execute('select 1').fetchall()\n"),
        Valid("import aiosqlite\nasync def f():\n    async with aiosqlite.connect('db') as db:\n        await db.execute('select 1')\n"),
        Valid("import redis.asyncio as redis\nasync def f():\n    r = redis.Redis()\n    await r.set('k', 'v')\n"),
        Valid("from redis.asyncio import Redis\nasync def f(r: Redis):\n    return await r.get('k')\n"),
        Valid("import redis\nasync def f():\n    r = redis.Redis()\n    v = await run(r.get, 'k')\n    return v\n"),
        Valid("import sqlite3\nasync def f(conn: sqlite3.Connection):\n    return conn.cursor()\n"),
        Valid("async def f(db):\n    return db.execute('select 1')\n"),
        Valid("import asyncpg\nasync def f(dsn):\n    conn = await asyncpg.connect(dsn)\n    return await conn.fetch('select 1')\n"),
        Valid("from sqlalchemy.ext.asyncio import AsyncSession\nasync def f(s: AsyncSession, q):\n    return await s.execute(q)\n"),
        Valid("import sqlite3\nasync def f():\n    return sqlite3.Row, sqlite3.OperationalError\n"),
        # Django ORM (issue 11 recall): async twins, lazy querysets not evaluated here, async for
        Valid("from app.models import Agent\nasync def f(slug):\n    return await Agent.objects.filter(slug=slug).afirst()\n"),
        Valid("from app.models import Agent\nasync def f(slug):\n    agents = Agent.objects.filter(slug=slug)\n    return await agents.acount()\n"),
        Valid("from app.models import Agent\nasync def f():\n    async for agent in Agent.objects.all():\n        print(agent)\n"),
        Valid("from asgiref.sync import sync_to_async\nfrom app.models import Agent\nasync def f(pk):\n    return await sync_to_async(Agent.objects.get)(pk=pk)\n"),
        Valid("async def f(agent):\n    await agent.fileobject_set.aexists()\n    return agent.tags_set.add('x'), agent.seen_set.count('x')\n"),
        Valid("from app.models import Agent\nasync def f(agent: Agent):\n    await agent.asave()\n"),
        Valid("from app.store import Document\nasync def f(doc: Document):\n    doc.save()\n"),

        Valid("import sqlite3\nasync def f():\n    conn = sqlite3.connect(':memory:')\n    cur = conn.cursor()\n    cur.execute('select 1')\n    return conn.execute('select 2').fetchall()\n"),
        Valid("import sqlite3\nclass Cache:\n    def __init__(self):\n        self.db = sqlite3.connect('file:c?mode=memory', uri=True)\n    async def get(self, k):\n        return self.db.execute('select v from c where k = ?', (k,)).fetchone()\n"),
    )
    INVALID = (
        Invalid("import sqlite3\n\nasync def f():\n    conn = sqlite3.connect('agent.db')\n", line=4, column=12, message_contains="aiosqlite"),
        Invalid("import sqlite3\n\nasync def f():\n    conn = sqlite3.connect('agent.db', check_same_thread=False)\n", line=4, column=12,
                fixed="import sqlite3\nimport asyncio\n\nasync def f():\n    conn = await asyncio.to_thread(sqlite3.connect, 'agent.db', check_same_thread=False)\n"),
        Invalid("import sqlite3\n\nDB = sqlite3.connect('agent.db', check_same_thread=False)\n\nasync def f():\n    DB.execute('delete from t')\n", line=6, column=5,
                fixed="import sqlite3\nimport asyncio\n\nDB = sqlite3.connect('agent.db', check_same_thread=False)\n\nasync def f():\n    await asyncio.to_thread(DB.execute, 'delete from t')\n"),
        Invalid("import sqlite3\n\nasync def f(conn: sqlite3.Connection):\n    conn.execute('delete from t')\n", line=4, column=5,
                message_contains="ProgrammingError"),
        Invalid("import sqlite3\n\nasync def f(conn: sqlite3.Connection):\n    cur = conn.cursor()\n    return cur.fetchall()\n", line=5, column=12),
        Invalid("import psycopg2\n\nasync def f(dsn):\n    with psycopg2.connect(dsn) as conn:\n        pass\n", line=4, column=10),
        Invalid("import psycopg\n\nasync def f(dsn):\n    return psycopg.connect(dsn)\n", line=4, column=12),
        Invalid("import pymysql\n\nasync def f():\n    return pymysql.connect(host='db')\n", line=4, column=12),
        Invalid("import mysql.connector\n\nasync def f():\n    return mysql.connector.connect(host='db')\n", line=4, column=12),
        Invalid("import pymongo\n\nasync def f():\n    client = pymongo.MongoClient()\n    return client.agents.runs.find_one({})\n", line=5, column=12),
        Invalid("import pymongo\n\nasync def f():\n    client = pymongo.MongoClient()\n    return client['agents']['runs'].insert_one({})\n", line=5, column=12),
        Invalid("import redis\n\ncache = redis.Redis()\n\nasync def f(key):\n    return cache.get(key)\n", line=6, column=12, message_contains="redis.asyncio"),
        Invalid("import redis\n\nclass Memory:\n    def __init__(self, url):\n        self.r = redis.Redis.from_url(url)\n\n    async def save(self, k, v):\n        self.r.set(k, v)\n",
                line=8, column=9,
                fixed="import redis\nimport asyncio\n\nclass Memory:\n    def __init__(self, url):\n        self.r = redis.Redis.from_url(url)\n\n    async def save(self, k, v):\n        await asyncio.to_thread(self.r.set, k, v)\n"),
        Invalid("from redis import Redis\n\nasync def f(r: Redis):\n    return r.pipeline().execute()\n", line=4, column=12),
        Invalid("from sqlalchemy.orm import Session\n\nasync def f(session: Session, q):\n    return session.execute(q).all()\n", line=4, column=12),
        Invalid("from sqlalchemy import create_engine\n\nasync def f(q):\n    engine = create_engine('sqlite://')\n    with engine.connect() as conn:\n        conn.execute(q)\n",
                line=5, column=10, extra_findings=1),
        Invalid("from app.models import UserRequest\n\nasync def f(user):\n    return UserRequest.objects.filter(user=user).count()\n",
                line=4, column=12, message_contains="acount()"),
        Invalid("async def f(agent):\n    return agent.fileobject_set.exists()\n", line=2, column=12),
        Invalid("from app.models import Subscription\n\nasync def f(user, sub: Subscription):\n    if await Subscription.objects.filter(user=user).aexists():\n        sub.save()\n",
                line=5, column=9),
        Invalid("from django.db import models\n\nclass Note(models.Model):\n    text = models.TextField()\n\nasync def f(text):\n    note = Note(text=text)\n    note.save()\n",
                line=8, column=5, message_contains="asave()"),
        Invalid("from app.models import ChatModel\n\nasync def f():\n    for model in ChatModel.objects.filter(vision=True).order_by('name'):\n        print(model)\n",
                line=4, column=18, message_contains="async for"),
        Invalid("from app.models import ChatModel\n\ndef vision_models():\n    return ChatModel.objects.filter(vision=True)\n\n"
                "async def f():\n    return [model.name for model in vision_models()]\n", line=7, column=37),
    )
