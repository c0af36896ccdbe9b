"""Workflow-level status: one state and one summary line per workflow, from its jobs' heartbeats.

Rules (docs/adr/0006-status-rules.md; tested in tests/status/):

1. No current JobSet -> ``stopped``.
2. A current JobSet but no *fresh* status from any of its sources -> ``pending``. A missing status
   counts as stale; after an explicit stop the backend sends no final heartbeat, so silence is
   the normal end of a job.
3. Otherwise the worst fresh state: error > warning > pending_context > scheduled > stopped >
   finishing > active. Stale sources do not vote; they are listed per source as not fresh.

The summary lists at most three distinct messages, errors first; identical messages from several
sources are grouped ("monitor1, monitor2: ..."); the rest are counted ("... and 2 more"). A
multi-line message is shown by its headline: the exception line of a Python traceback (its last
line), otherwise the first line. Full texts stay available per source.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING
from uuid import UUID

from wfspec.compiler.ids import WorkflowId

from .status import JobState

if TYPE_CHECKING:
    from .orchestrator import JobSet

SUMMARY_MAX_MESSAGES = 3
HEADLINE_MAX_CHARS = 200


class AggregateState(StrEnum):
    """The state of a whole workflow (see the module docstring for the rules)."""

    STOPPED = "stopped"
    PENDING = "pending"
    ERROR = "error"
    WARNING = "warning"
    PENDING_CONTEXT = "pending_context"
    SCHEDULED = "scheduled"
    FINISHING = "finishing"
    ACTIVE = "active"


SEVERITY: tuple[JobState, ...] = (
    JobState.ERROR,
    JobState.WARNING,
    JobState.PENDING_CONTEXT,
    JobState.SCHEDULED,
    JobState.STOPPED,
    JobState.FINISHING,
    JobState.ACTIVE,
)
"""Job states from worst to best: the worst fresh one is the workflow's state."""

_RANK = {state: rank for rank, state in enumerate(SEVERITY)}


@dataclass(frozen=True, slots=True)
class SourceStatus:
    """One source of the current JobSet: its last state (None if never heard) and freshness."""

    source_name: str
    state: JobState | None
    fresh: bool
    age_s: float | None
    error: str | None = None
    warning: str | None = None


@dataclass(frozen=True, slots=True)
class WorkflowStatus:
    """The aggregate view of a workflow at one moment."""

    workflow_id: WorkflowId
    state: AggregateState
    job_number: UUID | None
    sources: tuple[SourceStatus, ...]
    summary: str | None
    config_known: bool = True


def headline(text: str) -> str:
    """The line of a (possibly multi-line) message worth showing in a summary."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if not lines:
        return ""
    line = lines[-1] if lines[0].startswith("Traceback") else lines[0]
    if len(line) > HEADLINE_MAX_CHARS:
        line = line[: HEADLINE_MAX_CHARS - 1] + "…"
    return line


def summarize(errors: Iterable[tuple[str, str]], warnings: Iterable[tuple[str, str]]) -> str | None:
    """(source, message) pairs -> one line: errors first, identical ones grouped, at most 3."""
    groups: dict[tuple[int, str], list[str]] = {}
    for rank, pairs in ((0, errors), (1, warnings)):
        for source, text in pairs:
            groups.setdefault((rank, headline(text)), []).append(source)
    if not groups:
        return None
    ordered = sorted(groups.items(), key=lambda kv: (kv[0][0], min(kv[1]), kv[0][1]))
    parts = [
        f"{', '.join(sorted(sources))}: {text}"
        for (_, text), sources in ordered[:SUMMARY_MAX_MESSAGES]
    ]
    rest = len(ordered) - SUMMARY_MAX_MESSAGES
    if rest > 0:
        parts.append(f"... and {rest} more")
    return "; ".join(parts)


def aggregate(
    workflow_id: WorkflowId,
    current: JobSet | None,
    now: float,
    stale_after_s: float,
) -> WorkflowStatus:
    """Apply the rules to a JobSet snapshot at local monotonic time ``now``."""
    if current is None:
        return WorkflowStatus(workflow_id, AggregateState.STOPPED, None, (), None)
    sources: list[SourceStatus] = []
    worst: JobState | None = None
    errors: list[tuple[str, str]] = []
    warnings: list[tuple[str, str]] = []
    for source_name in sorted(current.jobs):
        job = current.jobs[source_name]
        status, received_at = job.status, job.received_at
        if status is None or received_at is None:
            sources.append(SourceStatus(source_name, None, False, None))
            continue
        age = now - received_at
        fresh = age <= stale_after_s
        sources.append(
            SourceStatus(source_name, status.state, fresh, age, status.error, status.warning)
        )
        if not fresh:
            continue
        if worst is None or _RANK[status.state] < _RANK[worst]:
            worst = status.state
        if status.error:
            errors.append((source_name, status.error))
        if status.warning:
            warnings.append((source_name, status.warning))
    state = AggregateState.PENDING if worst is None else AggregateState(worst.value)
    return WorkflowStatus(
        workflow_id,
        state,
        current.job_number,
        tuple(sources),
        summarize(errors, warnings),
        current.config_known,
    )
