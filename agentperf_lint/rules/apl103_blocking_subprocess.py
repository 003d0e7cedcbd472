"""APL103: sync subprocess calls and process waits inside ``async def``."""

from __future__ import annotations

from ..rule import Invalid, Valid
from ._blocking import BlockingCallRule


class BlockingSubprocess(BlockingCallRule):
    """## What it does
    Reports processes started or waited for synchronously inside an `async def` body:
    `subprocess.run/call/check_call/check_output/getoutput/getstatusoutput/Popen`, `os.system`,
    `os.popen`, `os.spawn*`, `os.posix_spawn*`, `os.wait*` (not with `os.WNOHANG`) and the
    `wait()`/`communicate()` methods of a `subprocess.Popen` object. Also libraries that run a
    program and wait for it: pydub's `AudioSegment.from_file`/`from_mp3`/`from_ogg` and
    `export`, which convert through `ffmpeg` (not for WAV or raw PCM, which pydub reads and
    writes itself).

    Cost class (named in every message, counted by `--statistics`): a subprocess.

    ## Why is this bad?
    The loop is blocked until the child exits: a `git clone` or a code-execution tool run by
    one agent stalls every other agent for its whole duration. Even `Popen` blocks on
    `fork`/`exec` of a large parent process.

    ## Example
    ```python
    import subprocess

    async def run_tool(cmd):
        return subprocess.run(cmd, capture_output=True).stdout
    ```

    ## Use instead
    ```python
    import asyncio

    async def run_tool(cmd):
        proc = await asyncio.create_subprocess_exec(*cmd, stdout=asyncio.subprocess.PIPE)
        stdout, _ = await proc.communicate()
        return stdout
    ```

    ## Fix safety
    Where the call is a whole statement or the right-hand side of an assignment, the fix runs
    it in a worker thread (`await asyncio.to_thread(subprocess.run, cmd)`). It is unsafe: the
    call now happens in another thread. `asyncio.create_subprocess_exec` is the better end
    state and is named in the message.

    ## Options
    - `check-tests` (in `[tool.agentperf-lint.blocking]`, shared by the APL1xx rules, default
      false): also report blocking calls in test code, which is skipped by default.
    """

    code = "APL103"
    name = "blocking-subprocess"

    VALID = (
        Valid("import subprocess\ndef f(cmd):\n    return subprocess.run(cmd)\n"),
        Valid("import asyncio, subprocess\nasync def f(cmd):\n    return await asyncio.to_thread(subprocess.run, cmd, check=True)\n"),
        Valid("import asyncio\nasync def f(cmd):\n    proc = await asyncio.create_subprocess_exec(*cmd)\n    await proc.wait()\n"),
        Valid("import os\nasync def f(pid):\n    return os.waitpid(pid, os.WNOHANG)\n"),
        Valid("import subprocess\nasync def f():\n    return subprocess.PIPE, subprocess.CalledProcessError\n"),
        Valid("async def f(proc):\n    return proc.wait()\n"),
        Valid("import os\nasync def f():\n    return os.getpid(), os.environ.get('HOME')\n"),
        Valid("import anyio\nasync def f(cmd):\n    return await anyio.run_process(cmd)\n"),
    )
    INVALID = (
        Invalid(
            "import subprocess\n\nasync def f(cmd):\n    out = subprocess.check_output(cmd, text=True)\n",
            line=4, column=11, message_contains="asyncio.create_subprocess_exec",
            fixed="import subprocess\nimport asyncio\n\nasync def f(cmd):\n    out = await asyncio.to_thread(subprocess.check_output, cmd, text=True)\n",
        ),
        Invalid("import subprocess\n\nasync def f(cmd):\n    subprocess.run(cmd)\n", line=4, column=5,
                fixed="import subprocess\nimport asyncio\n\nasync def f(cmd):\n    await asyncio.to_thread(subprocess.run, cmd)\n"),
        Invalid("from subprocess import call\n\nasync def f(cmd):\n    return call(cmd)\n", line=4, column=12),
        Invalid("import subprocess\n\nasync def f(cmd):\n    return subprocess.check_call(cmd)\n", line=4, column=12),
        Invalid("import subprocess\n\nasync def f(cmd):\n    return subprocess.getoutput(cmd)\n", line=4, column=12),
        Invalid("import subprocess\n\nasync def f(cmd):\n    return subprocess.getstatusoutput(cmd)\n", line=4, column=12),
        Invalid("import subprocess\n\nasync def f(cmd):\n    p = subprocess.Popen(cmd)\n    p.wait()\n", line=5, column=5,
                extra_findings=1, fixed='import subprocess\nimport asyncio\n\nasync def f(cmd):\n    p = await asyncio.to_thread(subprocess.Popen, cmd)\n    await asyncio.to_thread(p.wait)\n'),
        Invalid("import subprocess\n\nasync def f(cmd):\n    with subprocess.Popen(cmd) as p:\n        out, err = p.communicate()\n",
                line=5, column=20, extra_findings=1, fixed='import subprocess\nimport asyncio\n\nasync def f(cmd):\n    with subprocess.Popen(cmd) as p:\n        out, err = await asyncio.to_thread(p.communicate)\n'),
        Invalid("import os\n\nasync def f(cmd):\n    os.system(cmd)\n", line=4, column=5, fixed='import os\nimport asyncio\n\nasync def f(cmd):\n    await asyncio.to_thread(os.system, cmd)\n'),
        Invalid("import os\n\nasync def f(cmd):\n    return os.popen(cmd).read()\n", line=4, column=12),
        Invalid("import os\n\nasync def f(path):\n    os.spawnv(os.P_WAIT, path, [path])\n", line=4, column=5, fixed='import os\nimport asyncio\n\nasync def f(path):\n    await asyncio.to_thread(os.spawnv, os.P_WAIT, path, [path])\n'),
        Invalid("import os\n\nasync def f(path):\n    os.spawnlp(os.P_NOWAIT, path, path)\n", line=4, column=5, fixed='import os\nimport asyncio\n\nasync def f(path):\n    await asyncio.to_thread(os.spawnlp, os.P_NOWAIT, path, path)\n'),
        Invalid("import os\n\nasync def f(path):\n    os.posix_spawn(path, [path], {})\n", line=4, column=5, fixed='import os\nimport asyncio\n\nasync def f(path):\n    await asyncio.to_thread(os.posix_spawn, path, [path], {})\n'),
        Invalid("import os\n\nasync def f(path):\n    os.posix_spawnp(path, [path], {})\n", line=4, column=5, fixed='import os\nimport asyncio\n\nasync def f(path):\n    await asyncio.to_thread(os.posix_spawnp, path, [path], {})\n'),
        Invalid("import os\n\nasync def f(pid):\n    os.waitpid(pid, 0)\n", line=4, column=5, fixed='import os\nimport asyncio\n\nasync def f(pid):\n    await asyncio.to_thread(os.waitpid, pid, 0)\n'),
        Invalid("import os\n\nasync def f():\n    os.wait()\n", line=4, column=5, fixed='import os\nimport asyncio\n\nasync def f():\n    await asyncio.to_thread(os.wait)\n'),
        Invalid("import os\n\nasync def f():\n    os.wait3(0)\n", line=4, column=5, fixed='import os\nimport asyncio\n\nasync def f():\n    await asyncio.to_thread(os.wait3, 0)\n'),
        Invalid("import os\n\nasync def f(pid):\n    os.wait4(pid, 0)\n", line=4, column=5, fixed='import os\nimport asyncio\n\nasync def f(pid):\n    await asyncio.to_thread(os.wait4, pid, 0)\n'),
        Invalid("import os\n\nasync def f(pid):\n    os.waitid(os.P_PID, pid, os.WEXITED)\n", line=4, column=5, fixed='import os\nimport asyncio\n\nasync def f(pid):\n    await asyncio.to_thread(os.waitid, os.P_PID, pid, os.WEXITED)\n'),
    )
