"""The ``wfspec`` console script: short-lived commands collect rarely and end without teardown.

Each test runs the console entry point in a fresh interpreter, as a user's shell does. A probe
object whose ``__del__`` prints ``teardown`` tells whether the interpreter's teardown ran: it
must not for a short-lived command (that is the saving), and must for everything else. An
``atexit`` handler prints the collector's thresholds the command ran with.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from wfspec.runtime.cli.main import COMMANDS
from wfspec.runtime.cli.short_lived import exit_status

REPO_SPECS = Path(__file__).resolve().parents[2] / "specs"

PROBE = textwrap.dedent(
    """
    import atexit, sys, threading, time

    class Probe:
        def __del__(self):
            print("teardown", file=sys.stderr, flush=True)

    probe = Probe()
    import gc
    atexit.register(lambda: print("atexit ran", gc.get_threshold(), file=sys.stderr, flush=True))
    if {keep_thread!r}:
        threading.Thread(target=time.sleep, args=(0.2,)).start()
    from wfspec.runtime.cli.main import console_main
    console_main(sys.argv[1:])
    """
)


def _wfspec(
    *args: str, keep_thread: bool = False, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", PROBE.format(keep_thread=keep_thread), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def test_check_exits_fast_with_its_output_and_status(tmp_path: Path) -> None:
    done = _wfspec("check", str(REPO_SPECS))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("no problems in ")
    assert "atexit ran (200000, " in done.stderr
    assert "teardown" not in done.stderr

    bad = tmp_path / "specs" / "broken.yaml"
    bad.parent.mkdir()
    bad.write_text("kind: Instrument\nname: Not A Slug\n", encoding="utf-8")
    failed = _wfspec("check", str(bad), "--format", "json")
    assert failed.returncode == 1, failed.stderr
    assert '"code"' in failed.stdout and failed.stdout.rstrip().endswith("}")
    assert "teardown" not in failed.stderr


def test_usage_errors_keep_exit_status_2() -> None:
    done = _wfspec("check", "--no-such-option")
    assert done.returncode == 2
    assert "No such option '--no-such-option'" in done.stderr
    assert "teardown" not in done.stderr


def test_a_long_running_command_exits_normally() -> None:
    assert not COMMANDS["run"].short_lived and not COMMANDS["serve"].short_lived
    done = _wfspec("instances", "--help")
    assert done.returncode == 0, done.stderr
    assert "teardown" in done.stderr
    assert "atexit ran (700, 10, 10)" in done.stderr, "a long-running command collects as usual"


def test_a_live_thread_means_a_normal_exit() -> None:
    done = _wfspec("explain", "S002", keep_thread=True)
    assert done.returncode == 0, done.stderr
    assert "S002" in done.stdout
    assert "teardown" in done.stderr


def test_the_escape_hatch_restores_the_full_exit() -> None:
    done = _wfspec("explain", "S002", env={"WFSPEC_FULL_EXIT": "1"})
    assert done.returncode == 0, done.stderr
    assert "teardown" in done.stderr


def test_a_closed_pipe_still_ends_with_what_was_written(tmp_path: Path) -> None:
    """``wfspec list specs | head -1``: the reader goes away; no traceback, an error status."""
    command = [sys.executable, "-c", PROBE.format(keep_thread=False), "list", str(REPO_SPECS)]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.close()  # nothing will read what the command prints
        stderr = process.stderr.read()
        status = process.wait(timeout=120)
    assert "Traceback" not in stderr
    assert status != 0


@pytest.mark.parametrize(
    ("code", "status"), [(None, 0), (0, 0), (1, 1), (2, 2), (256 + 3, 3), (-1, 255)]
)
def test_exit_status_matches_sys_exit(code: object, status: int) -> None:
    done = subprocess.run([sys.executable, "-c", f"import sys; sys.exit({code!r})"], check=False)
    assert done.returncode == status == exit_status(code)


def test_a_message_exits_with_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert exit_status("Error: nope") == 1
    assert capsys.readouterr().err == "Error: nope\n"
