"""The language server end to end: a real client, a real server process, stdio."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("pytest_lsp")
from lsprotocol import types  # noqa: E402
from pytest_lsp import LanguageClient  # noqa: E402

from .conftest import SAMPLE, apply, eventually, open_file, replace_all, resolved, wait_for_codes  # noqa: E402

pytestmark = pytest.mark.asyncio


def _position(line: int, character: int) -> types.Position:
    return types.Position(line=line, character=character)


async def test_open_reports_exact_positions_code_name_and_docs_link(client: LanguageClient, workspace: Path):
    uri = open_file(client, workspace / "sample.py")
    sleep, read = await wait_for_codes(client, uri, ["APL101", "APL104"])
    assert sleep.range == types.Range(start=_position(4, 4), end=_position(4, 17))
    assert read.range.start == _position(5, 11)
    assert sleep.source == "agentperf-lint"
    assert sleep.message.endswith("(blocking-sleep)")
    assert sleep.code_description is not None and sleep.code_description.href.endswith("#apl101")
    assert sleep.severity == types.DiagnosticSeverity.Warning
    assert not sleep.tags
    # the server asked the client to watch Python and config files (settings reload, chains)
    (watch,) = client.registrations  # type: ignore[attr-defined]
    assert watch.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES


async def test_change_relints_the_unsaved_buffer(client: LanguageClient, workspace: Path):
    uri = open_file(client, workspace / "sample.py")
    await wait_for_codes(client, uri, ["APL101", "APL104"])
    # an incremental edit: the sleep line becomes an awaited sleep (nothing is saved)
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
        content_changes=[types.TextDocumentContentChangePartial(
            range=types.Range(start=_position(4, 4), end=_position(4, 17)), text="pass")]))
    await wait_for_codes(client, uri, ["APL104"])
    replace_all(client, uri, "import requests\n\nasync def f():\n    return requests.get('u', timeout=3)\n", 3)
    (http,) = await wait_for_codes(client, uri, ["APL102"])
    assert http.range.start == _position(3, 11)
    assert (workspace / "sample.py").read_text(encoding="utf-8") == SAMPLE


async def test_quick_fixes_carry_their_edits(client: LanguageClient, workspace: Path):
    uri = open_file(client, workspace / "sample.py")
    sleep, read = await wait_for_codes(client, uri, ["APL101", "APL104"])
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=sleep.range,
        context=types.CodeActionContext(diagnostics=[sleep])))
    assert actions is not None
    by_title = {action.title: action for action in actions if isinstance(action, types.CodeAction)}
    fix = by_title["agentperf-lint: Replace with `await asyncio.sleep(...)` (APL101)"]
    assert fix.kind == types.CodeActionKind.QuickFix and fix.is_preferred
    assert list(fix.diagnostics or ()) == [sleep]
    assert fix.edit is None  # a cursor move costs no transform: the edit comes on resolve
    fix = await resolved(client, fix)
    fixed = apply(SAMPLE, fix.edit)
    assert fixed == SAMPLE.replace("import time\n", "import time\nimport asyncio\n").replace(
        "time.sleep(1)", "await asyncio.sleep(1)")
    noqa = by_title["agentperf-lint: Disable APL101 for this line"]
    assert apply(SAMPLE, noqa.edit) == SAMPLE.replace("time.sleep(1)\n", "time.sleep(1)  # noqa: APL101\n")
    # the unsafe fix of the other finding says so and is not preferred
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=read.range,
        context=types.CodeActionContext(diagnostics=[read])))
    unsafe = [a for a in actions or [] if isinstance(a, types.CodeAction) and a.title.endswith("(unsafe)")]
    assert len(unsafe) == 1 and not unsafe[0].is_preferred
    assert "await asyncio.to_thread(open(path).read)" in apply(SAMPLE, (await resolved(client, unsafe[0])).edit)
    # applying the fix in the editor clears the diagnostic
    replace_all(client, uri, fixed, 2)
    await wait_for_codes(client, uri, ["APL104"])


async def test_disable_merges_with_another_tools_noqa(client: LanguageClient, workspace: Path):
    text = SAMPLE.replace("time.sleep(1)\n", "time.sleep(1)  # noqa: E501  (long line)\n")
    uri = open_file(client, workspace / "sample.py", text)
    sleep, _ = await wait_for_codes(client, uri, ["APL101", "APL104"])
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=sleep.range,
        context=types.CodeActionContext(diagnostics=[sleep], only=[types.CodeActionKind.QuickFix])))
    (noqa,) = [a for a in actions or [] if isinstance(a, types.CodeAction) and a.title.startswith("agentperf-lint: Disable")]
    merged = apply(text, noqa.edit)
    assert "time.sleep(1)  # noqa: APL101, E501  (long line)\n" in merged
    replace_all(client, uri, merged, 2)
    await wait_for_codes(client, uri, ["APL104"])


async def test_fix_all_applies_every_safe_fix(client: LanguageClient, workspace: Path):
    uri = open_file(client, workspace / "sample.py")
    await wait_for_codes(client, uri, ["APL101", "APL104"])
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=types.Range(start=_position(0, 0), end=_position(0, 0)),
        context=types.CodeActionContext(diagnostics=[], only=["source.fixAll.agentperf-lint"])))
    (action,) = [a for a in actions or [] if isinstance(a, types.CodeAction)]
    assert action.kind == "source.fixAll.agentperf-lint"
    fixed = apply(SAMPLE, (await resolved(client, action)).edit)
    assert "await asyncio.sleep(1)" in fixed and "open(path).read()" in fixed  # the unsafe fix is left
    replace_all(client, uri, fixed, 2)
    await wait_for_codes(client, uri, ["APL104"])


async def test_hover_shows_the_rule_explanation(client: LanguageClient, workspace: Path):
    uri = open_file(client, workspace / "sample.py")
    await wait_for_codes(client, uri, ["APL101", "APL104"])
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=_position(4, 8)))
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert hover.contents.value.startswith("### blocking-sleep (APL101)")
    assert "Why is this bad?" in hover.contents.value
    nothing = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=_position(0, 0)))
    assert nothing is None


async def test_config_change_reloads_settings(client: LanguageClient, workspace: Path):
    uri = open_file(client, workspace / "sample.py")
    await wait_for_codes(client, uri, ["APL101", "APL104"])
    pyproject = workspace / "pyproject.toml"
    pyproject.write_text('[tool.agentperf-lint]\nignore = ["APL101"]\n', encoding="utf-8")
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
        changes=[types.FileEvent(uri=pyproject.as_uri(), type=types.FileChangeType.Changed)]))
    await wait_for_codes(client, uri, ["APL104"])


async def test_cross_file_chain_refreshes_when_the_helper_changes(client: LanguageClient, workspace: Path):
    app = open_file(client, workspace / "app.py")
    (chain,) = await wait_for_codes(client, app, ["APL114"])
    assert chain.range.start == _position(4, 11)
    assert "load() -> open.read()" in chain.message
    # the helper is edited in the editor (unsaved): the chain is gone from app.py
    helpers = open_file(client, workspace / "helpers.py")
    replace_all(client, helpers, "def load():\n    return 'x'\n", 2)
    await wait_for_codes(client, app, [])
    # closing the unsaved helper: the file on disk counts again
    client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=helpers)))
    await wait_for_codes(client, app, ["APL114"])
    # a change on disk to a module that is not open is followed too
    (workspace / "helpers.py").write_text("import time\n\ndef load():\n    time.sleep(1)\n", encoding="utf-8")
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
        changes=[types.FileEvent(uri=helpers, type=types.FileChangeType.Changed)]))
    await eventually(lambda: "load() -> time.sleep()" in client.diagnostics[app][0].message, "the chain through time.sleep")


async def test_cross_file_findings_of_a_first_lint_that_outlasts_the_folder_scan(client: LanguageClient, workspace: Path):
    # The folder scan (discovery only) ends while this long buffer's first lint still runs with
    # the modules known before it; the chains into helpers.py must still be published.
    handlers = "".join(f"\n\nasync def handler_{n}():\n    return load()\n" for n in range(150))
    big = open_file(client, workspace / "big.py", "from helpers import load\n" + handlers)
    await wait_for_codes(client, big, ["APL114"] * 150)


async def test_each_workspace_folder_uses_its_own_settings(client: LanguageClient, workspace: Path):
    other = workspace.parent / "other"
    here = open_file(client, workspace / "sample.py")
    there = open_file(client, other / "sample.py")
    excluded = open_file(client, other / "generated" / "client.py")
    await wait_for_codes(client, here, ["APL101", "APL104"])
    await wait_for_codes(client, there, ["APL101"])  # agentperf-lint.toml ignores APL104 there
    await wait_for_codes(client, excluded, [])  # extend-exclude: no diagnostics, as in a directory run


async def test_saving_a_config_file_reloads_it(client: LanguageClient, workspace: Path):
    uri = open_file(client, workspace / "sample.py")
    await wait_for_codes(client, uri, ["APL101", "APL104"])
    config = workspace.parent / "other" / "agentperf-lint.toml"
    moved = workspace / "agentperf-lint.toml"  # a dedicated file wins over pyproject.toml
    moved.write_text('select = ["APL104"]\n', encoding="utf-8")
    config_uri = open_file(client, moved)
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=config_uri)))
    await wait_for_codes(client, uri, ["APL104"])
    assert config.exists()


async def test_a_broken_config_is_one_message_and_the_defaults_apply(client: LanguageClient, workspace: Path):
    (workspace / "pyproject.toml").write_text('[tool.agentperf-lint]\nselect = "APL1"\n', encoding="utf-8")
    uri = open_file(client, workspace / "sample.py")
    await wait_for_codes(client, uri, ["APL101", "APL104"])
    errors = [m.message for m in client.messages if m.type == types.MessageType.Error]
    assert len(errors) == 1 and "'select' must be a list of strings" in errors[0]


async def test_a_client_without_resolve_gets_the_edits_inline(plain_client: LanguageClient, workspace: Path):
    uri = open_file(plain_client, workspace / "sample.py")
    sleep, _ = await wait_for_codes(plain_client, uri, ["APL101", "APL104"])
    actions = await plain_client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=sleep.range,
        context=types.CodeActionContext(diagnostics=[sleep], trigger_kind=types.CodeActionTriggerKind.Invoked)))
    found = [action for action in actions or [] if isinstance(action, types.CodeAction)]
    (fix,) = [action for action in found if action.is_preferred]
    (fix_all,) = [action for action in found if action.kind == "source.fixAll.agentperf-lint"]
    assert fix.edit is not None and "await asyncio.sleep(1)" in apply(SAMPLE, fix.edit)
    assert fix_all.edit is not None and "await asyncio.sleep(1)" in apply(SAMPLE, fix_all.edit)


async def test_an_untitled_buffer_is_linted_too(client: LanguageClient):
    uri = "untitled:Untitled-1"
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=uri, language_id="python", version=1, text=SAMPLE)))
    await wait_for_codes(client, uri, ["APL101", "APL104"])
    client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    await wait_for_codes(client, uri, [])
