"""``wfspec lsp``: the pygls wiring. A thin adapter; no checking logic lives here.

Open and changed buffers go to the :class:`~.documents.DocumentStore`; a change schedules a
check of its spec set after a short pause (debounce: typing does not start a check per
keystroke). The check runs the compiler's checker (:class:`~.checking.SpecSetChecker`) on a
single worker thread, so the editor's other requests are answered meanwhile and two checks
never overlap. Its diagnostics are mapped in one place (:mod:`.mapping`) and published for every
open file of the set; its spec set becomes the :class:`~.index.SpecIndex` that hover,
definition and completion read. The server never writes a file.

``initializationOptions``: ``{"debounce": 0.15}`` (seconds), ``{"spec_root": "specs"}`` (a
spec-set folder, relative to the workspace, for layouts the default rule does not find -- as
``wfspec check --spec-root``).
"""

from __future__ import annotations

import asyncio
import gc
import logging
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol, lsp_method

from ..checker import SPEC_SET_FILE
from .checking import SpecSetChecker, spec_root_for
from .code_actions import quick_fixes
from .completion import completions
from .cursor import cursor_at
from .documents import DocumentStore, OpenDocument, split_lines, uri_to_path
from .hover import hover_markdown
from .index import SpecIndex
from .mapping import to_lsp_diagnostic, to_position
from .navigation import definition_of
from .outline import build_outline
from .worker import DaemonWorker

__all__ = ["DEBOUNCE_SECONDS", "WfspecLanguageServer", "create_server"]

DEBOUNCE_SECONDS = 0.15
"""Pause after the last change before a check starts."""

logger = logging.getLogger(__name__)


class _Protocol(LanguageServerProtocol):
    """pygls' protocol, with the two things wfspec needs done otherwise.

    - **Positions are UTF-16 columns**, the LSP default every client supports: :mod:`.mapping`
      and :mod:`.cursor` convert in UTF-16 units. pygls would take a client's first preferred
      ``positionEncodings`` entry (Neovim lists UTF-8 first) and announce it, and every column
      after a non-ASCII character (``µs``, ``Å``, an accent) would be off in that editor.
    - **A change to a document the editor never opened (or closed)**: pygls applies it to its
      copy of the document first and fails with a ``KeyError`` when there is none, which the
      editor shows as an "Error in server" message. Such a change cannot be applied (an
      incremental edit needs the text it edits), so it is dropped: the document is read again
      when the editor opens it.
    """

    @lsp_method(types.INITIALIZE)
    def lsp_initialize(self, params: types.InitializeParams):
        if params.capabilities.general is not None:
            params.capabilities.general.position_encodings = None  # pygls then picks UTF-16
        return (yield from super().lsp_initialize(params))

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams):
        if unquote(params.text_document.uri) not in self.workspace.text_documents:
            logger.info("change to %s, which is not open: ignored", params.text_document.uri)
            return
        yield from super().lsp_text_document__did_change(params)


class WfspecLanguageServer(LanguageServer):
    """pygls server with the wfspec state: open documents, checker, per-set index."""

    def __init__(self) -> None:
        super().__init__(
            "wfspec",
            "0.1.0",
            text_document_sync_kind=types.TextDocumentSyncKind.Full,
            protocol_cls=_Protocol,
        )
        self.store = DocumentStore()
        self.checker = SpecSetChecker()
        self.indexes: dict[Path, SpecIndex] = {}
        self.debounce = DEBOUNCE_SECONDS
        self.spec_root: Path | None = None
        """The editor's explicit spec root (``initializationOptions.spec_root``), if any."""
        self._pending: dict[Path, asyncio.Future[Any]] = {}
        self._published: dict[str, tuple[Any, ...]] = {}
        self._roots: dict[Path, Path] = {}
        self._running: set[Path] = set()
        self._dirty: set[Path] = set()
        self._worker = DaemonWorker("wfspec-check")

    # ----------------------------------------------------------------- checking
    def root_of(self, doc: OpenDocument) -> Path | None:
        if doc.path is None or not doc.path.name.endswith((".yaml", ".yml")):
            return None
        root = self._roots.get(doc.path)
        if root is None:  # not cached while None: a new file becomes a spec once it has a kind
            root = spec_root_for(doc.path, doc.text, self.spec_root)
            if root is not None:
                self._roots[doc.path] = root
        return root

    def index_for(self, doc: OpenDocument) -> SpecIndex:
        root = self.root_of(doc)
        return self.indexes.get(root) if root in self.indexes else SpecIndex(None)

    def request_check(self, root: Path | None, delay: float) -> None:
        if root is None:
            return
        pending = self._pending.get(root)
        if pending is not None and not pending.done() and root not in self._running:
            pending.cancel()  # still waiting out the pause: start the pause again
        self._pending[root] = asyncio.ensure_future(self._check_later(root, delay))

    async def _check_later(self, root: Path, delay: float) -> None:
        if delay > 0:
            await asyncio.sleep(delay)
        if root in self._running:  # one check per set at a time; the newest text runs next
            self._dirty.add(root)
            return
        self._running.add(root)
        try:
            await self._check_now(root)
        finally:
            self._running.discard(root)
        if root in self._dirty:
            self._dirty.discard(root)
            self.request_check(root, 0.0)

    async def _check_now(self, root: Path) -> None:
        snapshot = [doc for doc in self.store if self.root_of(doc) == root]
        overlays = {doc.path: doc.text for doc in snapshot if doc.path is not None}
        named = list(overlays)
        loop = asyncio.get_running_loop()
        try:
            result = await loop.run_in_executor(
                self._worker, self.checker.check, root, named, overlays
            )
        except Exception:  # the checker reports problems as data; this is a bug in wfspec
            logger.exception("wfspec check failed for %s", root)
            return
        self.indexes[root] = SpecIndex(result.spec_set)
        # The cache and spec set are ~1M long-lived objects on a 1,000-file set: a full
        # collection that rescans them takes ~0.3 s and would land in the middle of the next
        # change. Frozen, the collector skips them; reference counting still frees them when a
        # later run replaces them (only cyclic garbage among them is kept: measured at a few
        # objects per run).
        gc.freeze()
        by_file: dict[Path, list[Any]] = {}
        whole_set: list[Any] = []  # an internal error of a whole-set stage: shown in every file
        for diagnostic in result.diagnostics:
            if diagnostic.file == SPEC_SET_FILE:
                whole_set.append(diagnostic)
            else:  # the compiler's display name: relative to the current folder, or absolute
                by_file.setdefault(Path(diagnostic.file).resolve(), []).append(diagnostic)
        for doc in snapshot:
            current = self.store.get(doc.uri)
            if current is not doc:  # edited or closed meanwhile: a newer check will publish
                continue
            found = [*by_file.get(doc.path, []), *whole_set] if doc.path is not None else []
            key = (doc.version, *found)
            if self._published.get(doc.uri) == key:
                continue  # unchanged since the last publish (a 1,000-file set stays quiet)
            self._published[doc.uri] = key
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(
                    uri=doc.uri,
                    version=doc.version,
                    diagnostics=[to_lsp_diagnostic(d, doc.outline, doc.lines) for d in found],
                )
            )

    # ----------------------------------------------------------------- navigation helpers
    def location_of(self, file: str, line: int, col: int) -> types.Location:
        """An LSP location for a 1-based position in a file (open buffer or disk)."""
        path = Path(file)
        doc = self.store.by_path(path.resolve())
        if doc is not None:
            outline, lines = doc.outline, doc.lines
        else:
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                text = ""
            outline, lines = build_outline(text), split_lines(text)
        line, col = outline.to_editor(line - 1, max(col - 1, 0))  # the checker's lines
        span = outline.starting_at(line, col)
        start = to_position(lines, line, col)
        end = to_position(lines, *span.end) if span is not None else start
        return types.Location(uri=path.absolute().as_uri(), range=types.Range(start=start, end=end))


def create_server() -> WfspecLanguageServer:
    """A server with every wfspec feature registered (not started)."""
    server = WfspecLanguageServer()

    @server.feature(types.INITIALIZE)
    def initialize(ls: WfspecLanguageServer, params: types.InitializeParams) -> None:
        options = params.initialization_options or {}
        if not isinstance(options, dict):
            return
        if isinstance(options.get("debounce"), int | float):
            ls.debounce = max(0.0, float(options["debounce"]))
        if isinstance(options.get("spec_root"), str):  # as `wfspec check --spec-root`
            try:
                root = Path(options["spec_root"]).expanduser()
                if not root.is_absolute() and params.root_uri:
                    base = uri_to_path(params.root_uri)
                    root = base / root if base is not None else root
                ls.spec_root = root.resolve()
            except (OSError, RuntimeError, ValueError) as error:  # ~nouser, a NUL byte
                # the session still starts: spec sets are found as if the option were unset
                logger.warning(
                    "initializationOptions.spec_root %r is not a usable path (%s): ignored;"
                    " set it to the spec-set folder, relative to the workspace",
                    options["spec_root"],
                    error,
                )

    @server.feature(types.INITIALIZED)
    async def initialized(ls: WfspecLanguageServer, params: types.InitializedParams) -> None:
        """Ask the client to report YAML files changed on disk (git checkout, other tools)."""
        capabilities = ls.client_capabilities.workspace
        watched = capabilities.did_change_watched_files if capabilities else None
        if watched is None or not watched.dynamic_registration:
            return
        options = types.DidChangeWatchedFilesRegistrationOptions(
            watchers=[types.FileSystemWatcher(glob_pattern="**/*.{yaml,yml}")]
        )
        registration = types.Registration(
            id="wfspec-watched-yaml",
            method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
            register_options=options,
        )
        try:
            await ls.client_register_capability_async(
                types.RegistrationParams(registrations=[registration])
            )
        except Exception:  # a client that refuses: files are still re-read on each check
            logger.info("the client did not accept watching YAML files", exc_info=True)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched_files(ls: WfspecLanguageServer, params: types.DidChangeWatchedFilesParams) -> None:
        """A file changed on disk: re-check the spec sets that have open files (cache by hash)."""
        roots = {ls.root_of(doc) for doc in ls.store}
        for root in roots:
            ls.request_check(root, ls.debounce)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: WfspecLanguageServer, params: types.DidOpenTextDocumentParams) -> None:
        item = params.text_document
        doc = ls.store.update(item.uri, item.text, item.version)
        ls.request_check(ls.root_of(doc), 0.0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: WfspecLanguageServer, params: types.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        text = ls.workspace.get_text_document(uri).source
        doc = ls.store.update(uri, text, params.text_document.version)
        ls.request_check(ls.root_of(doc), ls.debounce)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: WfspecLanguageServer, params: types.DidSaveTextDocumentParams) -> None:
        doc = ls.store.get(params.text_document.uri)
        if doc is not None:
            ls.request_check(ls.root_of(doc), 0.0)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: WfspecLanguageServer, params: types.DidCloseTextDocumentParams) -> None:
        doc = ls.store.close(params.text_document.uri)
        ls._published.pop(params.text_document.uri, None)
        if doc is None:
            return
        # the file on disk counts again: clear the buffer's diagnostics, re-check the others
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=doc.uri, diagnostics=[])
        )
        ls.request_check(ls.root_of(doc), 0.0)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: WfspecLanguageServer, params: types.HoverParams) -> types.Hover | None:
        doc = ls.store.get(params.text_document.uri)
        if doc is None:
            return None
        cursor = cursor_at(doc, params.position.line, params.position.character)
        text = hover_markdown(cursor, ls.index_for(doc))
        if text is None:
            return None
        return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text))

    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    def definition(
        ls: WfspecLanguageServer, params: types.DefinitionParams
    ) -> types.Location | None:
        doc = ls.store.get(params.text_document.uri)
        if doc is None:
            return None
        cursor = cursor_at(doc, params.position.line, params.position.character)
        found = definition_of(cursor, ls.index_for(doc))
        if found is None or not found.location.line:
            return None
        where = found.location
        return ls.location_of(where.file, where.line, where.col)

    @server.feature(
        types.TEXT_DOCUMENT_COMPLETION,
        types.CompletionOptions(trigger_characters=[".", "[", " ", ","]),
    )
    def completion(
        ls: WfspecLanguageServer, params: types.CompletionParams
    ) -> types.CompletionList:
        doc = ls.store.get(params.text_document.uri)
        items = []
        if doc is not None:
            cursor = cursor_at(doc, params.position.line, params.position.character)
            items = completions(cursor, ls.index_for(doc))
        return types.CompletionList(is_incomplete=False, items=items)

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
    )
    def code_action(
        ls: WfspecLanguageServer, params: types.CodeActionParams
    ) -> list[types.CodeAction]:
        doc = ls.store.get(params.text_document.uri)
        if doc is None:
            return []
        return quick_fixes(doc, list(params.context.diagnostics))

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: WfspecLanguageServer, *args: Any) -> None:
        for pending in ls._pending.values():
            pending.cancel()
        ls._worker.shutdown(wait=False, cancel_futures=True)

    return server


def main() -> None:
    """Serve over stdio until the client says ``exit``."""
    create_server().start_io()
