"""The command sink on Kafka: each batch produced in order to ``{instrument}_livedata_commands``.

Commands are compact JSON (``commands.encode_command``), key null, no headers. A batch (stops of
the old generation, then one start per source) is produced in order to a single-partition topic
and flushed before ``send`` returns, so a caller knows the commands left; what the backend made
of them arrives later as acks (:mod:`.acks`), tracked here per message_id.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from wfspec.compiler.errors import WfspecError

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
    ) -> None:
        from confluent_kafka import Producer

        self.topic = Topics(instrument).commands
        self.pending = pending if pending is not None else PendingCommands()
        self._producer = Producer(producer_config(settings))
        self._flush_timeout = flush_timeout_s
        self._failed: list[str] = []
        self.sent = 0

    def send(self, batch: Sequence[WorkflowConfigCommand | JobCommand]) -> list[CommandTicket]:
        expected: Counter[str] = Counter()
        described: dict[str, str] = {}
        for command in batch:
            self._producer.produce(
                self.topic, value=encode_command(command), on_delivery=self._delivered
            )
            expected[str(command.message_id)] += 1
            described.setdefault(str(command.message_id), _describe(command))
        remaining = self._producer.flush(self._flush_timeout)
        failed, self._failed = self._failed, []
        if remaining or failed:
            reason = failed[0] if failed else f"{remaining} still queued"
            raise CommandSendError(
                f"commands not delivered to {self.topic} ({reason}); is the broker reachable?"
            )
        self.sent += len(batch)
        return [self.pending.track(mid, n, described[mid]) for mid, n in expected.items()]

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
