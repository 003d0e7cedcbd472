"""An agent's workspace on disk: transcripts, avatars, per-agent virtualenvs.

Each mistake (APL1xx) sits next to the correct way; the three show how findings are weighed.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import anyio

AVATARS = Path("avatars")


async def avatar_slow(user_id: str) -> Path | None:
    # one metadata call per request: cheap on a warm disk, a stall on a network share (APL115,
    # a code of its own: `ignore = ["APL115"]` if your team accepts them)
    path = AVATARS / f"{user_id}.png"
    return path if path.exists() else None


async def avatar(user_id: str) -> Path | None:
    # the correct way: anyio.Path's methods are awaitable
    path = anyio.Path(AVATARS) / f"{user_id}.png"
    return Path(path) if await path.exists() else None


async def read_transcript_slow(path: str) -> tuple[str, list[str]]:
    # one file read in several calls is one finding, at the open, naming the reads (APL104)
    with open(path, encoding="utf-8") as transcript:
        title = transcript.readline()
        transcript.seek(0)  # moves an offset: no I/O, never reported
        return title, transcript.readlines()


async def read_transcript(path: str) -> tuple[str, list[str]]:
    # the correct way: the whole read in a worker thread
    def read() -> tuple[str, list[str]]:
        with open(path, encoding="utf-8") as transcript:
            title = transcript.readline()
            transcript.seek(0)
            return title, transcript.readlines()

    return await asyncio.to_thread(read)


async def ensure_venv_slow(agent_dir: str) -> str:
    # the cheap check rides with the costly call: one finding, on the subprocess, naming both
    venv = os.path.join(agent_dir, ".venv")
    if not os.path.exists(venv):
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    return venv


async def ensure_venv(agent_dir: str) -> str:
    # the correct way: check and build in a worker thread, the child awaited by the loop
    venv = os.path.join(agent_dir, ".venv")
    if not await asyncio.to_thread(os.path.exists, venv):
        proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "venv", venv)
        await proc.wait()
    return venv
