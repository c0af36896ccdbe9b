"""job_records.py: jobs.yaml as the orchestrator's RecordsStore, and a restart on the real file."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from wfspec.compiler.ids import WorkflowId
from wfspec.runtime.clock import FakeClock
from wfspec.runtime.commands import RecordingSink
from wfspec.runtime.job_records import JobRecordsStore, StoreError, default_jobs_path
from wfspec.runtime.orchestrator import JobOrchestrator
from wfspec.runtime.registry import WorkflowRegistry

MONITOR = WorkflowId.parse("dummy/monitor_histogram/1")


def _record(state: str = "committed") -> dict[str, Any]:
    return {
        "job_number": str(uuid.uuid4()),
        "state": state,
        "committed_at": "2026-11-22T03:00:00Z",
        "jobs": {
            "monitor1": {"params": {"bins": 100, "range": {"start": 0.0}}, "aux_source_names": {}},
            "monitor2": {"params": {}, "aux_source_names": {"monitor": "monitor1"}},
        },
    }


def test_records_round_trip_as_plain_copies(tmp_path: Path) -> None:
    path = tmp_path / "jobs.yaml"
    record = _record()
    JobRecordsStore(path).put(MONITOR, record)
    loaded = JobRecordsStore(path).load()
    assert loaded == {MONITOR: record}
    loaded[MONITOR]["state"] = "mutated"
    assert JobRecordsStore(path).load()[MONITOR]["state"] == "committed"


def test_putting_an_equal_record_or_removing_a_missing_one_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "jobs.yaml"
    store = JobRecordsStore(path)
    record = _record()
    store.put(MONITOR, record)
    inode = path.stat().st_ino
    store.put(MONITOR, dict(record))
    store.remove(WorkflowId.parse("dummy/other/1"))
    assert path.stat().st_ino == inode  # every real write replaces the inode
    store.remove(MONITOR)
    assert store.load() == {}
    assert path.stat().st_ino != inode


def test_two_writers_keep_each_others_records(tmp_path: Path) -> None:
    path = tmp_path / "jobs.yaml"
    a, b = JobRecordsStore(path), JobRecordsStore(path)
    other = WorkflowId.parse("dummy/timeseries_data/1")
    a.put(MONITOR, _record())
    b.put(other, _record("stopped"))
    a.put(MONITOR, _record())
    assert set(b.load()) == {MONITOR, other}


def test_a_bad_jobs_file_is_reported_and_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "jobs.yaml"
    path.write_text("format_version: 7\nrecords:\n  dummy/monitor_histogram/1:\n    jobs: {}\n")
    before = path.read_bytes()
    store = JobRecordsStore(path)
    with pytest.raises(StoreError, match=r"jobs.yaml:1:17: format_version: 1 was expected"):
        store.load()
    with pytest.raises(StoreError):
        store.put(MONITOR, _record())
    assert path.read_bytes() == before


def test_default_path_is_next_to_the_instances(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    assert default_jobs_path("dummy") == tmp_path / "wfspec" / "dummy" / "jobs.yaml"


def test_a_restarted_orchestrator_finds_the_committed_job_set(bundle: Any, tmp_path: Path) -> None:
    path = tmp_path / "jobs.yaml"
    registry = WorkflowRegistry(bundle)
    first = JobOrchestrator(registry, JobRecordsStore(path), RecordingSink(), FakeClock())
    first.stage(MONITOR, "monitor1")
    committed = first.commit(MONITOR)

    sink = RecordingSink()
    second = JobOrchestrator(registry, JobRecordsStore(path), sink, FakeClock())
    restored = second.state(MONITOR).current
    assert restored is not None
    assert restored.job_number == committed.job_number
    assert restored.jobs["monitor1"].params == committed.jobs["monitor1"].params
    assert not restored.attached  # waits for heartbeats; nothing is re-sent
    assert sink.batches == []


def test_a_bad_record_is_reported_and_skipped_alone(bundle: Any, tmp_path: Path) -> None:
    """Issue 13: one non-slug key dropped *every* recorded job set (nothing re-attached)."""
    path = tmp_path / "jobs.yaml"
    good = _record()
    JobRecordsStore(path).put(MONITOR, good)
    text = path.read_text()
    path.write_text(
        text
        + "  Dummy/x/1:\n    job_number: 6f1c0000-0000-0000-0000-000000000001\n    jobs: {}\n"
        + "  dummy/total_counts/1:\n    state: committed\n    jobs: {}\n"
    )
    store = JobRecordsStore(path)
    assert store.load() == {MONITOR: good}
    assert len(store.problems) == 2
    (bad_id,) = [p for p in store.problems if "Dummy/x/1" in p]
    assert bad_id.startswith(f"{path}:")
    (missing,) = [p for p in store.problems if "Dummy" not in p]
    assert "job_number" in missing and f"{path}:" in missing
    sink = RecordingSink()
    restarted = JobOrchestrator(WorkflowRegistry(bundle), store, sink, FakeClock())
    assert str(restarted.state(MONITOR).current.job_number) == good["job_number"]


def test_the_stamp_changes_when_another_writer_writes(tmp_path: Path) -> None:
    path = tmp_path / "jobs.yaml"
    ours, theirs = JobRecordsStore(path), JobRecordsStore(path)
    before = ours.stamp()
    theirs.put(MONITOR, _record())
    assert ours.stamp() != before
    assert ours.stamp() == ours.stamp()


def test_writing_another_record_keeps_a_bad_one_as_written(tmp_path: Path) -> None:
    path = tmp_path / "jobs.yaml"
    path.write_text("format_version: 1\nrecords:\n  dummy/total_counts/1:\n    jobs: {}\n")
    store = JobRecordsStore(path)
    store.put(MONITOR, _record())
    assert "  dummy/total_counts/1:\n    jobs: {}\n" in path.read_text()
    assert list(JobRecordsStore(path).load()) == [MONITOR]
