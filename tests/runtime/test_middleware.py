"""PerformanceMiddleware driven in-process: templates, failures, cardinality and exports."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest

from agentperf_lint.runtime.budgets import assert_within_budget
from agentperf_lint.runtime.detectors import CallRecorder
from agentperf_lint.runtime.middleware import (
    HttpMetrics,
    PerformanceMiddleware,
    default_route_label,
)

Message = dict[str, Any]


async def plain_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """A minimal ASGI app: /boom raises, /late raises after the response started."""
    path = scope["path"]
    if path == "/boom":
        raise RuntimeError("handler crashed")
    if path.startswith("/missing"):
        status = 404
    else:
        status = 200
    await send({"type": "http.response.start", "status": status, "headers": []})
    if path == "/late":
        raise RuntimeError("crashed mid-body")
    await send({"type": "http.response.body", "body": b"ok"})


async def call(app: Any, path: str, method: str = "GET", **extra: Any) -> list[Message]:
    """Drive one HTTP request through an ASGI app and return what it sent."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 1234),
        "server": ("testserver", 80),
        **extra,
    }
    sent: list[Message] = []
    request_sent = False

    async def receive() -> Message:
        nonlocal request_sent
        if not request_sent:
            request_sent = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent


def rows(middleware: PerformanceMiddleware) -> set[tuple[str, str, int, int]]:
    return {
        (row["method"], row["route"], row["status"], row["count"])
        for row in middleware.metrics.to_dict()["http_request_duration"]
    }


@pytest.mark.asyncio
async def test_records_method_template_and_status_for_a_plain_asgi_app() -> None:
    app = PerformanceMiddleware(plain_app)
    for user in (1, 2, 3):
        sent = await call(app, f"/users/{user}")
        assert sent[0]["status"] == 200
    await call(app, "/users/1", method="POST")
    await call(app, "/missing/abc")
    assert rows(app) == {
        ("GET", "/users/{int}", 200, 3),
        ("POST", "/users/{int}", 200, 1),
        ("GET", "(unmatched)", 404, 1),
    }
    assert app.metrics.in_progress == 0


@pytest.mark.asyncio
async def test_failed_requests_are_recorded_and_reraised() -> None:
    app = PerformanceMiddleware(plain_app)
    with pytest.raises(RuntimeError, match="handler crashed"):
        await call(app, "/boom")
    with pytest.raises(RuntimeError, match="mid-body"):
        await call(app, "/late")
    assert rows(app) == {("GET", "/boom", 500, 1), ("GET", "/late", 200, 1)}
    assert app.metrics.in_progress == 0
    assert app.metrics.observed_metrics("/boom")["error_rate"] == 1.0


@pytest.mark.asyncio
async def test_cancelled_request_is_499() -> None:
    started = asyncio.Event()

    async def slow_app(scope: Any, receive: Any, send: Any) -> None:
        started.set()
        await asyncio.sleep(3600)

    app = PerformanceMiddleware(slow_app)
    task = asyncio.create_task(call(app, "/slow"))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert rows(app) == {("GET", "/slow", 499, 1)}


def test_default_labels_hide_ids() -> None:
    assert default_route_label("/users/42/posts/7") == "/users/{int}/posts/{int}"
    assert default_route_label("/o/123e4567-e89b-12d3-a456-426614174000") == "/o/{uuid}"
    assert default_route_label("/blob/9f1c2e3d4b5a69788776") == "/blob/{hex}"
    assert default_route_label("/s/aGVsbG8gd29ybGQ1234567") == "/s/{id}"
    assert default_route_label("/health") == "/health"
    assert default_route_label("") == "/"


@pytest.mark.asyncio
async def test_route_labels_are_capped() -> None:
    app = PerformanceMiddleware(plain_app, max_routes=3)
    for name in ("a", "b", "c", "d", "e"):
        await call(app, f"/{name}")
    routes = {row[1] for row in rows(app)}
    assert routes == {"/a", "/b", "/c", "(other)"}


@pytest.mark.asyncio
async def test_custom_route_resolver_wins_over_the_fallback() -> None:
    def resolver(scope: dict[str, Any]) -> str | None:
        return "/items/{name}" if scope["path"].startswith("/items/") else None

    app = PerformanceMiddleware(plain_app, route_resolver=resolver)
    await call(app, "/items/apple")
    await call(app, "/items/pear")
    await call(app, "/other")
    assert rows(app) == {("GET", "/items/{name}", 200, 2), ("GET", "/other", 200, 1)}


class FakeRoute:
    path_format = "/users/{user_id}"


@pytest.mark.asyncio
async def test_route_object_on_scope_is_used_like_fastapi() -> None:
    async def routed_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        scope["route"] = FakeRoute()  # what FastAPI's router does
        await plain_app(scope, receive, send)

    app = PerformanceMiddleware(routed_app)
    await call(app, "/users/abc")
    assert rows(app) == {("GET", "/users/{user_id}", 200, 1)}


@pytest.mark.asyncio
async def test_prometheus_text_and_metrics_endpoint() -> None:
    app = PerformanceMiddleware(plain_app, metrics_path="/metrics")
    await call(app, "/users/1")
    await call(app, '/we"ird')
    sent = await call(app, "/metrics")
    assert sent[0]["status"] == 200
    assert (b"content-type", b"text/plain; version=0.0.4; charset=utf-8") in sent[0][
        "headers"
    ]
    text = sent[1]["body"].decode()
    assert "# TYPE http_request_duration_seconds summary" in text
    assert re.search(
        r'^http_request_duration_seconds\{method="GET",route="/users/\{int\}",status="200",'
        r'quantile="0\.95"\} [0-9.e-]+$',
        text,
        re.MULTILINE,
    )
    assert (
        'http_request_duration_seconds_count{method="GET",route="/users/{int}",status="200"} 1'
        in text
    )
    assert 'route="/we\\"ird"' in text
    assert "http_requests_in_progress 0" in text
    assert ("GET", "/metrics", 200, 1) not in rows(app)  # scrapes are not recorded


@pytest.mark.asyncio
async def test_dict_export_and_budgets() -> None:
    ticks = iter(i * 0.25 for i in range(100))
    app = PerformanceMiddleware(plain_app, clock=lambda: next(ticks))
    for _ in range(4):
        await call(app, "/users/7")
    exported = app.metrics.to_dict()
    (row,) = exported["http_request_duration"]
    assert row["count"] == 4
    assert row["sum"] == pytest.approx(1.0)
    assert row["p95"] == pytest.approx(0.25, rel=0.011)
    assert_within_budget(app.metrics, {"api_response_time_p95": 0.5, "error_rate": 0.0})
    with pytest.raises(AssertionError):
        assert_within_budget(app.metrics, {"api_response_time_p95": 0.1})
    assert app.metrics.observed_metrics("GET /users/{int}")["count"] == 4
    assert app.metrics.observed_metrics("/nothing") == {}


@pytest.mark.asyncio
async def test_non_http_scopes_pass_through() -> None:
    seen: list[str] = []

    async def lifespan_app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope["type"])

    app = PerformanceMiddleware(lifespan_app)
    await app({"type": "lifespan"}, None, None)  # type: ignore[arg-type]
    assert seen == ["lifespan"]
    assert app.metrics.to_dict()["http_request_duration"] == []


@pytest.mark.asyncio
async def test_call_recorder_scope_per_request() -> None:
    recorder = CallRecorder(min_burst=3)

    @recorder.instrument
    async def load(i: int) -> int:
        return i

    async def n_plus_one_app(scope: Any, receive: Any, send: Any) -> None:
        for i in range(5):
            await load(i)
        await plain_app(scope, receive, send)

    app = PerformanceMiddleware(n_plus_one_app, call_recorder=recorder)
    await call(app, "/team/5")
    (report,) = recorder.reports
    assert report.name == "GET /team/5"
    assert report.findings[0].code == "APL201"


def test_metrics_reset() -> None:
    metrics = HttpMetrics()
    metrics.record("GET", "/", 200, 0.1)
    metrics.reset()
    assert metrics.to_dict()["http_request_duration"] == []


# --- Starlette (optional): real route templates, mounts and 405s ------------------------------
@pytest.mark.asyncio
async def test_starlette_route_templates() -> None:
    pytest.importorskip("starlette")
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Mount, Route

    async def user(request: Any) -> PlainTextResponse:
        return PlainTextResponse(request.path_params["user_id"])

    async def item(request: Any) -> PlainTextResponse:
        return PlainTextResponse("item")

    async def fail(request: Any) -> PlainTextResponse:
        raise RuntimeError("boom")

    inner = Starlette(routes=[Route("/items/{item_id:int}", item)])
    starlette_app = Starlette(
        routes=[
            Route("/users/{user_id}", user),
            Route("/fail", fail),
            Mount("/api", app=inner),
        ]
    )
    app = PerformanceMiddleware(starlette_app)
    await call(app, "/users/alice")
    await call(app, "/users/bob")
    await call(app, "/api/items/3")
    await call(app, "/users/alice", method="POST")
    await call(app, "/nope/123")
    with pytest.raises(RuntimeError):
        await call(app, "/fail")
    assert rows(app) == {
        ("GET", "/users/{user_id}", 200, 2),
        ("GET", "/api/items/{item_id}", 200, 1),
        ("POST", "/users/{user_id}", 405, 1),
        ("GET", "(unmatched)", 404, 1),
        ("GET", "/fail", 500, 1),
    }


@pytest.mark.asyncio
async def test_starlette_add_middleware() -> None:
    pytest.importorskip("starlette")
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    async def user(request: Any) -> PlainTextResponse:
        return PlainTextResponse("ok")

    metrics = HttpMetrics()
    starlette_app = Starlette(
        routes=[Route("/users/{user_id}", user)],
        middleware=[Middleware(PerformanceMiddleware, metrics=metrics)],
    )
    await call(starlette_app, "/users/9")
    assert [
        (r["route"], r["status"]) for r in metrics.to_dict()["http_request_duration"]
    ] == [("/users/{user_id}", 200)]
