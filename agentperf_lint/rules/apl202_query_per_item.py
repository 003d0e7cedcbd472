"""APL202: one synchronous database query per item of a loop (N+1)."""

from __future__ import annotations

import libcst as cst

from ..rule import FixAvailability, Invalid, Valid
from ._django_orm import HINTS as DJANGO_HINTS
from ._embedded_db import SQLITE_COMMITS, is_sqlite
from ._loops import PerItemCallRule, bulk_hint, call_name

_HINTS = {
    "sql": "use `executemany` for writes, or one query with `IN (...)` / `= ANY(...)` for reads",
    "orm": "",
    "mongo": "use one `find({'_id': {'$in': ids}})`, `insert_many` or `bulk_write`",
    "redis": "use `mget`/`mset` or a pipeline",
}


class QueryPerItem(PerItemCallRule):
    """## What it does
    Reports a synchronous database call made once per item of a `for` loop or comprehension
    whose iterations are independent: DB-API `cursor.execute`/`connection.execute`, Django
    `Model.objects.get/filter/create/...`, SQLAlchemy `session.get/execute/scalars/query`,
    pymongo `find_one`/`insert_one`/`update_one`, and redis `get`/`set`/`hget`....

    On SQLite a statement is a call into an in-process library, not a round trip ("many small
    queries are efficient in SQLite", in SQLite's own words): a loop is reported only when each
    item is its own transaction (a `commit()` per item, a `with conn:` block per item, or a
    connection opened with `isolation_level=None`), and the message names the commit, which
    waits for the disk, as the cost.

    Loops that stop early, pace themselves, or feed one query's result into the next item's
    query are left alone, as in APL201; so are schema statements (`CREATE`, `DROP`, `ALTER`,
    `PRAGMA`, `DropConstraint(...)`), which cannot be merged, and loops that check each
    statement's own `rowcount`/`lastrowid`.

    ## Why is this bad?
    Every query is a round trip to the database (commonly 0.2-2 ms on a local network, far more
    across regions), plus parsing and planning. A page listing 100 orders that loads each
    customer separately runs 101 queries where two would do; in an `async def` each one also
    blocks the event loop.

    ## Example
    ```python
    def customers_of(orders):
        return [Customer.objects.get(pk=order.customer_id) for order in orders]

    def save(cursor, rows):
        for row in rows:
            cursor.execute("INSERT INTO events VALUES (?, ?)", row)
    ```

    ## Use instead
    ```python
    def customers_of(orders):
        by_id = Customer.objects.in_bulk([order.customer_id for order in orders])
        return [by_id[order.customer_id] for order in orders]

    def save(cursor, rows):
        cursor.executemany("INSERT INTO events VALUES (?, ?)", rows)
    ```

    ## Fix safety
    No fix is offered: the batched query returns rows in another shape (a mapping, an
    unordered result set) that the code around the loop has to be adapted to.

    ## Options
    None.
    """

    code = "APL202"
    name = "query-per-item"
    message = "`{call}(...)` runs one query per item"
    fix_availability = FixAvailability.NEVER
    triggers = (".execute(", ".objects.", "session", "find_one", "_one(", "redis", ".query(", ".scalar", ".exec(",
                "OpenSearch", "Elasticsearch")
    kinds = frozenset({"sql", "orm", "mongo", "redis"})
    awaited = False
    plain = True

    def describe(self, call: cst.Call, kind: str | None) -> str:
        if kind == "sql" and is_sqlite(self.ctx, call):
            return f"`{self.callee(call)}(...)` {SQLITE_COMMITS}"
        hint = DJANGO_HINTS.get(call_name(call), "") if kind == "orm" else _HINTS.get(kind or "", "")
        hint = bulk_hint(self.ctx, call, kind, hint)
        if kind == "sql" and self._prepared_statement(call):
            hint = ("run the prepared statement for all rows in one call (`executemany`, or the "
                    "driver's concurrent helper such as Cassandra's `execute_concurrent_with_args`)")
        return f"`{self.callee(call)}(...)` runs one query per item of the loop; {hint}"

    def _prepared_statement(self, call: cst.Call) -> bool:
        """``session.execute(prepared, row)`` where ``prepared = session.prepare(...)``: drivers
        without ``executemany`` (Cassandra) batch prepared statements their own way."""
        first = call.args[0].value if call.args else None
        binding = self.ctx.lookup(first.value) if isinstance(first, cst.Name) else None
        return binding is not None and binding.kind == "assign" and any(
            isinstance(value, cst.Call) and call_name(value) == "prepare" for value in binding.values)

    VALID = (
        # a statement per table, its rows already sent as one batch (executemany)
        Valid("""
            def f(connection, meta, data):
                for table_name, rows in data.items():
                    table = meta.tables[table_name]
                    connection.execute(insert(table), rows)
        """),
        Valid("def f(cursor, rows):\n    cursor.executemany('INSERT INTO t VALUES (?, ?)', rows)\n"),
        Valid("def f(Customer, ids):\n    return Customer.objects.in_bulk(ids)\n"),
        Valid("def f(Customer, ids):\n    return list(Customer.objects.filter(pk__in=ids))\n"),
        # the same statement every time: not per item (APL305)
        Valid("def f(cursor, items):\n    for item in items:\n        cursor.execute('SELECT 1')\n"),
        # migrations and schema scripts: a fixed list of statements
        Valid("def f(conn):\n    for table in ('a', 'b', 'c'):\n        conn.execute(f'DROP TABLE {table}')\n"),
        # DDL: one statement per object by nature
        Valid("def f(conn, tables):\n    for table in tables:\n        conn.execute(f'DROP TABLE {table}')\n"),
        Valid("def f(conn, names, DropSequence):\n    for name in names:\n        conn.execute(DropSequence(name))\n"),
        Valid("def f(conn, names, text):\n    for name in names:\n        conn.execute(text(f'CREATE EXTENSION IF NOT EXISTS {name}'))\n"),
        # another table each time: a statement per object
        Valid("def f(connection, tables):\n    for table in tables:\n        connection.execute(table.delete())\n"),
        Valid("def f(conn, statements):\n    for statement in statements:\n        conn.execute(statement).close()\n"),
        Valid("""
            def check_params(self):
                dataset = [1, 'text', b'blob']
                for value in dataset:
                    cur = self.con.execute('select test_params(?)', (value,))
                    cur.fetchone()
        """),
        # each statement's own row count is checked (optimistic locking)
        Valid("""
            def f(connection, statement, rows):
                for params in rows:
                    result = connection.execute(statement, params)
                    if result.rowcount != 1:
                        print('stale', params)
        """),
        # dict lookups inside a package whose own names start with "redis"/"sqlalchemy"
        Valid("def f(data, keys):\n    return [data.get(k) for k in keys]\n"),
        # the result decides whether to go on
        Valid("""
            def f(Customer, emails):
                for email in emails:
                    if Customer.objects.filter(email=email).exists():
                        return email
        """),
        Valid("""
            def f(cursor, ids):
                for i in ids:
                    cursor.execute('SELECT parent FROM t WHERE id = ?', (i,))
                    if cursor.fetchone() is None:
                        raise KeyError(i)
        """),
        # each query depends on the previous one: walking a tree upwards
        Valid("""
            def f(session, Node, node_id, depth):
                for _ in range(depth):
                    node_id = session.get(Node, node_id).parent_id
        """),
        # paced on purpose
        Valid("""
            import time
            def f(cursor, batches):
                for batch in batches:
                    cursor.execute('DELETE FROM t WHERE id = ?', batch)
                    time.sleep(0.1)
        """),
        # a requests.Session is no database session (APL302)
        Valid("""
            import requests
            def f(urls):
                session = requests.Session()
                for url in urls:
                    session.get(url)
        """),
        Valid("def f(cache, keys):\n    return [cache.get(k) for k in keys]\n"),
        # tests that expect each statement to fail
        Valid("""
            def check_overflow(self):
                for value in self.values:
                    with self.assertRaises(OverflowError):
                        self.cur.execute('INSERT INTO t VALUES (?)', (value,))
        """),
        # SQLite runs in-process: a read per item is a library call, not a round trip
        Valid("""
            import sqlite3
            def f(path, ids):
                db = sqlite3.connect(path)
                return [db.execute('SELECT * FROM t WHERE id = ?', (i,)).fetchone() for i in ids]
        """),
        # SQLite writes in one transaction: committed once
        Valid("""
            import sqlite3
            def f(path, rows):
                with sqlite3.connect(path) as conn:
                    cur = conn.cursor()
                    for row in rows:
                        cur.execute('INSERT INTO t VALUES (?, ?)', row)
        """),
        # the attribute is set to None on close: still a SQLite connection while it is open
        Valid("""
            import sqlite3
            class Store:
                def __init__(self, path):
                    self.conn = sqlite3.connect(path)
                def save(self, rows):
                    for row in rows:
                        self.conn.execute('INSERT INTO t VALUES (?)', (row,))
                    self.conn.commit()
                def close(self):
                    self.conn.close()
                    self.conn = None
        """),
        # an async Django terminal runs the query (APL203): the lazy `filter(...)` before it is none
        Valid("""
            from django.db import models
            class Memory(models.Model):
                pass
            async def forget(ids):
                for memory_id in ids:
                    await Memory.objects.filter(id=memory_id).adelete()
        """),
        # awaited driver calls are APL203's
        Valid("async def f(conn, ids):\n    for i in ids:\n        await conn.execute('DELETE FROM t WHERE id = $1', i)\n"),
    )
    INVALID = (
        Invalid(
            """
            def f(session, rows):
                prepared = session.prepare("INSERT INTO t (id, v) VALUES (?, ?)")
                for row in rows:
                    session.execute(prepared, (row.id, row.v))
            """,
            line=4, column=9, message_contains="execute_concurrent_with_args",
        ),
        # an application repository's ``update_one``: advice that holds for any store
        Invalid(
            "def f(self, data):\n    for item in data:\n        self.mixins.update_one(item, item.id)\n",
            line=3, column=9, message_contains="a bulk method of the store",
        ),
        Invalid(
            "def f(cursor, rows):\n    for row in rows:\n        cursor.execute('INSERT INTO t VALUES (?, ?)', row)\n",
            line=3, column=9, message_contains="`executemany`",
        ),
        Invalid(  # SQLite: each item its own transaction, a disk sync each
            """
            import sqlite3
            def f(path, rows):
                db = sqlite3.connect(path)
                for row in rows:
                    db.execute('INSERT INTO t VALUES (?, ?)', row)
                    db.commit()
            """,
            line=5, column=9, message_contains="commits once per item of the loop: SQLite runs in-process",
        ),
        Invalid(  # a connection that commits every statement
            """
            import sqlite3
            class Log:
                def __init__(self, path):
                    self.conn = sqlite3.connect(path, isolation_level=None)
                def add(self, rows):
                    cur = self.conn.cursor()
                    for row in rows:
                        cur.execute('INSERT INTO log VALUES (?)', (row,))
            """,
            line=8, column=13, message_contains="commit once after the loop",
        ),
        Invalid(
            """
            import psycopg
            def f(dsn, ids):
                db = psycopg.connect(dsn)
                return [db.execute('SELECT * FROM t WHERE id = %s', (i,)).fetchone() for i in ids]
            """,
            line=4, column=13,
        ),
        Invalid(
            "def f(Customer, orders):\n    return [Customer.objects.get(pk=o.customer_id) for o in orders]\n",
            line=2, column=13, message_contains="`in_bulk(ids)`",
        ),
        Invalid(
            "def f(Event, rows):\n    for row in rows:\n        Event.objects.create(**row)\n",
            line=3, column=9, message_contains="`bulk_create`",
        ),
        Invalid(
            """
            def f(Order, customers):
                for customer in customers:
                    customer.total = Order.objects.filter(customer=customer).count()
            """,
            line=3, column=26, message_contains="`filter(<field>__in=values)`",
        ),
        Invalid(
            """
            def f(session, User, ids):
                users = []
                for uid in ids:
                    users.append(session.get(User, uid))
                return users
            """,
            line=4, column=22,
        ),
        Invalid(
            """
            def f(session, User, names):
                for name in names:
                    user = session.query(User).filter(User.name == name).first()
                    print(user)
            """,
            line=3, column=16,
        ),
        Invalid(
            "def f(db, ids):\n    return [db.users.find_one({'_id': i}) for i in ids]\n",
            line=2, column=13, message_contains="'$in'",
        ),
        Invalid(
            "import redis\ndef f(keys):\n    r = redis.Redis()\n    return [r.get(k) for k in keys]\n",
            line=4, column=13, message_contains="`mget`",
        ),
        # one finding per loop
        Invalid(
            """
            def f(cursor, items):
                for item in items:
                    cursor.execute('UPDATE t SET n = ? WHERE id = ?', (item.n, item.id))
                    cursor.execute('INSERT INTO log VALUES (?)', (item.id,))
            """,
            line=3, column=9,
        ),
    )
