"""Authoring commands (list, show, explain) and the conventions every command shares.

Exit codes: 0 clean, 1 problems, 2 usage -- the same in every command; one ``Error:`` prefix.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from wfspec.compiler.diagnostics import CODES
from wfspec.compiler.explain import explain, explained_codes
from wfspec.runtime.cli.main import main

REPO = Path(__file__).resolve().parents[2]
SPECS = REPO / "specs"
AXIS = "dummy/timeseries_data/1/delta@motion1"
MOTION1 = "dummy/motion1_correlation_histogram_1d/1"


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("COLUMNS", raising=False)
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(main, [str(a) for a in args])

    return invoke


# -- explain ------------------------------------------------------------------------------------


def test_every_code_is_explained() -> None:
    assert explained_codes() == sorted(CODES)
    for code in CODES:
        found = explain(code)
        assert found is not None and found.meaning == CODES[code]
        assert found.example.strip() and found.fix.strip(), code


def test_explain_prints_meaning_example_and_fix(run) -> None:
    result = run("explain", "r004")
    assert result.exit_code == 0
    assert result.output.startswith("R004: a source name the instrument does not have\n")
    assert "example:\n    source_names: [monitr1]" in result.output
    assert "fix: " in result.output
    data = json.loads(run("explain", "S002", "--format", "json").output)
    assert list(data) == ["code", "meaning", "example", "fix"]


def test_explain_without_code_lists_every_code(run) -> None:
    lines = run("explain").output.splitlines()
    assert [line.split()[0] for line in lines] == sorted(CODES)


def test_explain_an_unknown_code_is_a_usage_error(run) -> None:
    result = run("explain", "R04")
    assert result.exit_code == 2
    assert "Error: " in result.output and "did you mean R014?" in result.output


# -- list / show --------------------------------------------------------------------------------


def test_list_json_names_everything_an_author_refers_to(run) -> None:
    result = run("list", "--specs", SPECS, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert list(data) == ["instruments", "workflows", "templates", "timeseries"]
    dummy = next(i for i in data["instruments"] if i["name"] == "dummy")
    assert "monitor1" in [s["name"] for s in dummy["sources"]]
    assert "dummy/monitor_histogram/1" in [w["id"] for w in data["workflows"]]
    assert "correlation_histogram_1d" in [t["name"] for t in data["templates"]]
    assert AXIS in data["timeseries"]


def test_list_text_keeps_ids_whole_in_a_pipe(run) -> None:
    result = run("list", "--specs", SPECS)
    assert result.exit_code == 0, result.output
    assert any(AXIS in line for line in result.output.splitlines())
    assert "Timeseries references" in result.output


def test_show_a_static_workflow(run) -> None:
    result = run("show", "dummy/monitor_histogram/1", "--specs", SPECS, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["origin"] == "static" and data["spec"]["id"] == "dummy/monitor_histogram/1"
    assert set(data) == {"origin", "spec", "defaults", "params_schema", "ui_schema"}
    assert data["params_schema"]["type"] == "object"


def _add_motion1_instance(run, tmp_path: Path) -> None:
    """Store the motion1 correlation instance (``MOTION1``) through ``wfspec instances add``."""
    assert run("compile", SPECS, "-o", tmp_path / "build").exit_code == 0
    added = run(
        "instances", "add", "correlation_histogram_1d", "--bundle", tmp_path / "build",
        "--set", f"x_axis={AXIS}", "--set", "x_unit=mm",
    )  # fmt: skip
    assert added.exit_code == 0, added.output


def test_show_a_template_instance_from_the_store(run, tmp_path: Path) -> None:
    _add_motion1_instance(run, tmp_path)
    result = run("show", MOTION1, "--specs", SPECS, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["origin"] == "template instance" and data["spec"]["id"] == MOTION1


def test_show_an_unknown_id_suggests_and_exits_1(run) -> None:
    result = run("show", "dummy/monitor_histogram/2", "--specs", SPECS)
    assert result.exit_code == 1
    assert "Error: no workflow dummy/monitor_histogram/2 (did you mean" in result.output


# -- exit codes and error prefix, every command --------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["check", "nope/"],
        ["compile", "nope/", "-o", "build"],
        ["diff", "nope/", str(SPECS)],  # before: 1, the code of a breaking change
        ["diff", str(SPECS), "nope/"],
        ["render", "correlation_histogram_1d", "--specs", "nope/"],  # before: 1
        ["list", "--specs", "nope/"],
        ["show", "dummy/monitor_histogram/1", "--specs", "nope/"],
        ["instances", "add", "correlation_histogram_1d", "--config", "nope.yaml"],
        ["heartbeats", "decode", "nope.x5f2"],
    ],
)
def test_a_missing_path_is_a_usage_error_everywhere(run, args) -> None:
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert "Error: " in result.output and "does not exist" in result.output


def test_a_missing_bundle_is_a_usage_error_in_instances(run, tmp_path: Path) -> None:
    for command in ("list", "remove dummy/x/1"):
        result = run("instances", *command.split(), "--bundle", tmp_path / "nope.json")
        assert result.exit_code == 2, result.output
        assert result.output.startswith("Error: ") and "nope.json: no such file" in result.output


def test_a_folder_without_specs_fails_instead_of_passing_green(run, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run("check", empty)  # before: exit 0 (a warning)
    assert result.exit_code == 1
    assert "error L011 no *.yaml or *.yml files in this folder" in result.output
    assert run("diff", empty, SPECS).exit_code == 1


def test_shell_completion_completes_commands_and_codes() -> None:
    """What the README's completion line installs: click's completion of the real entry point."""
    import os
    import subprocess
    import sys

    wfspec = Path(sys.executable).parent / "wfspec"

    def complete(words: str, index: int) -> list[str]:
        env = {**os.environ, "COMP_WORDS": words, "COMP_CWORD": str(index)}
        env["_WFSPEC_COMPLETE"] = "bash_complete"
        done = subprocess.run([wfspec], env=env, capture_output=True, text=True, timeout=60)
        return [line.split(",", 1)[1] for line in done.stdout.splitlines()]

    assert {"check", "explain", "list", "show"} <= set(complete("wfspec ", 1))
    assert complete("wfspec explain T00", 2)[:2] == ["T001", "T002"]


def test_show_completes_workflow_ids_of_the_source_and_its_stores(run, tmp_path: Path) -> None:
    """TAB after ``wfspec show``: static ids and the store's template instances; a source that
    does not compile completes nothing and prints nothing into the shell."""
    import os
    import subprocess
    import sys

    wfspec = Path(sys.executable).parent / "wfspec"

    def complete(words: str) -> tuple[list[str], str]:
        env = {**os.environ, "COMP_WORDS": words, "COMP_CWORD": str(len(words.split()) - 1)}
        env.update(_WFSPEC_COMPLETE="bash_complete", XDG_STATE_HOME=str(tmp_path / "state"))
        done = subprocess.run([wfspec], env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
        lines = [line for line in done.stdout.splitlines() if line]
        return [line.split(",", 1)[1] for line in lines], done.stderr

    ids, _ = complete(f"wfspec show --specs {SPECS} dummy/m")
    assert ids == ["dummy/monitor_histogram/1"]
    assert MOTION1 not in complete(f"wfspec show --specs {SPECS} dummy/")[0]

    _add_motion1_instance(run, tmp_path)
    assert MOTION1 in complete(f"wfspec show --specs {SPECS} dummy/")[0]

    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "bad.yaml").write_text("kind: Workflow\nname: [\n", encoding="utf-8")
    assert complete(f"wfspec show --specs {broken} dummy/") == ([], "")


def test_render_completes_templates_config_keys_and_timeseries(tmp_path: Path) -> None:
    """TAB after ``wfspec render``: template names; after ``--set``, the template's config keys
    not given yet, then a timeseries field's references; a broken source completes nothing."""
    import os
    import subprocess
    import sys

    wfspec = Path(sys.executable).parent / "wfspec"

    def complete(*words: str) -> list[str]:
        env = {**os.environ, "COMP_WORDS": " ".join(words), "COMP_CWORD": str(len(words) - 1)}
        env["_WFSPEC_COMPLETE"] = "bash_complete"
        done = subprocess.run([wfspec], env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0 and not done.stderr, done.stderr
        return [line.split(",", 1)[1] for line in done.stdout.splitlines() if line]

    render = ("wfspec", "render", "--specs", str(SPECS))
    assert complete(*render, "corr") == ["correlation_histogram_1d", "correlation_histogram_2d"]
    keys = complete(*render, "correlation_histogram_1d", "--set", "x_")
    assert keys == ["x_axis=", "x_unit=", "x_start=", "x_stop="]
    given = complete(*render, "correlation_histogram_1d", "--set", "x_unit=mm", "--set", "x_")
    assert "x_unit=" not in given and "x_axis=" in given
    axis = complete(
        *render, "correlation_histogram_1d", "--set", "x_axis=dummy/timeseries_data/1/delta@m"
    )
    assert axis == [
        "x_axis=dummy/timeseries_data/1/delta@motion1",
        "x_axis=dummy/timeseries_data/1/delta@motion2",
    ]
    assert complete(*render, "correlation_histogram_1d", "--set", "x_unit=") == []
    assert complete(*render, "no_such_template", "--set", "x") == []

    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "bad.yaml").write_text("kind: WorkflowTemplate\nname: [\n", encoding="utf-8")
    assert complete("wfspec", "render", "--specs", str(broken), "c") == []
