"""The JobOrchestrator: stages and commits jobs per workflow and routes job heartbeats into them.

Configuration flows one way: a user stages params per source, ``commit`` turns them into a JobSet
(one fresh job_number shared by all sources), persists it as a job record and sends, as one batch,
the stops of the old generation then one start per source. Heartbeats only ever *report*: they
fill the ``status`` of a JobConfig, found in O(1) through an index by job_number; they never
create configuration (status messages are not configuration).

Restart, adoption and other runtimes (docs/adr/0006-status-rules.md):

- recorded JobSets are loaded as they were (``attached=False``) and re-attached when their
  heartbeats arrive; no start is ever re-sent automatically;
- ``jobs.yaml`` is shared by every runtime of the instrument: :meth:`refresh_records` re-reads it
  when it changed on disk (one ``stat``) and takes the recorded JobSets as current;
- a running job of an unknown job_number of a known workflow without a current JobSet is adopted
  as "running, config unknown" (``config_known=False``), never persisted;
- a job is stopped only by a decision: the generation a commit or stop of this runtime replaced,
  or a set the records say is stopped. Such a stop is re-sent at most once per
  ``stop_resend_interval_s`` (30 s) per job_number while the job keeps running. A running job
  nobody here decided to stop -- another runtime's, or one no record claims (an *orphan*) -- is
  never stopped automatically; orphans are listed (:meth:`orphans`) and stopped only when a
  person asks (:meth:`stop_orphans`).

Threading: one routing thread calls :meth:`status_updated`; any thread may call the commands and
the readers. State sits behind one lock; readers get immutable snapshots and a ``version``
counter. Commands are handed to the sink outside the state lock, in order (a send lock).
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol
from uuid import UUID

from pydantic import ValidationError

from wfspec.compiler import (
    FieldError,
    UnknownWorkflow,
    WfspecError,
    WorkflowId,
    WorkflowSpec,
    did_you_mean,
)

from .clock import Clock, SystemClock
from .command_outcome import CommandResult
from .commands import CommandSink, JobAction, JobCommand, WorkflowConfigCommand
from .job_service import DEFAULT_JOB_STALE_AFTER_S
from .params_keys import unknown_param_keys
from .status import JobId, JobState, JobStatus, supersedes
from .workflow_status import DEFAULT_MISSED_BEATS, WorkflowStatus, aggregate

log = logging.getLogger(__name__)

Command = WorkflowConfigCommand | JobCommand

RUNNING_STATES = frozenset(
    {
        JobState.SCHEDULED,
        JobState.ACTIVE,
        JobState.WARNING,
        JobState.ERROR,
        JobState.PENDING_CONTEXT,
    }
)
"""States of a job that is still alive on the backend (``finishing``/``stopped`` are on the way
out and need no stop)."""

DEFAULT_STOP_RESEND_INTERVAL_S = 30.0
MAX_ADOPTED_SOURCES = 256
MAX_STOP_MARKS = 4096
MAX_ORPHANS = 4096
MIN_BEAT_GAP_S = 0.2
"""Heartbeats of one job closer than this (a batch after an outage) do not set its beat."""


class WorkflowLookup(Protocol):
    """What the orchestrator needs from the registry (``WorkflowRegistry`` provides it)."""

    def get(self, workflow_id: WorkflowId) -> WorkflowSpec | None: ...


class RecordsStore(Protocol):
    """What the orchestrator needs from the job-records store (``JobRecordsStore``)."""

    def load(self) -> Mapping[WorkflowId, dict[str, Any]]: ...

    def put(self, workflow_id: WorkflowId, record: dict[str, Any]) -> None: ...

    def remove(self, workflow_id: WorkflowId) -> None: ...


__all__ = [
    "JobConfig",
    "JobOrchestrator",
    "JobSet",
    "NothingStaged",
    "OrphanJob",
    "StageError",
    "UnknownWorkflow",
    "WorkflowState",
]


class StageError(WfspecError, ValueError):
    """A staged job does not validate; ``errors`` names each bad field."""

    def __init__(self, workflow_id: WorkflowId, errors: Sequence[FieldError]) -> None:
        self.workflow_id = workflow_id
        self.errors = tuple(errors)
        detail = "; ".join(str(e) for e in self.errors)
        super().__init__(f"cannot stage {workflow_id}: {detail}")


class NothingStaged(WfspecError, ValueError):
    """``commit`` of a workflow without staged jobs."""


# ----------------------------------------------------------------------------------------------
# Snapshots (what readers get)
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class JobConfig:
    """One job: validated params, aux sources, and its latest status (None: staged/not reported).

    ``received_at`` is the local monotonic time of that status; ``beat_s`` the interval between
    its last two heartbeats as received (None until two arrived). The interval the backend
    *reports* is the status's own (``status.update_interval_ms``); staleness weighs both
    (:func:`~.workflow_status.beat_interval`).
    """

    params: dict[str, Any]
    aux_source_names: dict[str, str]
    status: JobStatus | None = None
    received_at: float | None = None
    beat_s: float | None = None


@dataclass(frozen=True, slots=True)
class JobSet:
    """The jobs of one commit; all share ``job_number``.

    ``config_known`` is False for an adopted set (heartbeats seen, params unknown);
    ``attached`` is False for a set restored from the records until its first heartbeat.
    """

    job_number: UUID
    jobs: dict[str, JobConfig]
    config_known: bool = True
    attached: bool = True


@dataclass(frozen=True, slots=True)
class OrphanJob:
    """A running job of a known workflow that no JobSet here claims (see the module docstring)."""

    workflow_id: WorkflowId
    job_number: UUID
    sources: tuple[str, ...]
    state: JobState
    received_at: float


@dataclass(frozen=True, slots=True)
class WorkflowState:
    """A workflow's current and previous JobSets and the jobs staged for the next commit."""

    current: JobSet | None = None
    previous: JobSet | None = None
    staged_jobs: dict[str, JobConfig] = field(default_factory=dict)


# ----------------------------------------------------------------------------------------------
# Live state (behind the lock)
# ----------------------------------------------------------------------------------------------


class _LiveJobSet:
    __slots__ = (
        "attached",
        "aux",
        "config_known",
        "job_number",
        "params",
        "statuses",
        "stop_wanted",
    )

    def __init__(
        self,
        job_number: UUID,
        params: dict[str, dict[str, Any]],
        aux: dict[str, dict[str, str]],
        *,
        config_known: bool = True,
        attached: bool = True,
    ) -> None:
        self.job_number = job_number
        self.params = params
        self.aux = aux
        # source -> [status, received_at, beat_s]: mutable so that a heartbeat costs one store
        self.statuses: dict[str, list] = {}
        self.config_known = config_known
        self.attached = attached
        self.stop_wanted = False
        """True once this runtime (or the records) decided this set must stop."""

    def sources(self) -> list[str]:
        return sorted(set(self.params) | set(self.statuses))

    def latest_start(self) -> int:
        return max((s.start_time or 0 for s, _ in self.statuses.values()), default=0)

    def snapshot(self) -> JobSet:
        jobs = {}
        for source in self.sources():
            status, received, beat = self.statuses.get(source, (None, None, None))
            jobs[source] = JobConfig(
                dict(self.params.get(source, {})),
                dict(self.aux.get(source, {})),
                status,
                received,
                beat,
            )
        return JobSet(self.job_number, jobs, self.config_known, self.attached)

    def to_record(self, state: str, committed_at: str) -> dict[str, Any]:
        return {
            "job_number": str(self.job_number),
            "state": state,
            "committed_at": committed_at,
            "jobs": {
                source: {
                    "params": dict(self.params[source]),
                    "aux_source_names": dict(self.aux.get(source, {})),
                }
                for source in sorted(self.params)
            },
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> tuple[_LiveJobSet, str]:
        jobs = record["jobs"]
        live = cls(
            UUID(str(record["job_number"])),
            {str(s): dict(j.get("params") or {}) for s, j in jobs.items()},
            {str(s): dict(j.get("aux_source_names") or {}) for s, j in jobs.items()},
            attached=False,
        )
        return live, str(record.get("state", "committed"))


class _Entry:
    __slots__ = ("current", "previous", "staged", "workflow_id")

    def __init__(self, workflow_id: WorkflowId) -> None:
        self.workflow_id = workflow_id
        self.current: _LiveJobSet | None = None
        self.previous: _LiveJobSet | None = None
        self.staged: dict[str, tuple[dict[str, Any], dict[str, str]]] = {}


@dataclass(slots=True)
class _StopMark:
    sent_at: float
    sources: set[str]
    workflow_id: WorkflowId | None = None


class JobOrchestrator:
    """Stages/commits JobSets per workflow and routes job heartbeats into them (see module doc)."""

    def __init__(
        self,
        registry: WorkflowLookup,
        records_store: RecordsStore,
        command_sink: CommandSink,
        clock: Clock | None = None,
        *,
        job_stale_after_s: float = DEFAULT_JOB_STALE_AFTER_S,
        stop_resend_interval_s: float = DEFAULT_STOP_RESEND_INTERVAL_S,
        missed_beats: float | None = DEFAULT_MISSED_BEATS,
        last_command: Callable[[WorkflowId], CommandResult | None] | None = None,
    ) -> None:
        self._registry = registry
        self._records = records_store
        self._sink = command_sink
        self._clock = clock or SystemClock()
        self.job_stale_after_s = job_stale_after_s
        """The longest a source stays fresh without a heartbeat (the beat rule's ceiling)."""
        self.missed_beats = missed_beats
        """A source is stale after this many beat intervals (None: ``job_stale_after_s``)."""
        self.stop_resend_interval_s = stop_resend_interval_s
        self._last_command = last_command
        self._orphans: dict[UUID, list] = {}
        self._records_stamp: object = None
        self._lock = threading.RLock()
        self._send_lock = threading.RLock()
        self._entries: dict[WorkflowId, _Entry] = {}
        self._index: dict[UUID, tuple[_Entry, _LiveJobSet]] = {}
        self._stop_marks: dict[UUID, _StopMark] = {}
        self._counters: dict[str, int] = {}
        self._version = 0
        self._restore()
        subscribe = getattr(registry, "subscribe", None)
        if callable(subscribe):
            subscribe(self._on_registry_event)

    # -- readers --------------------------------------------------------------------------------

    @property
    def clock(self) -> Clock:
        """The clock staleness is measured with (status is computed at ``clock.monotonic()``)."""
        return self._clock

    @property
    def version(self) -> int:
        """Increases on every change of configuration or of a reported status."""
        return self._version

    @property
    def counters(self) -> dict[str, int]:
        """Snapshot of event counts (unknown_workflow, unknown_source, adopted, stops_resent...)."""
        with self._lock:
            return dict(self._counters)

    def state(self, workflow_id: WorkflowId) -> WorkflowState:
        """A snapshot of one workflow's state (empty if nothing was ever staged or seen)."""
        with self._lock:
            entry = self._entries.get(workflow_id)
            return WorkflowState() if entry is None else self._snapshot(entry)

    def workflow_ids(self) -> list[WorkflowId]:
        """Every workflow with staged jobs or a job set, sorted by id (no snapshot is taken)."""
        with self._lock:
            return sorted(self._entries)

    def states(self) -> dict[WorkflowId, WorkflowState]:
        """Snapshots of every workflow with staged jobs or a job set, sorted by id."""
        with self._lock:
            return {wid: self._snapshot(self._entries[wid]) for wid in sorted(self._entries)}

    def workflow_status(self, workflow_id: WorkflowId, now: float | None = None) -> WorkflowStatus:
        """The aggregate status of one workflow at local time ``now`` (default: the clock)."""
        now = self._clock.monotonic() if now is None else now
        current = self.state(workflow_id).current
        return self._aggregate(workflow_id, current, now)

    def workflow_statuses(
        self, workflow_ids: Sequence[WorkflowId] | None = None, now: float | None = None
    ) -> dict[WorkflowId, WorkflowStatus]:
        """Aggregate statuses of the given workflows (default: every one with state)."""
        now = self._clock.monotonic() if now is None else now
        if workflow_ids is None:
            states = self.states()
            ids = sorted(states)
        else:  # only the asked ones: the status feed asks for a few, many times a second
            ids = list(workflow_ids)
            with self._lock:
                entries = self._entries
                states = {w: self._snapshot(entries[w]) for w in ids if w in entries}
        return {
            wid: self._aggregate(wid, states.get(wid, WorkflowState()).current, now) for wid in ids
        }

    def _aggregate(self, wid: WorkflowId, current: JobSet | None, now: float) -> WorkflowStatus:
        last = self._last_command(wid) if self._last_command is not None else None
        return aggregate(
            wid, current, now, self.job_stale_after_s, last, missed_beats=self.missed_beats
        )

    def workflow_of_job(self, job_number: UUID) -> WorkflowId | None:
        """The workflow a job_number belongs to (current, previous, or one a stop went to)."""
        with self._lock:
            hit = self._index.get(job_number)
            if hit is not None:
                return hit[0].workflow_id
            mark = self._stop_marks.get(job_number)
            if mark is not None:
                return mark.workflow_id
            orphan = self._orphans.get(job_number)
            return None if orphan is None else orphan[0]

    def job_alive(self, job_number: UUID, source_name: str) -> bool:
        """True when a running status of that job was received (the backend runs it)."""
        with self._lock:
            hit = self._index.get(job_number)
            if hit is not None:
                held = hit[1].statuses.get(source_name)
                return held is not None and held[0].state in RUNNING_STATES
            orphan = self._orphans.get(job_number)
            return orphan is not None and source_name in orphan[1]

    def orphans(self) -> list[OrphanJob]:
        """Running jobs of known workflows that no JobSet here (nor the records) claims."""
        with self._lock:
            return [
                OrphanJob(wid, number, tuple(sorted(sources)), state, received)
                for number, (wid, sources, state, received) in self._orphans.items()
            ]

    # -- commands -------------------------------------------------------------------------------

    def stage(
        self,
        workflow_id: WorkflowId,
        source_name: str,
        params: Mapping[str, Any] | None = None,
        aux_source_names: Mapping[str, str] | None = None,
    ) -> JobConfig:
        """Validate and stage one job for the next commit; raises StageError / UnknownWorkflow."""
        spec = self._spec(workflow_id)
        errors: list[FieldError] = []
        if source_name not in spec.source_names:
            allowed = ", ".join(spec.source_names) or "none"
            errors.append(
                FieldError(
                    "source_name",
                    f"not a source of {workflow_id} (allowed: {allowed})",
                    source_name,
                )
            )
        validated: dict[str, Any] = {}
        errors.extend(unknown_param_keys(spec.params, params or {}))
        try:
            validated = spec.params.model_validate(dict(params or {})).model_dump(mode="json")
        except ValidationError as exc:
            for err in exc.errors():
                if err["type"] == "extra_forbidden":
                    continue  # reported by unknown_param_keys, with a suggestion
                loc = ".".join(str(p) for p in err["loc"]) or "params"
                errors.append(FieldError(f"params.{loc}", err["msg"], err.get("input")))
        aux = self._validate_aux(spec, dict(aux_source_names or {}), errors)
        if errors:
            raise StageError(workflow_id, errors)
        with self._lock:
            self._entry(workflow_id).staged[source_name] = (validated, aux)
            self._version += 1
        return JobConfig(dict(validated), dict(aux))

    def unstage(self, workflow_id: WorkflowId, source_name: str) -> None:
        """Remove a staged job (no-op if it was not staged)."""
        with self._lock:
            entry = self._entries.get(workflow_id)
            if entry is not None and entry.staged.pop(source_name, None) is not None:
                self._version += 1

    def commit(self, workflow_id: WorkflowId) -> JobSet:
        """Start the staged jobs as a new JobSet; stop the old generation in the same batch.

        The staged jobs are consumed: the next commit needs new ``stage`` calls. The record is
        persisted before anything is sent; if persisting or sending fails (refused locally),
        the old generation stays current and running, its record is put back, the staged jobs
        stay staged, and the error propagates.
        """
        self._spec(workflow_id)
        self.refresh_records()
        with self._send_lock:
            with self._lock:
                entry = self._entry(workflow_id)
                if not entry.staged:
                    raise NothingStaged(f"nothing staged for {workflow_id}: stage a source first")
                staged = dict(entry.staged)
                new = _LiveJobSet(
                    uuid.uuid4(),
                    {s: dict(p) for s, (p, _) in staged.items()},
                    {s: dict(a) for s, (_, a) in staged.items()},
                )
                old = entry.current
                kept = old if old is not None else entry.previous
                old_record = (
                    kept.to_record("committed" if kept is old else "stopped", self._now_iso())
                    if kept is not None and kept.config_known
                    else None
                )
                now = self._clock.monotonic()
                batch: list[Command] = self._stop_commands(old, now, mark=False) if old else []
                message_id = uuid.uuid4()
                for source in sorted(new.params):
                    batch.append(
                        WorkflowConfigCommand(
                            identifier=workflow_id,
                            message_id=message_id,
                            job_id=JobId(source_name=source, job_number=new.job_number),
                            aux_source_names=dict(new.aux.get(source, {})),
                            params=dict(new.params[source]),
                        )
                    )
            self._records.put(workflow_id, new.to_record("committed", self._now_iso()))
            self._records_stamp = self._stamp()
            try:
                self._sink.send(batch)
            except BaseException:
                self._restore_record(workflow_id, old_record)
                raise
            with self._lock:
                if old is not None:
                    old.stop_wanted = True
                    self._mark(old.job_number, old.sources(), now, workflow_id)
                    self._replace_previous(entry, old)
                entry.current = new
                self._index[new.job_number] = (entry, new)
                for source, job in staged.items():
                    if entry.staged.get(source) is job:
                        del entry.staged[source]
                self._version += 1
                snapshot = new.snapshot()
        return snapshot

    def stop(self, workflow_id: WorkflowId) -> list[Command]:
        """Stop the current JobSet (kept as ``previous``); returns the stops sent (maybe none).

        If the stops cannot be sent the JobSet stays current and the error propagates.
        """
        with self._send_lock:
            with self._lock:
                entry = self._entries.get(workflow_id)
                current = entry.current if entry is not None else None
                if current is None:
                    return []
                record = (
                    current.to_record("stopped", self._now_iso()) if current.config_known else None
                )
                now = self._clock.monotonic()
                batch: list[Command] = self._stop_commands(current, now, mark=False)
            if record is not None:
                self._records.put(workflow_id, record)
                self._records_stamp = self._stamp()
            try:
                self._sink.send(batch)
            except BaseException:
                if record is not None:
                    self._restore_record(workflow_id, {**record, "state": "committed"})
                raise
            with self._lock:
                current.stop_wanted = True
                self._mark(current.job_number, current.sources(), now, workflow_id)
                self._replace_previous(entry, current)
                if entry.current is current:
                    entry.current = None
                self._version += 1
        return batch

    def stop_orphans(self, job_numbers: Iterable[UUID] | None = None) -> list[Command]:
        """Stop orphans (all listed by :meth:`orphans`, or those of ``job_numbers``): the one
        explicit clean-up action. The records are re-read first; a job any record claims, or
        that is current or previous here, is never stopped. Returns the stops sent."""
        self.refresh_records()
        wanted = None if job_numbers is None else {UUID(str(n)) for n in job_numbers}
        with self._send_lock:
            with self._lock:
                now = self._clock.monotonic()
                batch: list[Command] = []
                for number, (wid, sources, _state, _received) in list(self._orphans.items()):
                    if (wanted is not None and number not in wanted) or number in self._index:
                        continue
                    self._mark(number, sorted(sources), now, wid)
                    message_id = uuid.uuid4()
                    batch.extend(
                        JobCommand(
                            message_id=message_id,
                            job_id=JobId(source_name=source, job_number=number),
                            action=JobAction.STOP,
                        )
                        for source in sorted(sources)
                    )
                    del self._orphans[number]
                    log.info("stopping orphan job %s of %s on request", number, wid)
            if batch:
                self._sink.send(batch)
        return batch

    def workflow_unregistering(self, workflow_id: WorkflowId) -> None:
        """A template instance is about to be removed: stop its jobs, then forget it."""
        self.stop(workflow_id)
        with self._lock:
            entry = self._entries.pop(workflow_id, None)
            if entry is not None:
                for live in (entry.current, entry.previous):
                    if live is not None:
                        self._index.pop(live.job_number, None)
                self._version += 1
        try:
            self._records.remove(workflow_id)
        except Exception:  # the instance is gone either way; a leftover record is harmless
            log.warning("could not remove the job record of %s", workflow_id, exc_info=True)

    # -- routing --------------------------------------------------------------------------------

    def status_updated(self, status: JobStatus, received_at: float | None = None) -> None:
        """Route one job heartbeat (O(1)); never raises for any well-formed JobStatus."""
        now = self._clock.monotonic() if received_at is None else received_at
        self.statuses_updated((status,), now)

    def statuses_updated(self, statuses: Iterable[JobStatus], received_at: float) -> None:
        """Route heartbeats received at one moment: one lock round-trip per batch.

        The common case — a repeated heartbeat of a known job — is a dict lookup by job_number,
        a dict lookup by source and one store.
        """
        pending: list[Command] = []
        index = self._index
        with self._lock:
            for status in statuses:
                job_id = status.job_id
                hit = index.get(job_id.job_number)
                if hit is None:
                    commands = self._route_unknown(status, received_at)
                else:
                    held = hit[1].statuses.get(job_id.source_name)
                    if held is not None and held[0] is status and hit[1] is hit[0].current:
                        if received_at - held[1] >= MIN_BEAT_GAP_S:
                            held[2] = received_at - held[1]
                        held[1] = received_at
                        continue
                    commands = self._route_known(hit[0], hit[1], status, received_at)
                if commands:
                    pending.extend(commands)
        if pending:
            self._send_quietly(pending)

    def _route_known(
        self, entry: _Entry, live: _LiveJobSet, status: JobStatus, now: float
    ) -> list[Command] | None:
        source = status.job_id.source_name
        statuses = live.statuses
        held = statuses.get(source)
        if held is None:
            if source not in live.params and (
                live.config_known or len(statuses) >= MAX_ADOPTED_SOURCES
            ):
                self._count("unknown_source")
                return None
            statuses[source] = [status, now, None]
            changed = True
        else:
            old = held[0]
            if old is not status and not supersedes(status, old):
                self._count("older_ignored")
                return None
            changed = old is not status and old != status
            if now - held[1] >= MIN_BEAT_GAP_S:
                held[2] = now - held[1]
            held[0], held[1] = status, now
        if changed or not live.attached:
            live.attached = True
            self._version += 1
        if live.stop_wanted and live is not entry.current and status.state in RUNNING_STATES:
            return self._maybe_stop(entry.workflow_id, live.job_number, live.sources(), now)
        return None

    def _route_unknown(self, status: JobStatus, now: float) -> list[Command] | None:
        """A job no JobSet here claims: adopt it, or list it as an orphan. Never stop it."""
        workflow_id = status.workflow_id
        entry = self._entries.get(workflow_id)
        if entry is None:
            if self._registry.get(workflow_id) is None:
                self._count("unknown_workflow")
                return None
            entry = self._entry(workflow_id)
        job_id = status.job_id
        if status.state not in RUNNING_STATES:
            self._orphans.pop(job_id.job_number, None)
            self._count("unknown_job_not_running")
            return None
        current = entry.current
        newer_adoptee = (
            current is not None
            and not current.config_known
            and (status.start_time or 0) > current.latest_start()
        )
        if current is None or newer_adoptee:
            adopted = _LiveJobSet(job_id.job_number, {}, {}, config_known=False)
            adopted.statuses[job_id.source_name] = [status, now, None]
            if current is not None:
                self._replace_previous(entry, current)
            entry.current = adopted
            self._index[adopted.job_number] = (entry, adopted)
            self._orphans.pop(adopted.job_number, None)
            self._count("adopted")
            self._version += 1
            return None
        orphan = self._orphans.get(job_id.job_number)
        if orphan is None:
            if len(self._orphans) >= MAX_ORPHANS:
                del self._orphans[next(iter(self._orphans))]
            self._orphans[job_id.job_number] = [
                workflow_id,
                {job_id.source_name},
                status.state,
                now,
            ]
            self._count("orphans_seen")
            log.info(
                "job %s of %s is not ours and no record claims it (yet): left running",
                job_id.job_number,
                workflow_id,
            )
        else:
            orphan[1].add(job_id.source_name)
            orphan[2], orphan[3] = status.state, now
        return None

    def _maybe_stop(
        self, workflow_id: WorkflowId, job_number: UUID, sources: Sequence[str], now: float
    ) -> list[Command] | None:
        """Stops for a running job that is not current, at most once per resend interval."""
        mark = self._stop_marks.get(job_number)
        if mark is not None:
            mark.sources.update(sources)
            if now - mark.sent_at < self.stop_resend_interval_s:
                return None
            mark.sent_at = now
            self._stop_marks[job_number] = self._stop_marks.pop(job_number)  # most recent last
        else:
            mark = self._mark(job_number, sources, now, workflow_id)
        self._count("stops_resent")
        log.info(
            "re-sending stop to %s job %s (%s)",
            workflow_id,
            job_number,
            ", ".join(sorted(mark.sources)),
        )
        message_id = uuid.uuid4()
        return [
            JobCommand(
                message_id=message_id,
                job_id=JobId(source_name=source, job_number=job_number),
                action=JobAction.STOP,
            )
            for source in sorted(mark.sources)
        ]

    # -- helpers --------------------------------------------------------------------------------

    def _stop_commands(self, live: _LiveJobSet, now: float, *, mark: bool = True) -> list[Command]:
        sources = live.sources()
        if mark:
            self._mark(live.job_number, sources, now)
        message_id = uuid.uuid4()
        return [
            JobCommand(
                message_id=message_id,
                job_id=JobId(source_name=source, job_number=live.job_number),
                action=JobAction.STOP,
            )
            for source in sources
        ]

    def _mark(
        self,
        job_number: UUID,
        sources: Sequence[str],
        now: float,
        workflow_id: WorkflowId | None = None,
    ) -> _StopMark:
        """Remember when a stop went out; bounded (expired marks go first, then the oldest)."""
        if job_number not in self._stop_marks and len(self._stop_marks) >= MAX_STOP_MARKS:
            expired = [
                n
                for n, m in self._stop_marks.items()
                if now - m.sent_at >= self.stop_resend_interval_s
            ]
            for n in expired or list(self._stop_marks)[: MAX_STOP_MARKS // 10]:
                del self._stop_marks[n]
        mark = self._stop_marks.pop(job_number, None) or _StopMark(now, set())
        mark.sent_at = now
        mark.sources.update(sources)
        if workflow_id is not None:
            mark.workflow_id = workflow_id
        self._stop_marks[job_number] = mark
        return mark

    def _replace_previous(self, entry: _Entry, new_previous: _LiveJobSet) -> None:
        """Supersede: the old previous set and its statuses are dropped (bounded memory)."""
        if entry.previous is not None and entry.previous is not new_previous:
            self._index.pop(entry.previous.job_number, None)
        entry.previous = new_previous
        self._index[new_previous.job_number] = (entry, new_previous)

    def _spec(self, workflow_id: WorkflowId) -> WorkflowSpec:
        spec = self._registry.get(workflow_id)
        if spec is None:
            known = [str(w) for w in getattr(self._registry, "snapshot", dict)()]
            raise UnknownWorkflow(workflow_id, did_you_mean(str(workflow_id), known))
        return spec

    def _entry(self, workflow_id: WorkflowId) -> _Entry:
        entry = self._entries.get(workflow_id)
        if entry is None:
            entry = self._entries[workflow_id] = _Entry(workflow_id)
        return entry

    def _snapshot(self, entry: _Entry) -> WorkflowState:
        return WorkflowState(
            entry.current.snapshot() if entry.current is not None else None,
            entry.previous.snapshot() if entry.previous is not None else None,
            {s: JobConfig(dict(p), dict(a)) for s, (p, a) in sorted(entry.staged.items())},
        )

    @staticmethod
    def _validate_aux(
        spec: WorkflowSpec, given: dict[str, str], errors: list[FieldError]
    ) -> dict[str, str]:
        aux: dict[str, str] = {}
        for role in given:
            if role not in spec.aux_sources:
                known = ", ".join(sorted(spec.aux_sources)) or "none"
                errors.append(
                    FieldError(f"aux_source_names.{role}", f"unknown role (known: {known})", role)
                )
        for role, role_spec in sorted(spec.aux_sources.items()):
            stream = given.get(role, role_spec.default)
            if stream is None:
                errors.append(
                    FieldError(
                        f"aux_source_names.{role}",
                        f"choose a stream ({', '.join(role_spec.choices)})",
                        None,
                    )
                )
            elif stream not in role_spec.choices:
                errors.append(
                    FieldError(
                        f"aux_source_names.{role}",
                        f"not one of {', '.join(role_spec.choices)}",
                        stream,
                    )
                )
            else:
                aux[role] = stream
        return aux

    def _count(self, key: str) -> None:
        self._counters[key] = self._counters.get(key, 0) + 1

    def _now_iso(self) -> str:
        seconds = self._clock.wall_ns() / 1e9
        return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def _send_quietly(self, batch: list[Command]) -> None:
        """Sends from the routing path must never raise into it."""
        try:
            with self._send_lock:
                self._sink.send(batch)
        except Exception:
            log.warning("could not send %d stop command(s)", len(batch), exc_info=True)

    def _restore(self) -> None:
        """Load recorded JobSets (not yet attached); a bad record is reported and skipped."""
        self._records_stamp = self._stamp()
        records = self._load_records()
        with self._lock:
            for workflow_id, (live, state) in records.items():
                self._apply_record(workflow_id, live, state)

    def refresh_records(self) -> bool:
        """Re-read ``jobs.yaml`` if it changed on disk since last read (one ``stat``): another
        runtime of the instrument committed or stopped. Recorded committed sets become current
        (the set they replace is kept as previous and *not* stopped: whoever committed decided
        that); a recorded stop moves the set to previous. True if the file was re-read."""
        stamp = self._stamp()
        if stamp is None or stamp == self._records_stamp:
            return False
        with self._send_lock:  # never between a commit's record write and its state change
            stamp = self._stamp()
            if stamp == self._records_stamp:
                return False
            self._records_stamp = stamp
            records = self._load_records()
            with self._lock:
                for workflow_id, (live, state) in records.items():
                    self._apply_record(workflow_id, live, state)
        return True

    def _stamp(self) -> object:
        stamp = getattr(self._records, "stamp", None)
        return stamp() if callable(stamp) else None

    def _load_records(self) -> dict[WorkflowId, tuple[_LiveJobSet, str]]:
        try:
            records = self._records.load()
        except Exception:
            log.warning("could not load the job records; carrying on without them", exc_info=True)
            return {}
        loaded = {}
        for workflow_id, record in records.items():
            try:
                loaded[workflow_id] = _LiveJobSet.from_record(record)
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                log.warning("ignoring the job record of %s: %s", workflow_id, exc)
                continue
            if self._registry.get(workflow_id) is None:
                log.info("job record of %s: workflow not registered; kept, not loaded", workflow_id)
                del loaded[workflow_id]
        return loaded

    def _apply_record(self, workflow_id: WorkflowId, live: _LiveJobSet, state: str) -> None:
        """Take one record in (under the lock); a set already known keeps its statuses."""
        entry = self._entry(workflow_id)
        current = entry.current
        known = self._index.get(live.job_number)
        if known is not None and known[0] is entry:
            held = known[1]
            if not held.config_known and live.params:
                held.params, held.aux, held.config_known = live.params, live.aux, True
            live = held
        if state == "stopped":
            if not live.stop_wanted and live.job_number not in self._stop_marks:
                # whoever wrote the record sent the stop: repeat it only if the job still
                # runs a resend interval from now
                self._mark(live.job_number, live.sources(), self._clock.monotonic(), workflow_id)
            live.stop_wanted = True
            if current is live:
                entry.current = None
            if entry.previous is not live:
                self._replace_previous(entry, live)
        elif current is not live:
            if current is not None:
                self._replace_previous(entry, current)
            entry.current = live
            self._index[live.job_number] = (entry, live)
        else:
            return
        self._orphans.pop(live.job_number, None)
        self._version += 1

    def _restore_record(self, workflow_id: WorkflowId, record: dict[str, Any] | None) -> None:
        """Put the record back as it was before a refused commit or stop."""
        try:
            if record is None:
                self._records.remove(workflow_id)
            else:
                self._records.put(workflow_id, record)
            self._records_stamp = self._stamp()
        except Exception:
            log.warning("could not restore the job record of %s", workflow_id, exc_info=True)

    def _on_registry_event(self, event: Any, workflow_id: WorkflowId | None = None) -> None:
        """Registry listener: an instance about to be unregistered gets its jobs stopped first.

        The registry sends ``RegistryEvent(kind, workflow_id)`` (``runtime/registry.py``); the
        two-argument form ``(kind, workflow_id)`` is accepted too (simple fakes in tests).
        """
        kind = getattr(event, "kind", event)
        workflow_id = getattr(event, "workflow_id", workflow_id)
        if kind == "unregistering" and isinstance(workflow_id, WorkflowId):
            self.workflow_unregistering(workflow_id)
