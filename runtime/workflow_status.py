"""Workflow-level status: one state and one summary line per workflow, from its jobs' heartbeats.

Rules (docs/adr/0006-status-rules.md; tested in tests/status/):

1. No current JobSet -> ``stopped``.
2. A current JobSet but no *fresh* status from any of its sources -> ``pending``. A missing status
   counts as stale; after an explicit stop the backend sends no final heartbeat, so silence is
   the normal end of a job.
3. Otherwise the worst fresh state: error > warning > pending_context > scheduled > stopped >
   finishing > active. Stale sources do not vote; they are listed per source as not fresh.
4. The *last command outcome* (``last_command``, see :mod:`.command_outcome`) is shown with the
   status. A source of the current JobSet whose start the backend answered with ERR, and that
   has sent no fresh heartbeat since, is ``error`` with the ERR text (the job never ran: it
   will never beat). A current JobSet without fresh statuses whose start got no reply says so
   in the summary instead of reading ``pending`` without a word.

A source is fresh while its last heartbeat is younger than ``missed_beats`` beat intervals, never
less than ``min_stale_s`` nor more than ``stale_after_s`` (:func:`stale_threshold`). The beat
interval (:func:`beat_interval`) is the one its last heartbeat *reports* (the x5f2 envelope's
``update_interval``), or the gap between its last two heartbeats as received when that is longer:
a job is never judged faster than it is seen to beat (the backend 26.8.0 reports 1 s on job beats
that arrive every 2 s). A heartbeat that reports no interval (or 0) is judged on that gap alone,
and on :data:`DEFAULT_BEAT_S` until two arrived.

The summary lists at most three distinct messages, errors first; identical messages from several
sources are grouped ("monitor1, monitor2: ..."); the rest are counted ("... and 2 more"). A
multi-line message is shown by its headline: the exception line of a Python traceback (the
backend writes "Job failed to compute result." above it), otherwise the first line. Full texts
stay available per source.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING
from uuid import UUID

from wfspec.compiler import WorkflowId

from .command_outcome import CommandResult
from .status import JobState

if TYPE_CHECKING:
    from .orchestrator import JobSet

SUMMARY_MAX_MESSAGES = 3
HEADLINE_MAX_CHARS = 200
DEFAULT_MISSED_BEATS = 3.0
"""A source is stale after this many beat intervals without a heartbeat."""
DEFAULT_BEAT_S = 2.0
"""The beat interval assumed for a job that reports none, until two of its heartbeats arrived
(the backend's rhythm)."""
MIN_STALE_S = 1.0


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
    """One source of the current JobSet: its last state (None if never heard) and freshness.

    ``received_at`` is the local monotonic time of its last heartbeat and ``stale_at`` when it
    turns stale without another one (None: never heard, or already stale). ``rejected``: the
    backend refused its start (``error`` holds the ERR text) and it never beat since.
    """

    source_name: str
    state: JobState | None
    fresh: bool
    age_s: float | None
    error: str | None = None
    warning: str | None = None
    received_at: float | None = None
    stale_at: float | None = None
    rejected: bool = False


@dataclass(frozen=True, slots=True)
class WorkflowStatus:
    """The aggregate view of a workflow at one moment.

    ``last_command`` is the outcome of its last start or stop (None before any);
    ``removed`` is True once, in the change feed, for a workflow that was unregistered.
    """

    workflow_id: WorkflowId
    state: AggregateState
    job_number: UUID | None
    sources: tuple[SourceStatus, ...]
    summary: str | None
    config_known: bool = True
    last_command: CommandResult | None = None
    removed: bool = False

    @property
    def last_heartbeat_age_s(self) -> float | None:
        """Age of the newest heartbeat of any source (None if none was heard)."""
        ages = [s.age_s for s in self.sources if s.age_s is not None]
        return min(ages) if ages else None


def headline(text: str) -> str:
    """The line of a (possibly multi-line) message worth showing in a summary.

    For a message holding a Python traceback (anywhere: the backend writes "Job failed to
    compute result." above it) that is the exception line of the last traceback -- the first
    line after its indented frames -- not the notes printed below it; otherwise the first line.
    """
    raw = [line for line in text.strip().splitlines() if line.strip()]
    if not raw:
        return ""
    line = raw[0].strip()
    starts = [i for i, row in enumerate(raw) if row.startswith("Traceback (most recent call")]
    if starts:
        for row in raw[starts[-1] + 1 :]:
            if not row[:1].isspace():
                line = row.strip()
                break
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


def beat_interval(reported_s: float | None, observed_s: float | None) -> float:
    """The beat interval a source is judged on (seconds): see the module docstring.

    ``reported_s`` is the interval its last heartbeat reports (None or 0: none), ``observed_s``
    the gap between its last two heartbeats as received (None: fewer than two). The reported
    one rules, but never below the observed gap: the real backend writes 1000 ms on every job
    beat while its job beats arrive every ~2 s (tests/data/real-captures), and three reported
    seconds would leave one late beat between a running job and ``pending``.
    """
    observed = observed_s if observed_s is not None and observed_s > 0 else None
    if reported_s is None or reported_s <= 0:
        return DEFAULT_BEAT_S if observed is None else observed
    return reported_s if observed is None or observed <= reported_s else observed


def stale_threshold(
    reported_s: float | None,
    observed_s: float | None,
    stale_after_s: float,
    missed_beats: float | None = DEFAULT_MISSED_BEATS,
    min_stale_s: float = MIN_STALE_S,
) -> float:
    """Seconds without a heartbeat after which a source is stale: ``missed_beats`` times its
    :func:`beat_interval`, clamped to [``min_stale_s``, ``stale_after_s``].

    ``missed_beats=None`` turns the beat rule off: ``stale_after_s`` alone decides.
    """
    if missed_beats is None:
        return stale_after_s
    beat = beat_interval(reported_s, observed_s)
    return min(stale_after_s, max(min_stale_s, missed_beats * beat))


def aggregate(
    workflow_id: WorkflowId,
    current: JobSet | None,
    now: float,
    stale_after_s: float,
    last_command: CommandResult | None = None,
    *,
    missed_beats: float | None = DEFAULT_MISSED_BEATS,
    min_stale_s: float = MIN_STALE_S,
) -> WorkflowStatus:
    """Apply the rules to a JobSet snapshot at local monotonic time ``now``."""
    if current is None:
        return WorkflowStatus(
            workflow_id, AggregateState.STOPPED, None, (), None, last_command=last_command
        )
    rejected: dict[str, str] = {}
    if (
        last_command is not None
        and last_command.kind == "start"
        and last_command.job_number == current.job_number
    ):
        rejected = last_command.errors
    sources: list[SourceStatus] = []
    worst: JobState | None = None
    errors: list[tuple[str, str]] = []
    warnings: list[tuple[str, str]] = []
    for source_name in sorted(current.jobs):
        job = current.jobs[source_name]
        status, received_at = job.status, job.received_at
        fresh = False
        if status is not None and received_at is not None:
            age = now - received_at
            limit = stale_threshold(
                status.update_interval_s, job.beat_s, stale_after_s, missed_beats, min_stale_s
            )
            fresh = age <= limit
        if not fresh and source_name in rejected:
            text = rejected[source_name]
            sources.append(
                SourceStatus(
                    source_name,
                    JobState.ERROR,
                    True,
                    None if status is None else now - (received_at or now),
                    text,
                    received_at=received_at,
                    rejected=True,
                )
            )
            worst = JobState.ERROR
            errors.append((source_name, text))
            continue
        if status is None or received_at is None:
            sources.append(SourceStatus(source_name, None, False, None))
            continue
        sources.append(
            SourceStatus(
                source_name,
                status.state,
                fresh,
                age,
                status.error,
                status.warning,
                received_at,
                received_at + limit if fresh else None,
            )
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
    summary = summarize(errors, warnings)
    if summary is None and worst is None:
        summary = _silence(current.job_number, last_command)
    return WorkflowStatus(
        workflow_id,
        state,
        current.job_number,
        tuple(sources),
        summary,
        current.config_known,
        last_command,
    )


def _silence(job_number: UUID, last: CommandResult | None) -> str | None:
    """Why a current JobSet has no fresh status, when the last command tells."""
    if last is None or last.kind != "start" or last.job_number != job_number:
        return None
    if last.outcome == "no reply":
        return "no reply to the start (is the backend service running?)"
    if last.outcome == "refused":
        return last.message
    return None
