"""Shared fixtures of the bundle tests: one compiled bundle of specs/, spec copies, a CLI runner.

The shipped specs are compiled once per session through the real ``wfspec compile`` command;
every test that only reads the bundle reuses that file, so the suite stays fast.
"""

from __future__ import annotations

import importlib.util
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from ruamel.yaml import YAML

from wfspec.compiler import Bundle, load_bundle
from wfspec.compiler.cli_build import compile_command

REPO = Path(__file__).resolve().parents[2]
SPECS = REPO / "specs"
WFSPEC = REPO / ".venv" / "bin" / "wfspec"


def spec_documents() -> list[dict[str, Any]]:
    """Every YAML document of specs/ as plain data (read directly, not through the compiler)."""
    documents: list[dict[str, Any]] = []
    for path in sorted(SPECS.rglob("*.y*ml")):
        documents += [d for d in YAML(typ="safe").load_all(path) if isinstance(d, dict)]
    return documents


SHIPPED_WORKFLOW_IDS = [
    f"{d['instrument']}/{d['name']}/{d['version']}"
    for d in spec_documents()
    if d.get("kind") == "Workflow"
]
SHIPPED_TEMPLATES = [d["name"] for d in spec_documents() if d.get("kind") == "WorkflowTemplate"]


def invoke(command: Any, args: list[str]) -> Result:
    """Run a click command in-process; stdout and stderr stay separate."""
    return CliRunner().invoke(command, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="session")
def compiled_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding the bundle.json that ``wfspec compile specs/ -o DIR`` wrote."""
    out = tmp_path_factory.mktemp("build")
    result = invoke(compile_command, [SPECS, "-o", out])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="session")
def bundle_file(compiled_dir: Path) -> Path:
    return compiled_dir / "bundle.json"


@pytest.fixture(scope="session")
def shipped_bytes(bundle_file: Path) -> bytes:
    return bundle_file.read_bytes()


@pytest.fixture
def bundle(bundle_file: Path) -> Bundle:
    """A freshly loaded bundle (each test gets its own templates and memo)."""
    return load_bundle(bundle_file)


@pytest.fixture
def spec_copy(tmp_path: Path) -> Callable[..., Path]:
    """``spec_copy(name="specs")``: a copy of specs/ under tmp_path to edit."""

    def make(name: str = "specs") -> Path:
        target = tmp_path / name
        shutil.copytree(SPECS, target)
        return target

    return make


def edit(path: Path, old: str, new: str) -> None:
    """Replace exactly one occurrence of ``old`` in a spec file (fails loudly otherwise)."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture(scope="session")
def edit_spec() -> Callable[[Path, str, str], None]:
    """``edit_spec(path, old, new)``: replace exactly one occurrence of ``old`` in a file."""
    return edit


@pytest.fixture(scope="session")
def cli() -> Callable[[Any, list[Any]], Result]:
    """``cli(command, args)``: run a click command in-process (stdout and stderr separate)."""
    return invoke


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "shipped_workflow_id" in metafunc.fixturenames:
        metafunc.parametrize("shipped_workflow_id", SHIPPED_WORKFLOW_IDS)
    if "shipped_template" in metafunc.fixturenames:
        metafunc.parametrize("shipped_template", SHIPPED_TEMPLATES)


def _load_params_agreement_module() -> Any:
    """tests/params' property-test module, loaded by path to reuse its payload strategy."""
    path = REPO / "tests" / "params" / "test_params_form_model_agreement.py"
    spec = importlib.util.spec_from_file_location("_wfspec_params_agreement", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def payload_strategy() -> Callable[..., Any]:
    """``payload_strategy(defs)``: tests/params' generator of near-valid and noisy payloads."""
    return _load_params_agreement_module().payload_strategy


@pytest.fixture(scope="session")
def dummy_backend_json() -> dict[str, str]:
    """workflow name -> the backend's default params JSON of the six dummy workflows."""
    data = YAML(typ="safe").load(REPO / "tests" / "params" / "data" / "dummy_params.yaml")
    return {name: entry["expected"] for name, entry in data.items()}
