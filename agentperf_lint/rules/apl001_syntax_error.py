"""APL001: the file cannot be decoded or parsed."""

from __future__ import annotations

from ..rule import Invalid, Rule, Valid


class SyntaxErrorRule(Rule):
    """## What it does
    Reports a file that cannot be decoded or parsed, at the position the parser stopped.

    ## Why is this bad?
    A file the linter cannot parse is a file it cannot check: every other rule is silently
    skipped for it. Reporting it as a finding (as ruff and flake8 do) keeps one broken file from
    ending the run while making sure it is not overlooked.

    ## Example
    ```python
    async def fetch(:
        ...
    ```

    ## Use instead
    ```python
    async def fetch():
        ...
    ```

    ## Fix safety
    There is no fix: only a person knows what the code was meant to say.

    ## Options
    None. Ignore it like any other code (`ignore = ["APL001"]`) to skip unparsable files quietly.
    """

    code = "APL001"
    name = "syntax-error"
    message = "cannot parse file: {detail}"

    VALID = (Valid("async def fetch():\n    return 1\n"),)
    INVALID = (
        Invalid("async def fetch(:\n    return 1\n", line=1, column=17),
        Invalid("x = 1\nif x\n    pass\n", line=2, column=5),
    )
