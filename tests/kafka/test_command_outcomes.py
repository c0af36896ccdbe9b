"""What a commit's replies mean, on a real broker with the simulated backend (issue 13).

- ``wait()`` waits only for replies the backend sends: none for a stop of a job it never ran;
- a backend ERR reaches the workflow's status (last command outcome, ERR text per source);
- a commit refused locally (the broker is gone) leaves the running generation current and
  running, and reads ``refused`` with the reason.
"""

from __future__ import annotations

import pytest

from wfspec.compiler import WorkflowId
from wfspec.runtime.job_records import JobRecordsStore
from wfspec.runtime.simulator import SimulatedBackend
from wfspec.runtime.workflow_status import AggregateState

pytestmark = pytest.mark.kafka

MONITORS = WorkflowId.parse("dummy/monitor_histogram/1")


def test_wait_does_not_wait_for_stops_of_jobs_the_backend_never_ran(
    wait_for, runtime, kafka, bundle
):
    """The backend rejects monitor1 (it runs an older version without it); re-committing
    stops the old generation: monitor2 replies, monitor1 never existed and never replies."""
    older = bundle.workflows[MONITORS].model_copy(update={"source_names": ["monitor2"]})
    with SimulatedBackend(
        kafka, "dummy", lambda w: older if w == MONITORS else None, heartbeat_interval_s=0.2
    ):
        for source in ("monitor1", "monitor2"):
            runtime.stage(MONITORS, source)
        first = runtime.commit(MONITORS)
        assert first.wait(10) and len(first.errors) == 1  # an ERR completes the wait at once
        assert wait_for(
            lambda: runtime.workflow_status(MONITORS).last_command.reply("monitor2").outcome == "ok"
        )
        status = runtime.workflow_statuses([MONITORS])[MONITORS]
        assert status.last_command.errors == {
            "monitor1": "source 'monitor1' is not allowed for dummy/monitor_histogram/1 "
            "(allowed: monitor2)"
        }
        assert status.last_command.reply("monitor2").outcome == "ok"
        runtime.stage(MONITORS, "monitor2")  # the staged monitor1 did not survive the commit
        second = runtime.commit(MONITORS)
        assert second.wait(20)  # it used to wait for monitor1's stop reply, which never comes
        (stop,) = [t for t in second.tickets if t.kind == "stop"]
        assert stop.awaited == {"monitor2"} and stop.outcome() == "ok"
        (start,) = [t for t in second.tickets if t.kind == "start"]
        assert start.sources == ("monitor2",)


def test_a_fully_rejected_commit_reads_error_with_the_reason(wait_for, runtime, kafka, bundle):
    older = bundle.workflows[MONITORS].model_copy(update={"source_names": ["monitor3"]})
    with SimulatedBackend(
        kafka, "dummy", lambda w: older if w == MONITORS else None, heartbeat_interval_s=0.2
    ):
        runtime.stage(MONITORS, "monitor1")
        assert runtime.commit(MONITORS).wait(10)
        status = runtime.workflow_statuses([MONITORS])[MONITORS]
        assert status.state is AggregateState.ERROR  # not `pending` forever without a word
        assert status.summary == (
            "monitor1: source 'monitor1' is not allowed for dummy/monitor_histogram/1 "
            "(allowed: monitor3)"
        )


def test_a_commit_refused_locally_keeps_the_running_generation(
    wait_for, runtime, kafka, bundle, kafka_broker, tmp_path
):
    with SimulatedBackend(kafka, "dummy", bundle.workflows.get, heartbeat_interval_s=0.2):
        runtime.stage(MONITORS, "monitor1")
        running = runtime.commit(MONITORS)
        assert running.wait(10)
        assert wait_for(
            lambda: runtime.workflow_statuses([MONITORS])[MONITORS].state is AggregateState.ACTIVE
        )
        kafka_broker.kill()
        runtime.stage(MONITORS, "monitor2")
        with pytest.raises(Exception, match="is the broker reachable"):
            runtime.commit(MONITORS)
    state = runtime.states()[MONITORS]
    assert state.current.job_number == running.job_set.job_number
    assert list(state.staged_jobs) == ["monitor2"]  # still staged: nothing was consumed
    record = JobRecordsStore(tmp_path / "dummy" / "jobs.yaml").load()[MONITORS]
    assert record["job_number"] == str(running.job_set.job_number)
    last = runtime.last_command(MONITORS)
    assert last.outcome == "refused" and "is the broker reachable" in last.message


def test_a_reply_arriving_before_the_flush_returns_is_not_lost() -> None:
    """A fast backend answers while the producer is still flushing: the ticket must exist by
    then (it was tracked after the flush, so the reply found no ticket and wait() timed out)."""
    import uuid

    from wfspec.runtime.commands import WorkflowConfigCommand
    from wfspec.runtime.kafka.acks import Ack, PendingCommands
    from wfspec.runtime.kafka.producer import KafkaCommandSink
    from wfspec.runtime.status import JobId

    pending = PendingCommands()
    sink = KafkaCommandSink({"bootstrap.servers": "127.0.0.1:1"}, "dummy", pending=pending)
    command = WorkflowConfigCommand(
        identifier=MONITORS,
        message_id=uuid.uuid4(),
        job_id=JobId(source_name="monitor1", job_number=uuid.uuid4()),
    )

    class AnsweringProducer:
        def produce(self, *args, **kwargs) -> None:
            pass

        def flush(self, timeout: float) -> int:
            pending.on_ack(Ack(str(command.message_id), "monitor1", True, None))
            return 0

    sink._producer = AnsweringProducer()
    (ticket,) = sink.send([command])
    assert ticket.wait(0) and ticket.outcome() == "ok" and pending.unmatched == 0
