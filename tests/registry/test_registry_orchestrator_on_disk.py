"""The orchestrator on the real parts: the bundle's registry, instances.yaml and jobs.yaml.

The orchestration rules are tested against in-memory fakes in tests/status; these tests show the
same rules hold with the on-disk registry and job-records store a running service uses.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from click.testing import CliRunner

from wfspec.compiler import WorkflowId
from wfspec.runtime.cli.main import main
from wfspec.runtime.clock import FakeClock
from wfspec.runtime.commands import RecordingSink
from wfspec.runtime.instance_store import InstanceStore
from wfspec.runtime.job_records import JobRecordsStore
from wfspec.runtime.orchestrator import JobOrchestrator
from wfspec.runtime.registry import WorkflowRegistry
from wfspec.runtime.status import JobId, JobState, JobStatus

CAPTURES = Path(__file__).resolve().parents[1] / "data" / "heartbeats"
TIMESERIES = WorkflowId.parse("dummy/timeseries_data/1")


def _orchestrator(
    registry, jobs_path: Path, clock: FakeClock
) -> tuple[JobOrchestrator, RecordingSink]:
    sink = RecordingSink()
    return JobOrchestrator(registry, JobRecordsStore(jobs_path), sink, clock=clock), sink


def _heartbeat(workflow_id, source, job_number, state=JobState.ACTIVE) -> JobStatus:
    return JobStatus(
        job_id=JobId(source_name=source, job_number=job_number),
        workflow_id=workflow_id,
        state=state,
        start_time=1,
    )


def test_unregistering_a_committed_instance_stops_its_jobs_then_removes_it(
    bundle, store_path, tmp_path, config_for
):
    registry = WorkflowRegistry(bundle, InstanceStore(store_path, instrument="dummy"))
    orchestrator, sink = _orchestrator(registry, tmp_path / "jobs.yaml", FakeClock())
    instance = registry.register_from_template("correlation_histogram_1d", config_for())
    source = "dummy/monitor_histogram/1/counts_total@monitor1"
    orchestrator.stage(instance, source)
    job_set = orchestrator.commit(instance)
    sink.batches.clear()

    registry.unregister(instance)

    stops = [c for batch in sink.batches for c in batch]
    assert [c.kind for c in stops] == ["job_command"]
    assert stops[0].action == "stop"
    assert stops[0].job_id.job_number == job_set.job_number
    assert instance not in registry
    assert orchestrator.state(instance).current is None
    assert str(instance) not in store_path.read_text()


def test_a_new_orchestrator_reattaches_the_recorded_jobset_without_sending_a_start(
    registry, tmp_path
):
    clock = FakeClock()
    first, _ = _orchestrator(registry, tmp_path / "jobs.yaml", clock)
    first.stage(TIMESERIES, "motion1")
    job_set = first.commit(TIMESERIES)
    assert "motion1" in (tmp_path / "jobs.yaml").read_text()

    second, sink = _orchestrator(registry, tmp_path / "jobs.yaml", clock)
    restored = second.state(TIMESERIES).current
    assert restored is not None and restored.job_number == job_set.job_number
    assert restored.attached is False

    second.status_updated(_heartbeat(TIMESERIES, "motion1", job_set.job_number))
    current = second.state(TIMESERIES).current
    assert current.attached is True
    assert current.jobs["motion1"].status.state is JobState.ACTIVE
    assert current.jobs["motion1"].params == job_set.jobs["motion1"].params
    assert sink.batches == []  # no start, no stop: the running job is ours


def test_adopted_jobs_are_not_written_to_the_job_records(registry, tmp_path):
    orchestrator, _ = _orchestrator(registry, tmp_path / "jobs.yaml", FakeClock())
    orchestrator.status_updated(_heartbeat(TIMESERIES, "motion1", uuid.uuid4()))
    assert orchestrator.state(TIMESERIES).current.config_known is False
    assert (
        not (tmp_path / "jobs.yaml").exists()
        or "motion1" not in (tmp_path / "jobs.yaml").read_text()
    )


def test_replay_routes_captures_into_a_runtime_built_from_the_bundle(bundle_path):
    files = sorted(str(p) for p in CAPTURES.glob("*.x5f2"))
    result = CliRunner().invoke(
        main, ["heartbeats", "replay", "--bundle", str(bundle_path), "--format", "json", *files]
    )
    assert result.exit_code == 0, result.output
    view = json.loads(result.output)
    states = {w["workflow_id"]: w for w in view["workflows"]}
    monitor = states["dummy/monitor_histogram/1"]
    assert monitor["state"] == "warning"  # monitor2 warns, monitor1 is active
    assert monitor["config_known"] is False  # adopted: the replay never committed it
    assert {s["service_name"] for s in view["services"]} == {"monitor_data", "detector_data"}
    assert view["counters"]["rejected"] == 0


def test_replay_with_a_corrupt_bundle_is_a_one_line_error(tmp_path):
    capture = str(next(CAPTURES.glob("*.x5f2")))
    broken = tmp_path / "nope.json"
    broken.write_text('{"format_version": 1,')
    result = CliRunner().invoke(main, ["heartbeats", "replay", "--bundle", str(broken), capture])
    assert result.exit_code != 0
    assert "nope.json" in result.output and "Traceback" not in result.output
    assert "wfspec compile" in result.output
