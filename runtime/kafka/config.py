"""Kafka client configuration: the user's settings passed through, over tuned defaults.

Whatever the user gives (``bootstrap.servers``, ``security.protocol``, ``sasl.*``, ``ssl.*`` ...)
goes to confluent-kafka unchanged, so the runtime runs as it is against a production cluster. The
defaults underneath are the low-latency settings measured in ``shared/kafka-notes.md`` (ADR 0008):
a status consumer joins its group in ~1 s instead of ~23 s, fetches wait at most 10 ms, and
clients reconnect within 0.5 s of a broker coming back.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from wfspec.compiler import WfspecError

__all__ = [
    "CONSUMER_DEFAULTS",
    "PRODUCER_DEFAULTS",
    "KafkaConfigError",
    "consumer_config",
    "load_kafka_config",
    "producer_config",
]

PRODUCER_DEFAULTS: dict[str, Any] = {
    "linger.ms": 0,
    # topics are created by ensure_topics with one partition (order); a producer that creates
    # them on its own (e.g. first after a broker restart) would get the broker's default count
    "allow.auto.create.topics": False,
    "reconnect.backoff.max.ms": 500,
    "message.timeout.ms": 10_000,
}
CONSUMER_DEFAULTS: dict[str, Any] = {
    "enable.auto.commit": False,
    "auto.offset.reset": "latest",
    "session.timeout.ms": 2000,
    "heartbeat.interval.ms": 100,
    "fetch.wait.max.ms": 10,
    "topic.metadata.refresh.interval.ms": 2000,
    "reconnect.backoff.max.ms": 500,
}
CLIENT_LOGGER = logging.getLogger("wfspec.kafka.client")
"""librdkafka's own log lines go here (not raw to stderr), so the CLI decides what is shown."""
_CONSUMER_ONLY = {k for k in CONSUMER_DEFAULTS} | {"group.id", "group.instance.id"}
_PRODUCER_ONLY = {"linger.ms", "message.timeout.ms", "acks", "enable.idempotence"}


class KafkaConfigError(WfspecError):
    """A Kafka configuration file that cannot be read (the message names file and fix)."""


def producer_config(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Producer settings: defaults, then the user's (consumer-only keys left out)."""
    user = {k: v for k, v in settings.items() if k not in _CONSUMER_ONLY}
    return {**PRODUCER_DEFAULTS, "logger": CLIENT_LOGGER, **user}


def consumer_config(settings: Mapping[str, Any], group_id: str, **overrides: Any) -> dict[str, Any]:
    """Consumer settings: defaults, the user's (producer-only keys left out), then overrides."""
    user = {k: v for k, v in settings.items() if k not in _PRODUCER_ONLY}
    return {
        **CONSUMER_DEFAULTS,
        "logger": CLIENT_LOGGER,
        "group.id": group_id,
        **user,
        **overrides,
    }


def load_kafka_config(
    path: str | Path | None = None, bootstrap_servers: str | None = None
) -> dict[str, Any]:
    """Client settings from a YAML, JSON or Java ``.properties`` file, plus ``bootstrap.servers``.

    The command line's ``--bootstrap-servers`` wins over the file's.
    """
    settings: dict[str, Any] = {}
    if path is not None:
        settings = _read(Path(path))
    if bootstrap_servers:
        settings["bootstrap.servers"] = bootstrap_servers
    if "bootstrap.servers" not in settings:
        raise KafkaConfigError(
            "no bootstrap servers: give --bootstrap-servers HOST:PORT or set bootstrap.servers "
            "in the --kafka-config file"
        )
    return settings


def _read(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise KafkaConfigError(f"{path}: cannot read the Kafka config: {exc}") from None
    if path.suffix == ".properties":
        settings = {}
        for number, line in enumerate(text.splitlines(), 1):
            line = line.strip()
            if not line or line.startswith(("#", "!")):
                continue
            key, sep, value = line.partition("=")
            if not sep:
                raise KafkaConfigError(f"{path}:{number}:1: expected key=value, got {line!r}")
            settings[key.strip()] = value.strip()
        return settings
    try:
        if path.suffix == ".json":
            data = json.loads(text)
        else:
            from ruamel.yaml import YAML

            data = YAML(typ="safe").load(text)
    except Exception as exc:  # JSON or YAML syntax: report the position the parser gives
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        if isinstance(exc, json.JSONDecodeError):
            where = f"{path}:{exc.lineno}:{exc.colno}"
        raise KafkaConfigError(f"{where}: not a valid Kafka config file: {exc}") from None
    if not isinstance(data, dict):
        raise KafkaConfigError(f"{path}: a Kafka config is a mapping of setting: value")
    return {str(k): v for k, v in data.items()}
