"""The editor's checker: same diagnostics as `wfspec check`, and only changed files re-read."""

from __future__ import annotations

import shutil
from pathlib import Path

from wfspec.compiler.checker import check_paths
from wfspec.compiler.lsp.checking import SpecSetChecker

REPO = Path(__file__).resolve().parents[2]


def _signature(diagnostics):
    return [(Path(d.file).resolve(), d.line, d.col, d.code, d.message, d.hint) for d in diagnostics]


def test_cached_runs_match_a_fresh_check_and_reread_only_the_changed_file(tmp_path: Path):
    root = tmp_path / "specs"
    shutil.copytree(REPO / "specs", root)
    checker = SpecSetChecker()
    first = checker.check(root, {})
    files = checker.cache.reads
    assert files == len(list(root.rglob("*.yaml")))
    workflow = (root / "dummy" / "monitor_histogram.yaml").resolve()
    edited = workflow.read_text().replace("unit: counts", "unit: countz", 1)
    second = checker.check(root, {workflow: edited})
    assert checker.cache.reads == files + 1  # the buffer only; every other file from the cache
    assert [d.code for d in second.diagnostics] == ["U202"]
    assert first.diagnostics == []
    workflow.write_text(edited)  # the same text on disk: what `wfspec check` sees
    assert _signature(second.diagnostics) == _signature(check_paths([root]).diagnostics)
    third = checker.check(root, {workflow: edited})
    assert checker.cache.reads == files + 1 and _signature(third.diagnostics) == _signature(
        second.diagnostics
    )
