"""``wfspec heartbeats watch``: the replay view, fed live from the heartbeat topic.

The same fresh, read-only runtime as ``replay`` (registry + orchestrator that adopts the jobs it
sees, nothing sent, nothing written), with a :class:`TopicConsumer` routing batches into it.
Collect (``collect_view``) and render (``render_text``/``render_json``) are shared with replay.
"""

from __future__ import annotations

import math
import signal
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from wfspec.compiler import WfspecError

from .heartbeats_view import (
    ReplayError,
    RuntimeView,
    build_runtime,
    collect_view,
    load_registry,
    render_json,
    render_text,
    view_tables,
)

__all__ = ["WatchError", "watch"]


class WatchError(WfspecError):
    """The bundle, store or cluster cannot be used (the message says which and what to do)."""


class _NoWorkflows:
    """The registry of a watch without ``--bundle``: no workflow is known, jobs stay job-level."""

    def get(self, workflow_id: Any) -> None:
        return None


def watch(
    settings: Mapping[str, Any],
    instrument: str,
    *,
    bundle_path: Path | None = None,
    store_path: Path | None = None,
    from_beginning: bool = False,
    duration: float | None = None,
    fmt: str = "text",
    refresh_s: float = 1.0,
) -> RuntimeView:
    """Follow the heartbeat topic until ``duration`` or Ctrl-C; print and return the last view."""
    from wfspec.runtime.kafka.consumer import TopicConsumer
    from wfspec.runtime.kafka.topics import KafkaUnreachable, Topics, ensure_topics

    try:
        registry = load_registry(bundle_path, store_path) if bundle_path else _NoWorkflows()
    except ReplayError as exc:
        raise WatchError(str(exc)) from None
    orchestrator, router = build_runtime(registry)
    topic = Topics(instrument).heartbeat
    try:
        ensure_topics(settings, [topic])
    except KafkaUnreachable as exc:
        raise WatchError(str(exc)) from None
    consumer = TopicConsumer(
        settings,
        {topic: router.route_batch},
        from_beginning=from_beginning,
        name="heartbeats watch",
    )

    def view() -> RuntimeView:
        now = orchestrator.clock.monotonic() if consumer.connected else math.inf
        return collect_view(orchestrator, router, now=now)

    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    deadline = math.inf if duration is None else time.monotonic() + duration
    consumer.start()
    try:
        if fmt == "text" and sys.stdout.isatty():
            _live(view, stop, deadline, refresh_s)
        else:
            while not stop.wait(min(0.2, max(0.0, deadline - time.monotonic()))):
                if time.monotonic() >= deadline:
                    break
    except KeyboardInterrupt:
        pass
    finally:
        consumer.stop()
        signal.signal(signal.SIGTERM, previous)
    final = view()
    if fmt == "json":
        print(render_json(final))
    else:
        render_text(final)
    return final


def _live(view: Any, stop: threading.Event, deadline: float, refresh_s: float) -> None:
    """Refresh the tables in place until stopped (the final state is printed after)."""
    from rich.console import Group
    from rich.live import Live

    def tables() -> Any:
        return Group(*view_tables(view()))

    with Live(tables(), transient=True, auto_refresh=False) as live:
        while not stop.wait(min(refresh_s, max(0.0, deadline - time.monotonic()))):
            if time.monotonic() >= deadline:
                break
            live.update(tables(), refresh=True)
