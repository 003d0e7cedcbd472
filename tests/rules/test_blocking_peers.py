"""Everything flake8-async's ASYNC2xx and ruff's ASYNC2xx rules flag is reported by an APL1xx
rule (the cases of their eval files and rule sources, written with imports), and what they
deliberately accept is accepted here too."""

from __future__ import annotations

import pytest

from agentperf_lint.engine import Linter
from agentperf_lint.registry import select

HEADER = """\
import io, os, os.path, pathlib, subprocess, time, urllib, urllib.request, urllib3
import httpx, httpx2, requests, trio
from pathlib import Path, PosixPath
from typing import Optional
from io import TextIOWrapper, BufferedReader, BufferedWriter, BufferedRandom
from urllib.request import urlopen
from urllib import request
"""

# (statement inside ``async def f(path: Path, fh: TextIOWrapper, ...)``, code)
FLAGGED = [
    # ASYNC210 / ruff ASYNC210
    *[(f"requests.{m}('u')", "APL102") for m in ("get", "options", "head", "post", "put", "patch", "delete", "request")],
    *[(f"httpx.{m}('u')", "APL102") for m in ("get", "options", "head", "post", "put", "patch", "delete", "request")],
    *[(f"httpx2.{m}('u')", "APL102") for m in ("get", "options", "head", "post", "put", "patch", "delete", "request")],
    ("urllib3.request('GET', 'u')", "APL102"),
    ("urllib.request.urlopen('u')", "APL102"),
    ("request.urlopen('u')", "APL102"),
    ("urlopen('u')", "APL102"),
    ("print(requests.get(requests.get('u')))", "APL102"),
    # ASYNC212 / ruff ASYNC212
    *[(f"httpx.Client().{m}()", "APL111") for m in ("delete", "get", "head", "options", "patch", "post", "put", "request", "send", "stream")],
    *[(f"httpx2.Client().{m}()", "APL111") for m in ("get", "post", "send", "stream")],
    ("client.send()", "APL111"),
    *[(f"pool_{kind}.urlopen('GET', 'u')", "APL102") for kind in range(6)],
    # ASYNC220-222 / ruff ASYNC220-222
    ("subprocess.Popen(['ls'])", "APL103"),
    ("os.popen('ls')", "APL103"),
    *[(f"subprocess.{m}(['ls'])", "APL103") for m in ("run", "call", "check_call", "check_output", "getoutput", "getstatusoutput")],
    *[(f"os.{m}('ls')", "APL103") for m in ("system", "posix_spawn", "posix_spawnp")],
    *[(f"os.{m}(os.P_NOWAIT, 'ls')", "APL103") for m in ("spawnl", "spawnle", "spawnlp", "spawnlpe", "spawnv", "spawnve", "spawnvp", "spawnvpe")],
    *[(f"os.{m}()", "APL103") for m in ("wait", "wait3", "wait4", "waitid", "waitpid")],
    # ASYNC230-233 / ruff ASYNC230
    ("open('x')", "APL104"), ("io.open('x')", "APL104"), ("io.open_code('x')", "APL104"), ("os.fdopen(0)", "APL104"),
    ("fh.read()", "APL104"), ("fh.readlines()", "APL104"), ("reader.read()", "APL104"), ("writer.write(b'')", "APL104"),
    ("rw.read()", "APL104"), ("maybe.read()", "APL104"), ("optional.read()", "APL104"),
    *[(f"path.{m}()", "APL104") for m in ("open", "read_text", "read_bytes")],
    ("path.write_text('x')", "APL104"), ("path.write_bytes(b'x')", "APL104"),
    ("Path('foo').read_text()", "APL104"), ("pathlib.Path.cwd().write_text('x')", "APL104"),
    ("PosixPath('foo').touch()", "APL115"),
    # ASYNC240 (flake8-async: os.path; ruff preview: pathlib too), minus pure functions; single
    # metadata calls have their own code (APL115)
    *[(f"os.path.{m}('x')", "APL115") for m in ("islink", "lexists", "ismount", "realpath", "exists", "isdir",
                                                "isfile", "getatime", "getctime", "getmtime", "getsize")],
    ("os.path.samefile('a', 'b')", "APL115"), ("os.path.sameopenfile(1, 2)", "APL115"),
    *[(f"path.{m}()", "APL104") for m in ("glob", "iterdir", "rglob")],
    *[(f"path.{m}()", "APL115") for m in ("exists", "group", "is_block_device", "is_char_device", "is_dir",
                                          "is_fifo", "is_file", "is_mount", "is_socket", "is_symlink", "touch",
                                          "lstat", "mkdir", "owner", "readlink", "resolve", "rmdir", "stat",
                                          "unlink", "chmod", "rename", "replace", "samefile", "symlink_to",
                                          "hardlink_to")],
    # ASYNC250, ASYNC251
    ("input()", "APL106"),
    ("time.sleep(1)", "APL101"),
]

ACCEPTED = [
    "requests.get", "requests.foo()", "httpx.foo()", "{}.get('x')", "client.build_request()",
    "subprocess.anything()", "os.spawn()", "os.waitpi()", "await open('x')",
    "await trio.wrap_file(open('x'))", "await trio.wrap_file(os.fdopen(0))", "path.with_suffix('.txt')",
    "os.path.join('a', 'b')", "httpx.Client().close()", "os.path.normpath('a')", "os.path.basename('a')", "time.monotonic()",
]

SIGNATURE = (
    "async def f(path: Path, fh: io.TextIOWrapper, reader: BufferedReader, writer: BufferedWriter,\n"
    "            rw: BufferedRandom, maybe: TextIOWrapper | None, optional: Optional[TextIOWrapper],\n"
    "            client: Optional[httpx.Client], pool_0: urllib3.PoolManager, pool_1: urllib3.ProxyManager,\n"
    "            pool_2: urllib3.HTTPConnectionPool, pool_3: urllib3.HTTPSConnectionPool,\n"
    "            pool_4: urllib3.connectionpool.ConnectionPool, pool_5: urllib3.request.RequestMethods):\n"
)
LINTER = Linter(select(["APL1"]))


def _codes(statement: str) -> list[str]:
    source = HEADER + SIGNATURE + f"    {statement}\n"
    result = LINTER.lint("peer.py", source.encode()).result
    assert result.errors == []
    return [finding.code for finding in result.findings]


@pytest.mark.parametrize(("statement", "code"), FLAGGED, ids=[case[0] for case in FLAGGED])
def test_what_the_peers_flag_is_reported(statement: str, code: str) -> None:
    assert code in _codes(statement)


@pytest.mark.parametrize("statement", ACCEPTED)
def test_what_the_peers_accept_is_accepted(statement: str) -> None:
    assert _codes(statement) == []
