"""A real editor session: the `wfspec lsp` process driven over stdio by pytest-lsp's client.

Each test gets a fresh server whose workspace is a temp copy of the shipped ``specs/``. The
helpers below are what the editor does (open, type) and asks (diagnostics, hover, definition,
completion), for the test modules.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

REPO = Path(__file__).resolve().parents[2]
WFSPEC = Path(sys.executable).parent / "wfspec"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A git repository with the shipped specs at its top (the layout the spec-root rule finds)."""
    root = tmp_path / "repo"
    shutil.copytree(REPO / "specs", root / "specs")
    (root / ".git").mkdir()
    return root


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[str(WFSPEC), "lsp"]))
async def client(lsp_client: LanguageClient, workspace: Path):
    # keep every publishDiagnostics (uri, version, diagnostics) in arrival order, for tests
    # that wait for the diagnostics of a given version of a document
    features = lsp_client.protocol.fm.features
    method = types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS
    original = features[method]
    lsp_client.published = []

    def record(params: types.PublishDiagnosticsParams) -> None:
        lsp_client.published.append(params)
        original(params)

    features[method] = record
    lsp_client.registrations = []

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:  # as VS Code and Neovim do
        lsp_client.registrations.extend(params.registrations)

    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=pytest_lsp.client_capabilities("visual-studio-code"),
            root_uri=workspace.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=workspace.as_uri(), name="repo")],
            initialization_options={"debounce": 0.05},
        )
    )
    yield
    await lsp_client.shutdown_session()


# ----------------------------------------------------------------- what an editor does and asks
async def published(
    client: LanguageClient, uri: str, version: int | None = None, timeout: float = 20
) -> list[types.Diagnostic]:
    """The first diagnostics published for ``uri`` (at ``version``) not yet taken by a test."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        for index, params in enumerate(client.published):
            if params.uri == uri and (version is None or params.version == version):
                client.published[: index + 1] = [
                    p for p in client.published[:index] if p.uri != uri
                ]
                return list(params.diagnostics)
        await asyncio.sleep(0.02)
    raise TimeoutError(f"no diagnostics published for {uri} (version {version})")


def open_file(client: LanguageClient, path: Path, text: str | None = None, version: int = 1):
    text = path.read_text(encoding="utf-8") if text is None else text
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=path.as_uri(), language_id="yaml", version=version, text=text
            )
        )
    )
    return text


def change(client: LanguageClient, path: Path, text: str, version: int) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=path.as_uri(), version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


def position_of(text: str, needle: str, offset: int = 0) -> types.Position:
    index = text.index(needle) + offset
    line = text.count("\n", 0, index)
    return types.Position(line=line, character=index - (text.rfind("\n", 0, index) + 1))


async def hover_at(
    client: LanguageClient, path: Path, text: str, needle: str, offset: int = 0
) -> str:
    """The hover text at ``needle`` (+ ``offset``) in the open file ``path`` (there must be one)."""
    result = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=path.as_uri()),
            position=position_of(text, needle, offset),
        )
    )
    assert result is not None, needle
    return result.contents.value


async def definition_at(
    client: LanguageClient, path: Path, text: str, needle: str, offset: int = 0
) -> types.Location:
    """Where go-to-definition at ``needle`` (+ ``offset``) in ``path`` leads (one location)."""
    result = await client.text_document_definition_async(
        types.DefinitionParams(
            text_document=types.TextDocumentIdentifier(uri=path.as_uri()),
            position=position_of(text, needle, offset),
        )
    )
    assert isinstance(result, types.Location), needle
    return result


async def completion_at(
    client: LanguageClient, path: Path, text: str, needle: str, offset: int = 0
) -> list[types.CompletionItem]:
    """The completion items at ``needle`` (+ ``offset``) in the open file ``path``."""
    result = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=path.as_uri()),
            position=position_of(text, needle, offset),
        )
    )
    return list(result.items if isinstance(result, types.CompletionList) else result or [])


# -- bare JSON-RPC on the process's pipes (no client library: what any editor sends) ----------


def frame(message: dict) -> bytes:
    """One JSON-RPC message with its ``Content-Length`` header."""
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


def initialize_message(
    root: Path, options: object = None, capabilities: dict | None = None
) -> dict:
    """The ``initialize`` request (id 1) for a workspace at ``root``."""
    params = {"processId": None, "rootUri": root.as_uri(), "capabilities": capabilities or {}}
    if options is not None:
        params["initializationOptions"] = options
    return {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": params}


def bare_session(messages: list[dict]) -> subprocess.CompletedProcess:
    """``wfspec lsp`` fed ``messages`` on stdin until it exits."""
    return subprocess.run(
        [str(WFSPEC), "lsp"],
        input=b"".join(frame(m) for m in messages),
        capture_output=True,
        timeout=60,
    )
