"""The job-level view: the latest status of every job seen, with its *local* receive time.

Independent of the orchestrator (the router feeds both): it knows nothing of JobSets or commits,
only what the backend reports, so it also shows jobs nobody here started. Bounded: jobs not heard
from for ``retention_s`` are pruned, and at most ``max_jobs`` are kept (oldest evicted first).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from .clock import Clock, SystemClock
from .status import JobId, JobStatus, supersedes

DEFAULT_JOB_STALE_AFTER_S = 60.0


@dataclass(frozen=True, slots=True)
class ObservedJob:
    """A job status and the local monotonic time it was received."""

    status: JobStatus
    received_at: float

    def age(self, now: float) -> float:
        return now - self.received_at

    def is_fresh(self, now: float, stale_after_s: float) -> bool:
        return now - self.received_at <= stale_after_s


class JobService:
    """Latest status per JobId. Thread-safe; readers get snapshots."""

    def __init__(
        self,
        clock: Clock | None = None,
        *,
        stale_after_s: float = DEFAULT_JOB_STALE_AFTER_S,
        retention_s: float = 600.0,
        max_jobs: int = 100_000,
    ) -> None:
        self._clock = clock or SystemClock()
        self.stale_after_s = stale_after_s
        self._retention_s = retention_s
        self._max_jobs = max_jobs
        self._lock = threading.Lock()
        # key -> [status, received_at]: mutable, so a heartbeat that changes nothing costs one store
        self._jobs: dict[tuple[str, UUID], list] = {}
        self._version = 0

    @property
    def version(self) -> int:
        """Increases whenever a job's reported status changes (not on identical heartbeats)."""
        return self._version

    def __len__(self) -> int:
        return len(self._jobs)

    def update(self, status: JobStatus, received_at: float | None = None) -> None:
        """Record a heartbeat (older incarnations by ``start_time`` are ignored)."""
        now = self._clock.monotonic() if received_at is None else received_at
        self.update_many((status,), now)

    def update_many(self, statuses: Iterable[JobStatus], received_at: float) -> None:
        """Record heartbeats received at one moment (the router's batch entry point)."""
        jobs = self._jobs
        with self._lock:
            for status in statuses:
                job_id = status.job_id
                key = (job_id.source_name, job_id.job_number)
                held = jobs.get(key)
                if held is not None:
                    old = held[0]
                    if old is status:  # the same object routed again (an in-process sender)
                        held[1] = received_at
                        continue
                    if not supersedes(status, old):
                        continue
                    held[0], held[1] = status, received_at
                    if old != status:
                        self._version += 1
                    continue
                if len(jobs) >= self._max_jobs:
                    self._evict(received_at)
                jobs[key] = [status, received_at]
                self._version += 1

    def get(self, job_id: JobId) -> ObservedJob | None:
        with self._lock:
            held = self._jobs.get((job_id.source_name, job_id.job_number))
            return None if held is None else ObservedJob(held[0], held[1])

    def snapshot(self) -> dict[JobId, ObservedJob]:
        """A copy of the view; ObservedJob and JobStatus are immutable."""
        with self._lock:
            items = [ObservedJob(status, received) for status, received in self._jobs.values()]
        return {o.status.job_id: o for o in items}

    def fresh(self, now: float | None = None) -> dict[JobId, ObservedJob]:
        """Only the jobs heard from within ``stale_after_s``."""
        now = self._clock.monotonic() if now is None else now
        return {k: v for k, v in self.snapshot().items() if v.is_fresh(now, self.stale_after_s)}

    def prune(self, now: float | None = None) -> int:
        """Drop jobs silent for longer than ``retention_s``; returns how many were dropped."""
        now = self._clock.monotonic() if now is None else now
        with self._lock:
            old = [k for k, v in self._jobs.items() if now - v[1] > self._retention_s]
            for key in old:
                del self._jobs[key]
            if old:
                self._version += 1
            return len(old)

    def _evict(self, now: float) -> None:
        """Full: drop expired jobs, else the oldest tenth (amortised O(1) per insert)."""
        expired = [k for k, v in self._jobs.items() if now - v[1] > self._retention_s]
        if not expired:
            by_age = sorted(self._jobs.items(), key=lambda kv: kv[1][1])
            expired = [k for k, _ in by_age[: max(1, len(by_age) // 10)]]
        for key in expired:
            del self._jobs[key]
        self._version += 1
