"""The language server: LSP messages in, the engine's findings and fixes out.

Linting runs in one worker thread (a :class:`~agentperf_lint.engine.Linter` keeps per-file state,
so one thread owns them all) and the event loop stays free to answer hovers and to take the
next edit. Edits are debounced; a result whose document changed meanwhile is dropped, since a
newer lint is already on its way. The workspace scan for cross-file findings runs in a second
thread with its own linter (see :mod:`agentperf_lint.lsp.project`).
"""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from .. import __version__
from . import actions, work
from .actions import FIX_ALL_KIND, LintedText
from .diagnostics import finding_range, to_diagnostics
from .project import ProjectIndex
from .settings import Profile, SettingsStore, is_config_file
from .text import split_lines

DEFAULT_DEBOUNCE_SECONDS = 0.15
PYTHON_SUFFIXES = (".py", ".pyi")
WATCHED = ("**/*.py", "**/*.pyi", "**/pyproject.toml", "**/agentperf-lint.toml", "**/.agentperf-lint.toml")


class AgentperfServer(LanguageServer):
    """Server state: settings per folder, a project index per folder, the last lint per document."""

    def __init__(self) -> None:
        super().__init__("agentperf-lint", __version__)
        self.debounce = DEFAULT_DEBOUNCE_SECONDS
        self.store = SettingsStore()
        self.indexes: dict[Path | None, ProjectIndex] = {}
        self.linted: dict[str, LintedText] = {}
        self.pending: dict[str, asyncio.Task[None]] = {}
        self.lint_pool = ThreadPoolExecutor(1, thread_name_prefix="agentperf-lint")
        self.scan_pool = ThreadPoolExecutor(1, thread_name_prefix="agentperf-lint-index")
        self.shown_errors: set[str] = set()

    # -- helpers ------------------------------------------------------------------------
    def units(self, text: str) -> int:
        return self.workspace.position_codec.client_num_units(text)

    def path_of(self, uri: str) -> Path:
        path = to_fs_path(uri)
        if path is None or not uri.startswith("file:"):  # an unsaved "untitled:" buffer
            return Path.cwd() / (Path(urlparse(uri).path).name or "untitled.py")
        return Path(os.path.abspath(path))

    def wants_lint(self, uri: str) -> bool:
        document = self.workspace.text_documents.get(uri)
        if document is None:
            return False
        return document.language_id == "python" or self.path_of(uri).suffix in PYTHON_SUFFIXES

    def _sync_folders(self) -> None:
        folders = [to_fs_path(folder.uri) for folder in self.workspace.folders.values()]
        if not folders and self.workspace.root_path:
            folders = [self.workspace.root_path]
        self.store.set_folders([Path(folder) for folder in folders if folder])

    def index_for(self, path: Path) -> ProjectIndex:
        """The folder's index, its background scan started at first need."""
        folder = self.store.folder_of(path)
        index = self.indexes.get(folder)
        if index is None:
            index = self.indexes[folder] = ProjectIndex(folder)
            if folder is not None:
                profile = self.store.for_folder(folder)
                future = asyncio.get_running_loop().run_in_executor(self.scan_pool, work.scan, index, profile)
                future.add_done_callback(lambda _: asyncio.ensure_future(self.refresh_cross_file(index)))
        return index

    def log(self, kind: types.MessageType, message: str) -> None:
        self.window_log_message(types.LogMessageParams(type=kind, message=f"agentperf-lint: {message}"))

    def report_config_error(self, profile: Profile) -> None:
        if profile.error and profile.error not in self.shown_errors:
            self.shown_errors.add(profile.error)
            self.window_show_message(types.ShowMessageParams(
                type=types.MessageType.Error, message=f"agentperf-lint: {profile.error} (using the defaults)"))

    # -- linting ------------------------------------------------------------------------
    def schedule(self, uri: str, delay: float) -> None:
        previous = self.pending.pop(uri, None)
        if previous is not None and not previous.done():
            previous.cancel()
        self.pending[uri] = asyncio.ensure_future(self._lint_later(uri, delay))

    async def _lint_later(self, uri: str, delay: float) -> None:
        if delay > 0:
            await asyncio.sleep(delay)
        await self.lint_and_publish(uri)

    async def lint_and_publish(self, uri: str) -> LintedText | None:
        if not self.wants_lint(uri):
            return None
        document = self.workspace.get_text_document(uri)
        text, version = document.source, document.version
        self._sync_folders()
        path = self.path_of(uri)
        profile = self.store.for_path(path)  # noqa: APL114 (settings are cached: a config file is read once)
        self.report_config_error(profile)
        index = self.index_for(path)
        scanned = index.ready.is_set()
        loop = asyncio.get_running_loop()
        try:
            linted, changed = await loop.run_in_executor(
                self.lint_pool, work.lint_buffer, uri, path, text, version, profile, index)
        except Exception as error:  # a bug of ours: say so in the client's log, keep serving
            self.log(types.MessageType.Error, f"{path}: internal error: {type(error).__name__}: {error}")
            return None
        if linted.outcome is not None:
            for crash in linted.outcome.result.errors:
                self.log(types.MessageType.Error, f"{crash.path}: {crash.message}")
        current = self.workspace.text_documents.get(uri)
        if current is None or current.version != version:
            return None  # edited or closed meanwhile: the newer lint publishes
        self.linted[uri] = linted
        self.publish(linted)
        if changed:
            await self.refresh_cross_file(index, skip=uri)
        if not scanned and index.ready.is_set():
            # The folder scan ended while this lint ran with the modules known before it: the
            # scan's own refresh may have come before this document was recorded.
            await self.refresh_cross_file(index)
        return linted

    async def current(self, uri: str) -> LintedText | None:
        """The lint of the document's current version, linting now if it is stale."""
        linted = self.linted.get(uri)
        document = self.workspace.text_documents.get(uri)
        if document is None:
            return None
        if linted is None or linted.version != document.version:
            pending = self.pending.pop(uri, None)
            if pending is not None and not pending.done():
                pending.cancel()
            linted = await self.lint_and_publish(uri)
        return linted

    def publish(self, linted: LintedText) -> None:
        lines = split_lines(linted.text)
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri=linted.uri, version=linted.version, diagnostics=to_diagnostics(linted.findings, lines, self.units)))

    async def refresh_cross_file(self, index: ProjectIndex, skip: str | None = None) -> None:
        """Lint again the index's open documents whose last lint looked into a module that has
        changed since (their cross-file findings may differ); publish what changed."""
        loop = asyncio.get_running_loop()
        for uri, linted in list(self.linted.items()):
            in_folder = self.indexes.get(self.store.folder_of(Path(linted.path))) is index
            if uri == skip or linted.outcome is None or not in_folder:
                continue
            profile = self.store.for_path(Path(linted.path))  # noqa: APL114 (settings are cached: a config file is read once)
            fresh = await loop.run_in_executor(self.lint_pool, work.refreshed, linted, profile, index)
            if fresh is None or self.linted.get(uri) is not linted:
                continue
            self.linted[uri] = fresh
            if work.shown(fresh.findings) != work.shown(linted.findings):
                self.publish(fresh)

    async def forget_buffer(self, index: ProjectIndex, path: str) -> None:
        await asyncio.get_running_loop().run_in_executor(self.lint_pool, index.closed, path)
        await self.refresh_cross_file(index)

    async def reload_settings(self) -> None:
        """A config file changed: read settings again, rescan, re-lint every open document."""
        self.store.reload()
        self.indexes.clear()
        self.shown_errors.clear()
        for uri in list(self.workspace.text_documents):
            self.schedule(uri, 0)

    def shutdown_pools(self) -> None:
        for pool in (self.lint_pool, self.scan_pool):
            pool.shutdown(wait=False, cancel_futures=True)


# -- message handlers ---------------------------------------------------------------------
def build_server() -> AgentperfServer:
    server = AgentperfServer()

    @server.feature(types.INITIALIZE)
    def initialize(ls: AgentperfServer, params: types.InitializeParams) -> None:
        options = params.initialization_options
        if isinstance(options, dict) and isinstance(options.get("debounceMs"), (int, float)):
            ls.debounce = max(0.0, options["debounceMs"] / 1000)

    @server.feature(types.INITIALIZED)
    def initialized(ls: AgentperfServer, params: types.InitializedParams) -> None:
        capabilities = ls.client_capabilities.workspace
        watched = capabilities.did_change_watched_files if capabilities else None
        if watched is None or not watched.dynamic_registration:
            return  # the client watches nothing for us: config edits apply on save instead
        options = types.DidChangeWatchedFilesRegistrationOptions(
            watchers=[types.FileSystemWatcher(glob_pattern=pattern) for pattern in WATCHED])
        ls.client_register_capability(types.RegistrationParams(registrations=[types.Registration(
            id="agentperf-lint-watched-files", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
            register_options=options)]))

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: AgentperfServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: AgentperfServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, ls.debounce)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    async def did_save(ls: AgentperfServer, params: types.DidSaveTextDocumentParams) -> None:
        uri = params.text_document.uri
        if is_config_file(ls.path_of(uri)):
            await ls.reload_settings()
            return
        linted = await ls.current(uri)
        if linted is not None:
            index = ls.indexes.get(ls.store.folder_of(Path(linted.path)))
            if index is not None:  # index state changes only on the lint thread
                ls.lint_pool.submit(index.saved, linted.path)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: AgentperfServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        pending = ls.pending.pop(uri, None)
        if pending is not None:
            pending.cancel()
        linted = ls.linted.pop(uri, None)
        if linted is not None:
            index = ls.indexes.get(ls.store.folder_of(Path(linted.path)))
            if index is not None:  # the file on disk counts again, for the other open files
                asyncio.ensure_future(ls.forget_buffer(index, linted.path))
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    async def did_change_watched_files(ls: AgentperfServer, params: types.DidChangeWatchedFilesParams) -> None:
        paths = [(ls.path_of(change.uri), change.type) for change in params.changes]
        if any(is_config_file(path) for path, _ in paths):
            await ls.reload_settings()
            return
        loop = asyncio.get_running_loop()
        touched: set[int] = set()
        for path, kind in paths:
            if path.suffix not in PYTHON_SUFFIXES:
                continue
            index = ls.indexes.get(ls.store.folder_of(path))
            if index is None:
                continue
            profile = ls.store.for_path(path)  # noqa: APL114 (settings are cached: a config file is read once)
            deleted = kind == types.FileChangeType.Deleted
            if await loop.run_in_executor(ls.lint_pool, work.disk_changed, index, str(path), deleted, profile):
                touched.add(id(index))
        for index in list(ls.indexes.values()):
            if id(index) in touched:
                await ls.refresh_cross_file(index)

    @server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    def did_change_folders(ls: AgentperfServer, params: types.DidChangeWorkspaceFoldersParams) -> None:
        ls._sync_folders()

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL_KIND], resolve_provider=True),
    )
    async def code_action(ls: AgentperfServer, params: types.CodeActionParams) -> list[types.CodeAction] | None:
        linted = await ls.current(params.text_document.uri)
        if linted is None or linted.outcome is None:
            return None
        only = params.context.only
        lazy = _supports_resolve(ls)
        loop = asyncio.get_running_loop()
        result: list[types.CodeAction] = []
        if actions.wants(only, types.CodeActionKind.QuickFix):
            result += await loop.run_in_executor(
                ls.lint_pool, partial(actions.quick_fixes, lazy=lazy),
                linted, params.range, params.context.diagnostics, ls.units)
        automatic = params.context.trigger_kind == types.CodeActionTriggerKind.Automatic and not only
        # without resolve, "fix all" costs its edit up front: not on every cursor move
        if actions.wants(only, FIX_ALL_KIND) and (lazy or not automatic):
            action = actions.fix_all_action(linted, lazy=lazy)
            if action is not None:
                if not lazy:
                    action.edit = await _fix_all_edit(ls, linted)
                if action.edit is not None or lazy:
                    result.append(action)
        return result or None

    @server.feature(types.CODE_ACTION_RESOLVE)
    async def resolve_code_action(ls: AgentperfServer, action: types.CodeAction) -> types.CodeAction:
        data = action.data if isinstance(action.data, dict) else {}
        uri = data.get("uri")
        linted = await ls.current(uri) if isinstance(uri, str) else None
        if linted is None or linted.outcome is None:
            return action
        if data.get("fixAll"):
            action.edit = await _fix_all_edit(ls, linted)
        elif (fix := actions.fix_for(linted, data.get("fix"))) is not None:
            loop = asyncio.get_running_loop()
            action.edit = await loop.run_in_executor(ls.lint_pool, actions.fix_edit, linted, fix, ls.units)
        return action

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: AgentperfServer, params: types.HoverParams) -> types.Hover | None:
        from ..registry import rule_by_code
        from ..ruledocs import explain

        linted = ls.linted.get(params.text_document.uri)
        if linted is None:
            return None
        lines = split_lines(linted.text)
        where = (params.position.line, params.position.character)
        pages: list[str] = []
        for finding in linted.findings:
            rng = finding_range(finding, lines, ls.units)
            if (rng.start.line, rng.start.character) <= where <= (rng.end.line, rng.end.character):
                rule = rule_by_code().get(finding.code)
                page = explain(rule, level=3) if rule is not None else finding.message
                if page not in pages:
                    pages.append(page)
        if not pages:
            return None
        return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value="\n---\n".join(pages)))

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: AgentperfServer, params: Any) -> None:
        for task in ls.pending.values():
            task.cancel()
        ls.shutdown_pools()

    return server


def _supports_resolve(ls: AgentperfServer) -> bool:
    document = ls.client_capabilities.text_document
    code_action = document.code_action if document else None
    support = code_action.resolve_support if code_action else None
    return support is not None and "edit" in support.properties


async def _fix_all_edit(ls: AgentperfServer, linted: LintedText) -> types.WorkspaceEdit | None:
    profile = ls.store.for_path(Path(linted.path))  # noqa: APL114 (settings are cached: a config file is read once)
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(ls.lint_pool, actions.fix_all_edit, linted, profile.linter(), ls.units)


def serve() -> None:
    build_server().start_io()
