"""The editor's checker: `wfspec check`'s diagnostics, only changed files re-read, spec roots."""

from __future__ import annotations

import shutil
from pathlib import Path

from wfspec.compiler.checker import check_paths
from wfspec.compiler.lsp.checking import SpecSetChecker, spec_root_for

REPO = Path(__file__).resolve().parents[2]


def _signature(diagnostics):
    return [(Path(d.file).resolve(), d.line, d.col, d.code, d.message, d.hint) for d in diagnostics]


def test_cached_runs_match_wfspec_check_and_reread_only_the_changed_buffer(tmp_path: Path):
    root = (tmp_path / "specs").resolve()
    shutil.copytree(REPO / "specs", root)
    checker = SpecSetChecker()
    workflow = root / "dummy" / "monitor_histogram.yaml"
    first = checker.check(root, [workflow], {})
    files = checker.caches[root].reads
    assert files == len(list(root.rglob("*.yaml")))
    assert first.diagnostics == []
    edited = workflow.read_text().replace("unit: counts", "unit: countz", 1)
    second = checker.check(root, [workflow], {workflow: edited})
    assert checker.caches[root].reads == files + 1  # the buffer; every other file from the cache
    assert [d.code for d in second.diagnostics] == ["U202"]
    workflow.write_text(edited)  # the same text on disk: what `wfspec check FILE` sees
    cli = check_paths([workflow], spec_root=root)
    assert _signature(second.diagnostics) == _signature(cli.diagnostics)
    third = checker.check(root, [workflow], {workflow: edited})
    assert checker.caches[root].reads == files + 1
    assert _signature(third.diagnostics) == _signature(second.diagnostics)


def test_spec_root_rules(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "specs" / "a").mkdir(parents=True)
    inside = repo / "specs" / "a" / "w.yaml"
    assert spec_root_for(inside) == (repo / "specs").resolve()  # the compiler's rule (git)
    loose = tmp_path / "plain" / "specs" / "w.yaml"  # no git: the `specs` folder above it
    loose.parent.mkdir(parents=True)
    assert spec_root_for(loose) == loose.parent.resolve()
    other = tmp_path / "elsewhere" / "mine"
    other.mkdir(parents=True)
    assert spec_root_for(other / "x.yaml", "", explicit=other) == other.resolve()
    assert spec_root_for(repo / "compose.yaml", "services: {}\n") is None  # no spec
    assert spec_root_for(repo / "one.yaml", "kind: ParamSet\n") == (repo / "one.yaml").resolve()


def test_index_finds_documents_named_relative_to_the_current_folder(tmp_path, monkeypatch):
    """The server runs in the workspace: the compiler names files relative to it."""
    from wfspec.compiler.lsp.index import SpecIndex

    root = tmp_path / "specs"
    shutil.copytree(REPO / "specs", root)
    monkeypatch.chdir(tmp_path)
    result = SpecSetChecker().check(root.resolve(), [], {})
    templates = (root / "common" / "correlation_templates.yaml").resolve()
    index = SpecIndex(result.spec_set)
    assert next(iter(index.spec_set.templates.values())).doc.file.startswith("specs/")
    assert index.template_at(templates, 1).model.name == "correlation_histogram_2d"
    assert index.document_at(templates, 0).model.name == "correlation_histogram_1d"
    assert index.template_at((root / "dummy" / "instrument.yaml").resolve(), 0) is None


def test_param_diagnostics_survive_reuse_and_follow_edits(tmp_path: Path) -> None:
    """Param checks are kept with a cached document: still reported, and redone after an edit."""
    root = (tmp_path / "specs").resolve()
    shutil.copytree(REPO / "specs", root)
    params = root / "common" / "params.yaml"
    text = params.read_text()
    assert "units: [ns, us, μs, ms, s]" in text
    params.write_text(text.replace("units: [ns, us, μs, ms, s]", "units: [ns, us, μs, ms, sx]", 1))
    workflow = root / "dummy" / "monitor_histogram.yaml"
    checker = SpecSetChecker()
    first = checker.check(root, [params, workflow], {})
    assert "U101" in {d.code for d in first.diagnostics}
    again = checker.check(root, [params, workflow], {})  # params.yaml reused from the cache
    assert _signature(again.diagnostics) == _signature(first.diagnostics)
    fixed = checker.check(root, [params, workflow], {params: text})  # the buffer fixes it
    assert "U101" not in {d.code for d in fixed.diagnostics}
    broken = text.replace("units: [ns, us, μs, ms, s]", "units: [ns, us, μs, ms, qq]", 1)
    edited = checker.check(root, [params, workflow], {params: broken})
    assert any(d.code == "U101" and "qq" in d.message for d in edited.diagnostics)
