"""The runtime, wired: one instrument's registry, orchestrator and status routing on Kafka.

This is what ``wfspec run`` and ``wfspec demo`` start and what a dashboard embeds::

    runtime = Runtime(load_bundle("build/bundle.json"), "dummy",
                      kafka={"bootstrap.servers": "localhost:9092"})
    with runtime:
        runtime.subscribe(print)             # statuses that changed, pushed from a thread
        runtime.stage(wid, "monitor1")
        outcome = runtime.commit(wid)        # JobSet + one ack ticket per message_id
        outcome.wait(5)                      # ERR text, if the backend rejected it
        runtime.workflow_statuses()          # per-workflow state, stale while Kafka is gone
        runtime.workflow_status(wid).last_command  # what became of the last start/stop

The pieces and the one direction data flows in (ADR 0008)::

    stage/commit -> JobOrchestrator -> RoutingCommandSink -+-> KafkaCommandSink -> _commands
                                                           +-> CorrelationExecutor (local jobs)
    _heartbeat -> TopicConsumer -> StatusRouter -> JobService, JobOrchestrator, ServiceRegistry
    _responses -> TopicConsumer -> PendingCommands (ack tickets: feedback, never state)
    _data      -> DataTopicConsumer -> CorrelationExecutor -> histograms back to _data

Heartbeats are routed on the consumer's thread in batches; readers (``workflow_statuses``,
``states``) take snapshots under the orchestrator's short lock and never wait for Kafka. A
ticker thread re-reads the instance store and the shared job records when they change on disk,
re-reports local jobs and expires ack tickets. A feed thread calls ``subscribe`` callbacks with
the statuses that changed (:mod:`.status_feed`).

Each workflow's last start or stop is kept with its ack ticket and shown in its status as the
*last command outcome* (:mod:`.command_outcome`): ERR text per source, no reply, refused.
"""

from __future__ import annotations

import contextlib
import logging
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

from wfspec.compiler import UnknownInstrument, WorkflowId, did_you_mean

from .clock import Clock, SystemClock
from .command_outcome import CommandKind, CommandResult
from .correlation.executor import CorrelationExecutor
from .correlation.publisher import DataTopicConsumer, KafkaDataPublisher
from .correlation.routing import RoutingCommandSink
from .instance_store import InstanceStore, default_state_dir
from .job_records import JobRecordsStore
from .job_service import DEFAULT_JOB_STALE_AFTER_S, JobService
from .kafka.acks import ACK_TIMEOUT_S, CommandTicket, PendingCommands
from .kafka.consumer import TopicConsumer
from .kafka.producer import KafkaCommandSink
from .kafka.topics import Topics, ensure_topics
from .lifecycle import StartStop
from .orchestrator import JobOrchestrator, JobSet, OrphanJob, WorkflowState
from .registry import WorkflowRegistry
from .service_registry import ServiceRegistry
from .status import JobState
from .status_feed import StatusCallback, StatusFeed
from .status_router import StatusRouter
from .workflow_status import DEFAULT_MISSED_BEATS, WorkflowStatus

__all__ = ["CommandOutcome", "Runtime"]

log = logging.getLogger(__name__)
_MAX_ACCEPTED = 10_000


@dataclass(frozen=True, slots=True)
class CommandOutcome:
    """What a commit or stop sent: the new JobSet (None for a stop) and the ack tickets.

    Local (in-process) workflows have no tickets. A ticket awaits only the replies the backend
    sends (none for a stop of a job it never ran). ``wait`` blocks until every ticket has its
    replies, an ERR, or ``timeout``; ``errors`` are the backend's ERR texts.
    """

    job_set: JobSet | None
    tickets: tuple[CommandTicket, ...]

    def wait(self, timeout: float | None = None) -> bool:
        return all(ticket.wait(timeout) for ticket in self.tickets)

    @property
    def errors(self) -> list[str]:
        return [error for ticket in self.tickets for error in ticket.errors]


class _TicketCapture:
    """Wraps the Kafka sink to hand the tickets of a send back to the thread that committed."""

    def __init__(self, sink: KafkaCommandSink) -> None:
        self._sink = sink
        self._local = threading.local()

    def send(self, batch: Sequence[Any]) -> list[CommandTicket]:
        tickets = self._sink.send(batch)
        captured = getattr(self._local, "tickets", None)
        if captured is not None:
            captured.extend(tickets)
        return tickets

    def close(self) -> None:
        self._sink.close()

    @contextlib.contextmanager
    def capture(self) -> Iterator[list[CommandTicket]]:
        tickets: list[CommandTicket] = []
        self._local.tickets = tickets
        try:
            yield tickets
        finally:
            self._local.tickets = None


class Runtime(StartStop):
    """One instrument's runtime on Kafka (see the module docstring).

    ``kafka`` is the client configuration, passed through to confluent-kafka unchanged
    (``bootstrap.servers``, ``security.protocol``, ``sasl.*``, ``ssl.*`` ...). ``state_dir``
    holds ``<instrument>/instances.yaml`` and ``<instrument>/jobs.yaml`` (default
    ``$XDG_STATE_HOME/wfspec``). Several runtimes (one per instrument) may share a process, and
    several runtimes of one instrument (dashboards, ``wfspec run``) may share a state folder:
    none stops a job another one started (ADR 0006).

    ``instrument`` must be one of the bundle's (:class:`UnknownInstrument` with a "did you
    mean" otherwise); the runtime lists and stages that instrument's workflows only.
    ``job_stale_after_s`` is the longest a job stays fresh without a heartbeat;
    ``missed_beats`` beat intervals without one make it stale sooner (None: off).
    """

    def __init__(
        self,
        bundle: Any,
        instrument: str,
        *,
        kafka: Mapping[str, Any],
        state_dir: str | Path | None = None,
        clock: Clock | None = None,
        job_stale_after_s: float = DEFAULT_JOB_STALE_AFTER_S,
        missed_beats: float | None = DEFAULT_MISSED_BEATS,
        ack_timeout_s: float = ACK_TIMEOUT_S,
        tick_interval_s: float = 1.0,
        local_heartbeat_interval_s: float = 2.0,
        correlation: bool = True,
    ) -> None:
        instruments = sorted(getattr(bundle, "instruments", None) or ())
        if instruments and instrument not in instruments:
            raise UnknownInstrument(instrument, instruments, did_you_mean(instrument, instruments))
        bundle.verify(instrument)  # a damaged entry stops the start, naming file and entry
        self.instrument = instrument
        self.topics = Topics(instrument)
        self._kafka = dict(kafka)
        self._clock = clock or SystemClock()
        folder = Path(state_dir) if state_dir is not None else default_state_dir()
        folder = folder / instrument
        self.registry = WorkflowRegistry(
            bundle,
            InstanceStore(folder / "instances.yaml", instrument=instrument),
            instrument=instrument,
        )
        for problem in self.registry.problems:
            log.warning("instance store: %s", problem)
        for stale in self.registry.stale():
            log.warning("instance %s kept in the file but not usable: %s", stale.key, stale.reason)
        self._commands_lock = threading.Lock()
        self._last_commands: dict[WorkflowId, Any] = {}
        self.pending = PendingCommands(
            timeout_s=ack_timeout_s, clock=self._clock, on_change=self._tickets_changed
        )
        kafka_sink = KafkaCommandSink(
            self._kafka, instrument, pending=self.pending, expects_reply=self._expects_reply
        )
        self._kafka_sink = kafka_sink
        self._backend = _TicketCapture(kafka_sink)
        self._publisher = KafkaDataPublisher(self._kafka, self.topics.data) if correlation else None
        self.executor = CorrelationExecutor(
            self.registry.get, report=self._report_local, publisher=self._publisher
        )
        sink = RoutingCommandSink(self.executor.handles, local=self.executor, backend=self._backend)
        self.orchestrator = JobOrchestrator(
            self.registry,
            JobRecordsStore(folder / "jobs.yaml"),
            sink,
            clock=self._clock,
            job_stale_after_s=job_stale_after_s,
            missed_beats=missed_beats,
            last_command=self.last_command,
        )
        sink.workflow_of_job = self.orchestrator.workflow_of_job
        kafka_sink.workflow_of_job = self.orchestrator.workflow_of_job
        self.feed = StatusFeed(
            self._statuses_for_feed,
            self.status_time,
            self._reportable,
            name=f"status feed {instrument}",
        )
        self.registry.subscribe(self._on_registry_event)
        self.job_service = JobService(self._clock)
        self.router = StatusRouter(
            job_sinks=[self.orchestrator.statuses_updated, self.feed.on_statuses],
            job_service=self.job_service,
            service_registry=ServiceRegistry(self._clock),
            clock=self._clock,
        )
        self._status_consumer = TopicConsumer(
            self._kafka,
            {
                self.topics.heartbeat: self.router.route_batch,
                self.topics.responses: self.pending.on_responses,
            },
            on_connection=self._on_connection,
            before_resubscribe=self._ensure_topics,
            name=f"runtime {instrument}",
        )
        self._data_consumer = (
            DataTopicConsumer(self._kafka, self.topics.data, self.executor.on_record)
            if correlation
            else None
        )
        self._tick = tick_interval_s
        self._local_beat = local_heartbeat_interval_s
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        self._last_states: dict[WorkflowId, str] = {}
        self._accepted: OrderedDict[tuple[UUID, str], None] = OrderedDict()

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self, wait_s: float = 15.0) -> Runtime:
        """Create the topics if missing, start the consumers and wait until they are assigned."""
        self._ensure_topics()
        consumers = [c for c in (self._status_consumer, self._data_consumer) if c is not None]
        for consumer in consumers:
            consumer.start()
        for consumer in consumers:
            if not consumer.wait_assigned(wait_s):
                log.warning("%s: no partitions assigned after %.0f s", consumer.name, wait_s)
        self._stop.clear()
        if self._data_consumer is not None:  # correlation off: no local job runs here
            self._resume_local_jobs()
        self.feed.start()
        self._ticker = threading.Thread(target=self._run_ticker, name="runtime ticker", daemon=True)
        self._ticker.start()
        log.info(
            "runtime started instrument=%s workflows=%d instances=%d",
            self.instrument,
            len(self.registry),
            sum(1 for wid in self.registry if self.registry.is_template_instance(wid)),
        )
        return self

    def stop(self) -> None:
        """Stop the threads and flush what is queued. Running jobs keep running (re-attached
        from ``jobs.yaml`` next time); use :meth:`stop_workflow` to stop them."""
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join(5)
            self._ticker = None
        self.feed.stop()
        for consumer in (self._status_consumer, self._data_consumer):
            if consumer is not None:
                consumer.stop()
        if self._publisher is not None:
            self._publisher.flush(2)
        self._backend.close()

    # -- commands (the dashboard's API) ---------------------------------------------------------

    def stage(
        self,
        workflow_id: WorkflowId | str,
        source_name: str,
        params: Mapping[str, Any] | None = None,
        aux_source_names: Mapping[str, str] | None = None,
    ) -> None:
        """Stage one source of a workflow for the next commit.

        ``params`` are merged over the spec's defaults and validated by its params model; an
        unknown key (``toa_edgez``) is refused by name with a suggestion. Raises
        ``UnknownWorkflow`` (with a "did you mean"; another instrument's workflow is unknown
        here) or ``StageError`` naming every bad field.
        """
        wid = WorkflowId.of(workflow_id)
        self.orchestrator.stage(wid, source_name, params, aux_source_names)
        self.feed.mark((wid,))

    def commit(self, workflow_id: WorkflowId | str) -> CommandOutcome:
        """Commit the staged jobs: stops for the old generation and starts, as one batch.

        The staged jobs are consumed. If the commit is refused before anything is sent (the
        broker is unreachable, the record cannot be written), the running generation stays
        current and running, the workflow's last command reads ``refused`` and the error
        propagates.
        """
        wid = WorkflowId.of(workflow_id)
        with self._backend.capture() as tickets:
            try:
                job_set = self.orchestrator.commit(wid)
            except Exception as exc:
                if self.registry.get(wid) is not None and self.orchestrator.state(wid).staged_jobs:
                    self._set_last_command(wid, CommandResult.refused("start", str(exc)))
                raise
        self._remember(wid, "start", job_set.job_number, list(job_set.jobs), tickets)
        return CommandOutcome(job_set, tuple(tickets))

    def stop_workflow(self, workflow_id: WorkflowId | str) -> CommandOutcome:
        """Stop the workflow's current jobs (the last command reads ``refused`` if the stops
        could not be sent; the jobs then stay current)."""
        wid = WorkflowId.of(workflow_id)
        with self._backend.capture() as tickets:
            try:
                batch = self.orchestrator.stop(wid)
            except Exception as exc:
                self._set_last_command(wid, CommandResult.refused("stop", str(exc)))
                raise
        if batch:
            job_number = batch[0].job_id.job_number if batch[0].job_id is not None else None
            sources = [c.job_id.source_name for c in batch if c.job_id is not None]
            self._remember(wid, "stop", job_number, sources, tickets)
        return CommandOutcome(None, tuple(tickets))

    def orphans(self) -> list[OrphanJob]:
        """Running jobs of this instrument's workflows that no runtime's record claims."""
        self.orchestrator.refresh_records()
        return self.orchestrator.orphans()

    def stop_orphans(self, job_numbers: Sequence[UUID | str] | None = None) -> CommandOutcome:
        """The explicit clean-up: stop orphans (all, or those of ``job_numbers``). Jobs that a
        record claims -- this runtime's or another's -- are never stopped."""
        numbers = None if job_numbers is None else [UUID(str(n)) for n in job_numbers]
        with self._backend.capture() as tickets:
            self.orchestrator.stop_orphans(numbers)
        return CommandOutcome(None, tuple(tickets))

    # -- status changes -------------------------------------------------------------------------

    def subscribe(self, callback: StatusCallback) -> Callable[[], None]:
        """Call ``callback(statuses)`` with the :class:`WorkflowStatus` of every workflow whose
        status changed (state, sources, messages, last heartbeat, last command outcome; an
        unregistered workflow once with ``removed=True``). Runs on the runtime's feed thread,
        holding no runtime lock; exceptions are logged. Returns the unsubscribe function.
        Only changes are pushed: subscribe first, then read :meth:`workflow_statuses` once for
        the initial view."""
        return self.feed.subscribe(callback)

    def status_changes(self, stop: threading.Event | None = None) -> Iterator[list[WorkflowStatus]]:
        """The same as :meth:`subscribe`, as an iterator of batches (until ``stop`` is set)."""
        return self.feed.changes(stop)

    def last_command(self, workflow_id: WorkflowId) -> CommandResult | None:
        """The outcome of the workflow's last start or stop (None if none was sent)."""
        with self._commands_lock:
            last = self._last_commands.get(workflow_id)
        if last is None or isinstance(last, CommandResult):
            return last
        return CommandResult.from_ticket(last)

    # -- readers --------------------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        """False while the broker is unreachable: every status reads as stale meanwhile."""
        return self._status_consumer.connected

    def status_time(self) -> float:
        """The time statuses are judged at: now, or infinitely late while Kafka is gone."""
        return self._clock.monotonic() if self.connected else math.inf

    def workflow_statuses(
        self, workflow_ids: Sequence[WorkflowId | str] | None = None
    ) -> dict[WorkflowId, WorkflowStatus]:
        """Aggregate status of every workflow with state (or of ``workflow_ids``)."""
        ids = None if workflow_ids is None else [WorkflowId.of(w) for w in workflow_ids]
        return self.orchestrator.workflow_statuses(ids, now=self.status_time())

    def workflow_status(self, workflow_id: WorkflowId | str) -> WorkflowStatus:
        """Aggregate status of one workflow (``stopped`` if it never ran)."""
        wid = WorkflowId.of(workflow_id)
        return self.orchestrator.workflow_statuses([wid], now=self.status_time())[wid]

    def states(self) -> dict[WorkflowId, WorkflowState]:
        """Snapshots of every workflow's JobSets (current, previous, staged)."""
        return self.orchestrator.states()

    def histogram(self, workflow_id: WorkflowId | str, source_name: str) -> Any:
        """The latest histogram of a correlation instance for one data source (with a version
        counter), or None before the first one; the same is published on the data topic."""
        return self.executor.latest(workflow_id, source_name)

    @property
    def counters(self) -> dict[str, int]:
        """Routing, transport and orchestration counts (for logs and ``/metrics``-like use)."""
        counts = {f"router.{k}": v for k, v in self.router.counters.items()}
        counts.update({f"orchestrator.{k}": v for k, v in self.orchestrator.counters.items()})
        consumer = self._status_consumer
        counts.update(
            {
                "consumer.records": consumer.records,
                "consumer.errors": consumer.errors,
                "consumer.handler_errors": consumer.handler_errors,
                "consumer.reconnects": consumer.reconnects,
                "commands.sent": self._kafka_sink.sent,
                "acks.pending": len(self.pending),
                "acks.unmatched": self.pending.unmatched,
            }
        )
        return counts

    # -- internals ------------------------------------------------------------------------------

    def _ensure_topics(self) -> None:
        ensure_topics(self._kafka, self.topics.all())

    def _report_local(self, status: Any) -> None:
        self.router.route_status(status)

    def _remember(
        self,
        wid: WorkflowId,
        kind: CommandKind,
        job_number: UUID | None,
        sources: Sequence[str],
        tickets: Sequence[CommandTicket],
    ) -> None:
        """Keep the command just sent as the workflow's last one (its ticket, or local)."""
        ticket = next((t for t in tickets if t.kind == kind and t.job_number == job_number), None)
        if ticket is not None:
            self._set_last_command(wid, ticket)
        elif self.executor.handles(wid):
            self._set_last_command(wid, CommandResult.local(kind, job_number, sources))

    def _set_last_command(self, wid: WorkflowId, last: Any) -> None:
        with self._commands_lock:
            self._last_commands[wid] = last
        self.feed.mark((wid,))

    def _tickets_changed(self, tickets: Sequence[CommandTicket]) -> None:
        """Ack replies or expiries: remember accepted starts, tell the feed."""
        for ticket in tickets:
            if ticket.kind == "start" and ticket.job_number is not None:
                for source, ack in ticket.replies().items():
                    if ack.ok:
                        self._accepted[(ticket.job_number, source)] = None
                while len(self._accepted) > _MAX_ACCEPTED:
                    self._accepted.popitem(last=False)
        self.feed.mark(t.workflow_id for t in tickets)

    def _expects_reply(self, command: Any) -> bool:
        """Whether the backend answers ``command``: always a start; a stop only of a job it
        runs (a running heartbeat seen, or its start acknowledged) -- the backend says nothing
        about a job it does not know (rejected, never started, or its service is down)."""
        if getattr(command, "kind", None) != "job_command" or command.job_id is None:
            return True
        job_id = command.job_id
        if (job_id.job_number, job_id.source_name) in self._accepted:
            return True
        if self.orchestrator.job_alive(job_id.job_number, job_id.source_name):
            return True
        seen = self.job_service.get(job_id)
        return (
            seen is not None
            and seen.status.state not in (JobState.STOPPED, JobState.FINISHING)
            and seen.age(self._clock.monotonic()) <= self.orchestrator.job_stale_after_s
        )

    def _statuses_for_feed(self, ids: Sequence[WorkflowId]) -> dict[WorkflowId, WorkflowStatus]:
        return self.workflow_statuses(list(ids))

    def _reportable(self, wid: WorkflowId) -> bool:
        return wid.instrument == self.instrument and self.registry.get(wid) is not None

    def _on_registry_event(self, event: Any) -> None:
        if event.kind == "registered":
            self.feed.mark((event.workflow_id,))
        elif event.kind == "unregistered" and event.workflow_id is not None:
            with self._commands_lock:
                self._last_commands.pop(event.workflow_id, None)
            self.feed.removed(event.workflow_id)

    def _resume_local_jobs(self) -> None:
        """Local jobs (correlation histograms) recorded as running resume with a fresh
        history: the executor runs in this process, so nobody else keeps them alive."""
        for wid, state in self.states().items():
            current = state.current
            if current is None or not current.config_known or not self.executor.handles(wid):
                continue
            running = {job.source_name for job in self.executor.jobs() if job.workflow_id == wid}
            for source, job in current.jobs.items():
                if source in running:
                    continue
                log.info("resuming local job workflow=%s source=%s", wid, source)
                self.executor.start_job(wid, source, current.job_number, job.params)
            self.feed.mark((wid,))

    def _on_connection(self, connected: bool) -> None:
        if connected:
            log.info("broker reachable again instrument=%s: routing resumes", self.instrument)
        else:
            log.warning("broker unreachable instrument=%s: every status is stale", self.instrument)
        self.feed.mark_all()

    def _run_ticker(self) -> None:
        last_beat = 0.0
        while not self._stop.wait(self._tick):
            now = self._clock.monotonic()
            try:
                self.registry.refresh()
                if self.orchestrator.refresh_records():
                    self.feed.mark(self.orchestrator.states())
                self.pending.expire()
                if now - last_beat >= self._local_beat:
                    last_beat = now
                    self.executor.heartbeat()
                self._log_changes()
            except Exception:  # the ticker must outlive any one bad round
                log.exception("runtime ticker round failed")

    def _log_changes(self) -> None:
        """One structured line per workflow whose aggregate state changed.

        Runs every tick over every workflow, so it computes one status at a time and drops it
        before the next: reference counting frees each at once and the collector never sees
        them. Computed all together (a dict of every status and snapshot, ~15 containers a
        workflow alive at once) they outlived the young generations every second and died in
        the oldest one, which then triggered a full collection of the whole heap every ~5 s:
        65 ms pauses with 1,000 workflows, the tail of produce -> state latency
        (benchmarks/bench_kafka.py; docs/adr/0013-status-decoding.md).
        """
        now = self.status_time()
        orchestrator = self.orchestrator
        for wid in orchestrator.workflow_ids():
            status = orchestrator.workflow_status(wid, now)
            state = status.state.value
            if self._last_states.get(wid) != state:
                self._last_states[wid] = state
                log.info(
                    "workflow state workflow=%s state=%s message=%s",
                    wid,
                    state,
                    _quote(status.summary or ""),
                )


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'
