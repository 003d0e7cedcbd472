"""Run-time detectors for what the APL2xx (N+1) and APL1xx (blocking) rules find statically.

:class:`OptimizationChecker` keeps the origin guide's static methods with their bugs fixed: the
N+1 check closes the last burst (the sketch only closed a burst when a later, distant operation
arrived, so 50 identical queries in 50 ms produced no finding), and the synchronous-I/O check
compares call names instead of substrings such as ``"open("`` that never match a name.

:class:`CallRecorder` is request-scoped: inside ``with recorder.request("GET /users"):`` every
awaited call made through :meth:`CallRecorder.track` or an :meth:`CallRecorder.instrument`-ed
function is counted by call site (``file:line``); at the end of the request, a run of calls from
one site that follow each other without a pause is reported as APL201 (sequential awaits in a
loop), and a burst of overlapping per-item calls as APL2xx (N round trips where one batch call
would do). Scopes are :class:`contextvars.ContextVar` based, so concurrent requests never mix.
"""

from __future__ import annotations

import functools
import inspect
import sys
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from itertools import pairwise
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = [
    "BurstFinding",
    "CallRecorder",
    "OptimizationChecker",
    "RequestReport",
    "find_bursts",
    "rule_code_for_call",
]

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Awaitable[Any]])

SEQUENTIAL_CODE = "APL201"  # sequential awaits in a loop
BATCHABLE_CODE = "APL2xx"  # many concurrent per-item calls from one site

# the static rule for each kind of blocking call, by dotted-name prefix (first match wins);
# anything else is reported as the APL1xx family
_CODE_BY_PREFIX = (
    ("time.sleep", "APL101"),
    ("requests.", "APL102"),
    ("httpx.", "APL102"),
    ("urllib", "APL102"),
    ("http.client", "APL102"),
    ("subprocess.", "APL103"),
    ("os.system", "APL103"),
    ("os.popen", "APL103"),
    ("os.wait", "APL103"),
    ("builtins.open", "APL104"),
    ("open", "APL104"),
    ("io.", "APL104"),
    ("os.", "APL104"),
    ("pathlib.", "APL104"),
    ("shutil.", "APL104"),
    ("tempfile.", "APL105"),
    ("zipfile.", "APL105"),
    ("tarfile.", "APL105"),
    ("builtins.input", "APL106"),
    ("input", "APL106"),
    ("sqlite3.", "APL107"),
    ("socket.", "APL108"),
    ("ssl.", "APL108"),
    ("select.", "APL108"),
    ("threading.", "APL109"),
    ("queue.", "APL109"),
    ("asyncio.run", "APL110"),
)
#: call names check_synchronous_io reports (names as written or fully qualified)
BLOCKING_CALLS = frozenset(
    {
        "time.sleep",
        "requests.get",
        "requests.post",
        "requests.put",
        "requests.delete",
        "requests.request",
        "urllib.request.urlopen",
        "open",
        "builtins.open",
        "io.open",
        "file.read",
        "file.write",
        "subprocess.run",
        "subprocess.call",
        "subprocess.check_output",
        "os.system",
        "input",
    }
)


def rule_code_for_call(name: str) -> str:
    """The APL1xx code for a blocking call's dotted name (``"socket.socket.recv"`` -> APL108)."""
    for prefix, code in _CODE_BY_PREFIX:
        if name == prefix or name.startswith(prefix):
            return code
    return "APL1xx"


@dataclass(frozen=True, slots=True)
class BurstFinding:
    """Repeated calls of one kind (an operation type or a call site) in quick succession."""

    code: str
    key: str
    bursts: int
    largest: int
    average_size: float
    total_calls: int
    sequential: bool

    @property
    def message(self) -> str:
        if self.sequential:
            remedy = (
                "issue them concurrently (`asyncio.gather`) or as one batch "
                "(`BatchProcessor`, a DataLoader, an `IN (...)` query)"
            )
            what = "sequential awaited calls (N+1)"
        else:
            remedy = "one batch call would replace N round trips (`BatchProcessor`, a DataLoader)"
            what = "concurrent per-item calls"
        return (
            f"{self.code}: potential N+1 pattern at {self.key}: {self.bursts} burst(s) of "
            f"{what}, largest {self.largest}, average {self.average_size:.1f}; {remedy}"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "key": self.key,
            "bursts": self.bursts,
            "largest": self.largest,
            "average_size": self.average_size,
            "total_calls": self.total_calls,
            "sequential": self.sequential,
            "message": self.message,
        }


def find_bursts(
    intervals: Iterable[tuple[float, float]], *, window: float = 0.1, min_burst: int = 6
) -> list[list[tuple[float, float]]]:
    """Group ``(start, end)`` intervals into bursts and return those of ``min_burst`` or more.

    A call joins the current burst when it starts less than ``window`` seconds after the latest
    end in the burst (overlapping calls always join). The final burst is closed too.
    """
    ordered = sorted(intervals)
    bursts: list[list[tuple[float, float]]] = []
    current: list[tuple[float, float]] = []
    latest_end = float("-inf")
    for start, end in ordered:
        if current and start - latest_end >= window:
            if len(current) >= min_burst:
                bursts.append(current)
            current = []
            latest_end = float("-inf")
        current.append((start, end))
        latest_end = max(latest_end, end)
    if len(current) >= min_burst:  # the sketch's bug: this last burst was never closed
        bursts.append(current)
    return bursts


def _is_sequential(burst: Sequence[tuple[float, float]]) -> bool:
    return all(later[0] >= earlier[1] for earlier, later in pairwise(burst))


def _summarise(
    key: str, intervals: Sequence[tuple[float, float]], window: float, min_burst: int
) -> BurstFinding | None:
    bursts = find_bursts(intervals, window=window, min_burst=min_burst)
    if not bursts:
        return None
    sequential = all(_is_sequential(burst) for burst in bursts)
    sizes = [len(burst) for burst in bursts]
    return BurstFinding(
        SEQUENTIAL_CODE if sequential else BATCHABLE_CODE,
        key,
        len(bursts),
        max(sizes),
        sum(sizes) / len(sizes),
        len(intervals),
        sequential,
    )


class OptimizationChecker:
    """The guide's checks, fixed; every finding names its APL rule code."""

    @staticmethod
    def find_n_plus_one(
        operations: Iterable[Mapping[str, Any]],
        *,
        window: float = 0.1,
        min_burst: int = 6,
    ) -> list[BurstFinding]:
        """Bursts per operation ``type``; each operation has ``timestamp`` (and maybe ``end``)."""
        by_type: dict[str, list[tuple[float, float]]] = {}
        for op in operations:
            start = float(op["timestamp"])
            end = float(op.get("end", start))
            by_type.setdefault(str(op["type"]), []).append((start, end))
        findings = []
        for op_type, intervals in by_type.items():
            finding = _summarise(op_type, intervals, window, min_burst)
            if finding is not None:
                findings.append(finding)
        return findings

    @staticmethod
    def check_n_plus_one_queries(
        operations: Iterable[Mapping[str, Any]],
        *,
        window: float = 0.1,
        min_burst: int = 6,
    ) -> list[str]:
        """Messages for repeated operations of one ``type`` closer than ``window`` seconds."""
        return [
            finding.message
            for finding in OptimizationChecker.find_n_plus_one(
                operations, window=window, min_burst=min_burst
            )
        ]

    @staticmethod
    def check_synchronous_io(code_metrics: Mapping[str, Any]) -> list[str]:
        """Blocking calls among ``code_metrics["function_calls"]`` (names, not source text)."""
        issues = []
        seen: set[str] = set()
        for raw in code_metrics.get("function_calls", ()):
            name = str(raw).strip().removesuffix("()").removesuffix("(").strip()
            if name not in BLOCKING_CALLS or name in seen:
                continue
            seen.add(name)
            code = rule_code_for_call(name)
            issues.append(
                f"{code}: synchronous I/O `{name}` blocks the event loop; use an async "
                "alternative or `await asyncio.to_thread(...)`"
            )
        return issues


@dataclass
class RequestReport:
    """What one request scope recorded, and the bursts found in it."""

    name: str
    calls: int
    dropped: int
    sites: dict[str, int]
    findings: list[BurstFinding] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "calls": self.calls,
            "dropped": self.dropped,
            "sites": dict(self.sites),
            "findings": [finding.to_dict() for finding in self.findings],
        }


class _RequestScope:
    """One request's log; sync and async context manager."""

    def __init__(self, recorder: CallRecorder, name: str) -> None:
        self._recorder = recorder
        self.name = name
        self.intervals: dict[str, list[tuple[float, float]]] = {}
        self.calls = 0
        self.dropped = 0
        self.report: RequestReport | None = None
        self._token: Token[_RequestScope | None] | None = None

    def add(self, site: str, start: float, end: float) -> None:
        if self.calls >= self._recorder.max_calls:
            self.dropped += 1
            return
        self.calls += 1
        self.intervals.setdefault(site, []).append((start, end))

    def __enter__(self) -> Self:
        self._token = self._recorder._scope.set(self)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._token is not None:
            self._recorder._scope.reset(self._token)
            self._token = None
        self.report = self._recorder._finish(self)

    async def __aenter__(self) -> Self:
        return self.__enter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.__exit__(exc_type, exc, tb)


class CallRecorder:
    """Counts awaited calls per call site inside request scopes and reports N+1 bursts.

    Outside a ``request()`` scope, tracked calls are not recorded (a context-variable read).
    ``on_finding`` is called with each finished request's report when it has findings.
    """

    def __init__(
        self,
        *,
        window: float = 0.1,
        min_burst: int = 6,
        max_calls: int = 10_000,
        keep_reports: int = 100,
        clock: Callable[[], float] = time.perf_counter,
        on_finding: Callable[[RequestReport], None] | None = None,
    ) -> None:
        self.window = window
        self.min_burst = min_burst
        self.max_calls = max_calls
        self.on_finding = on_finding
        self._clock = clock
        self._scope: ContextVar[_RequestScope | None] = ContextVar(
            f"agentperf_call_recorder_{id(self)}", default=None
        )
        #: finished requests that had findings, newest last
        self.reports: deque[RequestReport] = deque(maxlen=keep_reports)

    def request(self, name: str = "request") -> _RequestScope:
        """Scope (``with`` / ``async with``) whose calls are analysed together when it ends."""
        return _RequestScope(self, name)

    @property
    def active(self) -> bool:
        return self._scope.get() is not None

    def track(self, awaitable: Awaitable[T], site: str | None = None) -> Awaitable[T]:
        """``await recorder.track(db.get(i))``: record this await under the caller's line."""
        scope = self._scope.get()
        if scope is None:
            return awaitable
        if site is None:
            frame = sys._getframe(1)
            site = f"{frame.f_code.co_filename}:{frame.f_lineno}"
        return self._timed(scope, site, awaitable)

    async def _timed(
        self, scope: _RequestScope, site: str, awaitable: Awaitable[T]
    ) -> T:
        start = self._clock()
        try:
            return await awaitable
        finally:
            scope.add(site, start, self._clock())

    def instrument(self, func: F) -> F:
        """Decorate an ``async def`` so every awaited call of it is recorded at its call site.

        The wrapper returns the coroutine (it is a plain function that still must be awaited).
        """
        if not inspect.iscoroutinefunction(func):
            raise TypeError("CallRecorder.instrument expects an async function")
        name = func.__qualname__

        # a plain function, so the call site is taken where the coroutine is created: under
        # asyncio.gather the awaiting frame would be the event loop's, not the caller's
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Awaitable[Any]:
            scope = self._scope.get()
            if scope is None:
                return func(*args, **kwargs)
            caller = sys._getframe(1)
            site = f"{caller.f_code.co_filename}:{caller.f_lineno} ({name})"
            del caller
            return self._timed(scope, site, func(*args, **kwargs))

        return wrapper  # type: ignore[return-value]

    def _finish(self, scope: _RequestScope) -> RequestReport:
        findings = []
        for site, intervals in scope.intervals.items():
            finding = _summarise(site, intervals, self.window, self.min_burst)
            if finding is not None:
                findings.append(finding)
        report = RequestReport(
            scope.name,
            scope.calls,
            scope.dropped,
            {site: len(intervals) for site, intervals in scope.intervals.items()},
            findings,
        )
        if findings:
            self.reports.append(report)
            if self.on_finding is not None:
                self.on_finding(report)
        return report
