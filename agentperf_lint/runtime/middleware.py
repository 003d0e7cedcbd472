"""Pure ASGI middleware recording ``http_request_duration`` by method, route template and status.

Works with any ASGI 3 application (Starlette, FastAPI, Quart, a bare coroutine). The origin sketch
used FastAPI's ``@app.middleware("http")`` with an undefined ``metrics`` object, no try/finally
(failed requests were never recorded) and the raw URL path as a label, which gives every user ID
its own time series. Here:

- the label is the route *template*: FastAPI's ``scope["route"].path_format``, else the
  Starlette route (and mounts) matching the request, else a ``route_resolver(scope)`` you pass,
  else the path with ID-like segments replaced (``/users/{int}``); distinct labels are capped
  (``max_routes``) and unmatched 404s share one label, so cardinality stays bounded;
- the request is timed in ``try/finally``: an exception before the response started counts as
  status 500, a cancelled request (client gone) as 499, and both are re-raised;
- the metrics export as a dict and in the Prometheus text format (a summary with quantiles), and
  ``metrics_path="/metrics"`` serves that text directly.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from ._histogram import LatencyHistogram

__all__ = ["HttpMetrics", "PerformanceMiddleware", "default_route_label"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
RouteResolver = Callable[[Scope], "str | None"]

OTHER_ROUTE = "(other)"
UNMATCHED_ROUTE = "(unmatched)"
_QUANTILES = (0.5, 0.9, 0.95, 0.99)

_INT = re.compile(r"^\d+$")
_UUID = re.compile(
    r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$"
)
_HEX = re.compile(r"^[0-9a-fA-F]{16,}$")
_TOKEN = re.compile(
    r"^(?=.*\d)[\w.~-]{20,}$"
)  # long opaque ids: base64/slug tokens with digits


def default_route_label(path: str) -> str:
    """Replace ID-like path segments: ``/users/42/posts/9f1c...`` -> ``/users/{int}/posts/{hex}``."""
    segments = []
    for segment in path.split("/"):
        if _INT.match(segment):
            segments.append("{int}")
        elif _UUID.match(segment):
            segments.append("{uuid}")
        elif _HEX.match(segment):
            segments.append("{hex}")
        elif _TOKEN.match(segment):
            segments.append("{id}")
        else:
            segments.append(segment)
    return "/".join(segments) or "/"


def _starlette_template(routes: Any, scope: Scope, prefix: str = "") -> str | None:
    """Template of the Starlette/FastAPI route (through mounts) that matches ``scope``."""
    partial: str | None = None
    for route in routes:
        matches = getattr(route, "matches", None)
        path_format = getattr(route, "path_format", None)
        if matches is None or path_format is None:
            continue
        try:
            match, child_scope = matches(scope)
        except Exception:  # noqa: BLE001, S112 - a foreign route type must never break a request
            continue
        name = getattr(match, "name", "")
        if name == "PARTIAL" and partial is None:  # path matched, method did not (405)
            partial = prefix + path_format
        if name != "FULL":
            continue
        sub_routes = getattr(route, "routes", None)
        if sub_routes is None:
            return str(prefix + path_format)
        # a Mount's path_format is its prefix plus "/{path}" (its catch-all parameter)
        mount_prefix = prefix + str(path_format).removesuffix("/{path}")
        inner = _starlette_template(sub_routes, {**scope, **child_scope}, mount_prefix)
        return inner or mount_prefix + "/{path}"
    return partial


class _Series:
    __slots__ = ("errors", "histogram")

    def __init__(self) -> None:
        self.histogram = LatencyHistogram()
        self.errors = 0


class HttpMetrics:
    """``http_request_duration`` series keyed by (method, route, status); bounded by route cap."""

    def __init__(self, *, max_routes: int = 200) -> None:
        self.max_routes = max_routes
        self._lock = threading.Lock()
        self._series: dict[tuple[str, str, int], _Series] = {}
        self._routes: set[str] = set()
        self.in_progress = 0

    def record(self, method: str, route: str, status: int, seconds: float) -> None:
        with self._lock:
            if route not in self._routes:
                if len(self._routes) >= self.max_routes:
                    route = OTHER_ROUTE
                self._routes.add(route)
            key = (method, route, status)
            series = self._series.get(key)
            if series is None:
                series = self._series[key] = _Series()
            series.histogram.record(seconds)

    def to_dict(self) -> dict[str, Any]:
        with self._lock:
            rows = []
            for (method, route, status), series in sorted(self._series.items()):
                hist = series.histogram
                rows.append(
                    {
                        "method": method,
                        "route": route,
                        "status": status,
                        "count": hist.count,
                        "sum": hist.total,
                        "max": hist.max,
                        **{
                            f"p{int(q * 100)}": hist.percentile(q * 100)
                            for q in _QUANTILES
                        },
                    }
                )
            return {
                "http_request_duration": rows,
                "http_requests_in_progress": self.in_progress,
            }

    def to_prometheus(self, prefix: str = "") -> str:
        """Prometheus text exposition format 0.0.4 (a summary and an in-progress gauge)."""
        name = f"{prefix}http_request_duration_seconds"
        lines = [
            f"# HELP {name} HTTP request latency by method, route template and status.",
            f"# TYPE {name} summary",
        ]
        with self._lock:
            for (method, route, status), series in sorted(self._series.items()):
                hist = series.histogram
                labels = f'method="{_escape(method)}",route="{_escape(route)}",status="{status}"'
                for q in _QUANTILES:
                    value = hist.percentile(q * 100)
                    lines.append(f'{name}{{{labels},quantile="{q}"}} {value!r}')
                lines.append(f"{name}_sum{{{labels}}} {hist.total!r}")
                lines.append(f"{name}_count{{{labels}}} {hist.count}")
            gauge = f"{prefix}http_requests_in_progress"
            lines += [
                f"# HELP {gauge} HTTP requests being handled now.",
                f"# TYPE {gauge} gauge",
                f"{gauge} {self.in_progress}",
            ]
        return "\n".join(lines) + "\n"

    def observed_metrics(self, operation: str | None = None) -> dict[str, float]:
        """Budget metrics over all requests, or one ``"METHOD /route"`` / ``"/route"``."""
        merged = LatencyHistogram()
        errors = 0
        with self._lock:
            for (method, route, status), series in self._series.items():
                if operation is not None and operation not in (
                    route,
                    f"{method} {route}",
                ):
                    continue
                merged.merge(series.histogram)
                if status >= 500:
                    errors += series.histogram.count
        if not merged.count:
            return {}
        return {
            "count": float(merged.count),
            "response_time_p50": merged.percentile(50),
            "response_time_p95": merged.percentile(95),
            "response_time_p99": merged.percentile(99),
            "api_response_time_p95": merged.percentile(95),
            "response_time_mean": merged.mean,
            "response_time_max": merged.max,
            "error_rate": errors / merged.count,
        }

    def reset(self) -> None:
        with self._lock:
            self._series.clear()
            self._routes.clear()


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


class PerformanceMiddleware:
    """ASGI middleware: ``app = PerformanceMiddleware(app)`` or ``app.add_middleware(...)``.

    ``route_resolver(scope)`` may return a template for frameworks without Starlette routes;
    ``call_recorder`` (a :class:`~agentperf_lint.runtime.CallRecorder`) opens one N+1 scope per
    request; ``metrics_path`` serves the Prometheus text; ``clock`` is injectable for tests.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        metrics: HttpMetrics | None = None,
        route_resolver: RouteResolver | None = None,
        max_routes: int = 200,
        metrics_path: str | None = None,
        call_recorder: Any = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.app = app
        self.metrics = (
            metrics if metrics is not None else HttpMetrics(max_routes=max_routes)
        )
        self.route_resolver = route_resolver
        self.metrics_path = metrics_path
        self.call_recorder = call_recorder
        self._clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.metrics_path is not None and scope.get("path") == self.metrics_path:
            await self._serve_metrics(send)
            return
        route = self._route_from_router(scope)
        status = 0
        started = False

        async def send_wrapper(message: Message) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                status = int(message["status"])
                started = True
            await send(message)

        metrics = self.metrics
        metrics.in_progress += 1
        start = self._clock()
        try:
            if self.call_recorder is not None:
                name = f"{scope.get('method', '')} {route or scope.get('path', '')}"
                async with self.call_recorder.request(name):
                    await self.app(scope, receive, send_wrapper)
            else:
                await self.app(scope, receive, send_wrapper)
        except BaseException as exc:
            if not started:
                status = 500 if isinstance(exc, Exception) else 499
            raise
        finally:
            duration = self._clock() - start
            metrics.in_progress -= 1
            if route is None:
                route = self._route_after(scope, status or 500)
            metrics.record(str(scope.get("method", "")), route, status or 500, duration)

    def _route_from_router(self, scope: Scope) -> str | None:
        """Starlette/FastAPI template, resolved before the app runs (routers mutate the scope)."""
        owner = scope.get("app", self.app)
        routes = getattr(owner, "routes", None)
        if routes is None:
            return None
        try:
            return _starlette_template(routes, scope)
        except Exception:  # noqa: BLE001 - labelling must never break a request
            return None

    def _route_after(self, scope: Scope, status: int) -> str:
        found = getattr(
            scope.get("route"), "path_format", None
        )  # FastAPI sets scope["route"]
        if found:
            return str(found)
        if self.route_resolver is not None:
            resolved = self.route_resolver(scope)
            if resolved:
                return resolved
        if status == 404:  # do not let scanners mint a label per random path
            return UNMATCHED_ROUTE
        return default_route_label(str(scope.get("path", "")))

    async def _serve_metrics(self, send: Send) -> None:
        body = self.metrics.to_prometheus().encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"text/plain; version=0.0.4; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
