"""Acks are feedback, never state: match replies to commands, report ERR text, then forget.

The backend answers a command on ``{instrument}_livedata_responses`` with
``{"message_id", "device", "response": "ACK"|"ERR", "message"}`` -- one reply per job a command
touches, or none at all (unknown job, service not running, unparseable command: all normal).
The device of a start's reply is the source name (``monitor1``), of a stop's reply
``source/job_number`` (``monitor1/d841...``): see ``shared/real-captures/responses.jsonl``.

:class:`PendingCommands` keeps a :class:`CommandTicket` per sent message_id: which workflow, job
and sources it addressed and which of those sources a reply is *awaited* from (the sender
decides: a stop of a job the backend never ran gets no reply, so none is awaited). It fills the
ticket as replies arrive, hands ERR text to ``on_error``, tells ``on_change`` (the status feed),
and drops tickets 30 s after they were sent whether or not anything came back. Nothing here
ever changes job state; the runtime shows a ticket as the workflow's *last command outcome*.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from ..clock import Clock, SystemClock

__all__ = ["Ack", "CommandTicket", "PendingCommands", "parse_ack"]

log = logging.getLogger(__name__)

ACK_TIMEOUT_S = 30.0
MAX_TICKETS = 10_000


@dataclass(frozen=True, slots=True)
class Ack:
    """One reply: the device (source, source/job_number or ``all``), ACK or ERR, a message."""

    message_id: str
    device: str
    ok: bool
    message: str | None


def parse_ack(raw: bytes | str) -> Ack | None:
    """An :class:`Ack`, or None for anything that is not a well-formed reply."""
    try:
        data = json.loads(raw)
        response = data["response"]
        if response not in ("ACK", "ERR"):
            return None
        return Ack(
            str(data["message_id"]), str(data.get("device")), response == "ACK", data.get("message")
        )
    except (ValueError, TypeError, KeyError):
        return None


@dataclass(slots=True)
class CommandTicket:
    """What came back for one sent message_id (a snapshot is taken with :meth:`outcome`).

    ``sources`` are the sources the command addressed, ``awaited`` those a reply is expected
    from; ``expected`` is ``len(awaited)``. A ticket awaiting nothing is complete at once.
    """

    message_id: str
    expected: int
    description: str
    sent_at: float
    acks: list[Ack] = field(default_factory=list)
    expired: bool = False
    kind: str = ""
    """``start`` or the job command's action (``stop``)."""
    workflow_id: Any = None
    job_number: UUID | None = None
    sources: tuple[str, ...] = ()
    awaited: frozenset[str] = frozenset()
    sent_wall: float = 0.0
    """Wall-clock time of the send (seconds since the epoch), for display."""
    _done: threading.Event = field(default_factory=threading.Event)

    @property
    def errors(self) -> list[str]:
        return [f"{a.device}: {a.message or 'ERR'}" for a in self.acks if not a.ok]

    @property
    def complete(self) -> bool:
        if self.awaited:
            return self.awaited <= {self.source_of(a.device) for a in self.acks}
        return len(self.acks) >= self.expected

    def source_of(self, device: str) -> str:
        """The source a reply's ``device`` names (``monitor1/<job_number>`` -> ``monitor1``)."""
        if self.job_number is not None:
            suffix = f"/{self.job_number}"
            if device.endswith(suffix):
                return device[: -len(suffix)]
        return device

    def replies(self) -> dict[str, Ack]:
        """The last reply per source (a copy)."""
        return {self.source_of(a.device): a for a in list(self.acks)}

    def wait(self, timeout: float | None = None) -> bool:
        """Block until every awaited reply (or an ERR) arrived; False on timeout."""
        return self._done.wait(timeout)

    def outcome(self) -> str:
        """``ok``, ``error: ...``, ``pending`` or ``no reply`` (expired: a normal outcome)."""
        if self.errors:
            return "error: " + "; ".join(self.errors)
        if self.complete:
            return "ok"
        return "no reply" if self.expired else "pending"


class PendingCommands:
    """Tickets of sent commands, filled by replies; thread-safe; bounded in time and size."""

    def __init__(
        self,
        *,
        timeout_s: float = ACK_TIMEOUT_S,
        clock: Clock | None = None,
        on_error: Callable[[CommandTicket, Ack], Any] | None = None,
        on_change: Callable[[Sequence[CommandTicket]], Any] | None = None,
    ) -> None:
        self._timeout = timeout_s
        self._clock = clock or SystemClock()
        self._on_error = on_error
        self.on_change = on_change
        """Called (outside the lock) with tickets that got a reply or expired."""
        self._lock = threading.Lock()
        self._tickets: OrderedDict[str, CommandTicket] = OrderedDict()
        self.unmatched = 0

    def track(
        self,
        message_id: str,
        expected: int,
        description: str = "",
        **details: Any,
    ) -> CommandTicket:
        """Start waiting for ``expected`` replies to ``message_id``.

        ``details`` fill the ticket's other fields (``kind``, ``workflow_id``, ``job_number``,
        ``sources``, ``awaited``, ``sent_wall``); with ``awaited`` given, ``expected`` is its size.
        """
        if "awaited" in details:
            details["awaited"] = frozenset(details["awaited"])
            expected = len(details["awaited"])
        ticket = CommandTicket(
            str(message_id), expected, description, self._clock.monotonic(), **details
        )
        if expected == 0:
            ticket._done.set()
        with self._lock:
            expired = self._expire_locked()
            self._tickets[ticket.message_id] = ticket
            while len(self._tickets) > MAX_TICKETS:
                dropped = self._tickets.popitem(last=False)[1]
                dropped.expired = True
                dropped._done.set()
        self._changed(expired)
        return ticket

    def on_responses(self, raws: Sequence[bytes]) -> None:
        """Consumer handler of the responses topic."""
        for raw in raws:
            ack = parse_ack(raw)
            if ack is None:
                self.unmatched += 1
                continue
            self.on_ack(ack)

    def on_ack(self, ack: Ack) -> None:
        with self._lock:
            ticket = self._tickets.get(ack.message_id)
            if ticket is None:
                self.unmatched += 1
                return
            ticket.acks.append(ack)
            if not ack.ok or ticket.complete:
                ticket._done.set()
        self._changed([ticket])
        if not ack.ok:
            log.warning("command %s rejected: %s: %s", ack.message_id, ack.device, ack.message)
            if self._on_error is not None:
                self._on_error(ticket, ack)

    def withdraw(self, tickets: Sequence[CommandTicket]) -> None:
        """Forget tickets of commands that were never delivered (their wait ends at once)."""
        with self._lock:
            for ticket in tickets:
                if self._tickets.get(ticket.message_id) is ticket:
                    del self._tickets[ticket.message_id]
                ticket.expired = True
                ticket._done.set()

    def get(self, message_id: str) -> CommandTicket | None:
        with self._lock:
            expired = self._expire_locked()
            ticket = self._tickets.get(str(message_id))
        self._changed(expired)
        return ticket

    def expire(self) -> None:
        """Drop tickets older than the timeout (also done on every track/get)."""
        with self._lock:
            expired = self._expire_locked()
        self._changed(expired)

    def _changed(self, tickets: Sequence[CommandTicket]) -> None:
        if tickets and self.on_change is not None:
            try:
                self.on_change(tickets)
            except Exception:
                log.exception("ack listener failed")

    def __len__(self) -> int:
        with self._lock:
            return len(self._tickets)

    def _expire_locked(self) -> list[CommandTicket]:
        cutoff = self._clock.monotonic() - self._timeout
        expired = []
        while self._tickets:
            oldest = next(iter(self._tickets.values()))
            if oldest.sent_at > cutoff:
                break
            oldest.expired = True
            oldest._done.set()
            del self._tickets[oldest.message_id]
            expired.append(oldest)
        return expired
