"""The first word of a SQL statement written in the code: which kind of statement a call runs.

Shared by the rules that treat statements differently by kind: schema statements (``CREATE``,
``DROP``) cannot be merged into one, and on SQLite only writes (``INSERT``, ``UPDATE``) commit.
"""

from __future__ import annotations

import libcst as cst


def statement_keyword(statement: cst.BaseExpression | None) -> str:
    """``"insert"`` for ``"INSERT INTO t ..."``, ``f"DELETE FROM {table} ..."`` or an implicitly
    concatenated literal; ``""`` when the statement is not spelled out (a variable, a builder)."""
    if isinstance(statement, cst.ConcatenatedString):
        statement = statement.left
    text = ""
    if isinstance(statement, cst.SimpleString):
        text = statement.raw_value
    elif isinstance(statement, cst.FormattedString) and statement.parts and isinstance(
            statement.parts[0], cst.FormattedStringText):
        text = statement.parts[0].value
    words = text.split()
    return words[0].lower() if words else ""
