"""Topic names of the ESS livedata wire format, per instrument, and creating them.

Four topics per instrument (ADR 0007): commands out, acks (responses) and heartbeats in, and the
data topic the correlation executor reads and writes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from wfspec.compiler import WfspecError

__all__ = ["KafkaUnreachable", "Topics", "ensure_topics"]


class KafkaUnreachable(WfspecError):
    """The cluster did not answer (the message names the servers and what to check)."""


@dataclass(frozen=True, slots=True)
class Topics:
    """The livedata topics of one instrument."""

    instrument: str

    @property
    def commands(self) -> str:
        return f"{self.instrument}_livedata_commands"

    @property
    def responses(self) -> str:
        return f"{self.instrument}_livedata_responses"

    @property
    def heartbeat(self) -> str:
        return f"{self.instrument}_livedata_heartbeat"

    @property
    def data(self) -> str:
        return f"{self.instrument}_livedata_data"

    def all(self) -> tuple[str, ...]:
        return (self.commands, self.responses, self.heartbeat, self.data)


def ensure_topics(
    settings: Mapping[str, Any], topics: Sequence[str], partitions: int = 1, timeout: float = 10.0
) -> None:
    """Create the topics that do not exist yet (one partition keeps command order total).

    Auto-created topics get several partitions on some brokers, which would let a stop overtake
    the start it follows; so the runtime creates its topics itself. Existing topics are left as
    they are.
    """
    from confluent_kafka import KafkaException
    from confluent_kafka.admin import AdminClient, NewTopic

    from .config import CLIENT_LOGGER

    servers = settings["bootstrap.servers"]
    admin = AdminClient(
        {"bootstrap.servers": servers, "logger": CLIENT_LOGGER, **_security(settings)}
    )
    try:
        existing = set(admin.list_topics(timeout=timeout).topics)
    except KafkaException as exc:
        raise KafkaUnreachable(
            f"cannot reach Kafka at {servers} within {timeout:.0f} s ({exc.args[0]}); check "
            "--bootstrap-servers and the security settings of --kafka-config"
        ) from None
    missing = [t for t in topics if t not in existing]
    if not missing:
        return
    futures = admin.create_topics(
        # replication: the cluster's default (1 on a single test broker)
        [NewTopic(t, num_partitions=partitions) for t in missing],
        operation_timeout=timeout,
    )
    for _topic, future in futures.items():
        try:
            future.result(timeout)
        except Exception as exc:  # a concurrent creator is fine
            if "TOPIC_ALREADY_EXISTS" not in str(exc) and "already exists" not in str(exc):
                raise


def _security(settings: Mapping[str, Any]) -> dict[str, Any]:
    return {
        k: v
        for k, v in settings.items()
        if k.startswith(("security.", "sasl.", "ssl.")) or k == "client.id"
    }
