"""The layers hold (docs/architecture.md): import-linter's contracts in pyproject.toml pass.

- the compiler never imports the runtime nor Kafka code (``confluent_kafka``,
  ``streaming_data_types``), so ``wfspec check`` stays light and the compiler stands alone;
- the runtime uses the compiler's public API only (``from wfspec.compiler import ...``), never
  its internal modules, so the compiler can change inside without breaking the runtime.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_import_contracts_are_kept() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint), "--config", str(REPO / "pyproject.toml")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout


def test_the_runtime_really_imports_the_compiler() -> None:
    """The public-API contract is not vacuous: the runtime depends on wfspec.compiler."""
    import grimp

    graph = grimp.build_graph("wfspec.compiler", "wfspec.runtime")
    importers = graph.find_modules_that_directly_import("wfspec.compiler")
    assert "wfspec.runtime.app" in importers and "wfspec.runtime.orchestrator" in importers
