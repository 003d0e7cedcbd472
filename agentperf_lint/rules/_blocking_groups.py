"""One finding per problem: how the blocking calls of one coroutine become findings.

A coroutine that opens a file and reads it in four calls has one problem, not four; one that
checks ``os.path.exists`` and then builds an index has its stall in the index, and reporting the
``exists`` alone sends the user to fix the wrong line. The APL1xx rules therefore collect every
blocking call of a coroutine (:class:`Pending`, made while the file is walked, when the call's
context is at hand) and decide at the end of the file (:func:`plan`):

* calls on a handle opened in the same coroutine (``with open(p) as fh: fh.read()``) fold into
  the finding at the opening call: "opened here, read/written at lines ...";
* calls on a handle from elsewhere (``self.fh.write``, a parameter) are one finding per handle:
  the first call, naming the others;
* a file opened inside the call that reads it (``json.load(open(p))``) is one problem too: the
  finding is at the ``open``, naming the read;
* ``close()`` on a handle the coroutine opened is not one of its reads or writes (after its
  ``with`` block ended it does nothing at all);
* a file opened only to read a header (every read on the handle is ``read(n)`` with a literal
  ``n`` of at most 64 KiB) costs an open and one small read, the price of a metadata call: it is
  reported as one (APL115, opt-in), not as file content I/O;
* single metadata calls (:attr:`Cost.METADATA`) in a coroutine that also makes a costlier
  blocking call fold into the costliest one's finding: moving that section to a worker thread
  takes them along; in a coroutine that makes only metadata calls, they fold into the first;
* local file content and directory I/O in a coroutine that also waits on something remote (a
  sync query, request or SDK call, a subprocess) fold into that finding the same way: readers
  of our findings called the ``open`` next to a sync upload "the wrong culprit".

The decision depends only on the coroutine, never on which rules are enabled, so every rule
instance reaches the same plan and reports its own code's share of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import libcst as cst

from ..context import FileContext
from ..rule import Fix
from ._costs import Cost, costliest

# a method call on a value of these classes is a call on an open handle, not a new problem
_HANDLE_COSTS = frozenset({Cost.FILE_CONTENT, Cost.DIRECTORY_TREE, Cost.DATABASE})
_HEADER_BYTES = 64 * 1024  # ``fh.read(n)`` up to this size: one small read, not the file's content
METADATA_CODE = "APL115"
# local file work folds into the finding of a remote wait (a query, a request, a subprocess) in
# the same coroutine: that wait is the stall, and moving the section to a thread takes both
_LOCAL_FILES = frozenset({Cost.FILE_CONTENT, Cost.DIRECTORY_TREE})
_REMOTE = Cost.DATABASE


@dataclass
class Pending:
    """A blocking call of a coroutine, waiting for the coroutine's plan."""

    call: cst.Call
    code: str
    cost: Cost
    head: str  # "`x(...)` blocks the event loop inside `async def f` (a network round trip)"
    advice: str
    statement: cst.CSTNode | None
    fix: Fix | None
    line: int
    name: str  # how a message names it: `fh.read`
    handle: str | None = None  # the handle this call is made on, when opened elsewhere (its text)
    opener: Pending | None = None  # the call that opened the handle, in this coroutine
    opens: bool = False  # this call opened a handle, bound to a local name
    folded: list[Pending] = field(default_factory=list)

    def message(self, note: str) -> str:
        return f"{self.head}{note}; {self.advice}"


def _bound_name(ctx: FileContext, call: cst.Call) -> tuple[str | None, cst.With | None]:
    """The local name an opening call binds (``with open(p) as fh``, ``fh = open(p)``) and the
    ``with`` statement that closes it."""
    ancestors = ctx.ancestors
    parent = ancestors[-2] if len(ancestors) >= 2 else None
    if isinstance(parent, cst.WithItem) and parent.item is call and parent.asname is not None:
        target = parent.asname.name
        with_node = ancestors[-3] if len(ancestors) >= 3 else None
        if isinstance(target, cst.Name) and isinstance(with_node, cst.With):
            return target.value, with_node
    if isinstance(parent, cst.Assign) and parent.value is call and len(parent.targets) == 1:
        target = parent.targets[0].target
        if isinstance(target, cst.Name):
            return target.value, None
    return None, None


class CoroutineCalls:
    """The pending blocking calls of one coroutine, and the handles it opened."""

    def __init__(self) -> None:
        self.pending: list[Pending] = []
        self.opened: dict[str, tuple[Pending, cst.With | None]] = {}

    def add(self, ctx: FileContext, pending: Pending, receiver_typed: bool) -> None:
        """Record a call; ``receiver_typed``: a method on a value of a catalogued class
        (``fh.read()``), else a function or a method the catalogue names exactly (``open(p)``,
        ``path.open()``, which may open a handle)."""
        call = pending.call
        if receiver_typed and pending.cost in _HANDLE_COSTS and isinstance(call.func, cst.Attribute):
            receiver = call.func.value
            if isinstance(receiver, cst.Name) and receiver.value in self.opened:
                opener, with_node = self.opened[receiver.value]
                if call.func.attr.value == "close":
                    return  # closing is no read or write (and after its `with`, nothing at all)
                pending.opener = opener
            else:
                pending.handle = " ".join(ctx.module.code_for_node(receiver).split())
        elif not receiver_typed:
            # ``json.load(fh)``, ``shutil.copyfileobj(src, fh)``: the handle's read or write
            for arg in call.args:
                if isinstance(arg.value, cst.Name) and arg.value.value in self.opened:
                    pending.opener = self.opened[arg.value.value][0]
                    break
            if pending.opener is None and pending.cost in _HANDLE_COSTS:
                name, with_node = _bound_name(ctx, call)
                if name is not None:
                    pending.opens = True
                    pending.opener = self._enclosing_opener(with_node)
                    self.opened[name] = (pending.opener or pending, with_node)
                elif (reader := self._reading_call(ctx, pending)) is not None:
                    # ``json.load(open(p))``: the reader (visited first) folds into the open
                    pending.opens = True
                    reader.opener = pending
                    self.pending.insert(self.pending.index(reader), pending)
                    return
        self.pending.append(pending)

    def _reading_call(self, ctx: FileContext, pending: Pending) -> Pending | None:
        """The recorded blocking call this opening call is a direct argument of, if any."""
        ancestors = ctx.ancestors
        if len(ancestors) < 3 or not isinstance(ancestors[-2], cst.Arg) or pending.cost is not Cost.FILE_CONTENT:
            return None
        outer = ancestors[-3]
        for recorded in reversed(self.pending):
            if recorded.call is outer and recorded.opener is None and recorded.cost is Cost.FILE_CONTENT:
                return recorded
        return None

    def _enclosing_opener(self, with_node: cst.With | None) -> Pending | None:
        """The opening call of a file opened together with this one, ``with open(a) as src,
        open(b, "w") as dst:`` or a ``with`` that is the first statement of the other's block:
        a copy from one to the other is one problem."""
        if with_node is None:
            return None
        for opener, outer in self.opened.values():
            if outer is with_node or (
                    outer is not None and isinstance(outer.body, cst.IndentedBlock)
                    and outer.body.body and outer.body.body[0] is with_node):
                return opener
        return None


def _names(calls: Sequence[Pending]) -> str:
    """```os.path.exists`, `open``` (each name once)."""
    return ", ".join(dict.fromkeys(f"`{pending.name}`" for pending in calls))


def _at_lines(calls: Sequence[Pending]) -> str:
    """``at line 4`` / ``at lines 4, 7``."""
    numbers = sorted({call.line for call in calls})
    return f"at line{'s' if len(numbers) > 1 else ''} " + ", ".join(str(number) for number in numbers)


def _reads_a_header(pending: Pending) -> bool:
    """A file opened here whose every read or write is ``read(n)``, ``n`` a small literal."""
    if not pending.opens or pending.cost is not Cost.FILE_CONTENT or not pending.folded:
        return False
    for use in pending.folded:
        func, args = use.call.func, use.call.args
        if not (isinstance(func, cst.Attribute) and func.attr.value == "read" and len(args) == 1
                and not args[0].keyword and isinstance(args[0].value, cst.Integer)
                and 0 <= args[0].value.evaluated_value <= _HEADER_BYTES):
            return False
    return True


def _as_metadata(pending: Pending) -> None:
    """Report a header read as what it costs: an open and one small read."""
    words = f"({Cost.FILE_CONTENT.words})"
    if pending.head.endswith(words):
        pending.head = pending.head[: -len(words)] + f"({Cost.METADATA.words}: an open and a read of a few bytes)"
    pending.code, pending.cost, pending.folded = METADATA_CODE, Cost.METADATA, []


def plan(calls: CoroutineCalls) -> list[tuple[Pending, str]]:
    """The findings of one coroutine: each reported call with the note its message carries."""
    reported: list[Pending] = []
    first_on_handle: dict[str, Pending] = {}
    for pending in calls.pending:
        handle = pending.handle
        if pending.opener is not None:
            pending.opener.folded.append(pending)
        elif handle is not None and handle in first_on_handle:
            first_on_handle[handle].folded.append(pending)
        else:
            if handle is not None:
                first_on_handle[handle] = pending
            reported.append(pending)
    for pending in reported:
        if _reads_a_header(pending):
            _as_metadata(pending)
    notes: dict[int, list[str]] = {}
    for pending in reported:
        if pending.folded:
            verb = "read/written" if pending.cost is not Cost.DATABASE else "used"
            if pending.opens:
                also = [folded for folded in pending.folded if folded.opens]
                used = [folded for folded in pending.folded if not folded.opens]
                text = ": opened here"
                if also:
                    names = ", ".join(dict.fromkeys(f"`{folded.name}`" for folded in also))
                    text += f" with {names} {_at_lines(also)}"
                if used:
                    text += f", {verb} {_at_lines(used)}"
            else:
                text = f": the same handle is {verb} again {_at_lines(pending.folded)}"
            notes.setdefault(id(pending), []).append(text)
    top = costliest(reported, lambda pending: pending.cost)
    if top is not None:
        cheap = [pending for pending in reported if pending.cost is Cost.METADATA and pending is not top]
        local = [pending for pending in reported if pending.cost in _LOCAL_FILES and top.cost >= _REMOTE]
        parts: list[str] = []
        if cheap:
            parts.append(f"{_names(cheap)} {_at_lines(cheap)} ({Cost.METADATA.words} each)")
        if local:
            parts.append(f"{_names(local)} {_at_lines(local)} (local file I/O, brief beside it)")
        if parts:
            notes.setdefault(id(top), []).append(
                f"; also {' and '.join(parts)}: the fix moves the whole section to a thread")
            folded = {id(pending) for pending in cheap + local}
            reported = [pending for pending in reported if id(pending) not in folded]
    return [(pending, "".join(notes.get(id(pending), []))) for pending in reported]
