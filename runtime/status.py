"""Status models of the ESS livedata wire format: job and service heartbeats.

These are what the backend *reports*; they are never configuration (a job's params live in the
orchestrator's JobSet, not in its heartbeats). JSON forms are the wire forms: ``job_number`` is a
UUID string and ``workflow_id`` the string ``instrument/name/version``.

All models are frozen (snapshots hand them out). The codec validates heartbeats straight into
these models with pydantic's JSON validator (docs/adr/0013-status-decoding.md): they are the
wire contract, so a field added here is a field the codec reads.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    field_serializer,
    field_validator,
)

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


def wire_context(update_interval_ms: int) -> dict[str, Any]:
    """The validation context of the x5f2 codec for one message.

    On the wire ``workflow_id`` must be the string form, and a job's ``update_interval_ms`` is
    the envelope's ``update_interval`` (it is not part of ``status_json``, which is what pydantic
    validates): the context carries it into the model, so the status is built in one pass.
    """
    return {"wire": True, "update_interval_ms": update_interval_ms}


def _on_wire(info: ValidationInfo) -> bool:
    context = info.context
    return context is not None and context.get("wire") is True


_WORKFLOW_IDS: dict[str, WorkflowId] = {}
_MAX_WORKFLOW_IDS = 65536


def _workflow_id(value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo) -> Any:
    """The string form through a bounded cache of parsed ids (a handful of distinct ids arrive
    thousands of times a second); on the wire (:func:`wire_context`) only the string form."""
    if type(value) is str:
        known = _WORKFLOW_IDS.get(value)
        if known is None:
            known = WorkflowId.parse(value)
            if len(_WORKFLOW_IDS) >= _MAX_WORKFLOW_IDS:
                _WORKFLOW_IDS.clear()
            _WORKFLOW_IDS[value] = known
        return known
    if _on_wire(info):
        raise ValueError("workflow_id must be the string instrument/name/version")
    return handler(value)


WireWorkflowId = Annotated[WorkflowId, WrapValidator(_workflow_id)]


class JobId(BaseModel):
    """One job: a source of a committed JobSet. All sources of one commit share ``job_number``."""

    model_config = ConfigDict(frozen=True)

    source_name: str = Field(description="The stream the job runs on, e.g. monitor1.")
    job_number: UUID = Field(description="Shared by all jobs of one commit.")

    def __str__(self) -> str:
        return f"{self.source_name}:{self.job_number}"

    def __eq__(self, other: object) -> bool:
        # Every heartbeat is a new object (they never repeat), and the JobService and the
        # orchestrator compare it with the one held: plain field equality, a third of
        # pydantic's generic __eq__ (no private or extra attributes on these models).
        if type(other) is not type(self):
            return NotImplemented
        return self.__dict__ == other.__dict__


class JobStatus(BaseModel):
    """A job heartbeat. Times are int nanoseconds since the epoch, or None.

    ``update_interval_ms`` is how often the sender says the job beats: the x5f2 envelope's
    ``update_interval`` (never a ``status_json`` key; the codec fills it from the envelope,
    whatever ``status_json`` holds). None or 0: not reported (an in-process sender, an envelope
    without it). The staleness rule counts missed beats in it (docs/adr/0006-status-rules.md).
    """

    model_config = ConfigDict(frozen=True)

    job_id: JobId
    workflow_id: WireWorkflowId
    state: JobState
    error: str | None = None
    warning: str | None = None
    start_time: int | None = None
    end_time: int | None = None
    update_interval_ms: int | None = Field(default=None, validate_default=True)

    @field_serializer("workflow_id")
    def _workflow_id_as_string(self, workflow_id: WorkflowId) -> str:
        return str(workflow_id)

    @field_validator("update_interval_ms", mode="wrap")
    @classmethod
    def _from_the_envelope(
        cls, value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo
    ) -> Any:
        """On the wire the envelope's value (the codec's context), else the value given."""
        if _on_wire(info):
            return info.context["update_interval_ms"]  # type: ignore[index]
        return handler(value)

    @property
    def update_interval_s(self) -> float | None:
        """The reported beat interval in seconds (None when not reported or 0)."""
        ms = self.update_interval_ms
        return ms / 1000 if ms else None

    __eq__ = JobId.__eq__


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
