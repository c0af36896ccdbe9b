"""``wfspec heartbeats``: tools for people debugging a live system from captured heartbeats.

``decode`` shows what each raw x5f2 message says (or why it is rejected); ``replay`` routes a
capture, in order, into a fresh runtime (registry + orchestrator with adoption) and prints the
resulting per-workflow, per-job and per-service state. The codec and the runtime are imported
inside the commands: ``streaming_data_types`` stays out of ``wfspec check``'s import path.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from .options import bundle_option, format_option, kafka_options, kafka_settings, store_option

_KNOWN_INSTANCES = "An instances.yaml whose template instances count as known workflows too."


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def heartbeats() -> None:
    """Decode, replay or watch x5f2 heartbeats (files hold one raw Kafka record value each).

    \b
    Examples:
      wfspec heartbeats decode capture/*.x5f2
      wfspec heartbeats replay --bundle build/bundle.json capture/*.x5f2
      wfspec heartbeats watch --bootstrap-servers localhost:9092 --instrument dummy
    """


@heartbeats.command("decode")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
def decode_command(files: tuple[str, ...]) -> None:
    """Print one JSON line per message: the x5f2 fields and the parsed status, or the reason
    it was rejected. Exits 1 if any message was rejected.

    \b
    Example:
      wfspec heartbeats decode tests/data/heartbeats/job_active.x5f2
    """
    from wfspec.runtime.x5f2 import Rejection, X5f2Decoder

    decoder = X5f2Decoder(log_rejections=False)  # the reason is in the output
    rejected = 0
    for name in files:
        result = decoder.decode(Path(name).read_bytes())
        if isinstance(result, Rejection):
            rejected += 1
            line: dict[str, Any] = {
                "file": name,
                "ok": False,
                "reason": result.reason,
                "detail": result.detail,
            }
        else:
            line = {"file": name, "ok": True, **result.envelope._asdict()}
            line["nicos_status"] = result.nicos_status
            line["message_type"] = "job" if result.is_job else "service"
            line["status"] = result.status.model_dump(mode="json")
        click.echo(json.dumps(line, ensure_ascii=False))
    sys.exit(1 if rejected else 0)


@heartbeats.command("replay")
@bundle_option(
    required=True,
    exists=True,
    help="The compiled bundle (build/bundle.json) that defines the known workflows.",
)
@store_option(_KNOWN_INSTANCES)
@format_option()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
def replay_command(
    bundle_path: str, store_path: str | None, fmt: str, files: tuple[str, ...]
) -> None:
    """Route the messages, in the order given, into a fresh runtime and print the state:
    one row per workflow (id, aggregate state, sources, summary) and per job, and the
    services seen. Jobs of unknown job_numbers are adopted ("config unknown"); nothing is
    sent and nothing is written.

    \b
    Example:
      wfspec heartbeats replay --bundle build/bundle.json incident/*.x5f2 --format json
    """
    from wfspec.runtime.cli.heartbeats_view import ReplayError, render_json, render_text, replay

    try:
        state = replay(Path(bundle_path), store_path and Path(store_path), [Path(f) for f in files])
    except ReplayError as exc:
        raise click.ClickException(str(exc)) from None
    if fmt == "json":
        click.echo(render_json(state))
    else:
        render_text(state)


@heartbeats.command("watch")
@kafka_options
@click.option("--instrument", required=True, help="Instrument whose heartbeat topic to follow.")
@bundle_option(
    exists=True,
    default=None,
    help="Compiled bundle: name workflows and group their jobs (without: jobs and services only).",
)
@store_option(_KNOWN_INSTANCES)
@click.option("--from-beginning", is_flag=True, help="Start at the oldest heartbeat kept.")
@click.option(
    "--duration",
    type=float,
    default=None,
    help="Watch this many seconds, print the final state and exit (default: until Ctrl-C).",
)
@format_option()
def watch_command(
    bootstrap_servers: str | None,
    kafka_config: str | None,
    instrument: str,
    bundle_path: str | None,
    store_path: str | None,
    from_beginning: bool,
    duration: float | None,
    fmt: str,
) -> None:
    """Follow {instrument}_livedata_heartbeat and show what the backend reports: workflows
    (with --bundle), jobs and services, live. Read-only: nothing is sent or written.

    With --format text on a terminal the tables refresh in place; the final state is printed
    when it stops (after --duration, or Ctrl-C). While the broker is unreachable every row
    reads as stale.

    \b
    Examples:
      wfspec heartbeats watch --bootstrap-servers localhost:9092 --instrument dummy
      wfspec heartbeats watch --bootstrap-servers localhost:9092 --instrument dummy \\
          --bundle build/bundle.json --duration 10 --format json
    """
    from wfspec.runtime.cli.heartbeats_watch import WatchError, watch

    settings = kafka_settings(bootstrap_servers, kafka_config)
    try:
        watch(
            settings,
            instrument,
            bundle_path=bundle_path and Path(bundle_path),
            store_path=store_path and Path(store_path),
            from_beginning=from_beginning,
            duration=duration,
            fmt=fmt,
        )
    except WatchError as exc:
        raise click.ClickException(str(exc)) from None
