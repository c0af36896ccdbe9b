"""``Runtime.subscribe``: status changes pushed to a dashboard, on a real broker (issue 13).

The runtime calls back with the statuses of workflows whose status changed -- commits, acks,
heartbeats, a job turning stale with no message at all, registration added and removed -- from
its own thread; a failing callback never stops the others.
"""

from __future__ import annotations

import threading

import pytest

from wfspec.compiler import WorkflowId
from wfspec.runtime.simulator import SimulatedBackend
from wfspec.runtime.workflow_status import AggregateState, WorkflowStatus

pytestmark = pytest.mark.kafka

MONITORS = WorkflowId.parse("dummy/monitor_histogram/1")
BEAT_S = 0.2


class Recorder:
    """A subscriber that keeps every status it is given (thread-safe)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.batches: list[list[WorkflowStatus]] = []
        self.threads: set[str] = set()

    def __call__(self, statuses) -> None:
        with self.lock:
            self.batches.append(list(statuses))
            self.threads.add(threading.current_thread().name)

    def of(self, wid: WorkflowId) -> list[WorkflowStatus]:
        with self.lock:
            return [s for batch in self.batches for s in batch if s.workflow_id == wid]

    def last(self, wid: WorkflowId) -> WorkflowStatus | None:
        seen = self.of(wid)
        return seen[-1] if seen else None


@pytest.fixture
def runtime_options() -> dict[str, float]:
    return {"ack_timeout_s": 3.0}


def test_changes_are_pushed_from_commit_to_active_to_stale(wait_for, runtime, kafka, bundle):
    seen = Recorder()

    def broken(_statuses) -> None:
        raise RuntimeError("a dashboard bug")

    runtime.subscribe(broken)  # logged, never kills the feed nor starves the others
    unsubscribe = runtime.subscribe(seen)
    with SimulatedBackend(
        kafka, "dummy", bundle.workflows.get, heartbeat_interval_s=BEAT_S, publish_data=False
    ) as simulated:
        runtime.stage(MONITORS, "monitor1")
        outcome = runtime.commit(MONITORS)
        assert outcome.wait(10)

        def active_and_acked() -> bool:
            last = seen.last(MONITORS)
            return (
                last is not None
                and last.state is AggregateState.ACTIVE
                and last.last_command is not None
                and last.last_command.outcome == "ok"
            )

        assert wait_for(active_and_acked)
        assert seen.last(MONITORS).job_number == outcome.job_set.job_number
        assert seen.threads == {"status feed dummy"}
        # a job whose heartbeats stop is reported stale without any message arriving
        simulated.crash_service("monitor_data")
        assert wait_for(lambda: seen.last(MONITORS).state is AggregateState.PENDING, timeout=10)
    unsubscribe()
    count = len(seen.of(MONITORS))
    runtime.stage(MONITORS, "monitor1")
    runtime.commit(MONITORS)
    assert not wait_for(lambda: len(seen.of(MONITORS)) > count, timeout=1.0)


def test_registration_added_and_removed_are_reported_once(wait_for, runtime, bundle):
    seen = Recorder()
    runtime.subscribe(seen)
    (axis, *_) = bundle.timeseries("dummy")
    wid = runtime.registry.register_from_template(
        "correlation_histogram_1d", {"x_axis": str(axis), "x_unit": "mm"}
    )
    assert wait_for(lambda: seen.last(wid) is not None)
    assert seen.last(wid).state is AggregateState.STOPPED and not seen.last(wid).removed
    runtime.registry.unregister(wid)
    assert wait_for(lambda: seen.last(wid).removed)
    threading.Event().wait(0.5)
    assert [s.removed for s in seen.of(wid)].count(True) == 1


def test_the_iterator_form_yields_batches(wait_for, runtime):
    stop = threading.Event()
    batches: list[list[WorkflowStatus]] = []

    def consume() -> None:
        for batch in runtime.status_changes(stop):
            batches.append(batch)
            if any(s.workflow_id == MONITORS and s.last_command for s in batch):
                stop.set()

    reader = threading.Thread(target=consume)
    reader.start()
    threading.Event().wait(0.3)
    runtime.stage(MONITORS, "monitor1")
    runtime.commit(MONITORS)
    reader.join(10)
    assert not reader.is_alive()
    status = [s for batch in batches for s in batch if s.workflow_id == MONITORS][-1]
    assert status.state is AggregateState.PENDING and status.last_command.kind == "start"
