"""SQLite runs in the application's own process: a query per item is no round trip.

The N+1 rules (APL202, APL203) count round trips: each query to a database server waits for
the network and the server's parse and plan, so a hundred of them cost a hundred waits.
SQLite has no server. A query is a function call into a library that reads pages from the
operating system's cache, so "many small queries are efficient in SQLite" (the SQLite
documentation's own page on the N+1 problem, sqlite.org/np1queryprob.html). Reading one row
per item of a loop costs microseconds each; reporting it sends a team to rewrite code that is
fine.

What does cost, in SQLite, is a commit: each transaction waits for its journal to reach the
disk (the SQLite FAQ: "a few dozen transactions per second" on a spinning disk, where tens of
thousands of inserts fit in one). A loop that writes one row per item therefore matters only
when every item is its own transaction:

* the loop body commits (``conn.commit()`` per item, or a ``with conn:`` block per item), or
* the connection commits every statement itself (``isolation_level=None`` or
  ``autocommit=True`` at ``sqlite3.connect``), and the statement writes.

Those loops are reported, with the commit named as the cost; SQLite's reads, and writes that
share one transaction, are not.
"""

from __future__ import annotations

import libcst as cst

from ..context import FileContext
from ..walker import iter_tree
from ._sql_text import statement_keyword

# value types of SQLite connections and cursors (:meth:`FileContext.value_type`)
_SQLITE = ("sqlite3.", "aiosqlite.")
_WRITES = frozenset({"insert", "update", "delete", "replace", "upsert"})

# what APL202/APL203 say of a SQLite loop they report (the statement is named before it)
SQLITE_COMMITS = (
    "commits once per item of the loop: SQLite runs in-process, so the statements are cheap, but each "
    "commit waits for the journal to reach the disk; commit once after the loop (or write the rows "
    "with `executemany` in one transaction)")


def is_sqlite(ctx: FileContext, call: cst.Call) -> bool:
    """``call`` is a method of a SQLite connection or cursor made by ``sqlite3.connect`` or
    ``aiosqlite.connect`` (directly, through ``cursor()``, or an attribute set to one)."""
    if not isinstance(call.func, cst.Attribute):
        return False
    owner = ctx.value_type(call.func.value) or ""
    return owner.startswith(_SQLITE)


def costs_a_commit_per_item(ctx: FileContext, call: cst.Call, loop_body: cst.CSTNode) -> bool:
    """Each iteration of the loop around ``call`` (a SQLite statement) ends a transaction: the
    body commits, opens ``with conn:`` (which commits on exit), or the statement writes on a
    connection that commits every statement."""
    for node in iter_tree(loop_body):
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "commit":
            return True
        if isinstance(node, cst.WithItem) and isinstance(node.item, (cst.Name, cst.Attribute)) and \
                (ctx.value_type(node.item) or "").startswith(_SQLITE):
            return True
    return _writes(call) and _commits_every_statement(ctx)


def _writes(call: cst.Call) -> bool:
    """The statement's first word is a write (``INSERT``, ``UPDATE``, ``DELETE``...)."""
    return statement_keyword(call.args[0].value if call.args else None) in _WRITES


def _commits_every_statement(ctx: FileContext) -> bool:
    """A ``sqlite3.connect``/``aiosqlite.connect`` of this module turns implicit transactions
    off (``isolation_level=None``, or ``autocommit=True`` on Python 3.12+)."""
    def answer() -> bool:
        for node in iter_tree(ctx.module):
            if isinstance(node, cst.Call) and (ctx.call_target(node) or "") in ("sqlite3.connect", "aiosqlite.connect"):
                for arg in node.args:
                    keyword = arg.keyword.value if arg.keyword else ""
                    value = arg.value
                    if keyword == "isolation_level" and isinstance(value, cst.Name) and value.value == "None":
                        return True
                    if keyword == "autocommit" and isinstance(value, cst.Name) and value.value == "True":
                        return True
        return False
    return ctx.file_answer("sqlite commits every statement", answer)
