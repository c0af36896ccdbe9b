"""``wfspec demo``: the whole system on one machine, in one command, for a newcomer.

Stages, each announced on one line: compile the specs (only if the bundle is out of date) ->
start the embedded broker on a free loopback port -> start the runtime -> start the simulated
backend -> play the demo scenario (``demo_scenario.play``: register a correlation-histogram
instance, commit three workflows) -> show the live workflow table until ``--duration`` or
Ctrl-C. Everything started is stopped again in reverse order, whatever happens.

Exit code 0 when every committed workflow reached ``active``; 1 otherwise (the table says why).
"""

from __future__ import annotations

import contextlib
import logging
import math
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from .options import configure_logging

__all__ = ["demo_command"]

INSTRUMENT = "dummy"


@click.command("demo")
@click.option(
    "--specs",
    "specs_dir",
    type=click.Path(exists=True, file_okay=False),
    default="specs",
    show_default=True,
    help="The spec folder to compile.",
)
@click.option(
    "--build",
    "build_dir",
    type=click.Path(file_okay=False),
    default="build",
    show_default=True,
    help="Where bundle.json is (re)written when the specs changed.",
)
@click.option(
    "--duration",
    type=float,
    default=None,
    help="Exit by itself after this many seconds (default: run until Ctrl-C).",
)
@click.option(
    "--state-dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Keep instances.yaml and jobs.yaml here [default: a temporary folder].",
)
@click.option(
    "--heartbeat-interval",
    type=float,
    default=2.0,
    show_default=True,
    help="Seconds between the simulated backend's heartbeats (the real backend's: 2).",
)
def demo_command(
    specs_dir: str,
    build_dir: str,
    duration: float | None,
    state_dir: str | None,
    heartbeat_interval: float,
) -> None:
    """Run the demo: embedded broker, simulated backend and the runtime, with a live table.

    It compiles the specs if needed, starts a Kafka-compatible broker (Tansu) on a free
    loopback port, registers a correlation-histogram template instance, commits a few
    workflows, and shows each workflow's state, sources reporting and last heartbeat age.
    Everything it started is stopped on exit, also on Ctrl-C.

    \b
    Examples:
      wfspec demo                  # until Ctrl-C
      wfspec demo --duration 20    # exit 0 once done if every workflow went active
    """
    configure_logging("text", logging.WARNING)
    say = _Announcer()
    bundle_path = _compile_if_needed(Path(specs_dir), Path(build_dir), say)
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        with _processes(bundle_path, state_dir, heartbeat_interval, say) as (runtime, plan):
            reached = _show(runtime, plan, duration, stop, say)
    finally:
        signal.signal(signal.SIGTERM, previous)
    missing = [str(wid) for wid, _ in plan.commits if wid not in reached]
    if missing:
        say.fail(f"never active: {', '.join(missing)} (see the message column above)")
        sys.exit(1)
    say.ok("every committed workflow went active")


class _Announcer:
    """Calm, aligned progress lines: ``  ✓ stage  detail``."""

    def __init__(self) -> None:
        from rich.console import Console

        self.console = Console(highlight=False)
        self._started = time.monotonic()

    def step(self, stage: str, detail: str) -> None:
        elapsed = time.monotonic() - self._started
        self.console.print(f"  [green]✓[/] {elapsed:5.1f} s  {stage:<9} {detail}", overflow="fold")

    def ok(self, text: str) -> None:
        self.console.print(f"[green]done[/]: {text}")

    def fail(self, text: str) -> None:
        self.console.print(f"[red]demo failed[/]: {text}")


def _compile_if_needed(specs: Path, build: Path, say: _Announcer) -> Path:
    from wfspec.compiler import atomic_write as write_atomic
    from wfspec.compiler import compile_paths, render

    target = build / "bundle.json"
    result = compile_paths([specs])
    if not result.ok:
        render("text", result.check, sys.stderr)
        raise click.ClickException(
            f"{specs}/ does not compile; fix the problems above (wfspec check {specs}/)"
        )
    assert result.data is not None
    if target.is_file() and target.read_bytes() == result.data:
        say.step("compile", f"{target} is up to date")
    else:
        write_atomic(target, result.data)
        say.step("compile", f"{specs}/ -> {target}")
    return target


@contextlib.contextmanager
def _processes(
    bundle_path: Path, state_dir: str | None, heartbeat_interval: float, say: _Announcer
) -> Iterator[tuple[Any, Any]]:
    """Broker, runtime, simulator and the scenario; stopped in reverse order on the way out."""
    from wfspec.compiler import load_bundle
    from wfspec.runtime.app import Runtime
    from wfspec.runtime.broker import EmbeddedBroker
    from wfspec.runtime.demo_scenario import play
    from wfspec.runtime.simulator import SimulatedBackend

    bundle = load_bundle(bundle_path)
    with contextlib.ExitStack() as stack:
        folder = state_dir or stack.enter_context(tempfile.TemporaryDirectory(prefix="wfspec-"))
        broker = stack.enter_context(EmbeddedBroker())
        say.step("broker", f"Tansu on {broker.bootstrap_servers} (in memory)")
        kafka = {"bootstrap.servers": broker.bootstrap_servers}
        runtime = stack.enter_context(Runtime(bundle, INSTRUMENT, kafka=kafka, state_dir=folder))
        say.step("runtime", f"{INSTRUMENT}: {len(runtime.registry)} workflows, state in {folder}")
        services = sorted(
            {
                spec.service_name
                for wid, spec in bundle.workflows.items()
                if wid.instrument == INSTRUMENT and spec.executor is None
            }
        )
        stack.enter_context(
            SimulatedBackend(
                kafka,
                INSTRUMENT,
                runtime.registry.get,
                services=services,
                heartbeat_interval_s=heartbeat_interval,
            )
        )
        say.step("backend", f"simulated services: {', '.join(services)}")
        plan = play(runtime.registry, runtime, log=lambda text: say.step("scenario", text))
        yield runtime, plan
        say.step("stop", "simulator, runtime and broker")


def _show(runtime: Any, plan: Any, duration: float | None, stop: threading.Event, say: Any) -> set:
    """The live table until ``duration``/Ctrl-C/SIGTERM; returns the workflows seen active."""
    from rich.console import Group
    from rich.live import Live

    from .live_view import render_rows, workflow_rows

    committed = {wid for wid, _ in plan.commits}
    reached: set = set()
    started = time.monotonic()
    deadline = math.inf if duration is None else started + duration

    def frame() -> Any:
        rows = workflow_rows(runtime.orchestrator, now=runtime.status_time())
        reached.update(
            wid for wid in committed if any(r["workflow_id"] == str(wid) for r in _active(rows))
        )
        counters = runtime.counters
        broker = "connected" if runtime.connected else "[red]unreachable: every status stale[/]"
        footer = (
            f"broker {broker} · heartbeats routed {counters.get('router.jobs', 0)} jobs / "
            f"{counters.get('router.services', 0)} services · "
            f"{time.monotonic() - started:.0f} s"
            + ("" if duration is None else f" of {duration:.0f} s")
            + (" · Ctrl-C to stop" if duration is None else "")
        )
        return Group(render_rows(rows, title="Workflows (dummy)"), footer)

    try:
        with Live(frame(), console=say.console, auto_refresh=False) as live:
            while not stop.wait(0.5) and time.monotonic() < deadline:
                live.update(frame(), refresh=True)
            live.update(frame(), refresh=True)
        say.console.print()
    except KeyboardInterrupt:
        pass
    return reached


def _active(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [row for row in rows if row["state"] == "active"]
