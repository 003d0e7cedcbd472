"""Every unsafe fix of the blocking family (APL1xx), executed.

A fix that parses can still fail at run time: ``asyncio.to_thread(conn.execute, ...)`` on a
``sqlite3`` connection raises ``ProgrammingError`` in the worker thread. Each test applies the fix
(``--fix --unsafe-fixes``) to a small runnable module, runs the fixed module with asyncio (a fake
``requests`` module stands in for the network; files live in a temporary directory) and asserts
it works, or that the fix is refused where it would raise. The fix kinds, from
``rules/_blocking.py``: ``thread`` (``to_thread_fix``, unsafe) on module functions, methods, file
handles and constructors; ``sqlite_thread`` (the same, only with ``check_same_thread=False``);
``await`` (``await_argument_fix``, unsafe); ``sleep`` (safe); and APL114's ``to_thread_fix`` on
a helper call.
"""

from __future__ import annotations

import asyncio
import sqlite3
import sys
import textwrap
import types
from pathlib import Path
from typing import Any

import pytest

from agentperf_lint.engine import Linter
from agentperf_lint.fixer import fix_source
from agentperf_lint.registry import select


def _fix(source: str, codes: list[str]) -> tuple[str, str]:
    source = textwrap.dedent(source).lstrip("\n")
    result = fix_source(Linter(select(codes)), "mod.py", source.encode(), unsafe=True)
    assert result.error is None
    return source, result.source.decode()


def _run(fixed: str, *args: Any) -> Any:
    namespace: dict[str, Any] = {"__name__": "fixed_module"}
    exec(compile(fixed, "fixed_module.py", "exec"), namespace)  # noqa: S102  (our own test module)
    return asyncio.run(namespace["main"](*args))


@pytest.fixture
def fake_requests(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """``requests`` without a network: ``get`` records the URL and answers with its length."""
    calls: list[str] = []
    module = types.ModuleType("requests")

    def get(url: str, timeout: float | None = None) -> types.SimpleNamespace:
        calls.append(url)
        return types.SimpleNamespace(text=f"page:{url}", status_code=200)

    module.get = get  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "requests", module)
    return calls


def test_thread_fix_on_a_module_function(fake_requests: list[str]) -> None:
    source, fixed = _fix("""
        import requests

        async def main(url):
            response = requests.get(url, timeout=5)
            return response.text
    """, ["APL102"])
    assert "await asyncio.to_thread(requests.get, url, timeout=5)" in fixed
    assert _run(fixed, "http://a") == "page:http://a"
    assert fake_requests == ["http://a"]


def test_thread_fix_on_open_and_on_a_handle(tmp_path: Path) -> None:
    source, fixed = _fix("""
        async def main(path):
            fh = open(path, "w")
            fh.write("hello")
            fh.close()
            return path
    """, ["APL104"])
    assert "fh = await asyncio.to_thread(open, path, \"w\")" in fixed
    target = tmp_path / "out.txt"
    assert _run(fixed, str(target)) == str(target)
    assert target.read_text() == "hello"
    # fixing again reaches the handle's calls, one at a time, and the module still runs
    again = fix_source(Linter(select(["APL104"])), "mod.py", fixed.encode(), unsafe=True).source.decode()
    _run(again, str(tmp_path / "again.txt"))
    assert (tmp_path / "again.txt").read_text() == "hello"


def test_thread_fix_on_metadata_and_tree_calls(tmp_path: Path) -> None:
    source, fixed = _fix("""
        import os
        import shutil

        async def main(root):
            os.makedirs(os.path.join(root, "a", "b"), exist_ok=True)
            shutil.rmtree(os.path.join(root, "a"))
            names = os.listdir(root)
            return names
    """, ["APL104", "APL115"])
    assert "await asyncio.to_thread(shutil.rmtree" in fixed and "await asyncio.to_thread(os.listdir, root)" in fixed
    # the metadata call rode with the costlier calls' findings; once they are fixed, it is next
    assert "await asyncio.to_thread(os.makedirs" in fixed
    assert _run(fixed, str(tmp_path)) == []
    _, alone = _fix("""
        import os

        async def main(root):
            os.makedirs(os.path.join(root, "c"), exist_ok=True)
            return root
    """, ["APL115"])
    assert _run(alone, str(tmp_path)) == str(tmp_path) and (tmp_path / "c").is_dir()


def test_thread_fix_on_a_subprocess() -> None:
    source, fixed = _fix(f"""
        import subprocess

        async def main():
            done = subprocess.run([{sys.executable!r}, "-c", "print(42)"], capture_output=True, text=True)
            return done.stdout.strip()
    """, ["APL103"])
    assert "await asyncio.to_thread(subprocess.run" in fixed
    assert _run(fixed) == "42"


def test_thread_fix_on_a_bounded_queue_and_an_event() -> None:
    source, fixed = _fix("""
        import queue
        import threading

        JOBS = queue.Queue(maxsize=1)
        READY = threading.Event()

        async def main(job):
            READY.set()
            READY.wait()
            JOBS.put(job)
            item = JOBS.get()
            return item
    """, ["APL109"])
    assert fixed.count("await asyncio.to_thread(") == 3
    assert _run(fixed, "job-1") == "job-1"


def test_sqlite_fix_only_where_the_connection_may_change_threads(tmp_path: Path) -> None:
    shared, fixed = _fix("""
        import sqlite3

        async def main(path):
            conn = sqlite3.connect(path, check_same_thread=False)
            conn.execute("create table t (x)")
            return path
    """, ["APL107"])
    assert "conn = await asyncio.to_thread(sqlite3.connect, path, check_same_thread=False)" in fixed
    _run(fixed, str(tmp_path / "a.db"))
    again = fix_source(Linter(select(["APL107"])), "mod.py", fixed.encode(), unsafe=True).source.decode()
    assert _run(again, str(tmp_path / "b.db")) == str(tmp_path / "b.db")

    bound, refused = _fix("""
        import sqlite3

        DB = sqlite3.connect(":memory:")

        async def main(path):
            conn = sqlite3.connect(path)
            conn.execute("create table t (x)")
            return path
    """, ["APL107"])
    assert refused == bound, "a sqlite3 connection bound to its thread must not be moved to another"


def test_the_refused_sqlite_fix_would_raise(tmp_path: Path) -> None:
    """Why the fix above is refused: the same call moved to a worker thread raises."""
    conn = sqlite3.connect(str(tmp_path / "c.db"))

    async def moved() -> None:
        await asyncio.to_thread(conn.execute, "create table t (x)")

    with pytest.raises(sqlite3.ProgrammingError):
        asyncio.run(moved())


def test_await_fix_on_a_nested_event_loop() -> None:
    source, fixed = _fix("""
        import asyncio

        async def answer():
            return 42

        async def main():
            value = asyncio.run(answer())
            return value
    """, ["APL110"])
    assert "value = await answer()" in fixed
    assert _run(fixed) == 42


def test_sleep_fix() -> None:
    source, fixed = _fix("""
        import time

        async def main():
            time.sleep(0.001)
            return "slept"
    """, ["APL101"])
    assert "await asyncio.sleep(0.001)" in fixed
    assert _run(fixed) == "slept"


def test_thread_fix_on_a_blocking_helper_chain(fake_requests: list[str]) -> None:
    source, fixed = _fix("""
        import requests

        def load(url):
            return requests.get(url).text

        async def main(url):
            page = load(url)
            return page
    """, ["APL114"])
    assert "page = await asyncio.to_thread(load, url)" in fixed
    assert _run(fixed, "http://b") == "page:http://b"
