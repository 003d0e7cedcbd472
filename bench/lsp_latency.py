"""Keystroke-to-diagnostics latency and cold start of ``agentperf-lint server``, over stdio.

A real client (pygls) starts the server as an editor would, opens a generated 2,000-line agent
module in a workspace that also holds the bundled ``examples/`` app and a helper module its
coroutines call (so the cross-file call graph, APL114, is live), and measures:

- cold start: process spawn -> ``initialize`` answered, and spawn -> first diagnostics of the
  opened file (interpreter start, imports, settings, the first lint);
- keystroke latency: ``didChange`` sent -> ``publishDiagnostics`` for that document version, one
  edit at a time, with the debounce set to 0 (the server's own work) and left at its default
  (what a user waits for after the last keystroke);
- a burst: 10 keystrokes 30 ms apart, then the time from the last one to its diagnostics (the
  debounce drops the intermediate versions);
- for reference, the in-process ``Linter.lint`` of the same text (the engine alone).

Every figure is a median (and the 90th percentile for keystrokes) of ``--repeat`` samples.

    python bench/lsp_latency.py [--lines 2000] [--keystrokes 30] [--cold 5] [--workspace DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

ROOT = Path(__file__).resolve().parents[1]
SERVER = [sys.executable, "-m", "agentperf_lint", "server"]

HELPERS = '''import requests


def fetch_settings(url):
    return requests.get(url, timeout=10).json()


def load_prompt(name):
    return fetch_settings(f"https://config.example.com/prompts/{name}")["text"]
'''

BLOCK = '''

async def handle_{n}(request, session, db):
    """Answer request {n}: look the user up, call the model, store the reply."""
    user = await db.fetch_user(request.user_id)
    prompt = load_prompt("agent_{n}")
    replies = []
    for message in request.messages:
        reply = await session.post("https://api.example.com/v1/chat", json={{"prompt": prompt, "m": message}})
        replies.append(await reply.json())
    if user.is_admin:
        time.sleep(0.1)
    summary = {{"user": user.id, "count": len(replies)}}
    total = 0
    for reply in replies:
        total += len(reply.get("text", ""))
    summary["total"] = total
    await db.save(summary)
    return summary
'''


def generate_module(lines: int) -> str:
    head = "import asyncio\nimport time\n\nfrom helpers import load_prompt\n"
    parts = [head]
    count = head.count("\n")
    n = 0
    while count < lines:
        block = BLOCK.format(n=n)
        parts.append(block)
        count += block.count("\n")
        n += 1
    return "".join(parts)


def make_workspace(into: Path, lines: int, existing: Path | None) -> Path:
    """The workspace folder; the big module goes in as ``agent_big.py``."""
    if existing is not None:
        workspace = into / existing.name
        shutil.copytree(existing, workspace, ignore=shutil.ignore_patterns(".git", ".agentperf_lint_cache"))
    else:
        workspace = into / "workspace"
        shutil.copytree(ROOT / "examples", workspace / "examples")
        (workspace / "pyproject.toml").write_text("[tool.agentperf-lint]\n", encoding="utf-8")
    (workspace / "helpers.py").write_text(HELPERS, encoding="utf-8")
    (workspace / "agent_big.py").write_text(generate_module(lines), encoding="utf-8")
    return workspace


class Session:
    """One server process and the diagnostics it publishes, by document version."""

    def __init__(self) -> None:
        self.client = LanguageClient("agentperf-lint-bench", "1")
        self.published: dict[tuple[str, int | None], float] = {}
        self.counts: dict[tuple[str, int | None], int] = {}
        self.history: list[tuple[float, int]] = []  # (when, how many diagnostics), every publish
        self.event = asyncio.Event()

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def on_diagnostics(params: types.PublishDiagnosticsParams) -> None:
            key = (params.uri, params.version)
            self.published.setdefault(key, time.perf_counter())
            self.counts[key] = len(params.diagnostics)
            self.history.append((time.perf_counter(), len(params.diagnostics)))
            self.event.set()

        @self.client.feature(types.CLIENT_REGISTER_CAPABILITY)
        def on_register(params: types.RegistrationParams) -> None:
            return None

    async def start(self, workspace: Path, debounce_ms: float | None) -> float:
        begin = time.perf_counter()
        await self.client.start_io(*SERVER)
        options = {} if debounce_ms is None else {"debounceMs": debounce_ms}
        await self.client.initialize_async(types.InitializeParams(
            capabilities=types.ClientCapabilities(text_document=types.TextDocumentClientCapabilities(
                code_action=types.CodeActionClientCapabilities(
                    resolve_support=types.ClientCodeActionResolveOptions(properties=["edit"])))),
            root_uri=workspace.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=workspace.as_uri(), name=workspace.name)],
            initialization_options=options,
        ))
        self.client.initialized(types.InitializedParams())
        return time.perf_counter() - begin

    async def wait(self, uri: str, version: int, timeout: float = 300) -> float:
        deadline = time.perf_counter() + timeout
        while (uri, version) not in self.published:
            self.event.clear()
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise TimeoutError(f"no diagnostics for version {version}")
            try:
                await asyncio.wait_for(self.event.wait(), remaining)
            except asyncio.TimeoutError:
                pass
        return self.published[(uri, version)]

    def open(self, uri: str, text: str) -> None:
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)))

    def type_char(self, uri: str, version: int, line: int, char: str) -> None:
        """One keystroke on ``line`` (the file's empty last line): a ``#``, then letters after it,
        so every version is valid Python with the same findings."""
        column = 0 if char == "#" else 1
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangePartial(
                range=types.Range(start=types.Position(line=line, character=column),
                                  end=types.Position(line=line, character=column)),
                text=char)]))

    async def stop(self) -> None:
        await self.client.shutdown_async(None)
        self.client.exit(None)
        await self.client.stop()


async def cold_start(workspace: Path, uri: str, text: str, expected: int) -> tuple[float, float, int, float]:
    """Spawn -> initialized, -> first diagnostics, and -> all ``expected`` diagnostics (the
    cross-file ones of a first lint that outlasts the folder's scan come with a second lint)."""
    session = Session()
    begin = time.perf_counter()
    initialized = await session.start(workspace, None)
    session.open(uri, text)
    first = await session.wait(uri, 1) - begin
    count = session.counts[(uri, 1)]
    deadline = time.perf_counter() + 60
    while not any(n == expected for _, n in session.history) and time.perf_counter() < deadline:
        await asyncio.sleep(0.01)
    complete = next((when for when, n in session.history if n == expected), None)
    await session.stop()
    if complete is None:
        raise SystemExit(f"the server never published the {expected} findings the CLI reports (last: {session.history[-1:]})")
    return initialized, first, count, complete - begin


async def keystrokes(workspace: Path, uri: str, text: str, count: int, debounce_ms: float | None) -> list[float]:
    session = Session()
    await session.start(workspace, debounce_ms)
    session.open(uri, text)
    await session.wait(uri, 1)
    await asyncio.sleep(2)  # let the background workspace scan finish before timing edits
    comment_line = text.count("\n")  # the empty last line: typing there changes no finding
    samples = []
    for index in range(count):
        version = index + 2
        sent = time.perf_counter()
        session.type_char(uri, version, comment_line, "#" if index == 0 else "x")
        samples.append(await session.wait(uri, version) - sent)
    await session.stop()
    return samples


async def burst(workspace: Path, uri: str, text: str, repeat: int) -> list[float]:
    session = Session()
    await session.start(workspace, None)
    session.open(uri, text)
    await session.wait(uri, 1)
    await asyncio.sleep(2)
    line = text.count("\n")
    version, samples = 1, []
    for round_ in range(repeat):
        for index in range(10):
            version += 1
            session.type_char(uri, version, line, "#" if round_ == 0 and index == 0 else "x")
            last = time.perf_counter()
            await asyncio.sleep(0.03)
        samples.append(await session.wait(uri, version) - last)
    await session.stop()
    return samples


async def quick_fix(workspace: Path, uri: str, text: str, repeat: int) -> tuple[list[float], list[float]]:
    """Code actions at a finding with a fix (the lightbulb), then resolving its edit (applying it)."""
    session = Session()
    await session.start(workspace, None)
    session.open(uri, text)
    await session.wait(uri, 1)
    line = next(number for number, content in enumerate(text.splitlines()) if "time.sleep(" in content)
    where = types.Range(start=types.Position(line=line, character=8), end=types.Position(line=line, character=8))
    listing, resolving = [], []
    for _ in range(repeat):
        begin = time.perf_counter()
        actions = await session.client.text_document_code_action_async(types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), range=where, context=types.CodeActionContext(diagnostics=[])))
        listing.append(time.perf_counter() - begin)
        fix = next(a for a in actions or [] if isinstance(a, types.CodeAction) and a.is_preferred)
        begin = time.perf_counter()
        resolved = await session.client.code_action_resolve_async(fix)
        resolving.append(time.perf_counter() - begin)
        assert resolved.edit is not None
    await session.stop()
    return listing, resolving


def engine_alone(path: Path, text: str, repeat: int) -> tuple[float, int]:
    """The median in-process lint of the open file, and how many findings the command line
    reports in it (cross-file ones included: the complete set the server should publish)."""
    from agentperf_lint.config import find_config, load_settings
    from agentperf_lint.runner import RuleSetup, RunOptions, Source, run

    settings = load_settings(find_config(path.parent), cwd=path.parent)
    linter = RuleSetup(settings, ignore_noqa=False).linter()
    data = text.encode()
    linter.lint(str(path), data)
    times = []
    for _ in range(repeat):
        begin = time.perf_counter()
        linter.lint(str(path), data)
        times.append(time.perf_counter() - begin)
    sources = [Source(str(file), file.read_bytes(), file) for file in sorted(path.parent.rglob("*.py"))]
    result = run(sources, settings, RunOptions(use_cache=False))
    expected = sum(1 for finding in result.findings if finding.path == str(path))
    return statistics.median(times), expected


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def p90(samples: list[float]) -> float:
    return sorted(samples)[max(0, int(len(samples) * 0.9) - 1)]


async def measure(workspace: Path, text: str, expected: int, args: argparse.Namespace) -> None:
    uri = (workspace / "agent_big.py").as_uri()
    colds = [await cold_start(workspace, uri, text, expected) for _ in range(args.cold)]
    print(f"cold start, spawn -> initialize answered: median {ms(statistics.median(c[0] for c in colds))}")
    print(f"cold start, spawn -> first diagnostics ({colds[0][2]} findings): "
          f"median {ms(statistics.median(c[1] for c in colds))}")
    print(f"cold start, spawn -> all {expected} diagnostics the CLI reports: "
          f"median {ms(statistics.median(c[3] for c in colds))}")
    for label, debounce in (("debounce 0 ms", 0.0), ("default debounce", None)):
        samples = await keystrokes(workspace, uri, text, args.keystrokes, debounce)
        print(f"keystroke -> diagnostics, {label}: median {ms(statistics.median(samples))}, "
              f"p90 {ms(p90(samples))} ({len(samples)} edits)")
    samples = await burst(workspace, uri, text, 5)
    print(f"burst of 10 keystrokes 30 ms apart, last keystroke -> diagnostics: median {ms(statistics.median(samples))}")
    listing, resolving = await quick_fix(workspace, uri, text, 5)
    print(f"code actions at a finding: median {ms(statistics.median(listing))}; "
          f"resolving its fix's edit: median {ms(statistics.median(resolving))}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=2000)
    parser.add_argument("--keystrokes", type=int, default=30)
    parser.add_argument("--cold", type=int, default=5, help="cold starts to time")
    parser.add_argument("--workspace", type=Path, help="copy this project as the workspace (default: examples/)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workspace = make_workspace(Path(tmp), args.lines, args.workspace)
        big = workspace / "agent_big.py"
        text = big.read_text(encoding="utf-8")
        files = sum(1 for _ in workspace.rglob("*.py"))
        print(f"workspace: {files} Python files; open file: {text.count(chr(10))} lines")
        alone, expected = engine_alone(big, text, 5)
        print(f"engine alone (in-process Linter.lint of the open file): {ms(alone)}; "
              f"the CLI reports {expected} findings in it")
        asyncio.run(measure(workspace, text, expected, args))


if __name__ == "__main__":
    main()
