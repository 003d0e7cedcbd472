"""APL104: file and file-system I/O inside ``async def``."""

from __future__ import annotations

from ..rule import Invalid, Valid
from ._blocking import BlockingCallRule


class BlockingFileIo(BlockingCallRule):
    """## What it does
    Reports file-system I/O inside an `async def` body: `open`, `io.open`, `os.fdopen`,
    `codecs.open` and the methods of the files they return (`f.read()` inside
    `with open(p) as f`); `pathlib.Path` content and directory I/O (`read_text`,
    `write_bytes`, `open`, `iterdir`, `glob`, `rglob`); `os` directory calls (`listdir`,
    `scandir`, `walk`); `shutil` copies and tree removal; `json.load`/`json.dump` (and `pickle`,
    `tomllib`) on files, `glob.glob`, and data-file readers (`pandas.read_csv` and friends,
    `numpy.load`/`save`). Single metadata calls (`exists`, `stat`, `mkdir`, `unlink`) have their
    own code, APL115, except inside a loop over directory entries (`for n in os.listdir(d):
    os.stat(n)`): that is a tree walk, reported here. In a coroutine that also waits on something
    remote through a sync call (a query, a request, an SDK call, a subprocess), the file work is
    named in that call's finding instead ("also `open` at line 5"): the remote wait is the
    stall, and moving the section to a worker thread takes both.
    Also calls that read or open files on the way: `importlib.import_module` (reads and
    compiles the module the first time), `pytz.timezone` (reads the zone file; not for `"UTC"`)
    and file log handlers (`logging.FileHandler`, `RotatingFileHandler`, ...; not with
    `delay=True`), all three reported by Home Assistant's event-loop checks.

    Paths are followed through variables and attributes: `self.config_path.read_text()` where
    the class assigns `self.config_path = Path(...)`, a property or function annotated
    `-> Path`, a parameter annotated `Path`, `p.parent / "x"`.

    Cost class (named in every message, counted by `--statistics`): file content I/O; directory-tree I/O for directory listings and walks, tree copies and removal.

    ## Why is this bad?
    Disk I/O blocks the loop for as long as the storage takes: microseconds on a warm page
    cache, but tens of milliseconds on a cold network file system, a container overlay or a
    busy disk, and every other task waits meanwhile.

    ## Example
    ```python
    import json

    async def load_memory(path):
        with open(path) as f:
            return json.load(f)
    ```

    ## Use instead
    ```python
    import json
    import aiofiles

    async def load_memory(path):
        async with aiofiles.open(path) as f:
            return json.loads(await f.read())
    ```
    (or `anyio.Path(path).read_text()`, or `await asyncio.to_thread(load_memory_sync, path)`).

    ## Fix safety
    Where the call is a whole statement or the right-hand side of an assignment, the fix runs
    it in a worker thread (`data = await asyncio.to_thread(path.read_text)`). It is unsafe:
    the call now runs in another thread. Not offered for `with open(...)` headers, nor for
    directory iterators (running `path.iterdir()` in a thread would only create the generator
    there; iterate it there too: `await asyncio.to_thread(list, path.iterdir())`).

    ## Options
    - `check-tests` (in `[tool.agentperf-lint.blocking]`, shared by the APL1xx rules, default
      false): also report blocking calls in test code, which is skipped by default.

    ## Known problems
    Directory iterators (`Path.iterdir`/`glob`/`rglob`/`walk`, `os.walk`, `glob.iglob`) are
    generators: they are reported where the coroutine iterates them, not when the generator is
    handed to a worker thread or a nested function. Pure path functions are never reported (`os.path.join`, `normpath`, `basename`,
    `abspath`, `Path.with_suffix`, `Path.name`): they do no I/O. Methods on values of unknown
    type are not reported either: `store.read()` could be anything.
    """

    code = "APL104"
    name = "blocking-file-io"

    VALID = (
        Valid("def f(p):\n    with open(p) as f:\n        return f.read()\n"),
        Valid("import aiofiles\nasync def f(p):\n    async with aiofiles.open(p) as f:\n        return await f.read()\n"),
        Valid("import anyio\nasync def f(p):\n    return await anyio.Path(p).read_text()\n"),
        Valid("import asyncio\nasync def f(p):\n    return await asyncio.to_thread(open, p)\n"),
        Valid("import os\nasync def f(a, b):\n    return os.path.join(a, b), os.path.basename(a), os.path.normpath(b), os.path.splitext(a), os.path.abspath(a)\n"),
        Valid("from pathlib import Path\nasync def f(p: Path):\n    return p.name, p.suffix, p.with_suffix('.txt'), p / 'x', p.parent, p.as_posix()\n"),
        Valid("async def f(open, p):\n    return open(p)\n"),
        Valid("async def f(p):\n    def open(x):\n        return x\n    return open(p)\n"),
        Valid("async def f(store):\n    return store.read()\n"),
        Valid("import json\nasync def f(text):\n    return json.loads(text), json.dumps({})\n"),
        Valid("import json, io\nasync def f(text):\n    return json.load(io.StringIO(text))\n"),
        Valid("import pandas as pd\nfrom io import BytesIO\nasync def f(data):\n    return pd.read_parquet(BytesIO(data))\n"),
        Valid("import json, sys\nasync def f(data):\n    json.dump(data, sys.stdout)\n"),
        Valid("import os\nasync def f():\n    return os.getcwd(), os.sep, os.environ['X']\n"),
        Valid("from pathlib import PurePath\nasync def f(p: PurePath):\n    return p.stem\n"),
        Valid("async def f(path):\n    exists = lambda: path.exists()\n    return exists\n"),
        Valid("import functools\nasync def f(loop, p):\n    return await loop.run_in_executor(None, functools.partial(open, p))\n"),
        Valid("import shutil\nasync def f():\n    return shutil.get_terminal_size\n"),
        Valid("import anyio\nfrom pathlib import Path\nasync def f(p: Path):\n    gen = p.iterdir()\n    return await anyio.to_thread.run_sync(list, gen)\n"),
        Valid("import anyio, os\nasync def f(d):\n    gen = os.walk(d)\n    def step():\n        return next(gen, None)\n    return await anyio.to_thread.run_sync(step)\n"),
        Valid("from pathlib import Path\nasync def f(p: Path, wrap):\n    return wrap(p.glob('*'))\n"),
        # importing, pytz zones and file log handlers read or open files (issue 11 recall)
        Valid("import importlib\nmodule = importlib.import_module('json')\nasync def f():\n    return module\n"),
        Valid("import asyncio, importlib\nasync def f(name):\n    return await asyncio.to_thread(importlib.import_module, name)\n"),
        Valid("import pytz\nasync def f():\n    return pytz.timezone('UTC')\n"),
        Valid("import logging\nasync def f(path):\n    return logging.FileHandler(path, delay=True)\n"),
        Valid("from logging.handlers import RotatingFileHandler\ndef f(path):\n    return RotatingFileHandler(path)\n"),
        Valid("import io\nasync def f(rows):\n    buf = io.StringIO()\n    buf.write(rows)\n    buf.seek(0)\n    return buf.read(), io.BytesIO(b'x').getvalue()\n"),
        Valid("import io\nasync def f(fh: io.TextIOWrapper):\n    fh.seek(0)\n    return fh.tell(), fh.fileno(), fh.closed\n"),
        # beside a remote wait (a request) in the same coroutine, the file work rides with its finding (APL102)
        Valid("import requests\nasync def f(p, url):\n    with open(p, 'w') as fh:\n        fh.write(requests.get(url).text)\n"),
        # a header read (an open and `read(n)` of a few bytes) costs what a metadata call does: APL115
        Valid("async def is_silk(p):\n    with open(p, 'rb') as fh:\n        return fh.read(8) == b'SILK'\n"),
    )
    INVALID = (
        Invalid(
            "async def f(p):\n    with open(p) as fh:\n        fh.seek(0)\n        return fh.read() + fh.readline()\n",
            line=2, column=10, message_contains="opened here, read/written at line 4",
        ),
        Invalid("import io\n\nasync def f(fh: io.TextIOWrapper):\n    data = fh.read()\n    return data + fh.read()\n", line=4, column=12,
                message_contains="the same handle is read/written again at line 5",
                fixed="import io\nimport asyncio\n\nasync def f(fh: io.TextIOWrapper):\n    data = await asyncio.to_thread(fh.read)\n    return data + fh.read()\n"),
        Invalid("async def f(p):\n    f = open(p, 'w')\n", line=2, column=9,
                fixed="import asyncio\n\nasync def f(p):\n    f = await asyncio.to_thread(open, p, 'w')\n"),
        Invalid("import io\n\nasync def f(p):\n    return io.open(p).read()\n", line=4, column=12),
        Invalid("import os\n\nasync def f(fd):\n    return os.fdopen(fd)\n", line=4, column=12),
        Invalid("import codecs\n\nasync def f(p):\n    return codecs.open(p, encoding='utf-8')\n", line=4, column=12),
        Invalid("from pathlib import Path\n\nasync def f():\n    return Path('a.txt').read_text()\n", line=4, column=12),
        Invalid("from pathlib import Path\n\nasync def f(p: Path):\n    p.write_bytes(b'x')\n", line=4, column=5,
                fixed="from pathlib import Path\nimport asyncio\n\nasync def f(p: Path):\n    await asyncio.to_thread(p.write_bytes, b'x')\n"),
        Invalid("from pathlib import Path\n\nasync def f(p: Path):\n    return list(p.iterdir())\n", line=4, column=17),
        Invalid("from pathlib import Path\n\nasync def f(p: Path):\n    return list(p.glob('*.py'))\n", line=4, column=17),
        Invalid("from pathlib import Path\n\nasync def f(p: Path):\n    with p.open() as fh:\n        pass\n", line=4, column=10),
        Invalid(
            "from pathlib import Path\n\nclass Agent:\n    def __init__(self, root):\n        self.config_path = Path(root) / 'config.json'\n\n"
            "    async def load(self):\n        return self.config_path.read_text()\n",
            line=8, column=16,
        ),
        Invalid(
            "from pathlib import Path\n\nclass Agent:\n    @property\n    def cache_dir(self) -> Path:\n        return Path('.cache')\n\n"
            "    async def clear(self):\n        for item in self.cache_dir.iterdir():\n            pass\n",
            line=9, column=21,
        ),
        Invalid("import os\n\nasync def f(d):\n    return os.listdir(d)\n", line=4, column=12),
        Invalid("import os\n\nasync def f(d):\n    for entry in os.scandir(d):\n        pass\n", line=4, column=18),
        Invalid("import os\n\nasync def f(d):\n    for root, dirs, files in os.walk(d):\n        pass\n", line=4, column=30),
        Invalid("from pathlib import Path\n\nasync def f(p: Path):\n    names = p.rglob('*.md')\n    for name in names:\n        pass\n", line=4, column=13),
        Invalid("from pathlib import Path\n\nasync def f(p: Path):\n    return sorted(p.glob('*'))\n", line=4, column=19),
        Invalid("from itertools import islice\nfrom pathlib import Path\n\nasync def f(p: Path):\n    return list(islice(p.glob('*'), 100))\n", line=5, column=24),
        Invalid("from pathlib import Path\n\nasync def f(p: Path):\n    for i, child in enumerate(p.iterdir()):\n        pass\n", line=4, column=31),
        Invalid("import os\n\nasync def f(d):\n    for name in os.listdir(d):\n        os.stat(name)\n", line=5, column=9,
                extra_findings=1, message_contains="directory-tree I/O",
                fixed="import os\nimport asyncio\n\nasync def f(d):\n    for name in os.listdir(d):\n        await asyncio.to_thread(os.stat, name)\n"),
        Invalid("import shutil\n\nasync def f(a, b):\n    shutil.copytree(a, b)\n", line=4, column=5, fixed='import shutil\nimport asyncio\n\nasync def f(a, b):\n    await asyncio.to_thread(shutil.copytree, a, b)\n'),
        Invalid("import shutil\n\nasync def f(d):\n    shutil.rmtree(d)\n", line=4, column=5, fixed='import shutil\nimport asyncio\n\nasync def f(d):\n    await asyncio.to_thread(shutil.rmtree, d)\n'),
        Invalid("import json\n\nasync def f(p):\n    with open(p) as fh:\n        return json.load(fh)\n", line=4, column=10,
                message_contains="opened here, read/written at line 5"),
        Invalid(  # opened inside the call that reads it: one problem, one finding at the open
            "import json\n\nasync def f(p):\n    return json.load(\n        open(p, encoding='utf-8')\n    )['servers']\n",
            line=5, column=9, message_contains="(file content I/O): opened here, read/written at line 4;"),
        Invalid("async def f(p):\n    with open(p, 'rb') as fh:\n        return fh.read(1 << 30)\n", line=2, column=10,
                message_contains="read/written at line 3"),
        Invalid(  # the handle is read elsewhere: closing it is not a read, the open is the finding
            "async def f(p, send):\n    fh = open(p, 'rb')\n    try:\n        return await send(fh)\n    finally:\n        fh.close()\n",
            line=2, column=10, message_contains="blocks the event loop inside `async def f` (file content I/O); use",
            fixed="import asyncio\n\nasync def f(p, send):\n    fh = await asyncio.to_thread(open, p, 'rb')\n    try:\n"
            "        return await send(fh)\n    finally:\n        fh.close()\n"),
        Invalid("async def f(p):\n    with open(p) as fh:\n        text = fh.read()\n    fh.close()\n    return text\n", line=2, column=10,
                message_contains="read/written at line 3;"),
        Invalid("async def copy(a, b):\n    with open(a, 'rb') as src:\n        with open(b, 'wb') as dst:\n            dst.write(src.read())\n", line=2, column=10,
                message_contains="opened here with `open` at line 3, read/written at line 4"),
        Invalid("import glob\n\nasync def f(d):\n    return glob.glob(d + '/*.json')\n", line=4, column=12),
        Invalid("import pandas as pd\n\nasync def f(p):\n    return pd.read_csv(p)\n", line=4, column=12),
        Invalid("from pathlib import Path\n\nasync def setup(module_dir):\n    with Path.open(str(module_dir) + '/classes.json') as fh:\n        pass\n", line=4, column=10),
                Invalid("import json\n\nasync def f(data, fh):\n    json.dump(data, fh)\n", line=4, column=5, fixed='import json\nimport asyncio\n\nasync def f(data, fh):\n    await asyncio.to_thread(json.dump, data, fh)\n'),
        Invalid("import importlib\n\nasync def f(name):\n    module = importlib.import_module(name)\n", line=4, column=14,
                message_contains="import the module at start-up",
                fixed="import importlib\nimport asyncio\n\nasync def f(name):\n    module = await asyncio.to_thread(importlib.import_module, name)\n"),
        Invalid("import pytz\n\nasync def f(when):\n    return when.astimezone(pytz.timezone('Europe/London'))\n", line=4, column=28),
        Invalid("from logging.handlers import RotatingFileHandler\n\nasync def f(path):\n    handler = RotatingFileHandler(path, maxBytes=1000)\n",
                line=4, column=15, message_contains="delay=True",
                fixed="from logging.handlers import RotatingFileHandler\nimport asyncio\n\nasync def f(path):\n    handler = await asyncio.to_thread(RotatingFileHandler, path, maxBytes=1000)\n"),
    )
