"""Status-change subscriptions: tell a dashboard which workflows' statuses changed, when.

:class:`StatusFeed` runs one thread. Sources of change *mark* workflows (cheap: a set add and
an event): routed heartbeats, commands, ack replies and expiries, registry events, the broker
going away or coming back. The thread wakes on a mark -- or at the moment the next fresh source
turns stale (each :class:`~wfspec.runtime.workflow_status.SourceStatus` carries ``stale_at``),
so nothing polls -- computes the statuses of the marked workflows, and calls every subscriber
with those that differ from what it last reported: state, sources and their messages, last
heartbeat, last command outcome. An unregistered workflow is reported once with
``removed=True``. Marks arriving together are delivered together (at most one round every
``min_interval_s``).

Callbacks run on the feed's thread with no lock of the runtime held, so they may call the
runtime (``workflow_statuses``, ``commit`` ...); an exception in one is logged and never stops
the feed or the other subscribers.
"""

from __future__ import annotations

import heapq
import logging
import math
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from queue import Empty, SimpleQueue
from typing import Any

from wfspec.compiler import WorkflowId

from .workflow_status import AggregateState, WorkflowStatus

__all__ = ["StatusCallback", "StatusFeed"]

log = logging.getLogger(__name__)

StatusCallback = Callable[[Sequence[WorkflowStatus]], None]


def _key(status: WorkflowStatus) -> tuple[Any, ...]:
    """What a subscriber sees change (ages move with time and are left out)."""
    return (
        status.state,
        status.job_number,
        status.config_known,
        status.summary,
        tuple(
            (s.source_name, s.state, s.fresh, s.error, s.warning, s.received_at, s.rejected)
            for s in status.sources
        ),
        status.last_command,
        status.removed,
    )


class StatusFeed:
    """Subscribers + the thread that calls them (see the module docstring).

    ``compute(ids)`` returns the current statuses of ``ids`` (the runtime's
    ``workflow_statuses``); ``now()`` is the monotonic clock ``stale_at`` is measured on;
    ``is_known(id)`` says whether a marked id is a workflow worth reporting.
    """

    def __init__(
        self,
        compute: Callable[[Sequence[WorkflowId]], Mapping[WorkflowId, WorkflowStatus]],
        now: Callable[[], float],
        is_known: Callable[[WorkflowId], bool],
        *,
        min_interval_s: float = 0.05,
        name: str = "status feed",
    ) -> None:
        self._compute = compute
        self._now = now
        self._is_known = is_known
        self._min_interval = min_interval_s
        self._name = name
        self._subscribers: tuple[StatusCallback, ...] = ()
        self._lock = threading.Lock()
        self._dirty: set[WorkflowId] = set()
        self._removed: set[WorkflowId] = set()
        self._all = False
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._sent: dict[WorkflowId, tuple[Any, ...]] = {}
        self._deadlines: list[tuple[float, WorkflowId]] = []

    # -- subscribers ----------------------------------------------------------------------------

    def subscribe(self, callback: StatusCallback) -> Callable[[], None]:
        """Call ``callback(statuses)`` on every change; returns the unsubscribe function."""
        with self._lock:
            self._subscribers = (*self._subscribers, callback)

        def unsubscribe() -> None:
            with self._lock:
                self._subscribers = tuple(cb for cb in self._subscribers if cb is not callback)

        return unsubscribe

    def changes(self, stop: threading.Event | None = None) -> Iterator[list[WorkflowStatus]]:
        """The same changes as an iterator of batches (ends when ``stop`` is set or the feed
        stops); unsubscribes when the iterator is closed."""
        queue: SimpleQueue[list[WorkflowStatus]] = SimpleQueue()
        unsubscribe = self.subscribe(lambda statuses: queue.put(list(statuses)))
        try:
            while not self._stop.is_set() and not (stop is not None and stop.is_set()):
                try:
                    yield queue.get(timeout=0.1)
                except Empty:
                    continue
        finally:
            unsubscribe()

    # -- marks (cheap; any thread) --------------------------------------------------------------

    def mark(self, workflow_ids: Iterable[WorkflowId | None]) -> None:
        """These workflows may have changed."""
        ids = {wid for wid in workflow_ids if wid is not None}
        if ids:
            with self._lock:
                self._dirty.update(ids)
            if not self._wake.is_set():
                self._wake.set()

    def mark_all(self) -> None:
        """Every reported workflow may have changed (e.g. the broker went away)."""
        self._all = True
        self._wake.set()

    def removed(self, workflow_id: WorkflowId) -> None:
        """``workflow_id`` was unregistered: report it once with ``removed=True``."""
        with self._lock:
            self._removed.add(workflow_id)
        self._wake.set()

    def on_statuses(self, statuses: Sequence[Any], _received_at: float) -> None:
        """A job sink for the status router: marks the workflows of routed heartbeats."""
        self.mark({status.workflow_id for status in statuses})

    # -- the thread -----------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            timeout = None
            if self._deadlines:
                timeout = max(0.0, self._deadlines[0][0] - self._now())
                if math.isinf(timeout):
                    timeout = None
            self._wake.wait(timeout)
            if self._stop.is_set():
                return
            self._wake.clear()
            try:
                self.flush()
            except Exception:  # the feed must outlive any one bad round
                log.exception("status feed round failed")
            if self._stop.wait(self._min_interval):
                return

    def flush(self) -> list[WorkflowStatus]:
        """One round: compute marked (and newly stale) workflows, deliver what changed."""
        now = self._now()
        with self._lock:
            dirty, self._dirty = self._dirty, set()
            removed, self._removed = self._removed, set()
            subscribers = self._subscribers
        if not subscribers:  # nobody listens: compute nothing, remember nothing
            self._all = False
            self._sent.clear()
            self._deadlines.clear()
            return []
        if self._all:
            self._all = False
            dirty.update(self._sent)
        while self._deadlines and self._deadlines[0][0] <= now:
            dirty.add(heapq.heappop(self._deadlines)[1])
        changed: list[WorkflowStatus] = []
        ids = sorted(wid for wid in dirty if wid not in removed and self._is_known(wid))
        statuses = self._compute(ids) if ids else {}
        for wid in ids:
            status = statuses.get(wid)
            if status is None:
                continue
            for source in status.sources:
                if source.stale_at is not None:
                    heapq.heappush(self._deadlines, (source.stale_at, wid))
            key = _key(status)
            if self._sent.get(wid) != key:
                self._sent[wid] = key
                changed.append(status)
        for wid in sorted(removed):
            self._sent.pop(wid, None)
            changed.append(
                replace(
                    WorkflowStatus(wid, AggregateState.STOPPED, None, (), None),
                    removed=True,
                )
            )
        if len(self._deadlines) > 4 * max(len(self._sent), 256):
            self._deadlines = [d for d in self._deadlines if d[0] > now]
            heapq.heapify(self._deadlines)
        if changed:
            for callback in subscribers:
                try:
                    callback(changed)
                except Exception:
                    log.exception("status subscriber %r failed", callback)
        return changed
