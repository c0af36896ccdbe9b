"""The simulated backend beats like the real one: its heartbeats are, field by field, what the
backend 26.8.0 sent (tests/data/real-captures), and an active job's end_time moves every beat."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from uuid import UUID

from streaming_data_types import deserialise_x5f2, serialise_x5f2

from wfspec.compiler.ids import WorkflowId
from wfspec.runtime.simulator import _Job, job_beat, service_beat
from wfspec.runtime.status import JobId, JobState

REAL = Path(__file__).resolve().parents[2] / "tests" / "data" / "real-captures"


def captured(message_type: str, state: str, **match: str) -> dict:
    """The first captured beat of that type and state (its envelope fields)."""
    with (REAL / "heartbeats.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            x5f2 = json.loads(line)["x5f2"]
            message = json.loads(x5f2["status_json"])["message"]
            kind = (message["message_type"], message["state"])
            if kind == (message_type, state) and all(message.get(k) == v for k, v in match.items()):
                return x5f2
    raise AssertionError(f"no captured {message_type} beat in state {state}")


def job_of(x5f2: dict, state: JobState) -> tuple[_Job, dict]:
    message = json.loads(x5f2["status_json"])["message"]
    job = _Job(
        WorkflowId.parse(message["workflow_id"]),
        JobId(
            source_name=message["job_id"]["source_name"],
            job_number=UUID(message["job_id"]["job_number"]),
        ),
        "monitor_data",
        start_time=message["start_time"] or 1,
        state=state,
    )
    return job, message


def same_envelope_shape(ours: bytes, theirs: dict) -> None:
    envelope = deserialise_x5f2(ours)._asdict()
    for field in ("software_name", "software_version", "service_id", "update_interval"):
        assert envelope[field] == theirs[field], field
    assert envelope["status_json"] == theirs["status_json"]  # every key, in order, every value
    # host and pid are the machine's: only the types match
    assert type(envelope["process_id"]) is int and isinstance(envelope["host_name"], str)


def test_a_scheduled_beat_is_the_backends():
    theirs = captured("job", "scheduled")
    job, _ = job_of(theirs, JobState.SCHEDULED)
    same_envelope_shape(job_beat(job, 1_796_062_999_000_000_000), theirs)


def test_an_active_beat_is_the_backends_with_end_time_the_time_of_the_beat():
    theirs = captured("job", "active")
    job, message = job_of(theirs, JobState.ACTIVE)
    same_envelope_shape(job_beat(job, message["end_time"]), theirs)


def test_a_stopped_beat_carries_both_times():
    theirs = captured("job", "stopped")
    job, message = job_of(theirs, JobState.STOPPED)
    ours = json.loads(deserialise_x5f2(job_beat(job, message["end_time"])).status_json)
    assert ours["message"] == message  # the NICOS code is 235 here, by decision (ADR 0007)


def test_an_active_jobs_end_time_moves_every_beat_so_no_two_beats_repeat():
    theirs = captured("job", "active")
    job, message = job_of(theirs, JobState.ACTIVE)
    t = message["end_time"]
    beats = [job_beat(job, t + i * 2_000_000_000) for i in range(3)]
    assert len(set(beats)) == 3
    ends = [json.loads(deserialise_x5f2(b).status_json)["message"]["end_time"] for b in beats]
    assert [b - a for a, b in itertools.pairwise(ends)] == [2_000_000_000] * 2


def test_a_service_beat_is_the_backends():
    theirs = captured("service", "running", service_name="monitor_data", stream_stats=None)
    message = json.loads(theirs["status_json"])["message"]
    ours = service_beat(
        message["instrument"],
        message["service_name"],
        message["worker_id"],
        message["started_at"],
        message["active_job_count"],
    )
    same_envelope_shape(ours, theirs)
    assert serialise_x5f2(**{**theirs, "host_name": "", "process_id": 0}) == ours


def test_the_simulator_reports_the_backends_intervals_1_s_for_jobs_2_s_for_services():
    """Every captured job beat reports 1000 ms, every service beat 2000 ms (though both come
    every 2 s): the simulator reports the same, so staleness sees what production shows it."""
    job, message = job_of(captured("job", "active"), JobState.ACTIVE)
    assert deserialise_x5f2(job_beat(job, message["end_time"])).update_interval == 1000
    ours = service_beat("dummy", "monitor_data", "w", 1, 0)
    assert deserialise_x5f2(ours).update_interval == 2000
