"""APL115: one file-system metadata call inside ``async def``."""

from __future__ import annotations

import libcst as cst

from ..rule import Invalid, Valid
from ._blocking import BlockingCallRule
from ._chains import blocking_chain
from ._costs import Cost


class BlockingMetadataCall(BlockingCallRule):
    """## What it does
    Reports a single file-system metadata call inside an `async def` body: `Path.exists()`,
    `is_dir()`, `stat()`, `mkdir()`, `unlink()`, `resolve()`, `rename()`; `os.path.exists`,
    `isfile`, `getsize`, `realpath`; `os.stat`, `os.remove`, `os.makedirs`; `shutil.which`,
    `shutil.disk_usage`; `tempfile.mkdtemp`/`mkstemp`.

    It is a separate code from the file family (APL104) because it is a separate decision: one
    system call on a warm cache costs microseconds, and many teams accept it; a web server that
    checks a file on every request, or a supervisor that must never stall, does not. It is opt-in
    (`extend-select = ["APL115"]`): read by eye on application code, single metadata calls
    were almost never worth a change to their maintainers.

    A file opened only to read a header (every read on the handle is `read(n)` with a literal
    `n` of at most 64 KiB: `fh.read(8)` to sniff a format) costs an open and one small read,
    about what a metadata call costs: it is reported here, not as APL104's file content I/O.

    A metadata call inside a loop over directory entries (`for p in d.iterdir(): p.stat()`)
    is a tree walk, and is reported as APL104. A metadata call in a coroutine that also makes
    a costlier blocking call (a request, a subprocess, a file read) is not reported on its own:
    the costlier call's finding names it, since moving that section to a worker thread takes
    both along. Several metadata calls in one coroutine are one finding, at the first.

    A call to a sync helper of the project whose costliest blocking call is a metadata call
    (`ensure_dir() -> pathlib.Path.mkdir()`) is reported here too, with its chain; a helper
    that also reads, writes, queries or requests is APL114's.

    Cost class (named in every message, counted by `--statistics`): one file-system metadata call.

    ## Why is this bad?
    A metadata call waits for the file system: microseconds on a local disk with a warm cache,
    but milliseconds to seconds on a network file system, a container overlay, a cold cache or
    a busy disk, and every other task of the event loop waits meanwhile.

    ## Example
    ```python
    from pathlib import Path

    async def serve_avatar(user_id: str):
        path = Path("avatars") / f"{user_id}.png"
        if not path.exists():
            return None
        return path
    ```

    ## Use instead
    ```python
    import anyio

    async def serve_avatar(user_id: str):
        path = anyio.Path("avatars") / f"{user_id}.png"
        if not await path.exists():
            return None
        return path
    ```
    (or `await asyncio.to_thread(path.exists)`).

    ## Fix safety
    Where the call is a whole statement or the right-hand side of an assignment, the fix runs
    it in a worker thread (`await asyncio.to_thread(path.mkdir, exist_ok=True)`). It is unsafe:
    the call now runs in another thread.

    ## Options
    - `check-tests` (in `[tool.agentperf-lint.blocking]`, shared by the APL1xx rules, default
      false): also report blocking calls in test code, which is skipped by default.

    ## Known problems
    A metadata call folded into a costlier call's finding is not reported when that call's
    code is ignored. Pure path functions (`os.path.join`, `Path.with_suffix`, `Path.name`) do no I/O and are
    never reported; nor are methods on values of unknown type.
    """

    code = "APL115"
    name = "blocking-metadata-call"
    # opt-in: read by eye on 21 application repositories, 0 of 6 sampled findings were worth a
    # change to their maintainers (bench/precision/sample2_c6b561d.md)
    default_enabled = False

    def visit_Call(self, node: cst.Call) -> None:
        super().visit_Call(node)
        chain = blocking_chain(self, self.ctx, node)
        if chain is not None and chain.cost == Cost.METADATA:
            self.report(node, message=chain.message(), fix=chain.fix)

    VALID = (
        Valid("import os\ndef f(p):\n    return os.path.exists(p)\n"),
        Valid("import anyio\nasync def f(p):\n    return await anyio.Path(p).exists()\n"),
        Valid("import asyncio, os\nasync def f(p):\n    return await asyncio.to_thread(os.path.exists, p)\n"),
        Valid("import os\nasync def f(a, b):\n    return os.path.join(a, b), os.path.basename(a)\n"),
        Valid("import os, subprocess\nasync def build(venv):\n    if not os.path.exists(venv):\n        subprocess.run(['python', '-m', 'venv', venv])\n"),
        Valid("import os\nasync def f(d):\n    for name in sorted(os.listdir(d)):\n        os.stat(name)\n"),
        Valid("import os\nasync def f(d):\n    return [os.path.isdir(os.path.join(d, n)) for n in os.listdir(d)]\n"),
    )
    INVALID = (
        Invalid("from pathlib import Path\n\nasync def f(p: Path | None):\n    return p.exists()\n", line=4, column=12,
                message_contains="one file-system metadata call"),
        Invalid("from pathlib import Path\n\nasync def f(p: Path):\n    (p / 'out').mkdir(parents=True)\n", line=4, column=5,
                fixed="from pathlib import Path\nimport asyncio\n\nasync def f(p: Path):\n    await asyncio.to_thread((p / 'out').mkdir, parents=True)\n"),
        Invalid("from pathlib import Path\n\nasync def f(p: Path):\n    p.parent.joinpath('x').unlink()\n", line=4, column=5,
                fixed="from pathlib import Path\nimport asyncio\n\nasync def f(p: Path):\n    await asyncio.to_thread(p.parent.joinpath('x').unlink)\n"),
        Invalid("from pathlib import Path\n\nasync def f(p: Path):\n    return p.stat().st_size\n", line=4, column=12),
        Invalid("from pathlib import Path\n\ndef data_dir() -> Path:\n    return Path('data')\n\nasync def f():\n    return data_dir().exists()\n", line=7, column=12),
        Invalid("import os\n\nasync def f(p):\n    return os.stat(p).st_mtime\n", line=4, column=12),
        Invalid("import os\n\nasync def f(p):\n    os.remove(p)\n", line=4, column=5,
                fixed="import os\nimport asyncio\n\nasync def f(p):\n    await asyncio.to_thread(os.remove, p)\n"),
        Invalid("import os\n\nasync def f(a, b):\n    os.rename(a, b)\n", line=4, column=5,
                fixed="import os\nimport asyncio\n\nasync def f(a, b):\n    await asyncio.to_thread(os.rename, a, b)\n"),
        Invalid("import os\n\nasync def f(d):\n    os.makedirs(d, exist_ok=True)\n", line=4, column=5,
                fixed="import os\nimport asyncio\n\nasync def f(d):\n    await asyncio.to_thread(os.makedirs, d, exist_ok=True)\n"),
        Invalid("import os\n\nasync def f(p):\n    if os.path.exists(p):\n        pass\n", line=4, column=8),
        Invalid("async def is_silk(p):\n    with open(p, 'rb') as fh:\n        return fh.read(8) == b'SILK'\n", line=2, column=10,
                message_contains="(one file-system metadata call: an open and a read of a few bytes)"),
        Invalid("from os.path import isfile\n\nasync def f(p):\n    return isfile(p)\n", line=4, column=12),
        Invalid("import os.path\n\nasync def f(p):\n    return os.path.getsize(p)\n", line=4, column=12),
        Invalid("import os\n\nasync def f(p):\n    return os.path.realpath(p)\n", line=4, column=12),
        Invalid("import tempfile\n\nasync def f():\n    return tempfile.mkdtemp()\n", line=4, column=12),
        Invalid("import shutil\n\nasync def f():\n    return shutil.which('git')\n", line=4, column=12),
        Invalid(  # through a helper of the project: the chain, as APL114 shows it
            "from pathlib import Path\n\ndef ensure_dir(p: Path):\n    p.mkdir(parents=True, exist_ok=True)\n\n"
            "async def save(p: Path):\n    ensure_dir(p)\n",
            line=7, column=5, message_contains="ensure_dir() -> pathlib.Path.mkdir() (one file-system metadata call)",
            fixed="from pathlib import Path\nimport asyncio\n\ndef ensure_dir(p: Path):\n    p.mkdir(parents=True, exist_ok=True)\n\n"
            "async def save(p: Path):\n    await asyncio.to_thread(ensure_dir, p)\n",
        ),
        Invalid("from pathlib import Path\n\nasync def save(p: Path, data: bytes):\n    if not p.parent.exists():\n        p.parent.mkdir(parents=True)\n    return p.stat().st_size\n",
                line=4, column=12, message_contains="also `p.parent.mkdir`, `p.stat` at lines 5, 6"),
    )
