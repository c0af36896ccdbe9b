"""``wfspec instances list | cat``: a table in a pipe keeps every id on one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

MOTION1 = "dummy/motion1_correlation_histogram_1d/1"
AXIS = "dummy/timeseries_data/1/delta@motion1"
WFSPEC = Path(sys.executable).parent / "wfspec"


def test_list_in_a_pipe_never_splits_an_id(bundle_path: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env["XDG_STATE_HOME"] = str(tmp_path / "state")
    common = ["--bundle", str(bundle_path)]
    add = [str(WFSPEC), "instances", "add", "correlation_histogram_1d", *common]
    add += ["--set", f"x_axis={AXIS}", "--set", "x_unit=mm"]
    subprocess.run(add, env=env, check=True, capture_output=True, timeout=120)
    store = tmp_path / "state" / "wfspec" / "dummy" / "instances.yaml"
    gone = "correlation_histogram_1d_removed_in_the_last_release"  # a long stale reason
    store.write_text(
        store.read_text().replace("template: correlation_histogram_1d", f"template: {gone}")
    )
    # Before: rich assumed 80 columns and printed "dummy/motion1_correlati" / "on_histogram_1d/1".
    listed = subprocess.run(
        [str(WFSPEC), "instances", "list", *common],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert listed.returncode == 0, listed.stderr
    (line,) = [line for line in listed.stdout.splitlines() if MOTION1 in line]
    assert f"stale: template '{gone}' is gone" in line  # the whole row is one line
    assert "\x1b[" not in listed.stdout  # no colour codes in a pipe
