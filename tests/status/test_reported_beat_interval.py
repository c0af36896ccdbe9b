"""Staleness counts missed *reported* beats: the interval each heartbeat's envelope carries.

Heartbeats go in as bytes (through the codec and the status router, as from Kafka) and time is
the injectable clock's; what is asserted is what a user sees: the workflow's state and when its
source turns stale (docs/adr/0006-status-rules.md).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wfspec.runtime.orchestrator import JobOrchestrator
from wfspec.runtime.status import JobId, JobState, JobStatus
from wfspec.runtime.status_router import StatusRouter
from wfspec.runtime.workflow_status import AggregateState, stale_threshold
from wfspec.runtime.x5f2 import encode_status

from .conftest import MONITOR

REAL = Path(__file__).resolve().parents[1] / "data" / "real-captures"


class Backend:
    """Beats of monitor1 of one JobSet, as bytes, each reporting ``interval_ms``."""

    def __init__(self, orchestrator: JobOrchestrator, clock) -> None:
        self.orchestrator, self.clock = orchestrator, clock
        self.router = StatusRouter.for_runtime(orchestrator, clock=clock)
        orchestrator.stage(MONITOR, "monitor1")
        self.job_number = orchestrator.commit(MONITOR).job_number
        self.beats = 0

    def beat(self, interval_ms: int) -> None:
        self.beats += 1
        status = JobStatus(
            job_id=JobId(source_name="monitor1", job_number=self.job_number),
            workflow_id=MONITOR,
            state=JobState.ACTIVE,
            start_time=1,
            end_time=1 + self.beats,  # moves on every beat, as the backend's does
        )
        self.router.route(encode_status(status, update_interval=interval_ms))

    def beats_every(self, seconds: float, times: int, interval_ms: int) -> None:
        for i in range(times):
            if i:
                self.clock.advance(seconds)
            self.beat(interval_ms)

    def state_in(self, seconds: float) -> AggregateState:
        self.clock.advance(seconds)
        return self.orchestrator.workflow_status(MONITOR).state


@pytest.fixture
def backend(orchestrator, clock) -> Backend:
    return Backend(orchestrator, clock)


def test_the_reported_interval_reaches_the_per_job_state(backend):
    backend.beat(2000)
    job = backend.orchestrator.state(MONITOR).current.jobs["monitor1"]
    assert job.status.update_interval_ms == 2000 and job.status.update_interval_s == 2.0


def test_a_job_reporting_2_s_that_goes_silent_reads_stale_after_6_s(backend, clock):
    backend.beats_every(2.0, 3, 2000)
    last = clock.monotonic()
    status = backend.orchestrator.workflow_status(MONITOR)
    assert status.state is AggregateState.ACTIVE
    assert status.sources[0].stale_at == pytest.approx(last + 6.0)
    assert backend.state_in(5.9) is AggregateState.ACTIVE
    assert backend.state_in(0.2) is AggregateState.PENDING


def test_a_job_reporting_10_s_is_not_stale_at_8_s(backend):
    backend.beat(10_000)  # one beat: the report alone says how long to wait
    assert backend.state_in(8.0) is AggregateState.ACTIVE
    assert backend.state_in(21.9) is AggregateState.ACTIVE
    assert backend.state_in(0.2) is AggregateState.PENDING  # 3 x 10 s


def test_a_job_reporting_10_s_and_beating_faster_still_gets_its_reported_rhythm(backend):
    backend.beats_every(2.0, 3, 10_000)
    assert backend.state_in(8.0) is AggregateState.ACTIVE
    assert backend.state_in(21.9) is AggregateState.ACTIVE
    assert backend.state_in(0.2) is AggregateState.PENDING


def test_a_job_beating_slower_than_it_reports_is_judged_on_what_it_does(backend):
    """The real backend reports 1 s on job beats that arrive every 2 s: three reported seconds
    would leave one late beat between a running job and ``pending``."""
    backend.beat(1000)
    assert backend.state_in(2.9) is AggregateState.ACTIVE  # 3 x the reported 1 s ...
    assert backend.state_in(0.2) is AggregateState.PENDING
    backend.beat(1000)  # ... until it is seen beating every 3.1 s
    assert backend.state_in(9.2) is AggregateState.ACTIVE
    assert backend.state_in(0.2) is AggregateState.PENDING


def test_without_a_reported_interval_the_observed_gap_decides(backend):
    """0 is what an envelope without the field reads as (flatbuffers leave a 0 out)."""
    interval_ms = 0
    backend.beat(interval_ms)
    assert backend.state_in(5.9) is AggregateState.ACTIVE  # the backend's 2 s assumed
    assert backend.state_in(0.2) is AggregateState.PENDING
    backend.beat(interval_ms)
    backend.clock.advance(1.0)
    backend.beat(interval_ms)  # seen beating every second
    assert backend.state_in(2.9) is AggregateState.ACTIVE
    assert backend.state_in(0.2) is AggregateState.PENDING


def test_an_in_process_status_without_an_interval_falls_back_too(orchestrator, clock):
    """A local job (the correlation executor) routes JobStatus objects, with no envelope."""
    orchestrator.stage(MONITOR, "monitor1")
    number = orchestrator.commit(MONITOR).job_number
    status = JobStatus(
        job_id=JobId(source_name="monitor1", job_number=number),
        workflow_id=MONITOR,
        state=JobState.ACTIVE,
    )
    assert status.update_interval_ms is None
    orchestrator.status_updated(status)
    clock.advance(5.9)
    assert orchestrator.workflow_status(MONITOR).state is AggregateState.ACTIVE
    clock.advance(0.2)
    assert orchestrator.workflow_status(MONITOR).state is AggregateState.PENDING


def test_the_number_of_missed_beats_is_configurable(registry, records, sink, clock):
    patient = Backend(JobOrchestrator(registry, records, sink, clock=clock, missed_beats=5), clock)
    patient.beats_every(2.0, 2, 2000)
    assert patient.state_in(9.9) is AggregateState.ACTIVE  # 5 x 2 s
    assert patient.state_in(0.2) is AggregateState.PENDING


def test_the_threshold_is_clamped_to_1_and_60_s(backend):
    backend.beat(100)  # 3 x 0.1 s: never less than 1 s
    assert backend.state_in(0.9) is AggregateState.ACTIVE
    assert backend.state_in(0.2) is AggregateState.PENDING
    backend.beat(40_000)  # 3 x 40 s: never more than job_stale_after_s (60 s)
    assert backend.state_in(59.9) is AggregateState.ACTIVE
    assert backend.state_in(0.2) is AggregateState.PENDING


def test_no_captured_running_job_ever_reads_stale_between_two_of_its_beats():
    """Replayed on the broker's timestamps, every job beat of the real backend arrives before
    the previous one went stale (the rule, on 1,100 real gaps)."""
    last: dict[str, tuple[float, float | None]] = {}
    checked = 0
    with (REAL / "heartbeats.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            x5f2 = row["x5f2"]
            if json.loads(x5f2["status_json"])["message"]["message_type"] != "job":
                continue
            at, reported = row["kafka_timestamp_ms"] / 1000, x5f2["update_interval"] / 1000
            held = last.get(x5f2["service_id"])
            observed = None
            if held is not None:
                previous, observed_before = held
                limit = stale_threshold(reported, observed_before, 60.0)
                assert at - previous <= limit, (x5f2["service_id"], at - previous, limit)
                observed = at - previous
                checked += 1
            last[x5f2["service_id"]] = (at, observed)
    assert checked > 1000
