"""The HTML report: structure, charts and no network fetches (validated with html.parser)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from html.parser import HTMLParser
from pathlib import Path

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web

from agentperf_lint.runtime import LoadTester, LoadTestResult
from agentperf_lint.runtime.loadtest import set_label
from agentperf_lint.runtime.loadtest_report import render_html, write_json, write_report

_VOID = {"meta", "br", "img", "input", "link", "hr", "area", "base", "col", "source", "wbr"}
# elements inside <svg> that are self-closed in our output
_SELF_CLOSED = {"line", "polyline", "circle", "rect", "path"}


class Structure(HTMLParser):
    """Collects tags, attributes, figures and text; checks that elements nest properly."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.figures: dict[str, dict[str, int]] = {}
        self.text: list[str] = []
        self.errors: list[str] = []
        self.script_data: list[str] = []
        self._figure: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "figure":
            self._figure = attributes.get("data-chart") or "?"
            self.figures[self._figure] = {}
        elif self._figure is not None:
            counts = self.figures[self._figure]
            counts[tag] = counts.get(tag, 0) + 1
        if tag not in _VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if self._figure is not None:
            counts = self.figures[self._figure]
            counts[tag] = counts.get(tag, 0) + 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}> with open {self.stack[-3:]}")
            return
        self.stack.pop()
        if tag == "figure":
            self._figure = None

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1] == "script":
            self.script_data.append(data)
        else:
            self.text.append(data)


def parse(html: str) -> Structure:
    parser = Structure()
    parser.feed(html)
    parser.close()
    return parser


class Server:
    async def start(self) -> None:
        async def ok(request: web.Request) -> web.Response:
            await asyncio.sleep(0.001)
            return web.Response(text="ok")

        async def fail(request: web.Request) -> web.Response:
            return web.Response(status=503, text="busy")

        app = web.Application()
        app.router.add_get("/ok", ok)
        app.router.add_get("/fail", fail)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"


@pytest_asyncio.fixture
async def result() -> AsyncIterator[LoadTestResult]:
    server = Server()
    await server.start()
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:

            async def scenario(user_id: int, request_id: int) -> None:
                path = "/fail" if request_id % 10 == 9 else "/ok"
                set_label(f"GET {path}")
                async with session.get(server.url + path) as response:
                    response.raise_for_status()
                    await response.read()

            yield await LoadTester(progress=False).run_load_test(
                scenario,
                stages=[("0.4s", 4), ("0.8s", 4), ("0.3s", 0)],
                thresholds={"error_rate": 0.05, "response_time_p95": 5.0},
            )
    finally:
        await server.runner.cleanup()


@pytest.mark.asyncio
async def test_report_structure_and_charts(result: LoadTestResult, tmp_path: Path) -> None:
    path = write_report(result, tmp_path / "report.html", title="Checkout </title> test")
    html = path.read_text(encoding="utf-8")
    doc = parse(html)
    assert doc.errors == []
    assert doc.stack == []  # every element closed
    tag_names = [tag for tag, _ in doc.tags]
    assert tag_names[:1] == ["html"]
    assert "Checkout </title> test" in "".join(doc.text)  # escaped, not markup
    # the four charts, each an inline SVG with drawn data
    assert set(doc.figures) == {
        "latency-over-time",
        "throughput-over-time",
        "users-over-time",
        "latency-histogram",
    }
    for name in ("latency-over-time", "throughput-over-time", "users-over-time"):
        assert doc.figures[name].get("svg") == 1
        assert doc.figures[name].get("polyline", 0) + doc.figures[name].get("circle", 0) >= 1
    latency_series = {a.get("data-series") for t, a in doc.tags if t == "polyline"}
    assert {"p50", "p95", "p99", "requests/s", "errors/s", "users"} <= latency_series
    assert doc.figures["latency-histogram"]["rect"] >= 10  # the histogram's bars (and legend)
    # summary, thresholds (failed: 10% errors > 5%), per-label and error tables
    text = " ".join(doc.text)
    for needle in (
        "total requests",
        "Thresholds",
        "FAIL",
        "GET /ok",
        "GET /fail",
        "Errors by type",
    ):
        assert needle in text
    assert "ClientResponseError" in text


@pytest.mark.asyncio
async def test_report_fetches_nothing(result: LoadTestResult) -> None:
    doc = parse(render_html(result))
    for tag, attrs in doc.tags:
        assert tag not in {"link", "img", "iframe", "object", "embed"}, tag
        if tag == "script":
            assert "src" not in attrs
            assert attrs.get("type") == "application/json"  # data only, never executed
        for name in ("src", "href", "xlink:href", "action", "srcset", "poster", "data"):
            assert name not in attrs, (tag, name)
    styles = [t for t in doc.text if "{" in t]
    assert styles and not any("url(" in s or "@import" in s for s in styles)


@pytest.mark.asyncio
async def test_embedded_and_written_json_round_trip(result: LoadTestResult, tmp_path: Path) -> None:
    doc = parse(render_html(result))
    embedded = json.loads("".join(doc.script_data))
    assert embedded["total_requests"] == result.total_requests
    written = json.loads(write_json(result, tmp_path / "r.json").read_text(encoding="utf-8"))
    assert written == result.to_dict()
    # a saved JSON result renders the same report
    assert render_html(written) == render_html(result)


def test_empty_result_renders() -> None:
    async def scenario() -> None:
        return None

    empty = asyncio.run(LoadTester(progress=False).run_load_test(scenario, concurrent_users=0))
    doc = parse(render_html(empty))
    assert doc.errors == [] and doc.stack == []
    assert "no thresholds" in " ".join(doc.text)
