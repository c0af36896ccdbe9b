"""``wfspec check``: exit codes, formats and options as a user (or CI) sees them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from wfspec.compiler import checker
from wfspec.compiler.cli import COMMANDS
from wfspec.compiler.cli_check import check_command


def run(*args: str):
    return CliRunner().invoke(check_command, list(args))


def test_check_is_registered() -> None:
    assert check_command in COMMANDS


def test_clean_exit_0(spec_dir: Path) -> None:
    outcome = run(str(spec_dir))
    assert outcome.exit_code == 0
    assert outcome.output.strip() == "no problems in 2 files (2 documents)"


def test_quiet_prints_nothing_when_clean(spec_dir: Path) -> None:
    outcome = run(str(spec_dir), "--quiet")
    assert (outcome.exit_code, outcome.output) == (0, "")


def test_errors_exit_1_and_are_listed(spec_dir: Path) -> None:
    (spec_dir / "bad.yaml").write_text("kind: Workflw\n")
    outcome = run(str(spec_dir))
    assert outcome.exit_code == 1
    assert "bad.yaml:1:7: error S001 unknown kind 'Workflw'" in outcome.output
    assert outcome.output.strip().endswith("1 error, 0 warnings in 3 files")


def test_warnings_fail_only_with_strict(spec_dir: Path, workflow_text: str) -> None:
    # R013 (service repeats the group) is a warning
    (spec_dir / "counts.yaml").write_text(workflow_text + "service: monitor_data\n")
    assert run(str(spec_dir)).exit_code == 0
    strict = run(str(spec_dir), "--strict")
    assert strict.exit_code == 1 and "warning R013" in strict.output


def test_json_format(spec_dir: Path) -> None:
    (spec_dir / "bad.yaml").write_text("kind: Workflow\nname: x\n  y: 1\n")
    outcome = run(str(spec_dir), "--format", "json")
    data = json.loads(outcome.output)
    assert outcome.exit_code == 1
    assert [d["code"] for d in data["diagnostics"]] == ["L001"]
    assert data["summary"]["errors"] == 1


@pytest.mark.parametrize("fmt", ["github", "sarif"])
def test_other_formats_run(spec_dir: Path, fmt: str) -> None:
    (spec_dir / "bad.yaml").write_text("kind: Workflw\n")
    outcome = run(str(spec_dir), "--format", fmt)
    assert outcome.exit_code == 1 and "S001" in outcome.output


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run(str(tmp_path / "missing")).exit_code == 2
    assert run().exit_code == 2
    assert run(str(tmp_path), "--format", "xml").exit_code == 2


def test_internal_error_exits_2(spec_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(doc):
        raise RuntimeError("bug")

    monkeypatch.setattr(checker, "validate_document", broken)
    outcome = run(str(spec_dir))
    assert outcome.exit_code == 2
    assert "I001" in outcome.output and "Traceback" not in outcome.output


def test_help_has_an_example() -> None:
    outcome = run("--help")
    assert outcome.exit_code == 0 and "wfspec check specs/" in outcome.output


def _check_in_subprocess(*args: str) -> subprocess.CompletedProcess[str]:
    """The real CLI in a child process, so a hang fails the test instead of stalling the run."""
    command = [sys.executable, "-m", "wfspec.runtime.cli.main", "check", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_pipe_or_device_named_yaml_in_a_folder_is_reported_not_waited_on(
    spec_dir: Path,
) -> None:
    os.mkfifo(spec_dir / "pipe.yaml")  # no writer: opening it used to wait forever
    (spec_dir / "zero.yaml").symlink_to("/dev/zero")  # never ends: memory used to run away
    outcome = _check_in_subprocess(str(spec_dir))
    assert outcome.returncode == 1, outcome.stderr
    assert "pipe.yaml: error L005 the file is empty" in outcome.stdout
    assert "zero.yaml: error L010 cannot read the file: it is not a regular file" in outcome.stdout


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_with_a_writer_is_read_once_to_its_end(spec_dir: Path, tmp_path: Path) -> None:
    """``wfspec check <(generate)``: the check cache used to read the pipe, leaving it empty."""
    pipe = tmp_path / "generated.yaml"
    os.mkfifo(pipe)

    def write() -> None:
        with open(pipe, "w", encoding="utf-8") as handle:  # waits for the reader
            handle.write("kind: Workflw\n")

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    outcome = _check_in_subprocess("--spec-root", str(spec_dir), str(pipe))
    writer.join(timeout=5)
    assert outcome.returncode == 1, outcome.stderr
    assert "generated.yaml:1:7: error S001 unknown kind 'Workflw'" in outcome.stdout
