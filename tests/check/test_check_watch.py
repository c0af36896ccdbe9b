"""``wfspec check --watch``: a save is noticed, re-checked, and only the saved file is re-read."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from wfspec.compiler.watch import changed_files, snapshot, watch

from .conftest import WORKFLOW


def test_watch_rechecks_after_a_save(spec_dir: Path) -> None:
    results: list[tuple[list[str], list[str]]] = []
    done = threading.Event()

    def on_result(result, changed, seconds) -> None:
        results.append((changed, [d.code for d in result.diagnostics]))
        if len(results) == 2:
            done.set()

    thread = threading.Thread(
        target=watch, args=([spec_dir], on_result), kwargs={"interval": 0.05, "stop": done.is_set}
    )
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not results and time.monotonic() < deadline:
            time.sleep(0.01)
        path = spec_dir / "counts.yaml"
        path.write_text(WORKFLOW.replace("source_names: [mon]", "source_names: [mom]"))
        assert done.wait(30)
    finally:
        done.set()
        thread.join(30)
    assert results[0] == ([], [])
    assert results[1] == ([path.as_posix()], ["R004"])


def test_snapshot_sees_added_removed_and_modified_files(spec_dir: Path) -> None:
    before = snapshot([spec_dir])
    assert len(before) == 2
    (spec_dir / "new.yaml").write_text(WORKFLOW.replace("name: counts", "name: other"))
    (spec_dir / "instrument.yaml").unlink()
    after = snapshot([spec_dir])
    assert changed_files(before, after) == sorted(
        [(spec_dir / "instrument.yaml").as_posix(), (spec_dir / "new.yaml").as_posix()]
    )


def test_the_watch_command_reports_and_exits_on_interrupt(spec_dir: Path, monkeypatch) -> None:
    from click.testing import CliRunner

    from wfspec.compiler import watch as watch_module
    from wfspec.compiler.cli_check import check_command

    def interrupted_sleep(seconds: float) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(watch_module.time, "sleep", interrupted_sleep)
    outcome = CliRunner().invoke(check_command, [str(spec_dir), "--watch"])
    assert outcome.exit_code == 0
    assert "no problems in 2 files" in outcome.output
