"""Regenerate the captured heartbeats in this folder (deterministic: fixed ids and times).

Each ``*.x5f2`` file holds one raw x5f2 message (a Kafka record value) in exactly the ESS
livedata wire format. The JSON is written here by hand, as the backend's pydantic models dump
it (compact, keys in field order), independently of ``wfspec.runtime.x5f2``'s encoder.

    python tests/data/heartbeats/make_captures.py
"""

from __future__ import annotations

import json
from pathlib import Path

from streaming_data_types import serialise_x5f2

HERE = Path(__file__).parent
JOB_A = "3f2a6c1e-8b1d-4c55-9a55-0d6b1f1e2a01"  # dummy/monitor_histogram/1
JOB_B = "7c1d2e3f-4a5b-4c6d-8e9f-a0b1c2d3e402"  # dummy/total_counts/1
JOB_C = "0a9b8c7d-6e5f-4a3b-9c1d-e2f3a4b5c603"  # dummy/timeseries_data/1
WORKER_1 = "11111111-2222-4333-8444-555555555501"
WORKER_2 = "11111111-2222-4333-8444-555555555502"
T0 = 1_795_000_000_000_000_000
TRACEBACK = (
    "Traceback (most recent call last):\n"
    '  File "/opt/livedata/ess/livedata/core/job.py", line 212, in process\n'
    "    result = self._workflow.finalize()\n"
    '  File "/opt/livedata/ess/reduce/streaming.py", line 88, in finalize\n'
    "    raise ValueError(\"detector 'panel_0' has no pixel positions\")\n"
    "ValueError: detector 'panel_0' has no pixel positions"
)


def compact(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def job(state, source, number, workflow, *, warning=None, error=None, legacy=False, end=None):
    message = {
        "message_type": "job",
        "state": state,
        "warning": warning,
        "error": error,
        "job_id": {"source_name": source, "job_number": number},
        "workflow_id": workflow,
        "start_time": T0,
        "end_time": end,
    }
    if legacy:
        del message["message_type"]
    return message


def service(state, name, worker, stats, *, error=None, jobs=0):
    return {
        "message_type": "service",
        "instrument": "dummy",
        "service_name": name,
        "worker_id": worker,
        "state": state,
        "started_at": T0 - 60_000_000_000,
        "active_job_count": jobs,
        "error": error,
        "batch_interval_s": 1.0,
        "stream_stats": stats,
    }


CAPTURES = {
    "job_active": ("monitor1", JOB_A, 200, job("active", "monitor1", JOB_A, "dummy/monitor_histogram/1")),
    "job_warning": (
        "monitor2", JOB_A, 210,
        job("warning", "monitor2", JOB_A, "dummy/monitor_histogram/1",
            warning="Monitor rate low: 3 events in the last 2 s"),
    ),
    "job_error_traceback": (
        "panel_0", JOB_B, 240, job("error", "panel_0", JOB_B, "dummy/total_counts/1", error=TRACEBACK),
    ),
    "job_legacy_no_message_type": (
        "motion1", JOB_C, 200, job("active", "motion1", JOB_C, "dummy/timeseries_data/1", legacy=True),
    ),
    "job_source_with_colons": (
        "YMIR-SpScn:MC-X-01:Mtr.RBV", JOB_C, 200,
        job("active", "YMIR-SpScn:MC-X-01:Mtr.RBV", JOB_C, "dummy/timeseries_data/1"),
    ),
    "job_stopped_code_999": (
        "panel_0", JOB_B, 999,
        job("stopped", "panel_0", JOB_B, "dummy/total_counts/1", end=T0 + 90_000_000_000),
    ),
    "service_stream_stats": (
        None, None, 200,
        service("running", "monitor_data", WORKER_1, {
            "window_seconds": 30.05,
            "streams": [
                {"topic": "dummy_beam_monitor", "source_name": "monitor1", "stream": "monitor1", "count": 419},
                {"topic": "dummy_beam_monitor", "source_name": "monitor2", "stream": None, "count": 0},
            ],
        }, jobs=2),
    ),
    "service_null_stream_stats": (
        None, None, 235, service("starting", "detector_data", WORKER_2, None),
    ),
}


def main() -> None:
    for name, (source, number, code, message) in CAPTURES.items():
        if source is None:
            service_id = f"{message['instrument']}:{message['service_name']}:{message['worker_id']}"
            interval = 2000
        else:
            service_id = f"{source}:{number}"
            interval = 1000
        raw = serialise_x5f2(
            "livedata", "25.11.1", service_id, "livedata-worker-01", 4242, interval,
            compact({"status": code, "message": message}),
        )
        (HERE / f"{name}.x5f2").write_bytes(raw)
        print(f"wrote {name}.x5f2 ({len(raw)} bytes)")


if __name__ == "__main__":
    main()
