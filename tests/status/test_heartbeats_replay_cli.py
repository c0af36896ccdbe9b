"""``wfspec heartbeats replay`` as a user runs it: the text tables, the JSON rows, the order."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from wfspec.runtime.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
CAPTURES = ROOT / "tests" / "data" / "heartbeats"
ALL_CAPTURES = sorted(str(p) for p in CAPTURES.glob("*.x5f2"))


def replay(bundle_path: Path, *files: str, fmt: str | None = None):
    args = ["heartbeats", "replay", "--bundle", str(bundle_path)]
    if fmt is not None:
        args += ["--format", fmt]
    # A wide terminal so that no table cell is folded over two lines.
    result = CliRunner().invoke(main, [*args, *files], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    return result.output


def capture(name: str) -> str:
    return str(CAPTURES / f"{name}.x5f2")


def test_replay_without_format_prints_the_three_tables(shipped_bundle_path):
    output = replay(shipped_bundle_path, *ALL_CAPTURES)
    lines = output.splitlines()
    for header in ("Workflows", "Jobs", "Services"):
        assert any(line.strip() == header for line in lines), (header, output)
    # The monitor workflow warns (monitor2 does); its row says so, and so does monitor2's job row.
    assert any("dummy/monitor_histogram/1" in line and "warning" in line for line in lines), output
    assert any("monitor2" in line and " warning " in line for line in lines), output
    assert "Traceback" not in output


def test_replay_json_has_one_job_row_per_job_seen(shipped_bundle_path):
    view = json.loads(replay(shipped_bundle_path, *ALL_CAPTURES, fmt="json"))
    # 6 job captures, but error and stopped are the same job (panel_0): 5 jobs.
    rows = {(j["workflow_id"], j["source_name"]) for j in view["jobs"]}
    assert len(view["jobs"]) == 5
    assert rows == {
        ("dummy/monitor_histogram/1", "monitor1"),
        ("dummy/monitor_histogram/1", "monitor2"),
        ("dummy/timeseries_data/1", "motion1"),
        ("dummy/timeseries_data/1", "YMIR-SpScn:MC-X-01:Mtr.RBV"),
        ("dummy/total_counts/1", "panel_0"),
    }
    assert len(view["services"]) == 2


def _total_counts(view: dict) -> tuple[dict, dict]:
    workflow = next(w for w in view["workflows"] if w["workflow_id"] == "dummy/total_counts/1")
    job = next(j for j in view["jobs"] if j["workflow_id"] == "dummy/total_counts/1")
    return workflow, job


def test_replay_routes_the_files_in_the_order_given(shipped_bundle_path):
    stopped, error = capture("job_stopped_code_999"), capture("job_error_traceback")

    workflow, job = _total_counts(
        json.loads(replay(shipped_bundle_path, stopped, error, fmt="json"))
    )
    assert workflow["state"] == "error" and job["state"] == "error"
    assert "has no pixel positions" in workflow["summary"]
    assert job["message"] == "ValueError: detector 'panel_0' has no pixel positions"

    workflow, job = _total_counts(
        json.loads(replay(shipped_bundle_path, error, stopped, fmt="json"))
    )
    assert workflow["state"] == "stopped" and job["state"] == "stopped"
    assert job["message"] is None
