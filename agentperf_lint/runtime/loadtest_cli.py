"""``agentperf-loadtest``: run a LoadTester scenario from the command line (a CI gate).

    agentperf-loadtest module:function --users 50 --duration 30s [--rps 200]
        [--threshold p95=250ms --threshold error_rate=1%] [--report report.html] [--json out.json]

The target's module may define ``async def on_start()`` and ``async def on_stop()``: they run once
in the same event loop before and after the load (open and close a shared ``aiohttp`` session
there, say).

Exit status: 0 when every threshold passed (or none was set), 1 when a threshold failed, 2 with a
one-line error on bad input (unknown target, bad duration, unknown metric).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import importlib.util
import inspect
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from .loadtest import THRESHOLD_ALIASES, THRESHOLD_METRICS, LoadTester, parse_duration

__all__ = ["main"]

PROG = "agentperf-loadtest"


class UsageError(Exception):
    """Bad input: reported as one line on stderr with exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line instead of usage + message
        raise UsageError(message)


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Generate load against an async Python callable and report latency, "
        "throughput and errors.",
        epilog="Durations accept 500ms, 30s, 2m, 1h. Exit status: 0 pass, 1 threshold failed, "
        "2 bad input.",
    )
    parser.add_argument(
        "target",
        help="module:function or path/to/file.py:function; the function is async and takes "
        "(user_id, request_id) or no arguments",
    )
    parser.add_argument("-u", "--users", type=int, default=10, help="concurrent users (default 10)")
    parser.add_argument(
        "-d", "--duration", help="run for this long (closed model, or open with --rps)"
    )
    parser.add_argument(
        "-n", "--requests", type=int, help="requests per user (default 100 without --duration)"
    )
    parser.add_argument("--ramp-up", default="0s", help="spread user starts over this time")
    parser.add_argument(
        "--stages",
        help="staged profile, e.g. 30s:50,60s:50,10s:0 (ramp to 50 users, hold, ramp down)",
    )
    parser.add_argument(
        "--rps",
        type=float,
        help="open model: start this many requests per second (--users caps concurrency)",
    )
    parser.add_argument(
        "-t",
        "--threshold",
        action="append",
        default=[],
        metavar="METRIC=LIMIT",
        help="fail (exit 1) when violated; e.g. p95=250ms, p99=1s, error_rate=1%%, rps=100 "
        "(rps is a lower bound). Metrics: " + ", ".join(THRESHOLD_METRICS),
    )
    parser.add_argument("--report", type=Path, help="write a self-contained HTML report here")
    parser.add_argument("--json", type=Path, help="write the JSON result here")
    parser.add_argument("-q", "--quiet", action="store_true", help="no live progress line")
    return parser


def _load_target(spec: str) -> tuple[Any, Any]:
    """Import ``module:function`` (or ``file.py:function``) relative to the current directory.

    Returns the function and its module (for the optional ``on_start``/``on_stop`` hooks).
    """
    module_name, sep, attr = spec.rpartition(":")
    if not sep or not module_name or not attr:
        raise UsageError(f"target {spec!r} must look like module:function")
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        if module_name.endswith(".py"):
            path = Path(module_name)
            if not path.is_file():
                raise UsageError(f"no such file: {module_name}")
            loader_spec = importlib.util.spec_from_file_location(path.stem, path)
            assert loader_spec is not None and loader_spec.loader is not None
            module = importlib.util.module_from_spec(loader_spec)
            loader_spec.loader.exec_module(module)
        else:
            module = importlib.import_module(module_name)
    except UsageError:
        raise
    except Exception as exc:
        raise UsageError(f"cannot import {module_name!r}: {type(exc).__name__}: {exc}") from exc
    func = module
    for part in attr.split("."):
        try:
            func = getattr(func, part)
        except AttributeError:
            raise UsageError(f"{module_name!r} has no attribute {attr!r}") from None
    # an instance with ``async def __call__`` is accepted like a coroutine function
    is_async = inspect.iscoroutinefunction(func) or (
        callable(func) and inspect.iscoroutinefunction(type(func).__call__)
    )
    if not is_async:
        raise UsageError(f"{spec} must be an async function (async def)")
    return func, module


async def _with_hooks(module: Any, tester: LoadTester, func: Any, kwargs: dict[str, Any]) -> Any:
    on_start = getattr(module, "on_start", None)
    on_stop = getattr(module, "on_stop", None)
    if on_start is not None:
        await on_start()
    try:
        return await tester.run_load_test(func, **kwargs)
    finally:
        if on_stop is not None:
            await on_stop()


def _parse_limit(metric: str, text: str) -> float:
    text = text.strip()
    if text.endswith("%"):
        return float(text[:-1]) / 100.0
    if metric.startswith(("response_time", "api_response_time")):
        return parse_duration(text)
    return float(text)


def _parse_thresholds(items: Sequence[str]) -> dict[str, float]:
    limits: dict[str, float] = {}
    for item in items:
        name, sep, value = item.partition("=")
        metric = THRESHOLD_ALIASES.get(name.strip(), name.strip())
        if not sep or not value.strip():
            raise UsageError(f"threshold {item!r} must look like METRIC=LIMIT, e.g. p95=250ms")
        if metric not in THRESHOLD_METRICS:
            raise UsageError(
                f"unknown threshold metric {name!r}; choose from {', '.join(THRESHOLD_METRICS)} "
                f"or {', '.join(THRESHOLD_ALIASES)}"
            )
        try:
            limits[metric] = _parse_limit(metric, value)
        except ValueError:
            raise UsageError(f"threshold {item!r}: cannot read limit {value!r}") from None
    return limits


def _parse_stages(text: str) -> list[tuple[float, int]]:
    stages = []
    for part in text.split(","):
        duration, sep, users = part.strip().partition(":")
        if not sep:
            raise UsageError(f"stage {part!r} must look like DURATION:USERS, e.g. 30s:50")
        try:
            stages.append((parse_duration(duration), int(users)))
        except ValueError:
            raise UsageError(f"stage {part!r} must look like DURATION:USERS, e.g. 30s:50") from None
    return stages


def _run(args: argparse.Namespace) -> int:
    func, module = _load_target(args.target)
    thresholds = _parse_thresholds(args.threshold)
    try:
        duration = None if args.duration is None else parse_duration(args.duration)
        ramp = parse_duration(args.ramp_up)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    stages = None if args.stages is None else _parse_stages(args.stages)
    tester = LoadTester(progress=False if args.quiet else None, thresholds=thresholds or None)
    kwargs: dict[str, Any] = {
        "concurrent_users": args.users,
        "requests_per_user": args.requests,
        "ramp_up_time": ramp,
        "duration": duration,
        "stages": stages,
        "target_rps": args.rps,
    }
    try:
        result = asyncio.run(_with_hooks(module, tester, func, kwargs))
    except (ValueError, TypeError) as exc:
        raise UsageError(str(exc)) from None
    print(result.summary())
    from .loadtest_report import write_json, write_report

    try:
        if args.json is not None:
            write_json(result, args.json)
            print(f"JSON result: {args.json}")
        if args.report is not None:
            write_report(result, args.report, title=f"Load test: {args.target}")
            print(f"HTML report: {args.report}")
    except OSError as exc:
        raise UsageError(f"cannot write output: {exc}") from None
    return 0 if result.passed else 1


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``agentperf-loadtest``; returns the exit status."""
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
        return _run(args)
    except UsageError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
