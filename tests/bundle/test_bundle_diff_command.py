"""``wfspec diff``: changes by WorkflowId, and which of them break a client of the old spec."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from wfspec.compiler.cli_build import diff_command
from wfspec.compiler.compile import compile_paths

MINIDIFF = Path("minidiff") / "workflows.yaml"
EXTRA_OUTPUT = """\
  focussed_total:
    title: Focussed total
    temporality: cumulative
views:
  pattern:"""

# variant name -> (old text, new text) edits of specs/minidiff/workflows.yaml
VARIANTS = {
    "param_removed": [
        (
            "      min_counts: {type: int, default: 10, min: 0, title: Minimum monitor counts}\n",
            "",
        )
    ],
    "version_bump": [("name: sample_logs\nversion: 1", "name: sample_logs\nversion: 2")],
    "output_added": [("views:\n  pattern:", EXTRA_OUTPUT)],
    "min_raised": [("default: 10, min: 0,", "default: 10, min: 5,")],
}


@pytest.fixture(scope="module")
def bundles(tmp_path_factory, repo, edit_spec) -> dict[str, Path]:
    """name -> bundle.json of the shipped specs ("base") and of each edited variant."""
    root = tmp_path_factory.mktemp("diff")
    found = {}
    for name, edits in {"base": [], **VARIANTS}.items():
        specs = root / name / "specs"
        shutil.copytree(repo / "specs", specs)
        for old, new in edits:
            edit_spec(specs / MINIDIFF, old, new)
        result = compile_paths([specs])
        assert result.ok, [str(d) for d in result.check.diagnostics]
        found[name] = root / name / "bundle.json"
        found[name].write_bytes(result.data)
    return found


def _json_diff(cli, old: Path, new: Path, *extra: str):
    result = cli(diff_command, [old, new, "--format", "json", *extra])
    return result, json.loads(result.stdout)


def test_identical_bundles_have_no_changes(cli, bundles):
    result = cli(diff_command, [bundles["base"], bundles["base"], "--fail-on-breaking"])
    assert result.exit_code == 0
    assert result.stdout.strip() == "no changes"


def test_a_removed_param_is_breaking(cli, bundles):
    result, payload = _json_diff(
        cli, bundles["base"], bundles["param_removed"], "--fail-on-breaking"
    )
    assert result.exit_code == 1
    assert {
        "kind": "changed",
        "what": "workflow",
        "name": "minidiff/powder_focus/1",
        "detail": "param normalization.min_counts removed",
        "breaking": True,
    } in payload["changes"]
    assert payload["summary"]["breaking"] >= 1


def test_the_text_output_marks_the_breaking_row(cli, bundles):
    result = cli(diff_command, [bundles["base"], bundles["param_removed"]])
    assert result.exit_code == 0  # only --fail-on-breaking turns breaking changes into exit 1
    row = next(line for line in result.stdout.splitlines() if "min_counts" in line)
    assert "minidiff/powder_focus/1" in row and "BREAKING" in row
    assert "1 breaking" in result.stdout


def test_a_narrowed_bound_is_breaking(cli, bundles):
    result, payload = _json_diff(cli, bundles["base"], bundles["min_raised"], "--fail-on-breaking")
    assert result.exit_code == 1
    details = [c["detail"] for c in payload["changes"] if c["breaking"]]
    assert details == ["param normalization.min_counts narrowed: min 0 -> 5"]


def test_a_version_bump_is_not_breaking(cli, bundles):
    result, payload = _json_diff(
        cli, bundles["base"], bundles["version_bump"], "--fail-on-breaking"
    )
    assert result.exit_code == 0
    bump = [c for c in payload["changes"] if c["kind"] == "version_bump"]
    assert bump == [
        {
            "kind": "version_bump",
            "what": "workflow",
            "name": "minidiff/sample_logs/1",
            "detail": "superseded by minidiff/sample_logs/2",
            "breaking": False,
        }
    ]
    assert payload["summary"]["breaking"] == 0


def test_a_new_version_next_to_the_old_one_is_listed_as_added(cli, tmp_path, bundles):
    """Keeping v1 and adding v2 is an addition, not silence."""
    both = json.loads(bundles["base"].read_text(encoding="utf-8"))
    bumped = json.loads(bundles["version_bump"].read_text(encoding="utf-8"))
    both["workflows"]["minidiff/sample_logs/2"] = bumped["workflows"]["minidiff/sample_logs/2"]
    path = tmp_path / "both.json"
    path.write_text(json.dumps(both), encoding="utf-8")
    _, payload = _json_diff(cli, bundles["base"], path)
    assert [(c["kind"], c["name"]) for c in payload["changes"]] == [
        ("added", "minidiff/sample_logs/2")
    ]


def test_an_added_output_is_not_breaking_and_a_removed_one_is(cli, bundles):
    added, payload = _json_diff(cli, bundles["base"], bundles["output_added"], "--fail-on-breaking")
    assert added.exit_code == 0
    assert [(c["detail"], c["breaking"]) for c in payload["changes"]] == [
        ("output focussed_total added", False)
    ]
    removed, payload = _json_diff(
        cli, bundles["output_added"], bundles["base"], "--fail-on-breaking"
    )
    assert removed.exit_code == 1
    assert [(c["detail"], c["breaking"]) for c in payload["changes"]] == [
        ("output focussed_total removed", True)
    ]


def test_diff_accepts_two_spec_folders(cli, bundles):
    old = bundles["base"].parent / "specs"
    new = bundles["param_removed"].parent / "specs"
    result, payload = _json_diff(cli, old, new, "--fail-on-breaking")
    assert result.exit_code == 1
    assert [c["detail"] for c in payload["changes"]] == ["param normalization.min_counts removed"]


def test_a_missing_bundle_is_a_clear_error(cli, tmp_path, bundles):
    result = cli(diff_command, [tmp_path / "old.json", bundles["base"]])
    assert result.exit_code == 2
    assert "old.json' does not exist" in result.stderr and "Traceback" not in result.stderr
