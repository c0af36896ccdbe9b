"""The command sink on Kafka: each batch produced in order to ``{instrument}_livedata_commands``.

Commands are compact JSON (``commands.encode_command``), key null, no headers. A batch (stops of
the old generation, then one start per source) is produced in order to a single-partition topic
and flushed before ``send`` returns, so a caller knows the commands left; what the backend made
of them arrives later as acks (:mod:`.acks`), tracked here per message_id.

A ticket awaits a reply only where the backend sends one: ``expects_reply(command)`` (the
runtime's rule: a stop of a job never seen running nor acknowledged gets no reply) decides per
command; ``workflow_of_job(job_number)`` names the workflow of a stop (stops carry only a job id).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from uuid import UUID

from wfspec.compiler import WfspecError

from ..commands import JobCommand, WorkflowConfigCommand, encode_command
from .acks import CommandTicket, PendingCommands
from .config import producer_config
from .topics import Topics

__all__ = ["CommandSendError", "KafkaCommandSink"]

log = logging.getLogger(__name__)


class CommandSendError(WfspecError):
    """Commands that did not reach the broker within the timeout (the broker is down?)."""


class KafkaCommandSink:
    """``send(batch) -> tickets``: produce, flush, and track the expected acks.

    Thread-safe (confluent-kafka's Producer is); ``flush_timeout_s`` bounds how long a send may
    block when the broker is unreachable, after which :class:`CommandSendError` is raised.
    """

    def __init__(
        self,
        settings: Mapping[str, Any],
        instrument: str,
        *,
        pending: PendingCommands | None = None,
        flush_timeout_s: float = 5.0,
        expects_reply: Callable[[WorkflowConfigCommand | JobCommand], bool] | None = None,
        workflow_of_job: Callable[[UUID], Any] | None = None,
    ) -> None:
        from confluent_kafka import Producer

        self.topic = Topics(instrument).commands
        self.pending = pending if pending is not None else PendingCommands()
        self._producer = Producer(producer_config(settings))
        self._flush_timeout = flush_timeout_s
        self._failed: list[str] = []
        self.expects_reply = expects_reply
        self.workflow_of_job = workflow_of_job
        self.sent = 0

    def send(self, batch: Sequence[WorkflowConfigCommand | JobCommand]) -> list[CommandTicket]:
        """Produce ``batch`` in order and flush; one ack ticket per message_id.

        The tickets are tracked *before* producing: a fast backend may answer before the flush
        returns, and a reply must never find no ticket. If the batch is not delivered the
        tickets are withdrawn and :class:`CommandSendError` is raised.
        """
        groups: dict[str, list[WorkflowConfigCommand | JobCommand]] = {}
        for command in batch:
            groups.setdefault(str(command.message_id), []).append(command)
        tickets = [self._track(mid, commands) for mid, commands in groups.items()]
        try:
            for command in batch:
                self._producer.produce(
                    self.topic, value=encode_command(command), on_delivery=self._delivered
                )
            remaining = self._producer.flush(self._flush_timeout)
        except BaseException:
            self.pending.withdraw(tickets)
            raise
        failed, self._failed = self._failed, []
        if remaining or failed:
            self.pending.withdraw(tickets)
            reason = failed[0] if failed else f"{remaining} still queued"
            raise CommandSendError(
                f"commands not delivered to {self.topic} ({reason}); is the broker reachable?"
            )
        self.sent += len(batch)
        return tickets

    def _track(
        self, message_id: str, commands: Sequence[WorkflowConfigCommand | JobCommand]
    ) -> CommandTicket:
        first = commands[0]
        job_ids = [c.job_id for c in commands if c.job_id is not None]
        job_number = job_ids[0].job_number if job_ids else None
        if isinstance(first, WorkflowConfigCommand):
            kind, workflow_id = "start", first.identifier
        else:
            kind, workflow_id = str(first.action), first.workflow_id
            if workflow_id is None and job_number is not None and self.workflow_of_job:
                workflow_id = self.workflow_of_job(job_number)
        sources = tuple(j.source_name for j in job_ids)
        expects = self.expects_reply
        awaited = [
            c.job_id.source_name
            for c in commands
            if c.job_id is not None and (expects is None or expects(c))
        ]
        if not job_ids and (expects is None or expects(first)):
            awaited = ["all"]
        return self.pending.track(
            message_id,
            len(awaited),
            _describe(first),
            kind=kind,
            workflow_id=workflow_id,
            job_number=job_number,
            sources=sources,
            awaited=awaited,
            sent_wall=time.time(),
        )

    def _delivered(self, err: Any, _message: Any) -> None:
        if err is not None:
            self._failed.append(str(err))

    def close(self, timeout: float = 2.0) -> None:
        self._producer.flush(timeout)


def _describe(command: WorkflowConfigCommand | JobCommand) -> str:
    if isinstance(command, WorkflowConfigCommand):
        return f"start {command.identifier}"
    target = command.workflow_id or (command.job_id and command.job_id.source_name)
    return f"{command.action} {target}"
