"""APL202: one synchronous database query per item of a loop (N+1)."""

from __future__ import annotations

import libcst as cst

from ..rule import FixAvailability, Invalid, Valid
from ._loops import PerItemCallRule, call_name

_HINTS = {
    "sql": "use `executemany` for writes, or one query with `IN (...)` / `= ANY(...)` for reads",
    "orm": "",
    "mongo": "use one `find({'_id': {'$in': ids}})`, `insert_many` or `bulk_write`",
    "redis": "use `mget`/`mset` or a pipeline",
}
_DJANGO_HINTS = {
    "get": "load them at once with `in_bulk(ids)` or `filter(pk__in=ids)`",
    "filter": "query once with `filter(<field>__in=values)` and group the rows in Python",
    "exclude": "query once with `filter(<field>__in=values)` and group the rows in Python",
    "count": "count once with `values(<field>).annotate(Count('pk'))`",
    "exists": "query once with `filter(<field>__in=values)` and test membership in Python",
    "create": "insert them together with `bulk_create`",
    "get_or_create": "fetch the existing rows with `filter(<field>__in=values)` and `bulk_create` the rest",
    "update_or_create": "use `bulk_update` / `bulk_create(update_conflicts=True)`",
}


class QueryPerItem(PerItemCallRule):
    """## What it does
    Reports a synchronous database call made once per item of a `for` loop or comprehension
    whose iterations are independent: DB-API `cursor.execute`/`connection.execute`, Django
    `Model.objects.get/filter/create/...`, SQLAlchemy `session.get/execute/scalars/query`,
    pymongo `find_one`/`insert_one`/`update_one`, and redis `get`/`set`/`hget`....

    Loops that stop early, pace themselves, or feed one query's result into the next item's
    query are left alone, as in APL201.

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
    triggers = ("execute", "objects.", "session", "find_one", "_one(", "redis", "query(", "scalar")
    kinds = frozenset({"sql", "orm", "mongo", "redis"})
    awaited = False
    plain = True

    def describe(self, call: cst.Call, kind: str | None) -> str:
        hint = _DJANGO_HINTS.get(call_name(call), "") if kind == "orm" else _HINTS.get(kind or "", "")
        return f"`{self.callee(call)}(...)` runs one query per item of the loop; {hint}"

    VALID = ()
    INVALID = ()
