"""Django ORM queries in loops: which calls query, and the advice that fits Django.

Django's manager and queryset methods build queries lazily (``filter``, ``exclude``,
``order_by``) and run them in a terminal method: sync (``get``, ``count``, ``delete``...) or,
since Django 4.1, async (``aget``, ``acount``, ``adelete``...). Two facts shape the N+1 rules:

* the async methods are ``sync_to_async(..., thread_sensitive=True)`` wrappers: every one of
  them runs in the same single thread, one after another, so ``asyncio.gather`` over a loop of
  ``await Model.objects.aget(...)`` changes nothing. The fix is the batched query
  (``filter(pk__in=ids)``, ``in_bulk``, ``bulk_create``), so these loops are APL203's (a round
  trip per item, batch them), never APL201's gather advice;
* in ``await Model.objects.filter(...).adelete()`` the query runs in ``adelete``: the sync
  ``filter(...)`` before it is no query of its own (one problem, one finding).
"""

from __future__ import annotations

import libcst as cst

# Django's async queryset and model methods (4.1+) -> the sync method whose advice fits them
ASYNC_TERMINALS = {
    "aget": "get", "afirst": "get", "alast": "get", "aearliest": "get", "alatest": "get",
    "ain_bulk": "get", "acount": "count", "aexists": "exists", "acontains": "exists",
    "acreate": "create", "abulk_create": "create", "aget_or_create": "get_or_create",
    "aupdate_or_create": "update_or_create", "adelete": "delete", "aupdate": "update",
    "abulk_update": "update_or_create", "aaggregate": "count",
}

# batch advice per sync manager method (APL202)
HINTS = {
    "get": "load them at once with `in_bulk(ids)` or `filter(pk__in=ids)`",
    "filter": "query once with `filter(<field>__in=values)` and group the rows in Python",
    "exclude": "query once with `filter(<field>__in=values)` and group the rows in Python",
    "count": "count once with `values(<field>).annotate(Count('pk'))`",
    "exists": "query once with `filter(<field>__in=values)` and test membership in Python",
    "create": "insert them together with `bulk_create`",
    "get_or_create": "fetch the existing rows with `filter(<field>__in=values)` and `bulk_create` the rest",
    "update_or_create": "use `bulk_update` / `bulk_create(update_conflicts=True)`",
}
# the advice for the awaited methods (APL203), in the async spelling
ASYNC_HINTS = {
    "get": "load them at once with `await ...ain_bulk(ids)` or `async for` over `filter(pk__in=ids)`",
    "count": "count once with `values(<field>).annotate(Count('pk'))`",
    "exists": "query once with `filter(<field>__in=values)` and test membership in Python",
    "create": "insert them together with `await ...abulk_create(rows)`",
    "get_or_create": "fetch the existing rows with `filter(<field>__in=values)` and `abulk_create` the rest",
    "update_or_create": "use `abulk_update` / `abulk_create(update_conflicts=True)`",
    "delete": "delete them in one query with `await ...filter(<field>__in=values).adelete()`",
    "update": "update them in one query with `await ...filter(<field>__in=values).aupdate(...)`",
}
# said of the awaited methods: why the batch, not gather, is the fix
ASYNC_NOTE = "(Django runs its async ORM calls one at a time in one thread, so `asyncio.gather` would not overlap them)"


def on_a_manager(expr: cst.BaseExpression) -> bool:
    """``Model.objects...`` or ``instance.<related>_set...``: a chain of calls and attributes
    that starts at a Django manager (``.objects`` or a reverse relation's ``_set``)."""
    while True:
        if isinstance(expr, cst.Call):
            expr = expr.func
        elif isinstance(expr, cst.Attribute):
            if expr.attr.value == "objects" or expr.attr.value.endswith("_set"):
                return True
            expr = expr.value
        else:
            return False


def is_async_query(call: cst.Call) -> bool:
    """``Model.objects.aget(...)``, ``Model.objects.filter(...).adelete()``."""
    func = call.func
    return isinstance(func, cst.Attribute) and func.attr.value in ASYNC_TERMINALS and on_a_manager(func.value)


def consumed_by_async_query(parent: cst.CSTNode | None) -> bool:
    """The visited call's value is the receiver of an async terminal (``.adelete()``): the query
    runs there, awaited."""
    return isinstance(parent, cst.Attribute) and parent.attr.value in ASYNC_TERMINALS

