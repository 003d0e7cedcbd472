"""Self-contained HTML (and JSON) reports for :class:`~agentperf_lint.runtime.LoadTester` runs.

Charts are inline SVG generated here from the result's numbers. A charting library would either
be a dependency of the runtime package (matplotlib, ~40 MB with numpy) or a JavaScript bundle
inlined into every report (Plotly ~3.5 MB, Chart.js ~200 kB) to honour "no network fetches". Four
static charts (lines over time and one histogram) need neither: the file stays a few tens of
kB, opens offline in any browser, survives CI artifact viewers that block scripts, and its
structure can be tested with the standard library's ``html.parser``.

The report is built from the JSON-ready result mapping alone, so a saved ``results.json`` can be
rendered again later (``render_html(json.load(f))``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path
from typing import Any

__all__ = ["render_html", "write_json", "write_report"]

_COLORS = {
    "p50": "#2563eb",
    "p95": "#f59e0b",
    "p99": "#dc2626",
    "rps": "#059669",
    "errors": "#dc2626",
    "users": "#7c3aed",
    "bars": "#2563eb",
}
_WIDTH, _HEIGHT = 760, 260
_LEFT, _RIGHT, _TOP, _BOTTOM = 64, 20, 34, 40

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;
background:#f6f7f9;color:#1f2933}
main{max-width:820px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}
.sub{color:#52606d;margin:0 0 16px}
.verdict{display:inline-block;padding:3px 10px;border-radius:4px;font-weight:600;color:#fff}
.pass{background:#059669}.fail{background:#dc2626}.none{background:#9aa5b1}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:10px}
.card{background:#fff;border:1px solid #e4e7eb;border-radius:6px;padding:10px 12px}
.card b{display:block;font-size:20px}.card span{color:#52606d;font-size:12px}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #e4e7eb}
th,td{padding:5px 8px;border-bottom:1px solid #e4e7eb;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#f0f2f5;font-weight:600}
td.bad{color:#dc2626;font-weight:600}
.warn{background:#fff7e6;border:1px solid #f5c16c;border-radius:6px;padding:8px 12px}
figure{margin:0 0 12px;background:#fff;border:1px solid #e4e7eb;border-radius:6px;padding:6px}
svg{width:100%;height:auto;display:block}
svg text{font:11px system-ui,sans-serif;fill:#52606d}
svg .title{font-size:13px;font-weight:600;fill:#1f2933}
svg .grid{stroke:#e4e7eb}svg .axis{stroke:#9aa5b1}
code{font-size:12px}
"""


# --------------------------------------------------------------------------------------------
# numbers and axes


def _ms(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    ms = seconds * 1000.0
    if ms >= 100:
        return f"{ms:,.0f} ms"
    if ms >= 1:
        return f"{ms:.1f} ms"
    return f"{ms:.3f} ms"


def _nice_ceiling(value: float) -> float:
    """Smallest 1/2/2.5/5 x 10^k at or above ``value`` (axis maxima that read well)."""
    if value <= 0 or not math.isfinite(value):
        return 1.0
    exponent = math.floor(math.log10(value))
    for step in (1.0, 2.0, 2.5, 5.0, 10.0):
        candidate = step * 10.0**exponent
        if candidate >= value * (1 - 1e-9):
            return candidate
    return 10.0 ** (exponent + 1)


def _tick_label(value: float) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 100 or value == int(value):
        return f"{value:,.0f}"
    return f"{value:.3g}"


_PLOT_W = _WIDTH - _LEFT - _RIGHT
_PLOT_H = _HEIGHT - _TOP - _BOTTOM


def _frame(title: str, y_max: float, y_unit: str, x_caption: str) -> list[str]:
    """SVG opening, title, horizontal grid with y ticks, y unit and x caption."""
    mid = _TOP + _PLOT_H / 2
    parts = [
        f'<svg viewBox="0 0 {_WIDTH} {_HEIGHT}" role="img" aria-label="{escape(title)}">',
        f'<text class="title" x="{_LEFT}" y="18">{escape(title)}</text>',
    ]
    for i in range(5):
        y = _TOP + _PLOT_H - _PLOT_H * i / 4
        parts.append(
            f'<line class="grid" x1="{_LEFT}" y1="{y:.1f}" x2="{_WIDTH - _RIGHT}" y2="{y:.1f}"/>'
        )
        parts.append(
            f'<text x="{_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{_tick_label(y_max * i / 4)}</text>"
        )
    parts.append(
        f'<text x="12" y="{mid:.1f}" transform="rotate(-90 12 {mid:.1f})" text-anchor="middle">'
        f"{escape(y_unit)}</text>"
    )
    parts.append(
        f'<text x="{_LEFT + _PLOT_W / 2:.1f}" y="{_HEIGHT - 6}" text-anchor="middle">'
        f"{escape(x_caption)}</text>"
    )
    parts.append(
        f'<line class="axis" x1="{_LEFT}" y1="{_TOP + _PLOT_H}" x2="{_WIDTH - _RIGHT}" '
        f'y2="{_TOP + _PLOT_H}"/>'
    )
    return parts


def _x_tick(x: float, label: str) -> str:
    return (
        f'<text x="{x:.1f}" y="{_HEIGHT - _BOTTOM + 16}" text-anchor="middle">'
        f"{escape(label)}</text>"
    )


def _legend(entries: Sequence[tuple[str, str]]) -> list[str]:
    parts = []
    x = _WIDTH - _RIGHT
    for name, color in reversed(entries):
        x -= 8 + 7 * len(name) + 16
        parts.append(f'<rect x="{x}" y="9" width="10" height="10" fill="{color}"/>')
        parts.append(f'<text x="{x + 14}" y="18">{escape(name)}</text>')
    return parts


def _line_chart(
    title: str,
    xs: Sequence[float],
    series: Sequence[tuple[str, str, Sequence[float | None]]],
    y_unit: str,
) -> str:
    """Lines over time; a ``None`` value breaks the line (no successful request that second)."""
    values = [v for _, _, ys in series for v in ys if v is not None]
    y_max = _nice_ceiling(max(values, default=0.0))
    x_max = max(max(xs, default=0.0), 1.0)
    parts = _frame(title, y_max, y_unit, "seconds since start")
    step = _nice_ceiling(x_max / 8)
    tick = 0.0
    while tick <= x_max + 1e-9:
        parts.append(_x_tick(_LEFT + _PLOT_W * tick / x_max, _tick_label(tick)))
        tick += step
    parts.extend(_legend([(name, color) for name, color, _ in series]))
    for name, color, ys in series:
        segments: list[list[str]] = [[]]
        for x, y in zip(xs, ys, strict=True):
            if y is None:
                if segments[-1]:
                    segments.append([])
                continue
            px = _LEFT + _PLOT_W * x / x_max
            py = _TOP + _PLOT_H - _PLOT_H * min(y / y_max, 1.0)
            segments[-1].append(f"{px:.1f},{py:.1f}")
        for segment in segments:
            if len(segment) == 1:
                cx, cy = segment[0].split(",")
                parts.append(f'<circle cx="{cx}" cy="{cy}" r="2.5" fill="{color}"/>')
            elif segment:
                parts.append(
                    f'<polyline data-series="{escape(name)}" fill="none" stroke="{color}" '
                    f'stroke-width="2" points="{" ".join(segment)}"/>'
                )
    parts.append("</svg>")
    return "\n".join(parts)


def _bar_chart(title: str, bins: Sequence[Mapping[str, float]]) -> str:
    """Latency histogram: one bar per log-spaced bin, labelled with the bin edges in ms."""
    counts = [float(b["count"]) for b in bins]
    y_max = _nice_ceiling(max(counts, default=0.0))
    parts = _frame(title, y_max, "requests", "latency, ms (log scale)")
    if bins:
        width = _PLOT_W / len(bins)
        label_every = max(1, len(bins) // 8)
        for i, (b, count) in enumerate(zip(bins, counts, strict=True)):
            h = _PLOT_H * count / y_max
            x = _LEFT + i * width
            tip = f"{_ms(b['low'])} - {_ms(b['high'])}: {count:,.0f} requests"
            parts.append(
                f'<rect class="bar" x="{x + 0.5:.1f}" y="{_TOP + _PLOT_H - h:.1f}" '
                f'width="{max(width - 1, 0.5):.1f}" height="{h:.1f}" fill="{_COLORS["bars"]}">'
                f"<title>{escape(tip)}</title></rect>"
            )
            if i % label_every == 0:
                parts.append(_x_tick(x, _ms(b["low"]).replace(" ms", "")))
    parts.append("</svg>")
    return "\n".join(parts)


# --------------------------------------------------------------------------------------------
# sections


def _table(
    header: Sequence[str], rows: Sequence[Sequence[str]], bad: set[int] | None = None
) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = []
    for index, row in enumerate(rows):
        cls = ' class="bad"' if bad and index in bad else ""
        body.append("<tr>" + "".join(f"<td{cls}>{escape(cell)}</td>" for cell in row) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _cards(data: Mapping[str, Any]) -> str:
    rt = data["response_time"]
    cards = [
        ("requests", f"{data['total_requests']:,}"),
        ("throughput", f"{data['throughput_rps']:,.1f}/s"),
        ("error rate", f"{data['error_rate']:.2%}"),
        ("p50", _ms(rt["median"])),
        ("p95", _ms(rt["p95"])),
        ("p99", _ms(rt["p99"])),
    ]
    return (
        '<div class="cards">'
        + "".join(
            f'<div class="card"><b>{escape(v)}</b><span>{escape(k)}</span></div>' for k, v in cards
        )
        + "</div>"
    )


def _summary_rows(data: Mapping[str, Any]) -> list[list[str]]:
    rt = data["response_time"]
    rows = [
        ["load model", str(data["model"])],
        ["duration", f"{data['duration_s']:.2f} s"],
        ["peak users", str(data["peak_users"])],
        ["total requests", f"{data['total_requests']:,}"],
        ["successful", f"{data['successful_requests']:,}"],
        ["failed", f"{data['failed_requests']:,}"],
        ["error rate", f"{data['error_rate']:.2%}"],
        ["throughput", f"{data['throughput_rps']:,.1f} req/s"],
    ]
    rows += [
        [f"latency {key}", _ms(rt[key])]
        for key in ("min", "mean", "median", "p90", "p95", "p99", "max")
    ]
    config = data.get("config", {})
    if data["model"] == "open":
        rows.append(["target rate", f"{config.get('target_rps', 0):,.1f} req/s"])
        rows.append(["dropped (never started)", f"{data.get('dropped_requests', 0):,}"])
        service = data.get("service_time", {})
        rows.append(["service time p95 (no queueing)", _ms(service.get("p95"))])
    if data.get("interrupted_requests"):
        rows.append(["interrupted at stop", f"{data['interrupted_requests']:,}"])
    return rows


def _thresholds_section(data: Mapping[str, Any]) -> str:
    report = data.get("thresholds")
    if not report:
        return ""
    rows, bad = [], set()
    for index, check in enumerate(report["checks"]):
        observed = check["observed"]
        rows.append(
            [
                check["metric"],
                "≤" if check["bound"] == "max" else "≥",
                f"{check['limit']:.6g}",
                "not measured" if observed is None else f"{observed:.6g}",
                "pass" if check["passed"] else "FAIL",
            ]
        )
        if not check["passed"]:
            bad.add(index)
    return "<h2>Thresholds</h2>" + _table(["metric", "", "limit", "observed", "result"], rows, bad)


def _labels_section(data: Mapping[str, Any]) -> str:
    labels = data.get("labels") or {}
    if not labels:
        return ""
    rows = [
        [
            name,
            f"{entry['requests']:,}",
            f"{entry['failed']:,}",
            f"{entry['throughput_rps']:,.1f}",
            _ms(entry["response_time"]["median"]),
            _ms(entry["response_time"]["p95"]),
            _ms(entry["response_time"]["p99"]),
        ]
        for name, entry in labels.items()
    ]
    return "<h2>Per operation</h2>" + _table(
        ["label", "requests", "failed", "req/s", "p50", "p95", "p99"], rows
    )


def _errors_section(data: Mapping[str, Any]) -> str:
    errors = data.get("errors") or {}
    if not errors:
        return ""
    rows = [
        [name, f"{entry['count']:,}", " | ".join(entry["examples"])]
        for name, entry in errors.items()
    ]
    return "<h2>Errors by type</h2>" + _table(["type", "count", "examples"], rows)


def _charts(data: Mapping[str, Any]) -> str:
    series = data.get("timeseries") or []
    # each point sits at the middle of its second
    xs = [entry["second"] + 0.5 for entry in series]

    def ms(values: list[float | None]) -> list[float | None]:
        return [None if v is None else v * 1000.0 for v in values]

    latency = _line_chart(
        "Latency percentiles over time (successful requests)",
        xs,
        [
            ("p50", _COLORS["p50"], ms([e["p50"] for e in series])),
            ("p95", _COLORS["p95"], ms([e["p95"] for e in series])),
            ("p99", _COLORS["p99"], ms([e["p99"] for e in series])),
        ],
        "latency, ms",
    )
    throughput = _line_chart(
        "Throughput and errors over time",
        xs,
        [
            ("requests/s", _COLORS["rps"], [float(e["requests"]) for e in series]),
            ("errors/s", _COLORS["errors"], [float(e["failures"]) for e in series]),
        ],
        "per second",
    )
    users = _line_chart(
        "Active users over time",
        xs,
        [("users", _COLORS["users"], [float(e["users"]) for e in series])],
        "users",
    )
    histogram = _bar_chart(
        "Latency distribution (successful requests)", data.get("latency_distribution") or []
    )
    return "".join(
        f'<figure data-chart="{name}">{svg}</figure>'
        for name, svg in (
            ("latency-over-time", latency),
            ("throughput-over-time", throughput),
            ("users-over-time", users),
            ("latency-histogram", histogram),
        )
    )


def render_html(result: Mapping[str, Any] | Any, title: str = "Load test report") -> str:
    """The whole report as one HTML string: no scripts, styles or fonts fetched from anywhere."""
    data: Mapping[str, Any] = result.to_dict() if hasattr(result, "to_dict") else result
    passed = data.get("passed", True)
    if data.get("thresholds"):
        verdict = (
            '<span class="verdict pass">PASS</span>'
            if passed
            else ('<span class="verdict fail">FAIL</span>')
        )
    else:
        verdict = '<span class="verdict none">no thresholds</span>'
    started = data.get("started_at") or ""
    warnings = data.get("warnings") or []
    warning_html = (
        '<div class="warn"><b>Warnings</b><ul>'
        + "".join(f"<li>{escape(w)}</li>" for w in warnings)
        + "</ul></div>"
        if warnings
        else ""
    )
    # the JSON is embedded for tooling; "</" is escaped so no value can close the script element
    embedded = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
    body = [
        f"<h1>{escape(title)}</h1>",
        f'<p class="sub">{verdict} &nbsp; {escape(str(data["model"]))} model · '
        f"{data['duration_s']:.1f} s · {escape(str(started))}</p>",
        _cards(data),
        warning_html,
        "<h2>Summary</h2>",
        _table(["metric", "value"], _summary_rows(data)),
        _thresholds_section(data),
        "<h2>Charts</h2>",
        _charts(data),
        _labels_section(data),
        _errors_section(data),
        '<script type="application/json" id="loadtest-result">' + embedded + "</script>",
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head>"
        f"<body><main>{''.join(body)}</main></body></html>\n"
    )


def write_report(
    result: Mapping[str, Any] | Any, path: str | Path, title: str = "Load test report"
) -> Path:
    """Write the HTML report to ``path`` and return it."""
    target = Path(path)
    target.write_text(render_html(result, title), encoding="utf-8")
    return target


def write_json(result: Mapping[str, Any] | Any, path: str | Path) -> Path:
    """Write the result as indented JSON to ``path`` and return it."""
    data = result.to_dict() if hasattr(result, "to_dict") else dict(result)
    target = Path(path)
    target.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return target
