"""The live workflow table of ``wfspec demo`` and ``wfspec run --table``: one row per workflow.

Collect, then render: :func:`workflow_rows` reads the orchestrator's snapshots into plain rows
(workflow, state, sources reporting, last heartbeat age, message); :func:`render_rows` turns them
into a rich table that ``rich.live.Live`` refreshes in place. Rows are sorted by workflow id so
the table does not jump around between refreshes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = ["render_rows", "workflow_rows"]

_STATE_STYLE = {
    "active": "green",
    "error": "bold red",
    "warning": "yellow",
    "pending": "cyan",
    "scheduled": "cyan",
    "pending_context": "cyan",
    "stopped": "dim",
}


def workflow_rows(
    orchestrator: Any, now: float | None = None, *, only_committed: bool = True
) -> list[dict[str, Any]]:
    """Rows of every workflow the orchestrator tracks (only those ever committed by default)."""
    statuses = orchestrator.workflow_statuses(now=now)
    rows = []
    for wid in sorted(statuses, key=str):
        status = statuses[wid]
        if only_committed and status.job_number is None and not status.sources:
            continue
        sources = list(status.sources)
        ages = [s.age_s for s in sources if s.age_s is not None]
        rows.append(
            {
                "workflow_id": str(wid),
                "state": status.state.value,
                "sources_reporting": sum(1 for s in sources if s.fresh),
                "sources_total": len(sources),
                "last_heartbeat_age_s": round(min(ages), 1) if ages else None,
                "message": status.summary or "",
            }
        )
    return rows


def render_rows(rows: Iterable[dict[str, Any]], title: str = "Workflows") -> Any:
    """A rich Table of :func:`workflow_rows` (aligned, colour per state)."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title=title, title_justify="left", expand=False)
    table.add_column("workflow", no_wrap=True)
    table.add_column("state", no_wrap=True)
    table.add_column("sources", justify="right", no_wrap=True)
    table.add_column("last seen", justify="right", no_wrap=True)
    table.add_column("message", overflow="fold", max_width=60)
    for row in rows:
        age = row["last_heartbeat_age_s"]
        table.add_row(
            row["workflow_id"],
            Text(row["state"], style=_STATE_STYLE.get(row["state"], "")),
            f"{row['sources_reporting']}/{row['sources_total']}",
            "—" if age is None else f"{age:.1f} s ago",
            row["message"],
        )
    return table
