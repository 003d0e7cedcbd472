"""APL106: ``input()`` and ``sys.stdin`` reads inside ``async def``."""

from __future__ import annotations

from ..rule import Invalid, Valid
from ._blocking import BlockingCallRule


class BlockingInput(BlockingCallRule):
    """## What it does
    Reports `input()`, `getpass.getpass()` and `sys.stdin.read()`/`readline()`/`readlines()`
    (also on `sys.stdin.buffer`) inside an `async def` body.

    Cost class (named in every message, counted by `--statistics`): a wait for terminal input.

    ## Why is this bad?
    Waiting for a human blocks the event loop until they press Enter: an interactive agent
    loop that asks for confirmation freezes its own background tasks (streaming, heartbeats,
    other agents) for as long as the user thinks.

    ## Example
    ```python
    async def confirm(action):
        return input(f"run {action}? [y/N] ") == "y"
    ```

    ## Use instead
    ```python
    import asyncio

    async def confirm(action):
        answer = await asyncio.to_thread(input, f"run {action}? [y/N] ")
        return answer == "y"
    ```

    ## Fix safety
    Where the call is a whole statement or the right-hand side of an assignment, the fix reads
    in a worker thread (`await asyncio.to_thread(input, prompt)`). It is unsafe: a cancelled
    task cannot interrupt the thread, which keeps waiting for a line.

    ## Options
    - `check-tests` (in `[tool.agentperf-lint.blocking]`, shared by the APL1xx rules, default
      false): also report blocking calls in test code, which is skipped by default.
    """

    code = "APL106"
    name = "blocking-input"

    VALID = (
        # a script that starts its own loop at its top level: a person at the terminal runs it
        Valid("import asyncio\n\nasync def main(agent):\n    await agent.run()\n    input('Press Enter to exit')\n\n"
              "asyncio.run(main(object()))\n"),
        Valid("def f():\n    return input('> ')\n"),
        Valid("import asyncio\nasync def f():\n    return await asyncio.to_thread(input, '> ')\n"),
        Valid("async def f():\n    return await ask(lambda: input('> '))\n"),
        Valid("async def f(input):\n    return input('> ')\n"),
        Valid("import sys\nasync def f():\n    return sys.stdin.isatty()\n"),
        Valid("import sys\nasync def f(reader):\n    return await reader.readline()\n"),
    )
    INVALID = (
        Invalid("async def f():\n    answer = input('> ')\n", line=2, column=14, message_contains="asyncio.to_thread",
                fixed="import asyncio\n\nasync def f():\n    answer = await asyncio.to_thread(input, '> ')\n"),
        Invalid("async def f():\n    return input('> ') == 'y'\n", line=2, column=12),
        Invalid("import sys\n\nasync def f():\n    return sys.stdin.readline()\n", line=4, column=12),
        Invalid("import sys\n\nasync def f():\n    data = sys.stdin.read()\n", line=4, column=12,
                fixed="import sys\nimport asyncio\n\nasync def f():\n    data = await asyncio.to_thread(sys.stdin.read)\n"),
        Invalid("import sys\n\nasync def f():\n    return sys.stdin.buffer.read()\n", line=4, column=12),
        Invalid("import sys\n\nasync def f():\n    return sys.stdin.readlines()\n", line=4, column=12),
        Invalid("import getpass\n\nasync def f():\n    return getpass.getpass()\n", line=4, column=12),
        Invalid("import trio\n\nasync def f():\n    answer = input('> ')\n", line=4, column=14,
                fixed="import trio\n\nasync def f():\n    answer = await trio.to_thread.run_sync(input, '> ')\n"),
    )
