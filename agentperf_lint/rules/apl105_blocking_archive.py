"""APL105: archives and temporary files handled synchronously inside ``async def``."""

from __future__ import annotations

from ..rule import Invalid, Valid
from ._blocking import BlockingCallRule


class BlockingArchive(BlockingCallRule):
    """## What it does
    Reports archive and temporary-file work inside an `async def` body: opening and extracting
    `zipfile.ZipFile`/`tarfile` archives (and `is_zipfile`/`is_tarfile`), `gzip`/`bz2`/`lzma`
    `open`, `shutil.make_archive`/`unpack_archive`, and `tempfile` (`NamedTemporaryFile`,
    `TemporaryFile`, `TemporaryDirectory()` and its `cleanup()`), plus the methods of the
    archives and temporary files they return. `tempfile.mkdtemp`/`mkstemp` are one metadata
    call each: APL115.

    Cost class (named in every message, counted by `--statistics`): directory-tree I/O (archives, temporary directories); file content I/O (temporary files).

    ## Why is this bad?
    Archives combine disk I/O with CPU-bound (de)compression: extracting an uploaded bundle or
    zipping a workspace holds the event loop for seconds. Creating and deleting temporary
    directories walks and writes the disk too.

    ## Example
    ```python
    import zipfile

    async def unpack_upload(path, dest):
        with zipfile.ZipFile(path) as archive:
            archive.extractall(dest)
    ```

    ## Use instead
    ```python
    import asyncio
    import zipfile

    def _unpack(path, dest):
        with zipfile.ZipFile(path) as archive:
            archive.extractall(dest)

    async def unpack_upload(path, dest):
        await asyncio.to_thread(_unpack, path, dest)
    ```

    ## Fix safety
    Where the call is a whole statement or the right-hand side of an assignment, the fix runs
    it in a worker thread (`await asyncio.to_thread(archive.extractall, dest)`). It is unsafe:
    the call now runs in another thread. Not offered in `with` headers.

    ## Options
    - `check-tests` (in `[tool.agentperf-lint.blocking]`, shared by the APL1xx rules, default
      false): also report blocking calls in test code, which is skipped by default.
    """

    code = "APL105"
    name = "blocking-archive"

    VALID = (
        # an archive built in memory: compression on the CPU, no disk
        Valid("import io\nimport zipfile\n\nasync def pack(docs):\n    buffer = io.BytesIO()\n"
              "    with zipfile.ZipFile(buffer, 'w') as archive:\n        for doc in docs:\n"
              "            archive.writestr(doc.name, doc.data)\n    return buffer.getvalue()\n"),
        Valid("import zipfile\ndef f(p):\n    with zipfile.ZipFile(p) as z:\n        z.extractall('.')\n"),
        Valid("import asyncio, shutil\nasync def f(p):\n    await asyncio.to_thread(shutil.unpack_archive, p)\n"),
        Valid("import tempfile\nasync def f():\n    return tempfile.gettempdir, tempfile.TemporaryDirectory\n"),
        Valid("import zipfile\nasync def f():\n    return zipfile.ZIP_DEFLATED\n"),
        Valid("import zipfile\nasync def f(z: zipfile.ZipFile):\n    return z.namelist()\n"),
        Valid("import aiofiles.tempfile\nasync def f():\n    async with aiofiles.tempfile.TemporaryDirectory() as d:\n        return d\n"),
    )
    INVALID = (
        Invalid("import zipfile\n\nasync def f(p):\n    with zipfile.ZipFile(p) as z:\n        z.extractall('out')\n",
                line=4, column=10, message_contains="opened here, read/written at line 5"),
        Invalid("import zipfile\n\nasync def f(z: zipfile.ZipFile):\n    z.extractall('out')\n", line=4, column=5,
                fixed="import zipfile\nimport asyncio\n\nasync def f(z: zipfile.ZipFile):\n    await asyncio.to_thread(z.extractall, 'out')\n"),
        Invalid("import zipfile\n\nasync def f(p):\n    return zipfile.is_zipfile(p)\n", line=4, column=12),
        Invalid("import tarfile\n\nasync def f(p):\n    with tarfile.open(p) as t:\n        pass\n", line=4, column=10),
        Invalid("import tarfile\n\nasync def f(p):\n    t = tarfile.open(p)\n    t.extractall('x')\n", line=4, column=9,
                fixed="import tarfile\nimport asyncio\n\nasync def f(p):\n    t = await asyncio.to_thread(tarfile.open, p)\n    t.extractall('x')\n"),
        Invalid("import gzip\n\nasync def f(p):\n    return gzip.open(p).read()\n", line=4, column=12),
        Invalid("import shutil\n\nasync def f(d):\n    shutil.make_archive('out', 'zip', d)\n", line=4, column=5,
                fixed="import shutil\nimport asyncio\n\nasync def f(d):\n    await asyncio.to_thread(shutil.make_archive, 'out', 'zip', d)\n"),
        Invalid("import shutil\n\nasync def f(p):\n    return shutil.unpack_archive(p)\n", line=4, column=12),
        Invalid("import tempfile\n\nasync def f(data):\n    with tempfile.NamedTemporaryFile() as tmp:\n        pass\n", line=4, column=10),
        Invalid("from tempfile import TemporaryDirectory\n\nasync def f():\n    d = TemporaryDirectory()\n    return d.name\n", line=4, column=9,
                fixed="from tempfile import TemporaryDirectory\nimport asyncio\n\nasync def f():\n    d = await asyncio.to_thread(TemporaryDirectory)\n    return d.name\n"),
        Invalid("import tempfile\n\nclass Work:\n    def __init__(self):\n        self.tmp = tempfile.TemporaryDirectory()\n\n    async def close(self):\n        return self.tmp.cleanup()\n",
                line=8, column=16),
    )
