"""``wfspec heartbeats decode`` as a user runs it (``replay``: test_heartbeats_replay_cli.py)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from wfspec.runtime.cli.main import main

CAPTURES = Path(__file__).parent.parent / "data" / "heartbeats"


def test_decode_prints_one_json_line_per_message():
    files = sorted(str(p) for p in CAPTURES.glob("*.x5f2"))
    result = CliRunner().invoke(main, ["heartbeats", "decode", *files])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["file"] for line in lines] == files
    by_name = {Path(line["file"]).stem: line for line in lines}
    error = by_name["job_error_traceback"]
    assert error["ok"] and error["nicos_status"] == 240 and error["message_type"] == "job"
    assert error["status"]["state"] == "error"
    assert error["status"]["workflow_id"] == "dummy/total_counts/1"
    assert error["status"]["error"].endswith("has no pixel positions")
    assert error["update_interval"] == 1000 and error["software_name"] == "livedata"
    service = by_name["service_stream_stats"]
    assert service["message_type"] == "service"
    assert service["status"]["stream_stats"]["streams"][0]["count"] == 419
    assert by_name["job_legacy_no_message_type"]["status"]["job_id"]["source_name"] == "motion1"


def test_decode_reports_the_rejection_reason_and_exits_1(tmp_path):
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"\x00\x00\x00\x00f144" + b"\x00" * 20)
    good = CAPTURES / "job_active.x5f2"
    result = CliRunner().invoke(main, ["heartbeats", "decode", str(good), str(bad)])
    assert result.exit_code == 1
    first, second = (json.loads(line) for line in result.output.splitlines())
    assert first["ok"] is True
    assert second == {
        "file": str(bad),
        "ok": False,
        "reason": "wrong_file_identifier",
        "detail": "file identifier b'f144' is not b'x5f2'",
    }
    assert "Traceback" not in result.output


def test_decode_of_a_missing_file_is_a_one_line_error(tmp_path):
    result = CliRunner().invoke(main, ["heartbeats", "decode", str(tmp_path / "nope.x5f2")])
    assert result.exit_code == 2
    assert "does not exist" in result.output and "Traceback" not in result.output
