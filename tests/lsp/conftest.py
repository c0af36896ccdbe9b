"""A real editor session: the `wfspec lsp` process driven over stdio by pytest-lsp's client.

Each test gets a fresh server whose workspace is a temp copy of the shipped ``specs/``.
"""

from __future__ import annotations

import shutil
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
