"""The check pipeline: all problems in one run, stage failures as I001, never an exception."""

from __future__ import annotations

from pathlib import Path

import pytest

from wfspec.compiler import checker
from wfspec.compiler.checker import check_paths


def test_clean_spec_set(spec_dir: Path) -> None:
    result = check_paths([spec_dir])
    assert result.diagnostics == []
    assert (len(result.files), result.documents) == (2, 2)
    assert result.spec_set is not None and not result.failed()


def test_load_schema_and_semantic_problems_come_together(
    spec_dir: Path, workflow_text: str
) -> None:
    WORKFLOW = workflow_text
    (spec_dir / "broken.yaml").write_text("kind: Workflow\n  name: x\n")
    (spec_dir / "typo.yaml").write_text(
        WORKFLOW.replace("name: counts", "name: other").replace("title:", "titel:")
    )
    (spec_dir / "unknown.yaml").write_text(
        WORKFLOW.replace("name: counts", "name: third").replace(
            "source_names: [mon]", "source_names: [mon2]"
        )
    )
    result = check_paths([spec_dir])
    found = {(Path(d.file).name, d.code) for d in result.diagnostics}
    assert {("broken.yaml", "L001"), ("typo.yaml", "S002"), ("typo.yaml", "S003")} <= found
    assert ("unknown.yaml", "R004") in found
    assert result.failed()
    assert result.diagnostics == sorted(result.diagnostics, key=lambda d: d.sort_key())


def test_a_document_with_a_schema_error_gets_no_follow_up_errors(spec_dir: Path) -> None:
    # the instrument is structurally broken: its workflow must not also get "unknown instrument"
    (spec_dir / "instrument.yaml").write_text(
        (spec_dir / "instrument.yaml").read_text().replace("title:", "titel:")
    )
    codes = sorted(d.code for d in check_paths([spec_dir]).diagnostics)
    assert codes == ["S002", "S003"]


def test_flawed_documents_are_not_parsed(spec_dir: Path, workflow_text: str) -> None:
    WORKFLOW = workflow_text
    (spec_dir / "counts.yaml").write_text(WORKFLOW + "title: again\n")
    result = check_paths([spec_dir])
    assert [d.code for d in result.diagnostics] == ["L003"]
    assert result.spec_set is not None and not result.spec_set.workflows


def test_an_exception_in_a_document_stage_is_i001_and_others_go_on(
    spec_dir: Path, monkeypatch: pytest.MonkeyPatch, workflow_text: str
) -> None:
    WORKFLOW = workflow_text
    real = checker.validate_document

    def flaky(doc):
        if doc.data.get("kind") == "Instrument":
            raise ValueError("boom")
        return real(doc)

    monkeypatch.setattr(checker, "validate_document", flaky)
    (spec_dir / "bad.yaml").write_text(WORKFLOW.replace("name: counts", "name: Bad"))
    result = check_paths([spec_dir])
    internal = [d for d in result.diagnostics if d.code == "I001"]
    assert len(internal) == 1
    assert "validate" in internal[0].message and "boom" in internal[0].message
    assert internal[0].file.endswith("instrument.yaml")
    assert any(d.code == "S006" for d in result.diagnostics)


def test_an_exception_in_a_spec_set_stage_is_i001(
    spec_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(spec_set):
        raise KeyError("resolver bug")

    stages = dict(checker.SPEC_SET_STAGES)
    stages["resolve"] = explode
    monkeypatch.setattr(checker, "SPEC_SET_STAGES", tuple(stages.items()))
    result = check_paths([spec_dir])
    [diagnostic] = result.diagnostics
    assert diagnostic.code == "I001" and "resolve" in diagnostic.message


def test_progress_is_reported(spec_dir: Path) -> None:
    calls: list[tuple[str, int, int]] = []
    check_paths([spec_dir], progress=lambda *args: calls.append(args))
    assert ("validate", 2, 2) in calls and calls[0][0] == "load"


def test_shipped_specs_are_clean(shipped_specs: Path) -> None:
    result = check_paths([shipped_specs])
    assert [str(d.location) + " " + d.code for d in result.diagnostics] == []
    assert result.documents >= 10
