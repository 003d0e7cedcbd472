"""A real language client (pytest-lsp) driving ``agentperf-lint server`` over stdio.

Each test gets a fresh server on a temporary workspace. Waits poll the client's state with a
generous deadline (a loaded CI machine may take seconds to start the server); nothing asserts a
duration.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

pytest_lsp = pytest.importorskip("pytest_lsp")
from lsprotocol import types  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities  # noqa: E402

DEADLINE = 90.0  # seconds: a cold start under load, never a performance assertion
SERVER = [sys.executable, "-m", "agentperf_lint", "server"]

SAMPLE = "import time\n\n\nasync def handler(path):\n    time.sleep(1)\n    data = open(path).read()\n    return data\n"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "pyproject.toml").write_text(  # the chains here end in file I/O: report them
        '[tool.agentperf-lint]\nignore = []\n\n[tool.agentperf-lint.blocking]\nreport-file-chains = true\n', encoding="utf-8")
    (root / "sample.py").write_text(SAMPLE, encoding="utf-8")
    (root / "helpers.py").write_text('def load():\n    return open("x").read()\n', encoding="utf-8")
    (root / "app.py").write_text("from helpers import load\n\n\nasync def handler():\n    return load()\n", encoding="utf-8")
    # a second workspace folder (multi-root) with settings of its own
    other = tmp_path / "other"
    other.mkdir()
    (other / "agentperf-lint.toml").write_text('ignore = ["APL104"]\nextend-exclude = ["generated"]\n', encoding="utf-8")
    (other / "sample.py").write_text(SAMPLE, encoding="utf-8")
    (other / "generated").mkdir()
    (other / "generated" / "client.py").write_text(SAMPLE, encoding="utf-8")
    return root


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def client(lsp_client: LanguageClient, workspace: Path):
    lsp_client.registrations = []  # type: ignore[attr-defined]

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(ls: LanguageClient, params: types.RegistrationParams) -> None:
        ls.registrations.extend(params.registrations)  # type: ignore[attr-defined]

    params = types.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"),
        root_uri=workspace.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=workspace.as_uri(), name="project"),
                           types.WorkspaceFolder(uri=(workspace.parent / "other").as_uri(), name="other")],
        initialization_options={"debounceMs": 50},
    )
    await lsp_client.initialize_session(params)
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def plain_client(lsp_client: LanguageClient, workspace: Path):
    """A client with no optional capabilities: no resolve, no dynamic registration."""
    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=types.ClientCapabilities(), root_uri=workspace.as_uri()))
    yield
    await lsp_client.shutdown_session()


async def resolved(client: LanguageClient, action: types.CodeAction) -> types.CodeAction:
    """The action with its edit (VS Code's capabilities: edits come through codeAction/resolve)."""
    return action if action.edit is not None else await client.code_action_resolve_async(action)


async def eventually(condition: Callable[[], bool], what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DEADLINE
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


def codes(client: LanguageClient, uri: str) -> list[str] | None:
    diagnostics = client.diagnostics.get(uri)
    return None if diagnostics is None else [str(d.code) for d in diagnostics]


async def wait_for_codes(client: LanguageClient, uri: str, expected: list[str]) -> list[types.Diagnostic]:
    await eventually(lambda: codes(client, uri) == expected, f"diagnostics {expected} on {uri} (last: {codes(client, uri)})")
    return list(client.diagnostics[uri])


def open_file(client: LanguageClient, path: Path, text: str | None = None, version: int = 1) -> str:
    uri = path.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=uri, language_id="python", version=version, text=path.read_text(encoding="utf-8") if text is None else text)))
    return uri


def replace_all(client: LanguageClient, uri: str, text: str, version: int) -> None:
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))


def apply(text: str, edit: types.WorkspaceEdit) -> str:
    from agentperf_lint.lsp.text import apply_edits

    assert edit.document_changes, edit
    (change,) = edit.document_changes
    assert isinstance(change, types.TextDocumentEdit)
    return apply_edits(text, change.edits, len)  # the test texts are ASCII: UTF-16 units == characters
