"""Checking named files inside their spec set (docs/adr/0010-check-in-context.md).

Each test builds a small git repository with the usual layout (``specs/`` at its top) and names
files the way an author, an editor or pre-commit does.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from wfspec.compiler import check_paths, find_spec_root
from wfspec.compiler.check_cache import CheckCache

from .conftest import INSTRUMENT, WORKFLOW

PARAMS = """\
kind: ParamSet
name: shared
params:
  scale: {type: float, default: 1.0}
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository: specs/instrument.yaml, specs/params.yaml, specs/flows/counts.yaml."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    specs = tmp_path / "specs"
    (specs / "flows").mkdir(parents=True)
    (specs / "instrument.yaml").write_text(INSTRUMENT)
    (specs / "params.yaml").write_text(PARAMS)
    (specs / "flows" / "counts.yaml").write_text(WORKFLOW + "params_from: [shared]\n")
    return tmp_path


def codes(result) -> list[tuple[str, str, int]]:
    return [(d.code, d.file, d.line) for d in result.diagnostics]


def test_a_valid_file_is_checked_with_its_spec_set(repo: Path) -> None:
    # Before: R003 unknown instrument and R007 unknown ParamSet (they live in other files).
    result = check_paths([repo / "specs" / "flows" / "counts.yaml"])
    assert codes(result) == []
    assert result.files == [(repo / "specs" / "flows" / "counts.yaml").as_posix()]
    assert result.documents == 1
    assert result.spec_roots == [(repo / "specs").resolve()]
    assert set(result.spec_set.instruments) == {"tiny"}


def test_relative_paths_from_any_subfolder(repo: Path, monkeypatch) -> None:
    monkeypatch.chdir(repo / "specs" / "flows")
    assert codes(check_paths(["counts.yaml"])) == []
    monkeypatch.chdir(repo)
    assert codes(check_paths(["specs/flows/counts.yaml"])) == []


def test_only_the_named_files_problems_fail_the_run(repo: Path, monkeypatch) -> None:
    monkeypatch.chdir(repo)
    (repo / "specs" / "params.yaml").write_text(PARAMS + "  bad: {type: flot}\n")
    broken = WORKFLOW.replace("name: counts", "name: other").replace("title: Counts", "titel: x")
    (repo / "specs" / "other.yaml").write_text(broken)
    result = check_paths(["specs/instrument.yaml"])
    assert codes(result) == [] and not result.failed()
    assert result.hidden == 3  # S005 in params.yaml, S002 + S003 in other.yaml
    named = check_paths(["specs/other.yaml", "specs/instrument.yaml"])
    assert sorted(codes(named)) == [
        ("S002", "specs/other.yaml", 6),
        ("S003", "specs/other.yaml", 1),
    ]
    assert named.files == ["specs/instrument.yaml", "specs/other.yaml"]


def test_a_named_file_with_an_error_is_reported(repo: Path, monkeypatch) -> None:
    monkeypatch.chdir(repo)
    path = repo / "specs" / "flows" / "counts.yaml"
    path.write_text(WORKFLOW.replace("source_names: [mon]", "source_names: [mom]"))
    assert codes(check_paths([path])) == [("R004", "specs/flows/counts.yaml", 7)]


def test_a_duplicate_is_cited_at_the_named_file_whichever_sorts_first(
    repo: Path, monkeypatch
) -> None:
    monkeypatch.chdir(repo)
    # "a_copy.yaml" sorts before "flows/counts.yaml": the clash used to be cited there only.
    (repo / "specs" / "a_copy.yaml").write_text(WORKFLOW)
    result = check_paths(["specs/flows/counts.yaml"])
    (diag,) = result.diagnostics
    assert (diag.code, diag.file, diag.line) == ("R002", "specs/flows/counts.yaml", 3)
    assert [str(r) for r in diag.related] == ["specs/a_copy.yaml:3:7"]
    assert "also defined at specs/a_copy.yaml:3:7" in diag.message
    every = check_paths(["specs"])
    assert sorted(codes(every)) == [
        ("R002", "specs/a_copy.yaml", 3),
        ("R002", "specs/flows/counts.yaml", 3),
    ]


def test_a_duplicate_across_three_files_names_every_place(repo: Path, monkeypatch) -> None:
    monkeypatch.chdir(repo)
    for name in ("b.yaml", "c.yaml"):
        (repo / "specs" / name).write_text(PARAMS)
    (diag,) = check_paths(["specs/c.yaml"]).diagnostics
    assert diag.code == "R001"
    assert sorted(str(r) for r in diag.related) == [
        "specs/b.yaml:2:7",
        "specs/params.yaml:2:7",
    ]


def test_a_problem_of_another_file_that_names_the_named_file_is_cited_there(
    repo: Path, monkeypatch
) -> None:
    from wfspec.compiler.diagnostics import Diagnostic, Location, Severity
    from wfspec.compiler.scope import cite_at_named

    elsewhere = Diagnostic(
        "R004", Severity.ERROR, "gone", Location("b.yaml", 4, 2), related=(Location("a.yaml", 9),)
    )
    unrelated = Diagnostic("S002", Severity.ERROR, "typo", Location("b.yaml", 5, 1))
    shown, hidden = cite_at_named([elsewhere, unrelated], {"a.yaml"})
    (moved,) = shown
    assert (str(moved.location), moved.code, hidden) == ("a.yaml:9:0", "R004", 1)
    assert moved.message == "gone (reported at b.yaml:4:2)"
    assert [str(r) for r in moved.related] == ["b.yaml:4:2"]


def test_errors_in_unnamed_files_do_not_hide_the_named_file_when_it_is_invalid_too(
    repo: Path, monkeypatch
) -> None:
    monkeypatch.chdir(repo)
    (repo / "specs" / "instrument.yaml").write_text(INSTRUMENT.replace("title:", "titel:"))
    # The instrument is broken (unnamed): the workflow does not also get "unknown instrument".
    result = check_paths(["specs/flows/counts.yaml"])
    assert codes(result) == [] and result.hidden == 2


def test_a_folder_inside_the_spec_set_names_its_files(repo: Path, monkeypatch) -> None:
    monkeypatch.chdir(repo)
    (repo / "specs" / "broken.yaml").write_text("kind: Nope\n")
    result = check_paths(["specs/flows"])
    assert codes(result) == [] and result.files == ["specs/flows/counts.yaml"]
    assert [d.code for d in check_paths(["specs"]).diagnostics] == ["S001"]


def test_overlays_replace_disk_text_and_add_unsaved_files(repo: Path) -> None:
    path = (repo / "specs" / "flows" / "counts.yaml").resolve()
    edited = WORKFLOW.replace("instrument: tiny", "instrument: tyni")
    (diag,) = check_paths([path], overlays={path: edited}).diagnostics
    assert (diag.code, diag.line) == ("R003", 2) and diag.hint.endswith("known: tiny")
    new = (repo / "specs" / "flows" / "new.yaml").resolve()
    unsaved = WORKFLOW.replace("name: counts", "name: fresh")
    result = check_paths([new], overlays={new: unsaved})
    assert codes(result) == [] and result.documents == 1
    # An unsaved file is part of the set: a clash with it is seen from the saved file.
    clash = check_paths([path], overlays={new: WORKFLOW})
    assert [d.code for d in clash.diagnostics] == ["R002"]


def test_an_explicit_spec_root_for_other_layouts(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "conf" / "wf").mkdir(parents=True)
    (tmp_path / "conf" / "instrument.yaml").write_text(INSTRUMENT)
    (tmp_path / "conf" / "wf" / "counts.yaml").write_text(WORKFLOW)
    alone = check_paths(["conf/wf/counts.yaml"])  # no git repository, no specs/: on its own
    assert [d.code for d in alone.diagnostics] == ["R003"]
    in_context = check_paths(["conf/wf/counts.yaml"], spec_root=Path("conf"))
    assert codes(in_context) == [] and in_context.spec_roots == [Path("conf")]


def test_a_file_outside_specs_is_checked_on_its_own(repo: Path, monkeypatch) -> None:
    monkeypatch.chdir(repo)
    (repo / "other.yaml").write_text(WORKFLOW)
    assert [d.code for d in check_paths(["other.yaml"]).diagnostics] == ["R003"]


def test_a_missing_named_file_is_reported(repo: Path, monkeypatch) -> None:
    monkeypatch.chdir(repo)
    result = check_paths(["specs/nope.yaml"])
    assert codes(result) == [("L010", "specs/nope.yaml", 0)] and result.failed()


def test_find_spec_root(repo: Path, monkeypatch) -> None:
    specs = (repo / "specs").resolve()
    assert find_spec_root(repo / "specs" / "flows" / "counts.yaml") == specs
    assert find_spec_root(repo / "specs" / "flows" / "unsaved.yaml") == specs
    assert find_spec_root(repo / "specs") == specs
    assert find_spec_root(repo) is None
    assert find_spec_root(repo / "README.md") is None
    monkeypatch.chdir(repo / "specs" / "flows")
    assert find_spec_root("counts.yaml") == specs
    (repo / "sub").mkdir()
    subprocess.run(["git", "init", "-q", str(repo / "sub")], check=True)
    (repo / "sub" / "x.yaml").write_text("")
    assert find_spec_root(repo / "sub" / "x.yaml") is None  # the nearest repository decides


def test_a_cache_rereads_only_what_changed(repo: Path, monkeypatch) -> None:
    monkeypatch.chdir(repo)
    cache = CheckCache()
    assert codes(check_paths(["specs"], cache=cache)) == []
    assert cache.reads == 3
    assert codes(check_paths(["specs"], cache=cache)) == [] and cache.reads == 3
    path = repo / "specs" / "flows" / "counts.yaml"
    path.write_text(WORKFLOW.replace("source_names: [mon]", "source_names: [mom]"))
    assert codes(check_paths(["specs"], cache=cache)) == [("R004", "specs/flows/counts.yaml", 7)]
    assert cache.reads == 4
    path.touch()  # a new mtime, the same content: not loaded again
    assert [d.code for d in check_paths(["specs"], cache=cache).diagnostics] == ["R004"]
    assert cache.reads == 4
    path.unlink()
    assert codes(check_paths(["specs"], cache=cache)) == [] and len(cache) == 2


def test_an_instrument_edit_that_breaks_a_workflow_is_reported_at_the_instrument(
    repo: Path, monkeypatch
) -> None:
    monkeypatch.chdir(repo)
    renamed = INSTRUMENT.replace("{name: mon,", "{name: monitor,")
    (repo / "specs" / "instrument.yaml").write_text(renamed)
    result = check_paths(["specs/instrument.yaml"])
    (diag,) = result.diagnostics
    assert (diag.code, str(diag.location)) == ("R004", "specs/instrument.yaml:4:1")
    assert diag.message == (
        "instrument 'tiny' has no source 'mon' (reported at specs/flows/counts.yaml:7:16)"
    )
    assert [str(r) for r in diag.related] == ["specs/flows/counts.yaml:7:16"]
    assert result.failed()


def test_a_cached_template_reports_the_same_problems_on_every_recheck() -> None:
    """A template's config problems are memoized with its document; the resolve stage extends
    its copy with the template's other problems (R017 here), never the memoized list itself:
    otherwise each re-check of a cached file reported R017 once more, and the template stage,
    reading the grown list, took it for a broken config and skipped the example (T012)."""
    corpus = Path(__file__).resolve().parents[1] / "corpus" / "broken"
    cache = CheckCache()
    for _ in range(3):
        result = check_paths([corpus / "r017_except_not_timeseries.yaml"], cache=cache)
        assert [d.code for d in result.diagnostics] == ["R017", "T012"]
