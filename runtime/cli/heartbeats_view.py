"""The state view behind ``heartbeats replay`` (and ``heartbeats watch``): build a fresh
runtime, route heartbeats into it, and report workflows, jobs and services as rows.

Collect, then report: :func:`collect_view` turns a runtime into plain rows (:class:`RuntimeView`),
:func:`render_text` / :func:`render_json` alone decide how they look.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from wfspec.compiler import WfspecError, WorkflowId

from ..clock import Clock, SystemClock
from ..commands import RecordingSink
from ..orchestrator import JobOrchestrator
from ..status_router import StatusRouter
from ..workflow_status import headline


class ReplayError(WfspecError):
    """A bundle or store that cannot be loaded (the message names the file and the fix)."""


@dataclass
class RuntimeView:
    """Plain rows of a runtime's state at one moment."""

    workflows: list[dict[str, Any]] = field(default_factory=list)
    jobs: list[dict[str, Any]] = field(default_factory=list)
    services: list[dict[str, Any]] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)


class NoRecords:
    """A fresh runtime's job records: none. Replays never commit, so nothing is written."""

    def load(self) -> dict[WorkflowId, dict[str, Any]]:
        return {}

    def put(self, workflow_id: WorkflowId, record: dict[str, Any]) -> None:
        raise ReplayError("a replay never commits jobs")

    def remove(self, workflow_id: WorkflowId) -> None:
        raise ReplayError("a replay never removes job records")


def load_registry(bundle_path: Path, store_path: Path | None) -> Any:
    """The registry of a bundle (+ the template instances of an instances.yaml, if given)."""
    from wfspec.compiler import load_bundle
    from wfspec.runtime import instance_store, registry

    try:
        bundle = load_bundle(bundle_path)
    except WfspecError as exc:
        raise ReplayError(f"{bundle_path}: {exc} (rebuild it with 'wfspec compile')") from None
    store = instance_store.InstanceStore(store_path) if store_path is not None else None
    try:
        loaded = registry.WorkflowRegistry(bundle, store)
    except WfspecError as exc:
        raise ReplayError(f"{store_path}: {exc}") from None
    if loaded.problems:  # a bad store is reported, not raised, by the registry
        raise ReplayError(loaded.problems[0])
    return loaded


def build_runtime(
    registry: Any, clock: Clock | None = None
) -> tuple[JobOrchestrator, StatusRouter]:
    """A fresh orchestrator (no records, commands recorded not sent) and its router."""
    clock = clock or SystemClock()
    orchestrator = JobOrchestrator(registry, NoRecords(), RecordingSink(), clock=clock)
    return orchestrator, StatusRouter.for_runtime(orchestrator, clock=clock)


def replay(bundle_path: Path, store_path: Path | None, files: Sequence[Path]) -> RuntimeView:
    """Route each file's message, in the order given, into a fresh runtime; return its view."""
    orchestrator, router = build_runtime(load_registry(bundle_path, store_path))
    for path in files:
        router.route(path.read_bytes())
    return collect_view(orchestrator, router)


def collect_view(
    orchestrator: JobOrchestrator, router: StatusRouter, now: float | None = None
) -> RuntimeView:
    """Rows of every workflow with state, every job seen and every worker seen."""
    now = orchestrator.clock.monotonic() if now is None else now
    view = RuntimeView()
    for wid, status in orchestrator.workflow_statuses(now=now).items():
        view.workflows.append(
            {
                "workflow_id": str(wid),
                "state": status.state.value,
                "job_number": str(status.job_number) if status.job_number else None,
                "config_known": status.config_known,
                "sources": {
                    s.source_name: (s.state.value if s.state else None)
                    if s.fresh
                    else f"stale ({s.state.value})"
                    if s.state
                    else "no status"
                    for s in status.sources
                },
                "summary": status.summary,
            }
        )
    job_service = router.job_service
    if job_service is not None:
        stale_after = job_service.stale_after_s
        observed = sorted(
            job_service.snapshot().values(),
            key=lambda o: (str(o.status.workflow_id), o.status.job_id.source_name),
        )
        for o in observed:
            s = o.status
            message = s.error or s.warning
            view.jobs.append(
                {
                    "workflow_id": str(s.workflow_id),
                    "source_name": s.job_id.source_name,
                    "job_number": str(s.job_id.job_number),
                    "state": s.state.value,
                    "fresh": o.is_fresh(now, stale_after),
                    "age_s": round(o.age(now), 3),
                    "message": headline(message) if message else None,
                }
            )
    registry = router.service_registry
    if registry is not None:
        for o in registry.workers():
            s = o.status
            view.services.append(
                {
                    "instrument": s.instrument,
                    "service_name": s.service_name,
                    "worker_id": s.worker_id,
                    "state": s.state.value,
                    "fresh": o.is_fresh(now, registry.stale_after_s),
                    "active_job_count": s.active_job_count,
                    "error": headline(s.error) if s.error else None,
                }
            )
    view.counters = {**router.counters, **_prefixed(orchestrator.counters, "orchestrator.")}
    return view


def _prefixed(counts: Mapping[str, int], prefix: str) -> dict[str, int]:
    return {prefix + k: v for k, v in counts.items()}


def render_json(view: RuntimeView) -> str:
    return json.dumps(asdict(view), indent=2, ensure_ascii=False)


def render_text(view: RuntimeView, console: Any = None) -> None:
    """Print the rich tables of :func:`view_tables`."""
    from rich.console import Console

    console = console or Console()
    for renderable in view_tables(view):
        console.print(renderable)


def view_tables(view: RuntimeView) -> list[Any]:
    """Rich tables: workflows, jobs, services, then a counters line (``watch`` refreshes them)."""
    from rich.table import Table

    out: list[Any] = []
    table = Table(title="Workflows", title_justify="left")
    for column in ("workflow", "state", "sources", "config", "summary"):
        table.add_column(column, overflow="fold")
    for w in view.workflows:
        sources = ", ".join(f"{k}={v}" for k, v in w["sources"].items())
        config = "known" if w["config_known"] else "unknown (adopted)"
        table.add_row(w["workflow_id"], w["state"], sources, config, w["summary"] or "")
    out.append(table)
    table = Table(title="Jobs", title_justify="left")
    for column in ("workflow", "source", "job_number", "state", "fresh", "message"):
        table.add_column(column, overflow="fold")
    for j in view.jobs:
        table.add_row(
            j["workflow_id"],
            j["source_name"],
            j["job_number"],
            j["state"],
            "yes" if j["fresh"] else "stale",
            j["message"] or "",
        )
    out.append(table)
    table = Table(title="Services", title_justify="left")
    for column in ("instrument", "service", "worker", "state", "fresh", "jobs", "error"):
        table.add_column(column, overflow="fold")
    for s in view.services:
        table.add_row(
            s["instrument"],
            s["service_name"],
            s["worker_id"],
            s["state"],
            "yes" if s["fresh"] else "stale",
            str(s["active_job_count"]),
            s["error"] or "",
        )
    out.append(table)
    counts = ", ".join(f"{k}={v}" for k, v in sorted(view.counters.items()) if v)
    out.append(f"counters: {counts or 'none'}")
    return out
