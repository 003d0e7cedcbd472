"""What a blocking call costs, in classes a user can weigh.

A finding for ``requests.get`` and one for ``Path.exists()`` are different decisions: the first
stalls every task for a network round trip, the second for one system call on (usually) a warm
disk cache. Rules use the class to rank several blocking calls (the message names the costliest
of a coroutine or a helper chain) and to word their messages.

The class of a catalogue entry is decided by :func:`cost_of` from its qualified target and rule
code; the catalogue may state it explicitly, which wins.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")


class Cost(enum.IntEnum):
    """Cost classes, cheapest first: a higher value stalls the event loop longer."""

    METADATA = 1
    """One file-system metadata call (``exists``, ``stat``, ``mkdir``, ``unlink``)."""
    THREAD_WAIT = 2
    """Waiting for another thread (a lock, an event, a queue, a future)."""
    SLEEP = 3
    """A deliberate sleep."""
    INPUT = 4
    """Waiting for a person at the terminal."""
    FILE_CONTENT = 5
    """Reading or writing a file's content."""
    DIRECTORY_TREE = 6
    """Walking, copying or deleting a directory tree, or an archive."""
    DATABASE = 7
    """A database or cache round trip through a sync driver."""
    NETWORK = 8
    """A network round trip (HTTP, a socket, DNS, a sync SDK client)."""
    COMPUTE = 9
    """A long computation on the loop's thread (local model inference)."""
    SUBPROCESS = 10
    """Starting or waiting for another process."""

    @property
    def words(self) -> str:
        """How a message says it: ``one file-system metadata call``."""
        return _WORDS[self]


_WORDS = {
    Cost.METADATA: "one file-system metadata call",
    Cost.THREAD_WAIT: "a wait on another thread",
    Cost.SLEEP: "a sleep",
    Cost.INPUT: "a wait for terminal input",
    Cost.FILE_CONTENT: "file content I/O",
    Cost.DIRECTORY_TREE: "directory-tree I/O",
    Cost.DATABASE: "a database round trip",
    Cost.NETWORK: "a network round trip",
    Cost.COMPUTE: "a long computation (local model inference)",
    Cost.SUBPROCESS: "a subprocess",
}

_BY_CODE = {
    "APL101": Cost.SLEEP,
    "APL102": Cost.NETWORK,
    "APL103": Cost.SUBPROCESS,
    "APL104": Cost.FILE_CONTENT,
    "APL105": Cost.DIRECTORY_TREE,
    "APL106": Cost.INPUT,
    "APL107": Cost.DATABASE,
    "APL108": Cost.NETWORK,
    "APL109": Cost.THREAD_WAIT,
    "APL110": Cost.THREAD_WAIT,
    "APL111": Cost.NETWORK,
    "APL112": Cost.NETWORK,
    "APL113": Cost.NETWORK,
    "APL115": Cost.METADATA,
}

_METADATA = frozenset(
    """
    pathlib.Path.exists pathlib.Path.is_dir pathlib.Path.is_file pathlib.Path.is_symlink
    pathlib.Path.is_mount pathlib.Path.is_socket pathlib.Path.is_fifo pathlib.Path.is_block_device
    pathlib.Path.is_char_device pathlib.Path.is_junction pathlib.Path.stat pathlib.Path.lstat
    pathlib.Path.owner pathlib.Path.group pathlib.Path.chmod pathlib.Path.lchmod pathlib.Path.mkdir
    pathlib.Path.rmdir pathlib.Path.unlink pathlib.Path.rename pathlib.Path.replace pathlib.Path.touch
    pathlib.Path.symlink_to pathlib.Path.hardlink_to pathlib.Path.link_to pathlib.Path.readlink
    pathlib.Path.resolve pathlib.Path.samefile
    os.stat os.lstat os.remove os.unlink os.rename os.replace os.mkdir os.rmdir os.chmod os.chown
    os.lchown os.link os.symlink os.readlink os.utime os.truncate os.access os.statvfs os.mkfifo
    os.path.exists os.path.lexists os.path.isfile os.path.isdir os.path.islink os.path.ismount
    os.path.isjunction os.path.getsize os.path.getmtime os.path.getatime os.path.getctime
    os.path.samefile os.path.sameopenfile os.path.realpath
    shutil.chown shutil.copymode shutil.copystat shutil.disk_usage shutil.which
    tempfile.mkdtemp tempfile.mkstemp
    """.split()
)

_TREE = frozenset(
    """
    shutil.copytree shutil.rmtree shutil.move shutil.make_archive shutil.unpack_archive
    os.walk os.fwalk os.listdir os.scandir os.makedirs os.removedirs os.renames glob.glob glob.iglob
    pathlib.Path.iterdir pathlib.Path.glob pathlib.Path.rglob pathlib.Path.walk
    tempfile.TemporaryDirectory.cleanup
    """.split()
)


def cost_of(target: str, code: str) -> Cost:
    """The cost class of a blocking call to ``target`` (as the catalogue spells it) reported as ``code``."""
    if target in _METADATA:
        return Cost.METADATA
    if target in _TREE:
        return Cost.DIRECTORY_TREE
    return _BY_CODE.get(code, Cost.NETWORK)


def costliest(items: Iterable[T], cost: Callable[[T], Cost] | None = None) -> T | None:
    """The item that costs most (the first of equals, so source order breaks ties), or None:
    a message names it first, and the cheaper calls beside it ride along in its fix. Items
    are catalogue entries (their ``cost``) unless ``cost`` says how to price them."""
    price: Callable[[T], Cost] = cost or (lambda item: item.cost)  # type: ignore[attr-defined]
    best: T | None = None
    for item in items:
        if best is None or price(item) > price(best):
            best = item
    return best


def cost_in_message(code: str, message: str) -> Cost | None:
    """The cost class a blocking-family finding states (its message names it in words, in
    parentheses), else its code's usual class; None outside the family's direct calls."""
    for cost in sorted(Cost, reverse=True):
        if f"({cost.words})" in message:
            return cost
    return _BY_CODE.get(code)
