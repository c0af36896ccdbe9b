"""The runtime, wired: one instrument's registry, orchestrator and status routing on Kafka.

This is what ``wfspec run`` and ``wfspec demo`` start and what a dashboard embeds::

    runtime = Runtime(load_bundle("build/bundle.json"), "dummy",
                      kafka={"bootstrap.servers": "localhost:9092"})
    with runtime:
        runtime.stage(wid, "monitor1")
        outcome = runtime.commit(wid)        # JobSet + one ack ticket per message_id
        outcome.wait(5)                      # ERR text, if the backend rejected it
        runtime.workflow_statuses()          # per-workflow state, stale while Kafka is gone

The pieces and the one direction data flows in (ADR 0008)::

    stage/commit -> JobOrchestrator -> RoutingCommandSink -+-> KafkaCommandSink -> _commands
                                                           +-> CorrelationExecutor (local jobs)
    _heartbeat -> TopicConsumer -> StatusRouter -> JobService, JobOrchestrator, ServiceRegistry
    _responses -> TopicConsumer -> PendingCommands (ack tickets: feedback, never state)
    _data      -> DataTopicConsumer -> CorrelationExecutor -> histograms back to _data

Heartbeats are routed on the consumer's thread in batches; readers (``workflow_statuses``,
``states``) take snapshots under the orchestrator's short lock and never wait for Kafka. A
ticker thread re-reads the instance store when it changes on disk, re-reports local jobs and
expires ack tickets.
"""

from __future__ import annotations

import contextlib
import logging
import math
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wfspec.compiler.ids import WorkflowId

from .clock import Clock, SystemClock
from .correlation.executor import CorrelationExecutor
from .correlation.publisher import DataTopicConsumer, KafkaDataPublisher
from .correlation.routing import RoutingCommandSink
from .instance_store import InstanceStore, default_state_dir
from .job_records import JobRecordsStore
from .job_service import DEFAULT_JOB_STALE_AFTER_S
from .kafka.acks import ACK_TIMEOUT_S, CommandTicket, PendingCommands
from .kafka.consumer import TopicConsumer
from .kafka.producer import KafkaCommandSink
from .kafka.topics import Topics, ensure_topics
from .lifecycle import StartStop
from .orchestrator import JobOrchestrator, JobSet, WorkflowState
from .registry import WorkflowRegistry
from .status_router import StatusRouter
from .workflow_status import WorkflowStatus

__all__ = ["CommandOutcome", "Runtime"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CommandOutcome:
    """What a commit or stop sent: the new JobSet (None for a stop) and the ack tickets.

    Local (in-process) workflows have no tickets. ``wait`` blocks until every ticket has its
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
    ``$XDG_STATE_HOME/wfspec``). Several runtimes (one per instrument) may share a process.
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
        ack_timeout_s: float = ACK_TIMEOUT_S,
        tick_interval_s: float = 1.0,
        local_heartbeat_interval_s: float = 2.0,
        correlation: bool = True,
    ) -> None:
        self.instrument = instrument
        self.topics = Topics(instrument)
        self._kafka = dict(kafka)
        self._clock = clock or SystemClock()
        folder = Path(state_dir) if state_dir is not None else default_state_dir()
        folder = folder / instrument
        self.registry = WorkflowRegistry(
            bundle, InstanceStore(folder / "instances.yaml", instrument=instrument)
        )
        for problem in self.registry.problems:
            log.warning("instance store: %s", problem)
        for stale in self.registry.stale():
            log.warning("instance %s kept in the file but not usable: %s", stale.key, stale.reason)
        self.pending = PendingCommands(timeout_s=ack_timeout_s, clock=self._clock)
        self._backend = _TicketCapture(
            KafkaCommandSink(self._kafka, instrument, pending=self.pending)
        )
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
        )
        self.router = StatusRouter.for_runtime(self.orchestrator, clock=self._clock)
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
        """Stage one source of a workflow (params validated by the spec's model)."""
        self.orchestrator.stage(WorkflowId.of(workflow_id), source_name, params, aux_source_names)

    def commit(self, workflow_id: WorkflowId | str) -> CommandOutcome:
        """Commit the staged jobs: stops for the old generation and starts, as one batch."""
        with self._backend.capture() as tickets:
            job_set = self.orchestrator.commit(WorkflowId.of(workflow_id))
        return CommandOutcome(job_set, tuple(tickets))

    def stop_workflow(self, workflow_id: WorkflowId | str) -> CommandOutcome:
        """Stop the workflow's current jobs."""
        with self._backend.capture() as tickets:
            self.orchestrator.stop(WorkflowId.of(workflow_id))
        return CommandOutcome(None, tuple(tickets))

    # -- readers --------------------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        """False while the broker is unreachable: every status reads as stale meanwhile."""
        return self._status_consumer.connected

    def status_time(self) -> float:
        """The time statuses are judged at: now, or infinitely late while Kafka is gone."""
        return self._clock.monotonic() if self.connected else math.inf

    def workflow_statuses(
        self, workflow_ids: Sequence[WorkflowId] | None = None
    ) -> dict[WorkflowId, WorkflowStatus]:
        """Aggregate status of every workflow with state (or of ``workflow_ids``)."""
        return self.orchestrator.workflow_statuses(workflow_ids, now=self.status_time())

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

    def _on_connection(self, connected: bool) -> None:
        if connected:
            log.info("broker reachable again instrument=%s: routing resumes", self.instrument)
        else:
            log.warning("broker unreachable instrument=%s: every status is stale", self.instrument)

    def _run_ticker(self) -> None:
        last_beat = 0.0
        while not self._stop.wait(self._tick):
            now = self._clock.monotonic()
            try:
                self.registry.refresh()
                self.pending.expire()
                if now - last_beat >= self._local_beat:
                    last_beat = now
                    self.executor.heartbeat()
                self._log_changes()
            except Exception:  # the ticker must outlive any one bad round
                log.exception("runtime ticker round failed")

    def _log_changes(self) -> None:
        """One structured line per workflow whose aggregate state changed."""
        for wid, status in self.workflow_statuses().items():
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
