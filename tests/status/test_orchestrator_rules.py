"""JobOrchestrator: staging, commits, routing, adoption, restart, stop re-sends, unregistering."""

from __future__ import annotations

import uuid

import pytest

from wfspec.compiler.ids import WorkflowId
from wfspec.runtime.commands import JobAction, JobCommand, WorkflowConfigCommand
from wfspec.runtime.orchestrator import (
    JobOrchestrator,
    NothingStaged,
    StageError,
    UnknownWorkflow,
)
from wfspec.runtime.status import JobState
from wfspec.runtime.workflow_status import AggregateState

MONITOR = WorkflowId.parse("dummy/monitor_histogram/1")
TOTAL = WorkflowId.parse("dummy/total_counts/1")
CORRELATION = WorkflowId.parse("dummy/motion1_correlation_histogram_1d/1")
UNKNOWN = WorkflowId.parse("dummy/nope/1")


def commit_monitor(orchestrator, **params):
    orchestrator.stage(MONITOR, "monitor1", params or None)
    orchestrator.stage(MONITOR, "monitor2", params or None)
    return orchestrator.commit(MONITOR)


# -- staging -------------------------------------------------------------------------------------


def test_stage_fills_defaults_and_validates(orchestrator):
    job = orchestrator.stage(MONITOR, "monitor1")
    assert job.params == {"bins": 100, "mode": "toa"} and job.status is None
    with pytest.raises(StageError) as err:
        orchestrator.stage(MONITOR, "monitor1", {"bins": 0, "colour": "red"})
    fields = {e.field for e in err.value.errors}
    assert fields == {"params.bins", "params.colour"}


def test_stage_rejects_a_source_not_in_the_spec(orchestrator):
    with pytest.raises(StageError, match="allowed: monitor1, monitor2"):
        orchestrator.stage(MONITOR, "panel_0")


def test_stage_unknown_workflow(orchestrator):
    with pytest.raises(UnknownWorkflow, match="dummy/nope/1"):
        orchestrator.stage(UNKNOWN, "monitor1")


def test_aux_sources_are_validated_and_defaulted(orchestrator):
    with pytest.raises(StageError, match="x_axis: choose a stream"):
        orchestrator.stage(CORRELATION, "motion1")
    with pytest.raises(StageError, match="not one of motion1, motion2"):
        orchestrator.stage(CORRELATION, "motion1", aux_source_names={"x_axis": "motion9"})
    job = orchestrator.stage(CORRELATION, "motion1", aux_source_names={"x_axis": "motion2"})
    assert job.aux_source_names == {"roi": "roi0", "x_axis": "motion2"}


# -- commit / stop -------------------------------------------------------------------------------


def test_commit_sends_one_start_per_source_sharing_job_number_and_message_id(
    orchestrator, sink, records
):
    jobset = commit_monitor(orchestrator, bins=10)
    (batch,) = sink.batches
    assert all(isinstance(c, WorkflowConfigCommand) for c in batch)
    assert [c.job_id.source_name for c in batch] == ["monitor1", "monitor2"]
    assert {c.job_id.job_number for c in batch} == {jobset.job_number}
    assert len({c.message_id for c in batch}) == 1
    assert batch[0].params == {"bins": 10, "mode": "toa"} and batch[0].identifier == MONITOR
    assert records.records[MONITOR]["job_number"] == str(jobset.job_number)
    assert records.records[MONITOR]["state"] == "committed"


def test_recommit_stops_the_old_generation_first_in_the_same_batch(orchestrator, sink):
    first = commit_monitor(orchestrator)
    assert orchestrator.state(MONITOR).staged_jobs == {}  # a commit consumes what was staged
    with pytest.raises(NothingStaged):
        orchestrator.commit(MONITOR)
    second = commit_monitor(orchestrator)
    batch = sink.batches[-1]
    stops = [c for c in batch if isinstance(c, JobCommand)]
    starts = [c for c in batch if isinstance(c, WorkflowConfigCommand)]
    assert batch[: len(stops)] == tuple(stops)
    assert {(c.job_id.job_number, c.action) for c in stops} == {(first.job_number, JobAction.STOP)}
    assert {c.job_id.job_number for c in starts} == {second.job_number} != {first.job_number}
    state = orchestrator.state(MONITOR)
    assert state.current.job_number == second.job_number
    assert state.previous.job_number == first.job_number


def test_commit_without_staged_jobs(orchestrator):
    with pytest.raises(NothingStaged):
        orchestrator.commit(MONITOR)


def test_failed_record_write_changes_nothing_and_sends_nothing(orchestrator, sink, records):
    def broken(*_):
        raise OSError("disk full")

    records.put = broken
    orchestrator.stage(MONITOR, "monitor1")
    with pytest.raises(OSError):
        orchestrator.commit(MONITOR)
    assert sink.batches == [] and orchestrator.state(MONITOR).current is None


def test_stop_sends_stops_and_keeps_current_as_previous(orchestrator, sink, records, clock):
    jobset = commit_monitor(orchestrator)
    stops = orchestrator.stop(MONITOR)
    assert [c.job_id.source_name for c in stops] == ["monitor1", "monitor2"]
    assert all(
        c.action is JobAction.STOP and c.job_id.job_number == jobset.job_number for c in stops
    )
    state = orchestrator.state(MONITOR)
    assert state.current is None and state.previous.job_number == jobset.job_number
    assert records.records[MONITOR]["state"] == "stopped"
    assert orchestrator.workflow_status(MONITOR).state is AggregateState.STOPPED
    assert orchestrator.stop(MONITOR) == []


# -- routing -------------------------------------------------------------------------------------


def test_heartbeats_fill_the_current_jobset(orchestrator, job_status, clock):
    jobset = commit_monitor(orchestrator)
    assert orchestrator.workflow_status(MONITOR).state is AggregateState.PENDING
    orchestrator.status_updated(job_status(MONITOR, "monitor1", jobset.job_number))
    current = orchestrator.state(MONITOR).current
    assert current.jobs["monitor1"].status.state is JobState.ACTIVE
    assert current.jobs["monitor1"].received_at == clock.monotonic()
    assert current.jobs["monitor2"].status is None
    assert orchestrator.workflow_status(MONITOR).state is AggregateState.ACTIVE


def beat(orchestrator, clock, number, times, interval):
    """``times`` heartbeats of monitor1, ``interval`` s apart (end_time moves, as for real)."""
    from wfspec.runtime.status import JobId, JobStatus

    for i in range(times):
        if i:
            clock.advance(interval)
        orchestrator.status_updated(
            JobStatus(
                job_id=JobId(source_name="monitor1", job_number=number),
                workflow_id=MONITOR,
                state=JobState.ACTIVE,
                start_time=1,
                end_time=2 + i,
            )
        )


def assert_goes_stale(orchestrator, clock, active_for: float, stale_after: float) -> None:
    """``MONITOR`` still reads active ``active_for`` s from now, and pending (stale) once
    ``stale_after`` s more have passed."""
    clock.advance(active_for)
    assert orchestrator.workflow_status(MONITOR).state is AggregateState.ACTIVE
    clock.advance(stale_after)
    assert orchestrator.workflow_status(MONITOR).state is AggregateState.PENDING


def test_job_status_goes_stale_after_three_missed_beats(orchestrator, job_status, clock):
    """The real backend beats every 1-2 s: a job stopped elsewhere reads stale in seconds,
    not after a fixed 60 s (issue 13)."""
    jobset = commit_monitor(orchestrator)
    beat(orchestrator, clock, jobset.job_number, 3, 1.0)
    assert_goes_stale(orchestrator, clock, active_for=3.0, stale_after=0.5)


def test_a_slow_beat_gets_a_longer_threshold_up_to_the_ceiling(orchestrator, job_status, clock):
    jobset = commit_monitor(orchestrator)
    beat(orchestrator, clock, jobset.job_number, 2, 10.0)
    assert_goes_stale(orchestrator, clock, active_for=29, stale_after=2)
    beat(orchestrator, clock, jobset.job_number, 2, 50.0)  # 3 x 50 s > the 60 s ceiling
    assert_goes_stale(orchestrator, clock, active_for=60, stale_after=0.5)


def test_before_a_second_beat_the_backend_rhythm_is_assumed(orchestrator, job_status, clock):
    jobset = commit_monitor(orchestrator)
    orchestrator.status_updated(job_status(MONITOR, "monitor1", jobset.job_number))
    assert_goes_stale(orchestrator, clock, active_for=6, stale_after=0.5)  # 3 x the assumed 2 s


def test_staleness_is_configurable(registry, records, sink, clock, job_status):
    orch = JobOrchestrator(registry, records, sink, clock=clock, job_stale_after_s=5)
    jobset = commit_monitor(orch)
    orch.status_updated(job_status(MONITOR, "monitor1", jobset.job_number))
    clock.advance(5.5)
    assert orch.workflow_status(MONITOR).state is AggregateState.PENDING
    fixed = JobOrchestrator(registry, records, sink, clock=clock, missed_beats=None)
    jobset = commit_monitor(fixed)
    beat(fixed, clock, jobset.job_number, 2, 1.0)
    clock.advance(60)
    assert fixed.workflow_status(MONITOR).state is AggregateState.ACTIVE


def test_heartbeats_of_the_previous_set_land_there(orchestrator, job_status, clock):
    first = commit_monitor(orchestrator)
    commit_monitor(orchestrator)
    orchestrator.status_updated(job_status(MONITOR, "monitor1", first.job_number, "finishing"))
    state = orchestrator.state(MONITOR)
    assert state.previous.jobs["monitor1"].status.state is JobState.FINISHING
    assert all(j.status is None for j in state.current.jobs.values())


def test_older_and_repeated_heartbeats_are_harmless(orchestrator, job_status):
    jobset = commit_monitor(orchestrator)
    new = job_status(MONITOR, "monitor1", jobset.job_number, "error", start_time=20, error="x")
    old = job_status(MONITOR, "monitor1", jobset.job_number, "active", start_time=10)
    orchestrator.status_updated(new)
    version = orchestrator.version
    orchestrator.status_updated(new)
    assert orchestrator.version == version
    orchestrator.status_updated(old)
    assert orchestrator.state(MONITOR).current.jobs["monitor1"].status == new
    assert orchestrator.counters["older_ignored"] == 1


def test_unknown_workflows_are_counted_and_dropped(orchestrator, job_status):
    orchestrator.status_updated(job_status(UNKNOWN, "monitor1", uuid.uuid4()))
    assert orchestrator.counters["unknown_workflow"] == 1
    assert orchestrator.states() == {}


def test_superseded_jobsets_are_pruned(orchestrator, job_status):
    first = commit_monitor(orchestrator)
    commit_monitor(orchestrator)
    commit_monitor(orchestrator)
    assert len(orchestrator._index) == 2
    # the first generation is no longer tracked: its heartbeats are those of an orphan
    orchestrator.status_updated(job_status(MONITOR, "monitor1", first.job_number, "stopped"))
    state = orchestrator.state(MONITOR)
    assert first.job_number not in {state.current.job_number, state.previous.job_number}


def test_snapshots_are_copies(orchestrator, job_status):
    jobset = commit_monitor(orchestrator)
    snap = orchestrator.state(MONITOR)
    snap.current.jobs["monitor1"].params["bins"] = 999
    snap.current.jobs.clear()
    again = orchestrator.state(MONITOR)
    assert again.current.jobs["monitor1"].params["bins"] == 100
    version = orchestrator.version
    orchestrator.status_updated(job_status(MONITOR, "monitor1", jobset.job_number))
    assert orchestrator.version > version
    assert snap.current.jobs == {}


# -- adoption, restart, stop re-sends ------------------------------------------------------------


def test_unknown_job_of_known_workflow_is_adopted_not_persisted(
    orchestrator, job_status, records, sink
):
    number = uuid.uuid4()
    orchestrator.status_updated(job_status(TOTAL, "panel_0", number))
    state = orchestrator.state(TOTAL)
    assert state.current.job_number == number and not state.current.config_known
    assert state.current.jobs["panel_0"].params == {}
    assert orchestrator.workflow_status(TOTAL).state is AggregateState.ACTIVE
    assert not orchestrator.workflow_status(TOTAL).config_known
    assert records.records == {} and sink.batches == []
    orchestrator.stop(TOTAL)
    assert records.records == {}
    assert [c.job_id.job_number for c in sink.commands] == [number]


def test_restart_reattaches_recorded_jobset_without_a_new_start(
    registry, records, sink, clock, job_status
):
    first = JobOrchestrator(registry, records, sink, clock=clock)
    jobset = commit_monitor(first)
    sent = len(sink.commands)

    restarted = JobOrchestrator(registry, records, sink, clock=clock)
    current = restarted.state(MONITOR).current
    assert current.job_number == jobset.job_number and not current.attached
    assert current.jobs["monitor1"].params == {"bins": 100, "mode": "toa"}
    assert restarted.workflow_status(MONITOR).state is AggregateState.PENDING
    restarted.status_updated(job_status(MONITOR, "monitor2", jobset.job_number))
    current = restarted.state(MONITOR).current
    assert current.attached and current.config_known
    assert restarted.workflow_status(MONITOR).state is AggregateState.ACTIVE
    for _ in range(10):
        clock.advance(30)
        restarted.status_updated(job_status(MONITOR, "monitor2", jobset.job_number))
    assert len(sink.commands) == sent  # no start, no stop: nothing is ever re-sent for current


def test_restart_restores_a_stopped_record_as_previous(registry, records, sink, clock):
    first = JobOrchestrator(registry, records, sink, clock=clock)
    jobset = commit_monitor(first)
    first.stop(MONITOR)
    restarted = JobOrchestrator(registry, records, sink, clock=clock)
    state = restarted.state(MONITOR)
    assert state.current is None and state.previous.job_number == jobset.job_number


def test_stop_is_resent_at_most_once_per_30_s_for_running_previous_jobs(
    orchestrator, job_status, sink, clock
):
    first = commit_monitor(orchestrator)
    commit_monitor(orchestrator)  # stop #1 for `first` goes out with this batch

    def stops_for_first():
        return [
            c
            for c in sink.commands
            if isinstance(c, JobCommand) and c.job_id.job_number == first.job_number
        ]

    assert len(stops_for_first()) == 2  # both sources, in the commit batch
    for _ in range(14):  # heartbeats every 2 s for 28 s: still within 30 s of the first stop
        clock.advance(2)
        orchestrator.status_updated(job_status(MONITOR, "monitor1", first.job_number))
    assert len(stops_for_first()) == 2
    clock.advance(2)  # 30 s
    orchestrator.status_updated(job_status(MONITOR, "monitor1", first.job_number))
    assert len(stops_for_first()) == 4
    clock.advance(2)
    orchestrator.status_updated(job_status(MONITOR, "monitor1", first.job_number))
    assert len(stops_for_first()) == 4
    clock.advance(30)
    orchestrator.status_updated(job_status(MONITOR, "monitor1", first.job_number, "finishing"))
    assert len(stops_for_first()) == 4  # finishing is on its way out: no stop needed
    starts = [c for c in sink.commands if isinstance(c, WorkflowConfigCommand)]
    assert len(starts) == 4  # the two commits only: starts are never re-sent


def test_an_orphan_is_never_stopped_automatically_only_on_request(
    orchestrator, job_status, sink, clock
):
    """A running job no JobSet here claims may be another runtime's (issue 13: two runtimes
    stopped each other's jobs): it is listed, and stopped only by ``stop_orphans``."""
    current = commit_monitor(orchestrator)
    orphan = uuid.uuid4()
    for _ in range(3):
        orchestrator.status_updated(job_status(MONITOR, "monitor1", orphan))
        orchestrator.status_updated(job_status(MONITOR, "monitor2", orphan))
        clock.advance(31)
    assert [c for c in sink.commands if isinstance(c, JobCommand)] == []
    (listed,) = orchestrator.orphans()
    assert (listed.job_number, listed.sources) == (orphan, ("monitor1", "monitor2"))
    assert orchestrator.state(MONITOR).current.job_number == current.job_number
    stops = orchestrator.stop_orphans()
    assert {(c.job_id.source_name, c.job_id.job_number) for c in stops} == {
        ("monitor1", orphan),
        ("monitor2", orphan),
    }
    assert orchestrator.orphans() == []
    starts = [c for c in sink.commands if isinstance(c, WorkflowConfigCommand)]
    assert len(starts) == 2


def test_send_failure_on_the_routing_path_never_raises(orchestrator, job_status, sink):
    commit_monitor(orchestrator)

    def broken(batch):
        raise ConnectionError("broker gone")

    sink.send = broken
    orchestrator.status_updated(job_status(MONITOR, "monitor1", uuid.uuid4()))


# -- unregistering -------------------------------------------------------------------------------


def test_unregistering_an_instance_stops_its_jobs_first(orchestrator, registry, sink, records):
    orchestrator.stage(CORRELATION, "motion1", aux_source_names={"x_axis": "motion2"})
    jobset = orchestrator.commit(CORRELATION)
    registry.unregister(CORRELATION)
    last = sink.batches[-1]
    assert [(c.action, c.job_id.job_number) for c in last] == [(JobAction.STOP, jobset.job_number)]
    assert CORRELATION not in orchestrator.states()
    assert CORRELATION not in records.records


def test_readers_in_other_threads_get_consistent_snapshots(orchestrator, job_status):
    import threading

    jobset = commit_monitor(orchestrator)
    errors = []
    done = threading.Event()

    def reader():
        try:
            while not done.is_set():
                for state in orchestrator.states().values():
                    if state.current is not None:
                        assert set(state.current.jobs) <= {"monitor1", "monitor2"}
                orchestrator.workflow_status(MONITOR)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    thread = threading.Thread(target=reader)
    thread.start()
    for i in range(2000):
        state = "active" if i % 2 else "warning"
        orchestrator.status_updated(
            job_status(MONITOR, "monitor1", jobset.job_number, state, warning="w")
        )
    done.set()
    thread.join()
    assert errors == []
