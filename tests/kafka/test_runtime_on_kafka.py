"""The runtime on a real broker, against the simulated backend: what a dashboard sees.

Every test starts a fresh embedded Tansu broker (``kafka_broker``), a :class:`Runtime` and a
:class:`SimulatedBackend` on it, drives the runtime's public API (stage, commit, stop_workflow)
and reads what a dashboard reads (``workflow_statuses``, ``CommandOutcome``, ``counters``).
Thresholds are shortened (heartbeats every 0.2 s, stale after 1 s) so the tests run in seconds.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient
from pydantic import BaseModel, ConfigDict

from wfspec.compiler.ids import WorkflowId
from wfspec.compiler.spec import WorkflowSpec
from wfspec.runtime.app import Runtime
from wfspec.runtime.simulator import SimulatedBackend
from wfspec.runtime.workflow_status import AggregateState

pytestmark = pytest.mark.kafka

MONITORS = WorkflowId.parse("dummy/monitor_histogram/1")
TIMESERIES = WorkflowId.parse("dummy/timeseries_data/1")
BEAT_S = 0.2
STALE_S = 1.0


@pytest.fixture
def runtime_options() -> dict[str, float]:
    return {"job_stale_after_s": STALE_S, "ack_timeout_s": 3.0}


@contextmanager
def backend(kafka, lookup, **kwargs) -> Iterator[SimulatedBackend]:
    with SimulatedBackend(
        kafka, "dummy", lookup, heartbeat_interval_s=BEAT_S, publish_data=False, **kwargs
    ) as simulated:
        yield simulated


def state_of(runtime: Runtime, wid: WorkflowId) -> AggregateState:
    return runtime.workflow_statuses([wid])[wid].state


def commit(runtime: Runtime, wid: WorkflowId, *sources: str):
    for source in sources:
        runtime.stage(wid, source)
    return runtime.commit(wid)


def test_commit_is_acked_and_the_workflow_goes_active(wait_for, runtime, kafka, bundle) -> None:
    with backend(kafka, bundle.workflows.get) as simulated:
        outcome = commit(runtime, MONITORS, "monitor1", "monitor2")
        assert outcome.wait(10)
        assert [t.outcome() for t in outcome.tickets] == ["ok"]
        assert outcome.errors == []
        assert wait_for(lambda: state_of(runtime, MONITORS) is AggregateState.ACTIVE)
        status = runtime.workflow_statuses([MONITORS])[MONITORS]
        assert status.job_number == outcome.job_set.job_number
        assert {s.source_name for s in status.sources if s.fresh} == {"monitor1", "monitor2"}
        assert len(simulated.running_jobs()) == 2
    assert runtime.counters["router.jobs"] > 0


def test_a_source_the_backend_does_not_allow_returns_its_err_text(
    wait_for, runtime, kafka, bundle
) -> None:
    """The backend runs an older version of the workflow, without monitor1."""
    spec = bundle.workflows[MONITORS]
    older = spec.model_copy(update={"source_names": ["monitor2"]})
    with backend(kafka, lambda wid: older if wid == MONITORS else None) as simulated:
        outcome = commit(runtime, MONITORS, "monitor1", "monitor2")
        assert outcome.wait(10)
        assert outcome.errors == [
            "monitor1: source 'monitor1' is not allowed for dummy/monitor_histogram/1 "
            "(allowed: monitor2)"
        ]
        assert outcome.tickets[0].outcome().startswith("error: monitor1: source 'monitor1'")
        # an ERR completes the ticket at once; the start of monitor2 follows it
        assert wait_for(lambda: list(simulated.running_jobs()) == [(MONITORS, "monitor2")])


def test_params_the_backend_rejects_return_the_pydantic_message(
    wait_for, runtime, kafka, bundle
) -> None:
    class BackendParams(BaseModel):  # the backend's idea of the params: a different model
        model_config = ConfigDict(extra="forbid")
        bins: int

    ours = bundle.workflows[MONITORS]
    fields = {name: getattr(ours, name) for name in WorkflowSpec.model_fields}
    spec = WorkflowSpec(params=BackendParams, **fields)
    with backend(kafka, lambda wid: spec if wid == MONITORS else None) as simulated:
        outcome = commit(runtime, MONITORS, "monitor1")
        assert outcome.wait(10)
        (error,) = outcome.errors
        assert error.startswith("monitor1: ")
        assert "validation error" in error and "bins" in error and "Field required" in error
        assert simulated.running_jobs() == {}
        # ack tickets are feedback only: the job set stays committed, and never goes active;
        # but the workflow shows why (issue 13: it read `pending` forever without a word)
        assert runtime.states()[MONITORS].current is not None
        status = runtime.workflow_statuses([MONITORS])[MONITORS]
        assert status.state is AggregateState.ERROR
        assert status.summary == "monitor1: 4 validation errors for BackendParams"
        assert status.last_command.kind == "start" and status.last_command.outcome == "error"
        assert "Field required" in status.last_command.errors["monitor1"]
        (source,) = status.sources
        assert source.rejected and "Field required" in source.error


def test_no_reply_at_all_expires_as_a_normal_outcome(wait_for, runtime, kafka) -> None:
    with backend(kafka, lambda wid: None):  # a backend that does not know the workflow
        outcome = commit(runtime, MONITORS, "monitor1")
        assert not outcome.wait(1.0)
        assert outcome.tickets[0].outcome() == "pending"
        assert outcome.wait(5.0)  # the ticker expires it after ack_timeout_s (3 s)
        assert outcome.tickets[0].outcome() == "no reply"
        assert outcome.errors == []
        assert runtime.counters["acks.pending"] == 0


def test_an_error_heartbeat_puts_the_workflow_in_error_with_its_message(
    wait_for, runtime, kafka, bundle
) -> None:
    traceback = (
        "Traceback (most recent call last):\n"
        '  File "reduction.py", line 12, in step\n'
        "ValueError: monitor1 has no time-of-arrival data"
    )
    with backend(kafka, bundle.workflows.get) as simulated:
        commit(runtime, MONITORS, "monitor1", "monitor2").wait(10)
        assert wait_for(lambda: state_of(runtime, MONITORS) is AggregateState.ACTIVE)
        simulated.fail_job(MONITORS, "monitor1", traceback)
        assert wait_for(lambda: state_of(runtime, MONITORS) is AggregateState.ERROR)
        status = runtime.workflow_statuses([MONITORS])[MONITORS]
        assert status.summary == "monitor1: ValueError: monitor1 has no time-of-arrival data"
        (source,) = [s for s in status.sources if s.source_name == "monitor1"]
        assert source.error == traceback  # the full text stays available per source
        simulated.warn_job(MONITORS, "monitor2", "slow input")
        assert wait_for(
            lambda: "monitor2: slow input" in (runtime.workflow_statuses()[MONITORS].summary or "")
        )
        assert state_of(runtime, MONITORS) is AggregateState.ERROR  # errors outrank warnings


def test_heartbeats_that_stop_turn_stale_after_the_threshold(
    wait_for, runtime, kafka, bundle
) -> None:
    with backend(kafka, bundle.workflows.get) as simulated:
        commit(runtime, MONITORS, "monitor1").wait(10)
        commit(runtime, TIMESERIES, "motion1").wait(10)
        assert wait_for(lambda: state_of(runtime, MONITORS) is AggregateState.ACTIVE)
        assert wait_for(lambda: state_of(runtime, TIMESERIES) is AggregateState.ACTIVE)
        simulated.crash_service("monitor_data")
        crashed_at = time.monotonic()
        assert wait_for(lambda: state_of(runtime, MONITORS) is AggregateState.PENDING)
        assert time.monotonic() - crashed_at >= STALE_S - BEAT_S
        (source,) = runtime.workflow_statuses([MONITORS])[MONITORS].sources
        assert not source.fresh and source.age_s >= STALE_S
        # the other service still heartbeats: its workflow is untouched
        assert state_of(runtime, TIMESERIES) is AggregateState.ACTIVE


def test_stop_workflow_stops_the_backend_job(wait_for, runtime, kafka, bundle) -> None:
    with backend(kafka, bundle.workflows.get) as simulated:
        commit(runtime, MONITORS, "monitor1", "monitor2").wait(10)
        assert wait_for(lambda: len(simulated.running_jobs()) == 2)
        outcome = runtime.stop_workflow(MONITORS)
        assert outcome.job_set is None and outcome.tickets
        assert outcome.wait(10) and outcome.errors == []
        assert simulated.running_jobs() == {}
        assert wait_for(lambda: state_of(runtime, MONITORS) is AggregateState.STOPPED)


def test_malformed_heartbeats_are_counted_and_change_nothing(
    wait_for, runtime, kafka, bundle
) -> None:
    with backend(kafka, bundle.workflows.get):
        commit(runtime, MONITORS, "monitor1").wait(10)
        assert wait_for(lambda: state_of(runtime, MONITORS) is AggregateState.ACTIVE)
        before = runtime.workflow_statuses([MONITORS])[MONITORS]
        producer = Producer(dict(kafka))
        garbage = [b"", b"not a flatbuffer", b"\x00" * 64, b"x5f2" * 40]
        for value in garbage:
            producer.produce(runtime.topics.heartbeat, value=value)
        producer.flush(5)
        assert wait_for(lambda: runtime.counters["router.rejected"] >= len(garbage))
        reasons = {k for k in runtime.counters if k.startswith("router.rejected.")}
        assert reasons, runtime.counters
        assert runtime.counters["consumer.handler_errors"] == 0
        after = runtime.workflow_statuses([MONITORS])[MONITORS]
        assert (after.state, after.job_number) == (before.state, before.job_number)
        assert after.state is AggregateState.ACTIVE


def test_a_broker_restart_goes_stale_then_routing_resumes(
    wait_for, kafka_broker, runtime, kafka, bundle
) -> None:
    """Tansu restarted loses every topic and offset; nothing of the runtime is restarted."""
    with backend(kafka, bundle.workflows.get) as simulated:
        first = commit(runtime, MONITORS, "monitor1")
        assert first.wait(10) and first.errors == []
        assert wait_for(lambda: state_of(runtime, MONITORS) is AggregateState.ACTIVE)

        kafka_broker.kill()
        assert wait_for(lambda: not runtime.connected, timeout=15)
        assert runtime.status_time() == float("inf")
        assert state_of(runtime, MONITORS) is AggregateState.PENDING  # stale while gone

        kafka_broker.start()
        assert wait_for(lambda: runtime.connected, timeout=20)
        # the simulated backend still runs its job and heartbeats into the new log
        assert wait_for(lambda: state_of(runtime, MONITORS) is AggregateState.ACTIVE, timeout=20)
        assert runtime.counters["consumer.reconnects"] >= 1

        second = commit(runtime, TIMESERIES, "motion1")
        assert second.wait(15), "the ack of a command sent after the restart must arrive"
        assert second.errors == [] and second.tickets[0].outcome() == "ok"
        assert wait_for(lambda: state_of(runtime, TIMESERIES) is AggregateState.ACTIVE)
        assert (TIMESERIES, "motion1") in simulated.running_jobs()
        # re-created by the runtime (not auto-created by a producer): one partition keeps order
        metadata = AdminClient(dict(kafka)).list_topics(timeout=5).topics
        assert {len(metadata[t].partitions) for t in runtime.topics.all()} == {1}
