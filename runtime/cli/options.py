"""Options shared by the runtime's commands: the bundle, the instance store, output format,
the Kafka cluster, and structured logging.

``--bootstrap-servers`` and ``--kafka-config FILE`` become the client settings that go to
confluent-kafka unchanged (``wfspec.runtime.kafka.config.load_kafka_config``); the command line's
servers win over the file's.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import click

__all__ = [
    "bundle_option",
    "configure_logging",
    "format_option",
    "kafka_options",
    "kafka_settings",
    "require_instruments",
    "store_option",
]

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]

STORE_HELP = (
    "The instances file to use instead of the default "
    "$XDG_STATE_HOME/wfspec/<instrument>/instances.yaml."
)


def bundle_option(
    *,
    required: bool = False,
    exists: bool = False,
    default: str | None = "build/bundle.json",
    help: str | None = None,
) -> Decorator:
    """``--bundle PATH`` (-> ``bundle_path``); ``default`` applies unless required."""
    return click.option(
        "--bundle",
        "bundle_path",
        type=click.Path(exists=exists),
        required=required,
        default=None if required else default,
        show_default=not required and default is not None,
        help=help or "The compiled bundle (build/bundle.json, or the folder holding it).",
    )


def store_option(help: str = STORE_HELP) -> Decorator:
    """``--store FILE`` (-> ``store_path``): an instances.yaml other than the default."""
    return click.option(
        "--store", "store_path", type=click.Path(dir_okay=False), default=None, help=help
    )


def format_option(*choices: str) -> Decorator:
    """``--format`` (-> ``fmt``): text for people (the default), json for scripts."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(list(choices or ("text", "json"))),
        default="text",
        show_default=True,
    )


def kafka_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--bootstrap-servers`` and ``--kafka-config`` to a click command."""
    command = click.option(
        "--kafka-config",
        type=click.Path(exists=True, dir_okay=False),
        default=None,
        help="Client settings (YAML, JSON or .properties): security.protocol, sasl.*, ssl.* ...",
    )(command)
    return click.option(
        "--bootstrap-servers",
        metavar="HOST:PORT",
        default=None,
        help="Kafka bootstrap servers (wins over bootstrap.servers in --kafka-config).",
    )(command)


def kafka_settings(bootstrap_servers: str | None, kafka_config: str | None) -> dict[str, Any]:
    """The client settings, or a usage error that says what to give."""
    from wfspec.runtime.kafka.config import KafkaConfigError, load_kafka_config

    try:
        return load_kafka_config(kafka_config, bootstrap_servers)
    except KafkaConfigError as exc:
        raise click.UsageError(str(exc)) from None


class _KeyValueFormatter(logging.Formatter):
    """``2026-11-23T05:00:00.123Z level=info logger=wfspec.runtime.app msg="..."``."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
        message = record.getMessage().replace('"', '\\"').replace("\n", "\\n")
        line = (
            f"{stamp}.{int(record.msecs):03d}Z level={record.levelname.lower()} "
            f'logger={record.name} msg="{message}"'
        )
        if record.exc_info:
            line += ' exc="' + self.formatException(record.exc_info).replace("\n", "\\n") + '"'
        return line


class _JsonFormatter(logging.Formatter):
    """One JSON object per line: ``ts``, ``level``, ``logger``, ``msg`` (and ``exc``)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(fmt: str = "text", level: int = logging.INFO, stream: Any = None) -> None:
    """Structured log lines on stderr (``text``: key=value; ``json``: one object per line).

    librdkafka's own lines (logger ``wfspec.kafka.client``) are shown from warnings up.
    """
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(_JsonFormatter() if fmt == "json" else _KeyValueFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("wfspec.kafka.client").setLevel(max(level, logging.WARNING))


def require_instruments(bundle: Any, names: Sequence[str]) -> None:
    """A usage error (exit 2) for the first of ``names`` the bundle lacks, with a "did you mean"
    and the instruments it has; ``wfspec run`` and ``wfspec serve`` say it alike."""
    from wfspec.compiler import did_you_mean

    known = sorted(bundle.instruments)
    for name in names:
        if name not in known:
            close = did_you_mean(name, known)
            hint = f" (did you mean {close!r}?)" if close else ""
            raise click.UsageError(
                f"instrument {name!r} is not in the bundle{hint}; it has: {', '.join(known)}"
            )
