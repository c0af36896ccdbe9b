"""Local jobs (correlation histograms) on a real broker: where their commands go, and restarts.

Issue 13, reproduced against the real backend: a re-commit or stop of a correlation histogram
also sent a stop to the backend, which never replies, so every ``wait()`` timed out; and after a
runtime restart the histogram read ``pending`` forever. Commands of a local job go only to the
in-process executor, and a local job recorded as running resumes (with a fresh history).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from wfspec.compiler import TimeseriesReference, WorkflowId, load_bundle
from wfspec.runtime.app import Runtime
from wfspec.runtime.demo_scenario import DEMO_INSTANCE
from wfspec.runtime.workflow_status import AggregateState

pytestmark = pytest.mark.kafka

COUNTS1 = str(
    TimeseriesReference(
        workflow_id=WorkflowId.parse("dummy/monitor_histogram/1"),
        source_name="monitor1",
        output_name="counts_total",
    )
)


@pytest.fixture
def start_runtime(kafka_broker, shipped_bundle_path: Path, tmp_path: Path) -> Callable[[], Runtime]:
    """Starts a :class:`Runtime` on this test's broker and state folder (again: a restart)."""
    kafka = {"bootstrap.servers": kafka_broker.bootstrap_servers}
    bundle = load_bundle(shipped_bundle_path)
    return lambda: Runtime(
        bundle, "dummy", kafka=kafka, state_dir=tmp_path, tick_interval_s=0.2
    ).start()


def stage_demo_instance(runtime: Runtime) -> WorkflowId:
    """Register the demo correlation histogram and stage it on ``COUNTS1``; its id."""
    instance = runtime.registry.register_from_template(
        DEMO_INSTANCE["template"], DEMO_INSTANCE["config"]
    )
    runtime.stage(instance, COUNTS1)
    return instance


def test_local_commands_stay_local_and_never_wait(start_runtime):
    with start_runtime() as runtime:
        instance = stage_demo_instance(runtime)
        first = runtime.commit(instance)
        runtime.stage(instance, COUNTS1)
        second = runtime.commit(instance)
        stopped = runtime.stop_workflow(instance)
        for outcome in (first, second, stopped):
            assert outcome.tickets == () and outcome.wait(0.01)
        assert runtime.counters["commands.sent"] == 0  # nothing went to the backend
        assert runtime.executor.jobs() == []
        status = runtime.workflow_statuses([instance])[instance]
        assert status.state is AggregateState.STOPPED
        assert status.last_command.kind == "stop" and status.last_command.outcome == "local"


def test_a_local_job_recorded_running_resumes_after_a_restart(wait_for, start_runtime):
    with start_runtime() as runtime:
        instance = stage_demo_instance(runtime)
        job_set = runtime.commit(instance).job_set
        assert [j.job_number for j in runtime.executor.jobs()] == [job_set.job_number]
    with start_runtime() as restarted:
        (job,) = restarted.executor.jobs()
        assert (job.workflow_id, job.source_name, job.job_number) == (
            instance,
            COUNTS1,
            job_set.job_number,
        )
        # it reports like a backend job: no longer `pending` forever (no data yet: scheduled)
        assert wait_for(
            lambda: (
                restarted.workflow_statuses([instance])[instance].state is AggregateState.SCHEDULED
            )
        )
        assert restarted.counters["commands.sent"] == 0
