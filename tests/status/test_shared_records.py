"""Two orchestrators on one ``jobs.yaml`` (two runtimes of one instrument): the stop rule.

A runtime stops only what it decided to stop, or what the shared record says is stopped; it
follows the other runtime's commits by re-reading the file when it changed (ADR 0006).
"""

from __future__ import annotations

from pathlib import Path

from wfspec.runtime.commands import JobCommand, RecordingSink
from wfspec.runtime.job_records import JobRecordsStore
from wfspec.runtime.orchestrator import JobOrchestrator

from .test_orchestrator_rules import MONITOR, commit_monitor


def stops(sink: RecordingSink) -> list[tuple[str, object]]:
    return [
        (c.job_id.source_name, c.job_id.job_number)
        for c in sink.commands
        if isinstance(c, JobCommand)
    ]


def test_a_runtime_follows_the_other_ones_commits_and_never_stops_them(
    registry, clock, job_status, tmp_path: Path
) -> None:
    path = tmp_path / "jobs.yaml"
    sink_a, sink_b = RecordingSink(), RecordingSink()
    a = JobOrchestrator(registry, JobRecordsStore(path), sink_a, clock)
    first = commit_monitor(a)
    b = JobOrchestrator(registry, JobRecordsStore(path), sink_b, clock)
    assert b.state(MONITOR).current.job_number == first.job_number
    second = commit_monitor(a)  # a stops `first` and starts `second`
    # b has not re-read the records yet: `second` is unknown to it, and left running
    for _ in range(3):
        b.status_updated(job_status(MONITOR, "monitor1", second.job_number))
        clock.advance(31)
    assert stops(sink_b) == []
    assert [o.job_number for o in b.orphans()] == [second.job_number]
    assert b.refresh_records()
    assert not b.refresh_records()  # nothing changed since: one stat, no read
    state = b.state(MONITOR)
    assert state.current.job_number == second.job_number and state.current.config_known
    assert b.orphans() == []
    # `first` was replaced by a's decision, not b's: b never stops it either
    b.status_updated(job_status(MONITOR, "monitor1", first.job_number))
    clock.advance(31)
    b.status_updated(job_status(MONITOR, "monitor1", first.job_number))
    assert stops(sink_b) == []
    # a stops the workflow: the record says stopped; b repeats that stop only if the job
    # still runs a resend interval later
    a.stop(MONITOR)
    assert b.refresh_records()
    assert b.state(MONITOR).current is None
    b.status_updated(job_status(MONITOR, "monitor1", second.job_number))
    assert stops(sink_b) == []
    clock.advance(31)
    b.status_updated(job_status(MONITOR, "monitor1", second.job_number))
    assert ("monitor1", second.job_number) in stops(sink_b)
