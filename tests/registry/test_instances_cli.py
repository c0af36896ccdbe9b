"""``wfspec instances list|add|remove``: what a person or a script sees."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from wfspec.runtime.cli.main import main
from wfspec.runtime.instance_store import InstanceStore

MOTION1 = "dummy/motion1_correlation_histogram_1d/1"
AXIS = "dummy/timeseries_data/1/delta@motion1"


@pytest.fixture
def run(bundle_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """``run(*args)`` -> click Result; stores default to tmp_path/state (XDG_STATE_HOME)."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("COLUMNS", "200")  # rich folds long ids in narrow terminals
    runner = CliRunner()

    def invoke(*args: str) -> Any:
        command, *rest = args
        return runner.invoke(main, ["instances", command, "--bundle", str(bundle_path), *rest])

    return invoke


def _error_line(result: Any) -> str:
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output  # one line, never a traceback
    assert "Traceback" not in result.output
    return lines[0]


def test_add_with_set_writes_the_default_store_of_the_instrument(run: Any, tmp_path: Path) -> None:
    result = run("add", "correlation_histogram_1d", "--set", f"x_axis={AXIS}", "--set", "x_unit=mm")
    assert result.exit_code == 0, result.output
    store = tmp_path / "state" / "wfspec" / "dummy" / "instances.yaml"
    assert f"registered {MOTION1} in {store}" in result.output
    assert MOTION1 in InstanceStore(store).load()


def test_add_again_is_idempotent_and_says_so(run: Any) -> None:
    args = ("add", "correlation_histogram_1d", "--set", f"x_axis={AXIS}", "--set", "x_unit=mm")
    run(*args)
    result = run(*args, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["created"] is False


@pytest.mark.parametrize("suffix", ["yaml", "json"])
def test_add_reads_a_yaml_or_json_config_file(
    run: Any, tmp_path: Path, suffix: str, config_for: Any
) -> None:
    config = tmp_path / f"motion1.{suffix}"
    if suffix == "json":
        config.write_text(json.dumps(config_for()))
    else:
        config.write_text(
            "x_axis: {workflow_id: dummy/timeseries_data/1, source_name: motion1,"
            " output_name: delta}\nx_unit: mm\n"
        )
    result = run("add", "correlation_histogram_1d", "--config", str(config), "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["id"] == MOTION1
    assert json.loads(result.output)["created"] is True


def test_dotted_set_keys_reach_into_mappings(run: Any) -> None:
    result = run(
        "add",
        "correlation_histogram_1d",
        "--set",
        "x_axis.workflow_id=dummy/timeseries_data/1",
        "--set",
        "x_axis.source_name=motion2",
        "--set",
        "x_axis.output_name=delta",
        "--set",
        "x_unit=mm",
        "--set",
        "x_stop=2.5",
    )
    assert result.exit_code == 0, result.output
    listing = json.loads(run("list", "--format", "json").output)
    assert [r["id"] for r in listing["instances"]] == ["dummy/motion2_correlation_histogram_1d/1"]


def test_list_shows_ok_and_stale_instances(
    run: Any, tmp_path: Path, config_for: Any, hand_write: Any
) -> None:
    store = tmp_path / "state" / "wfspec" / "dummy" / "instances.yaml"
    hand_write(
        store,
        {
            MOTION1: {"template": "correlation_histogram_1d", "config": config_for()},
            "dummy/old/1": {"template": "gone_template", "config": {}},
        },
    )
    result = run("list", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = {r["id"]: r for r in json.loads(result.output)["instances"]}
    assert rows[MOTION1]["status"] == "ok"
    assert rows["dummy/old/1"]["status"] == "stale"
    assert "gone_template" in rows["dummy/old/1"]["reason"]
    text = run("list", "--instrument", "dummy")
    assert text.exit_code == 0
    assert MOTION1 in text.output and "stale" in text.output
    assert json.loads(run("list", "--instrument", "minidiff", "--format", "json").output) == {
        "instances": [],
        "problems": [],
    }


def test_remove_deletes_an_instance(run: Any, tmp_path: Path) -> None:
    run("add", "correlation_histogram_1d", "--set", f"x_axis={AXIS}", "--set", "x_unit=mm")
    result = run("remove", MOTION1)
    assert result.exit_code == 0, result.output
    assert "removed" in result.output
    store = tmp_path / "state" / "wfspec" / "dummy" / "instances.yaml"
    assert InstanceStore(store).load() == {}


def test_an_explicit_store_is_used_for_every_command(run: Any, tmp_path: Path) -> None:
    store = tmp_path / "elsewhere.yaml"
    args = ("--set", f"x_axis={AXIS}", "--set", "x_unit=mm", "--store", str(store))
    assert run("add", "correlation_histogram_1d", *args).exit_code == 0
    listing = json.loads(run("list", "--store", str(store), "--format", "json").output)
    assert [r["store"] for r in listing["instances"]] == [str(store)]
    assert run("remove", MOTION1, "--store", str(store)).exit_code == 0
    assert not (tmp_path / "state").exists()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("add", "correlation_histogram_1x", "--set", "x_unit=mm"), "did you mean"),
        (("add", "correlation_histogram_1d", "--set", "x_unit=3"), "x_axis: Field required"),
        (("add", "correlation_histogram_1d"), "--config FILE or --set"),
        (("add", "correlation_histogram_1d", "--set", "novalue"), "expected KEY=VALUE"),
        (("remove", "dummy/monitor_histogram/1"), "static workflow"),
        (("remove", "dummy/nothing/1"), "no template instance"),
        (("remove", "not-an-id"), "invalid workflow id"),
        (("list", "--instrument", "nope"), "unknown instrument"),
    ],
    ids=["template", "config", "no-config", "bad-set", "static", "unknown", "bad-id", "instr"],
)
def test_errors_are_one_line_and_exit_1(run: Any, args: tuple[str, ...], words: str) -> None:
    assert words in _error_line(run(*args))


def test_a_conflicting_config_is_refused(run: Any) -> None:
    run("add", "correlation_histogram_1d", "--set", f"x_axis={AXIS}", "--set", "x_unit=mm")
    line = _error_line(
        run("add", "correlation_histogram_1d", "--set", f"x_axis={AXIS}", "--set", "x_unit=deg")
    )
    assert "different config" in line


def test_a_corrupt_store_is_an_error_and_left_alone(run: Any, tmp_path: Path) -> None:
    store = tmp_path / "bad.yaml"
    store.write_text("format_version: 1\ninstances: [\n")
    before = store.read_bytes()
    line = _error_line(run("list", "--store", str(store)))
    assert f"{store}:3:1" in line
    _error_line(
        run("add", "correlation_histogram_1d", "--set", f"x_axis={AXIS}", "--set", "x_unit=mm",
            "--store", str(store))
    )  # fmt: skip
    assert store.read_bytes() == before


def test_a_missing_bundle_is_an_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["instances", "list", "--bundle", str(tmp_path / "missing.json")]
    )
    assert result.exit_code == 2  # a missing path is a usage error in every command
    assert result.output.startswith("Error: ") and "compile" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_a_store_that_cannot_be_written_is_a_one_line_error(run: Any, tmp_path: Path) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    line = _error_line(
        run("add", "correlation_histogram_1d", "--set", f"x_axis={AXIS}", "--set", "x_unit=mm",
            "--store", str(blocker / "instances.yaml"))
    )  # fmt: skip
    assert "Not a directory" in line and "nothing was written" in line


def test_a_hostile_config_file_is_refused_at_its_line_and_nothing_is_stored(
    run: Any, tmp_path: Path, hostile_config: tuple[Path, str, str]
) -> None:
    """``instances add --config`` reads the file as ``wfspec render`` does (the spec loader)."""
    path, where, words = hostile_config
    line = _error_line(run("add", "correlation_histogram_1d", "--config", str(path)))
    assert f"{path}{where}" in line and words in line
    assert not (tmp_path / "state").exists()


def test_a_set_value_yaml_cannot_read_is_refused_not_a_traceback(run: Any) -> None:
    line = _error_line(run("add", "correlation_histogram_1d", "--set", "x_start=!!bool maybe"))
    assert "x_start" in line and "not a YAML scalar" in line
