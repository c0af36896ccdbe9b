"""The *last command outcome* of a workflow: what became of its last start or stop.

Acks are feedback, never state (ADR 0006): a reply never changes a JobSet. But a page must be
able to show why a commit was refused, so the runtime keeps, per workflow, its last command and
shows it in :class:`~wfspec.runtime.workflow_status.WorkflowStatus` as a :class:`CommandResult`,
an immutable snapshot taken at read time from the command's ack ticket (or made at once for a
command run in process or refused before it left).

Outcomes (overall and per source):

- ``ok``: every awaited reply was an ACK;
- ``error``: the backend answered ERR (its text per source);
- ``pending``: replies are still awaited;
- ``no reply``: the ack timeout passed without the awaited replies (the service may be down);
- ``sent``: no reply is expected (a stop of a job the backend never ran);
- ``local``: run by the in-process executor (no backend involved);
- ``refused``: refused before anything was sent (``message`` says why); nothing changed.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal
from uuid import UUID

__all__ = ["CommandKind", "CommandResult", "Outcome", "SourceReply"]

CommandKind = Literal["start", "stop"]
Outcome = Literal["ok", "error", "pending", "no reply", "sent", "local", "refused"]


@dataclass(frozen=True, slots=True)
class SourceReply:
    """What one source answered: ``outcome`` as above, ``message`` the ERR text (or None)."""

    source_name: str
    outcome: Outcome
    message: str | None = None


@dataclass(frozen=True, slots=True)
class CommandResult:
    """The last start or stop of a workflow and what came back (see the module docstring).

    ``sent_at`` is wall-clock seconds since the epoch; ``job_number`` the JobSet it addressed.
    """

    kind: CommandKind
    outcome: Outcome
    job_number: UUID | None
    sent_at: float
    replies: tuple[SourceReply, ...] = ()
    message: str | None = None

    @property
    def errors(self) -> dict[str, str]:
        """ERR text per source."""
        return {r.source_name: r.message or "ERR" for r in self.replies if r.outcome == "error"}

    def reply(self, source_name: str) -> SourceReply | None:
        return next((r for r in self.replies if r.source_name == source_name), None)

    @classmethod
    def from_ticket(cls, ticket: Any) -> CommandResult:
        """A snapshot of an ack ticket (``kafka.acks.CommandTicket``)."""
        replies = ticket.replies()
        per_source = []
        for source in ticket.sources:
            ack = replies.get(source)
            if ack is not None:
                outcome: Outcome = "ok" if ack.ok else "error"
                per_source.append(SourceReply(source, outcome, None if ack.ok else ack.message))
            elif source not in ticket.awaited:
                per_source.append(SourceReply(source, "sent"))
            else:
                per_source.append(SourceReply(source, "no reply" if ticket.expired else "pending"))
        outcomes = {r.outcome for r in per_source}
        overall: Outcome
        if "error" in outcomes:
            overall = "error"
        elif "pending" in outcomes:
            overall = "pending"
        elif "no reply" in outcomes:
            overall = "no reply"
        elif "ok" in outcomes:
            overall = "ok"
        else:
            overall = "sent"
        return cls(
            "start" if ticket.kind == "start" else "stop",
            overall,
            ticket.job_number,
            ticket.sent_wall,
            tuple(per_source),
        )

    @classmethod
    def local(cls, kind: CommandKind, job_number: UUID | None, sources: Sequence[str]) -> Any:
        """A command the in-process executor ran."""
        return cls(
            kind,
            "local",
            job_number,
            time.time(),
            tuple(SourceReply(s, "local") for s in sources),
        )

    @classmethod
    def refused(cls, kind: CommandKind, message: str) -> CommandResult:
        """A command refused before it was sent (nothing changed)."""
        return cls(kind, "refused", None, time.time(), (), message)
