"""Backend-shaped heartbeats for the benchmarks: distinct payloads, as production sends them.

The real ESS livedata backend (``tests/data/real-captures/heartbeats.jsonl``) sends, every 2 s,
one x5f2 message per running job and one per worker. An active job's ``end_time`` moves on every
beat, so no two beats of one job carry the same ``status_json``: a benchmark that cycles a few
unchanging payloads measures a cache, not the runtime. Here every beat of every job is a new
payload, in the captures' exact shape (same envelope fields, key order and NICOS codes; the
encoder is checked equal to the captures by ``tests/status/test_real_captures.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING
from uuid import UUID

from wfspec.compiler.ids import WorkflowId
from wfspec.runtime.status import JobId, JobState, JobStatus, ServiceState, ServiceStatus
from wfspec.runtime.x5f2 import encode_status

if TYPE_CHECKING:
    from wfspec.runtime.app import Runtime

BEAT_NS = 2_000_000_000
"""The backend's beat interval (2 s between beats of one job in the captures)."""
T0 = 1_796_062_794_875_218_835  # a start_time from the captures
SERVICES = ("monitor_data", "detector_data", "timeseries")
ENVELOPE = {"software_version": "26.8.0", "host_name": "vm"}  # as in the captures


def commit_backend_jobs(
    runtime: Runtime, skip: Callable[[WorkflowId], bool] = lambda wid: False
) -> list[tuple[WorkflowId, str, UUID]]:
    """Stage every source of, and commit, each registered workflow the backend runs (local jobs
    such as correlation histograms are left out, and so is every ``wid`` that ``skip`` names);
    the ``(workflow id, source, job number)`` of each job started, as :func:`beat_rounds` wants.
    """
    jobs = []
    for wid in list(runtime.registry):
        spec = runtime.registry.get(wid)
        if skip(wid) or runtime.executor.handles(wid):
            continue
        for source in spec.source_names:
            runtime.stage(wid, source)
        job_number = runtime.commit(wid).job_set.job_number
        jobs += [(wid, source, job_number) for source in spec.source_names]
    return jobs


def beat_rounds(
    jobs: Sequence[tuple[WorkflowId, str, UUID]],
    rounds: int,
    *,
    first: int = 0,
    services: bool = True,
) -> list[bytes]:
    """``rounds`` beats of every job (plus one per worker each round): all distinct bytes.

    Rounds ``first`` to ``first + rounds - 1``: a later call with a higher ``first`` continues
    the same jobs with later beats. Round ``r`` of a job reports ``end_time = start_time +
    (r + 1) * 2 s`` plus a per-job offset (the backend stamps each job when it finishes its
    batch), like consecutive captured beats.
    """
    workers = [UUID(int=i + 1) for i in range(len(SERVICES))]
    out = []
    for r in range(first, first + rounds):
        for i, (wid, source, job_number) in enumerate(jobs):
            status = JobStatus.model_construct(
                job_id=JobId.model_construct(source_name=source, job_number=job_number),
                workflow_id=wid,
                state=JobState.ACTIVE,
                error=None,
                warning=None,
                start_time=T0,
                end_time=T0 + (r + 1) * BEAT_NS + i * 1_337,
            )
            out.append(encode_status(status, process_id=13946, **ENVELOPE))
        if services:
            for name, worker in zip(SERVICES, workers, strict=True):
                status = ServiceStatus.model_construct(
                    instrument="dummy",
                    service_name=name,
                    worker_id=str(worker),
                    state=ServiceState.RUNNING,
                    started_at=T0,
                    active_job_count=len(jobs),
                    error=None,
                    batch_interval_s=1.0,
                    stream_stats=None,
                )
                out.append(encode_status(status, process_id=13948, **ENVELOPE))
    return out
