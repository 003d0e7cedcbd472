"""Per-row statements on an in-process SQLite database (``sqlite3``) inside one transaction.

SQLite runs in the calling process: a statement is a function call, not a round trip, and the
SQLite authors say so themselves ("Many Small Queries Are Efficient In SQLite",
https://www.sqlite.org/np1queryprob.html). A loop of ``cursor.execute(...)`` over a
``sqlite3`` connection, committed once after the loop, costs about what ``executemany`` would;
maintainers call rewriting it tidier but not faster. What is slow on SQLite is a commit per row
(each one waits for the disk), so a loop whose body commits is still reported. Only writes
(``INSERT``/``UPDATE``/``DELETE``/``REPLACE`` written out as a string) are left alone: a read
per item still loads and filters the table once per item, which one ``IN (...)`` query avoids.
"""

from __future__ import annotations

import libcst as cst

from ..context import FileContext
from ..walker import iter_tree

_COMMITS = frozenset({"commit", "executescript"})  # ``executescript`` commits first
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def in_process_statement(ctx: FileContext, call: cst.Call, loop: cst.CSTNode) -> bool:
    """``call`` writes through a ``sqlite3`` connection or cursor and ``loop``'s body commits
    nothing."""
    if not isinstance(call.func, cst.Attribute) or not _writes(call):
        return False
    owner = ctx.value_type(call.func.value) or ""
    if not owner.startswith("sqlite3."):
        return False
    return not any(
        isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value in _COMMITS
        for node in iter_tree(loop))


def _writes(call: cst.Call) -> bool:
    statement = call.args[0].value if call.args else None
    if not isinstance(statement, (cst.SimpleString, cst.ConcatenatedString)):
        return False
    text = statement.evaluated_value
    return isinstance(text, str) and text.lstrip().upper().startswith(_WRITES)
