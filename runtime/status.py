"""Status models of the ESS livedata wire format: job and service heartbeats.

These are what the backend *reports*; they are never configuration (a job's params live in the
orchestrator's JobSet, not in its heartbeats). JSON forms are the wire forms: ``job_number`` is a
UUID string and ``workflow_id`` the string ``instrument/name/version``.

All models are frozen: the codec shares one parsed instance between identical heartbeats.
"""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_serializer

from wfspec.compiler import WorkflowId


class JobState(StrEnum):
    """State of one job (one source of one committed JobSet) as reported by the backend."""

    SCHEDULED = "scheduled"
    ACTIVE = "active"
    FINISHING = "finishing"
    STOPPED = "stopped"
    ERROR = "error"
    WARNING = "warning"
    PENDING_CONTEXT = "pending_context"


class ServiceState(StrEnum):
    """State of one backend worker process."""

    STARTING = "starting"
    RUNNING = "running"
    STOPPED = "stopped"
    ERROR = "error"


class JobId(BaseModel):
    """One job: a source of a committed JobSet. All sources of one commit share ``job_number``."""

    model_config = ConfigDict(frozen=True)

    source_name: str = Field(description="The stream the job runs on, e.g. monitor1.")
    job_number: UUID = Field(description="Shared by all jobs of one commit.")

    def __str__(self) -> str:
        return f"{self.source_name}:{self.job_number}"


class JobStatus(BaseModel):
    """A job heartbeat. Times are int nanoseconds since the epoch, or None."""

    model_config = ConfigDict(frozen=True)

    job_id: JobId
    workflow_id: WorkflowId
    state: JobState
    error: str | None = None
    warning: str | None = None
    start_time: int | None = None
    end_time: int | None = None

    @field_serializer("workflow_id")
    def _workflow_id_as_string(self, workflow_id: WorkflowId) -> str:
        return str(workflow_id)


class StreamCount(BaseModel):
    """Messages seen on one stream during the stats window of a service heartbeat."""

    model_config = ConfigDict(frozen=True)

    topic: str
    source_name: str
    stream: str | None = None
    count: int


class StreamStats(BaseModel):
    """Per-stream message counts over the last ``window_seconds`` of a worker."""

    model_config = ConfigDict(frozen=True)

    window_seconds: float
    streams: tuple[StreamCount, ...] = ()


class ServiceStatus(BaseModel):
    """A service (worker process) heartbeat; ``started_at`` is int nanoseconds since the epoch."""

    model_config = ConfigDict(frozen=True)

    instrument: str
    service_name: str
    worker_id: str
    state: ServiceState
    started_at: int
    active_job_count: int
    error: str | None = None
    batch_interval_s: float | None = None
    stream_stats: StreamStats | None = None

    @property
    def service_key(self) -> tuple[str, str]:
        """``(instrument, service_name)``: the group a worker belongs to."""
        return (self.instrument, self.service_name)


def supersedes(new: JobStatus, old: JobStatus | None) -> bool:
    """Last write wins by ``start_time``, then by receive order.

    A heartbeat whose ``start_time`` is older than the one already held comes from an earlier
    incarnation of the job (a late or replayed message) and must not overwrite the newer one.
    """
    if old is None:
        return True
    if new.start_time is not None and old.start_time is not None:
        return new.start_time >= old.start_time
    return True
