"""A script's entry coroutine before its first suspension point (rules/_entry.py): nothing else
runs on the loop yet, so blocking calls there are not reported; after it they are.

A program that runs nothing at once is a run-once program, silent altogether (see the tests at
the end); the programs of the first tests also fan tasks out (:data:`FANS_OUT`), so only their
entry's start-up is."""

from __future__ import annotations

import textwrap

from agentperf_lint.engine import Linter
from agentperf_lint.registry import select


# appended to a program: it runs tasks at once, so it is not a run-once script
FANS_OUT = "\n\nasync def _fan_out(jobs):\n    await asyncio.gather(*jobs)\n"


def findings_fanning_out(source: str) -> list[tuple[int, int, str]]:
    return findings(textwrap.dedent(source).lstrip("\n") + FANS_OUT)


def findings(source: str) -> list[tuple[int, int, str]]:
    outcome = Linter(select(["APL1"]), {"blocking": {"report-file-chains": True}}).lint("run_agent.py", textwrap.dedent(source).lstrip("\n").encode())
    assert outcome.result.errors == []
    return sorted((f.line, f.column, f.code) for f in outcome.result.findings)


def test_start_up_before_the_first_await_is_silent_and_the_rest_is_reported() -> None:
    source = """
        import asyncio
        import json
        import time


        def load_config(path):
            with open(path) as f:
                return json.load(f)


        async def main():
            config = load_config("agent.json")
            time.sleep(1)
            await asyncio.sleep(0)
            time.sleep(1)
            load_config("again.json")


        asyncio.run(main())
    """
    assert findings_fanning_out(source) == [(15, 5, "APL101"), (16, 5, "APL114")]


def test_a_loop_that_awaits_runs_its_body_again_after_an_await() -> None:
    source = """
        import asyncio
        import time

        async def main(jobs):
            for job in jobs:
                time.sleep(1)
                await job()

        asyncio.run(main([]))
    """
    assert findings_fanning_out(source) == [(6, 9, "APL101")]


def test_a_coroutine_nobody_runs_as_the_entry_is_reported_from_its_first_line() -> None:
    source = """
        import asyncio
        import time

        async def handler():
            time.sleep(1)

        async def main():
            time.sleep(1)

        def start():
            asyncio.run(handler())  # runs when start() is called: maybe inside a running service

        asyncio.run(main())
    """
    assert findings_fanning_out(source) == [(5, 5, "APL101")]


def test_async_with_and_async_for_are_suspension_points() -> None:
    source = """
        import asyncio
        import time

        async def main(client, stream):
            async with client:
                time.sleep(1)
            async for item in stream:
                pass
            time.sleep(1)

        asyncio.run(main(None, None))
    """
    assert findings_fanning_out(source) == [(6, 9, "APL101"), (9, 5, "APL101")]


AGENT = """
    import asyncio
    import time

    class Agent:
        def __init__(self):
            time.sleep(1)

        async def run(self):
            pass
"""


def test_the_operand_of_the_first_await_is_evaluated_before_it_suspends() -> None:
    source = AGENT + """
    async def main():
        await Agent().run()
        await Agent().run()

    asyncio.run(main())
    """
    assert findings_fanning_out(source) == [(13, 11, "APL114")]


def test_a_coroutine_the_entry_awaits_first_starts_alone_too() -> None:
    source = AGENT + """
    async def demo():
        Agent()
        await asyncio.sleep(0)

    async def second():
        Agent()

    async def main():
        await demo()
        await second()

    asyncio.run(main())
    """
    assert findings_fanning_out(source) == [(16, 5, "APL114")]


def test_a_script_a_command_line_tool_and_a_migration_run_once_and_are_not_reported() -> None:
    body = """
        import time

        async def step():
            time.sleep(1)
    """
    script = body + """
        if __name__ == "__main__":
            import asyncio
            asyncio.run(step())
    """
    cli = "import argparse\n" + textwrap.dedent(body).lstrip("\n")
    assert findings(script) == []
    assert findings(cli) == []
    assert findings(body) == [(4, 5, "APL101")]
    outcome = Linter(select(["APL1"]), {"blocking": {"report-file-chains": True}}).lint("app/migrations/0007_backfill.py", textwrap.dedent(body).lstrip("\n").encode())
    assert outcome.result.findings == []


def test_a_module_that_runs_itself_to_serve_is_a_service() -> None:
    source = """
        import time
        from aiohttp import web

        async def handler(request):
            time.sleep(1)

        if __name__ == "__main__":
            web.run_app(web.Application())
    """
    assert findings(source) == [(5, 5, "APL101")]


def test_a_script_that_runs_tasks_at_once_stalls_its_own_tasks() -> None:
    source = """
        import asyncio
        import time

        async def worker(n):
            time.sleep(1)
            await asyncio.sleep(n)

        async def main():
            await asyncio.gather(worker(1), worker(2))

        if __name__ == "__main__":
            asyncio.run(main())
    """
    assert findings(source) == [(5, 5, "APL101")]


def test_a_coroutine_looping_forever_makes_a_long_running_program_but_a_sync_paging_loop_does_not() -> None:
    pages = """
        import time

        def keys(client):
            cursor = 0
            while True:
                cursor, found = client.scan(cursor)
                yield from found
                if cursor == 0:
                    break

        async def migrate(client):
            await client.connect()
            time.sleep(1)
            return list(keys(client))
    """
    forever = pages + """
        async def poll():
            while True:
                time.sleep(1)
    """
    main = """
        if __name__ == "__main__":
            import asyncio
            asyncio.run(migrate(None))
    """
    assert findings(pages + main) == []  # a one-shot script: the sync loop pages through results and ends
    assert findings(forever + main) == [(13, 5, "APL101"), (18, 9, "APL101")]


def test_a_coroutine_a_sync_function_defines_and_runs_itself_starts_alone() -> None:
    source = """
        import asyncio
        import json


        def load_prompt(path):
            with open(path) as f:
                return json.load(f)


        def search(query):
            async def run():
                async for chunk in stream(load_prompt("p.json"), query):
                    print(chunk)
                load_prompt("again.json")

            return asyncio.run(run())


        def schedule(loop):
            async def later():
                load_prompt("p.json")

            loop.create_task(later())
    """
    assert findings(source) == [(14, 9, "APL114"), (21, 9, "APL114")]
