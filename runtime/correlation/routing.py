"""A command sink that sends correlation workflows to the in-process executor.

The orchestrator has one command sink. This one splits each batch by workflow: commands of a
workflow whose spec says ``executor: correlation_histogram`` go to the local executor, all others
to the backend (Kafka) sink, in their original order within each part. A stop carries only a
job id: ``workflow_of_job(job_number)`` (the orchestrator's) names its workflow, so a local
job's stop never reaches the backend (which would log it and never reply). A job command that
cannot be attributed at all goes to both (each side ignores jobs it does not know).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol
from uuid import UUID

from wfspec.compiler import WorkflowId

__all__ = ["RoutingCommandSink"]


class _Sink(Protocol):
    def send(self, batch: Any) -> Any: ...


class RoutingCommandSink:
    """``send(batch)`` to ``local`` or ``backend`` per workflow (``is_local(workflow_id)``)."""

    def __init__(
        self,
        is_local: Callable[[WorkflowId], bool],
        local: _Sink,
        backend: _Sink,
        workflow_of_job: Callable[[UUID], WorkflowId | None] | None = None,
    ) -> None:
        self._is_local = is_local
        self._local = local
        self._backend = backend
        self.workflow_of_job = workflow_of_job

    def send(self, batch: Iterable[Any]) -> Any:
        local, backend = [], []
        for command in batch:
            workflow_id = _workflow_of(command)
            job_id = getattr(command, "job_id", None)
            if workflow_id is None and job_id is not None and self.workflow_of_job is not None:
                workflow_id = self.workflow_of_job(job_id.job_number)
            if workflow_id is None:
                local.append(command)
                backend.append(command)
            elif self._is_local(workflow_id):
                local.append(command)
            else:
                backend.append(command)
        result = None
        if backend:
            result = self._backend.send(backend)
        if local:
            self._local.send(local)
        return result


def _workflow_of(command: Any) -> WorkflowId | None:
    value = getattr(command, "identifier", None) or getattr(command, "workflow_id", None)
    return None if value is None else WorkflowId.of(value)
