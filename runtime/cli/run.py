"""``wfspec run``: the runtime as a long-running service, one Runtime per instrument.

It loads the bundle, connects to Kafka, re-attaches the jobs recorded in ``jobs.yaml`` and then
routes heartbeats and acks until SIGINT or SIGTERM, logging structured lines (state changes of
workflows, broker outages and recoveries, and a counters line every ``--stats-interval``).
"""

from __future__ import annotations

import logging
import math
import signal
import threading
import time
from typing import Any

import click

from .options import (
    bundle_option,
    configure_logging,
    kafka_options,
    kafka_settings,
    require_instruments,
)

__all__ = ["run_command"]

log = logging.getLogger("wfspec.runtime.run")


@click.command("run")
@bundle_option(required=True, exists=True)
@kafka_options
@click.option(
    "--instrument",
    "instruments",
    multiple=True,
    required=True,
    help="Instrument to follow; repeat for several (one runtime each).",
)
@click.option(
    "--state-dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Folder of <instrument>/instances.yaml and jobs.yaml [default: $XDG_STATE_HOME/wfspec].",
)
@click.option("--log-format", type=click.Choice(["text", "json"]), default="text")
@click.option(
    "--stats-interval",
    type=float,
    default=60.0,
    show_default=True,
    help="Seconds between counters lines in the log.",
)
@click.option(
    "--duration",
    type=float,
    default=None,
    help="Stop by itself after this many seconds (for scripts and smoke tests).",
)
def run_command(
    bundle_path: str,
    bootstrap_servers: str | None,
    kafka_config: str | None,
    instruments: tuple[str, ...],
    state_dir: str | None,
    log_format: str,
    stats_interval: float,
    duration: float | None,
) -> None:
    """Run the runtime: route heartbeats and acks into per-job state until SIGINT/SIGTERM.

    Jobs keep running when it stops; the next start re-attaches them from jobs.yaml.

    \b
    Example:
      wfspec run --bundle build/bundle.json --bootstrap-servers localhost:9092 --instrument dummy
    """
    from wfspec.compiler import WfspecError, load_bundle
    from wfspec.runtime.app import Runtime
    from wfspec.runtime.heap import freeze_startup_heap

    configure_logging(log_format)
    settings = kafka_settings(bootstrap_servers, kafka_config)
    try:
        bundle = load_bundle(bundle_path)
    except WfspecError as exc:
        hint = "rebuild it with 'wfspec compile specs/ -o build/'"
        raise click.ClickException(f"{exc} ({hint})") from None
    require_instruments(bundle, instruments)
    stop = threading.Event()
    _on_signals(stop)
    runtimes: list[Any] = []
    try:
        for name in instruments:
            runtime = Runtime(bundle, name, kafka=settings, state_dir=state_dir)
            runtimes.append(runtime)
            runtime.start()
        frozen = freeze_startup_heap()  # full collections skip what lives as long as we do
        log.info(
            "running instruments=%s bootstrap=%s frozen_objects=%d",
            ",".join(instruments),
            _servers(settings),
            frozen,
        )
        started = next_stats = time.monotonic()
        deadline = math.inf if duration is None else started + duration
        while not stop.wait(0.2) and time.monotonic() < deadline:
            if time.monotonic() >= next_stats + stats_interval:
                next_stats = time.monotonic()
                for runtime in runtimes:
                    _log_counters(runtime)
    except WfspecError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        for runtime in runtimes:
            runtime.stop()
        log.info("stopped")


def _on_signals(stop: threading.Event) -> None:
    def handle(signum: int, _frame: Any) -> None:
        log.info("received %s: stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGINT, handle)
    signal.signal(signal.SIGTERM, handle)


def _servers(settings: dict[str, Any]) -> str:
    return str(settings.get("bootstrap.servers", "?"))


def _log_counters(runtime: Any) -> None:
    counts = " ".join(f"{k}={v}" for k, v in sorted(runtime.counters.items()))
    connected = runtime.connected
    log.info("counters instrument=%s connected=%s %s", runtime.instrument, connected, counts)
