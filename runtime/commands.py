"""Command messages the orchestrator emits, and the :class:`CommandSink` that carries them.

Wire form (topic ``{instrument}_livedata_commands``, compact JSON, key order as below):

- start: ``{"kind":"workflow_config","identifier":{"instrument":..,"name":..,"version":..},
  "message_id":"<uuid>","job_id":{"source_name":..,"job_number":"<uuid>"},
  "schedule":{"start_time":null,"end_time":null},"aux_source_names":{},"params":{...}}``
- job command: ``{"kind":"job_command","message_id":"<uuid>","job_id":{...}|null,
  "workflow_id":{...}|null,"action":"stop"|"reset"|"pause"|"resume"}``

A commit goes out as one batch: the stops for the old generation, then one start per source;
all starts share the job_number and one message_id (acks echo it; they are feedback, never state).
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Annotated, Any, Literal, Protocol, runtime_checkable
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from wfspec.compiler import WorkflowId

from .status import JobId


class Schedule(BaseModel):
    """When a job should run; ``null`` means now / until stopped (times in ns since the epoch)."""

    model_config = ConfigDict(frozen=True)

    start_time: int | None = None
    end_time: int | None = None


class WorkflowConfigCommand(BaseModel):
    """Start one job: a workflow on one source, with validated params and aux sources."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["workflow_config"] = "workflow_config"
    identifier: WorkflowId
    message_id: UUID
    job_id: JobId
    schedule: Schedule = Field(default_factory=Schedule)
    aux_source_names: dict[str, str] = Field(default_factory=dict)
    params: dict[str, Any] = Field(default_factory=dict)


class JobAction(StrEnum):
    STOP = "stop"
    RESET = "reset"
    PAUSE = "pause"
    RESUME = "resume"


class JobCommand(BaseModel):
    """An action on one job (``job_id``) or on every job of a workflow (``workflow_id``)."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["job_command"] = "job_command"
    message_id: UUID
    job_id: JobId | None = None
    workflow_id: WorkflowId | None = None
    action: JobAction


Command = Annotated[WorkflowConfigCommand | JobCommand, Field(discriminator="kind")]
_COMMAND = TypeAdapter(Command)


def encode_command(command: WorkflowConfigCommand | JobCommand) -> bytes:
    """Compact JSON bytes of a command (the Kafka record value)."""
    return command.model_dump_json().encode()


def decode_command(data: bytes | str) -> WorkflowConfigCommand | JobCommand:
    """Parse a command; raises ``pydantic.ValidationError`` naming the bad fields."""
    return _COMMAND.validate_json(data)


@runtime_checkable
class CommandSink(Protocol):
    """Where the orchestrator hands its commands; the Kafka producer implements it.

    ``send`` receives one batch, in order; an implementation must keep the order of a batch
    and may raise if the batch cannot be handed over (the caller reports it).
    """

    def send(self, batch: Sequence[WorkflowConfigCommand | JobCommand]) -> None: ...


class RecordingSink:
    """An in-process sink that keeps every batch (tests, ``heartbeats replay``, dry runs)."""

    def __init__(self) -> None:
        self.batches: list[tuple[WorkflowConfigCommand | JobCommand, ...]] = []

    def send(self, batch: Sequence[WorkflowConfigCommand | JobCommand]) -> None:
        self.batches.append(tuple(batch))

    @property
    def commands(self) -> list[WorkflowConfigCommand | JobCommand]:
        return [c for batch in self.batches for c in batch]
