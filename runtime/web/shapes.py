"""Runtime objects -> the JSON the page and scripts read (one place decides how things look).

A workflow item joins the spec (title, group, service, sources it may run on, the template it
came from) with its :class:`~wfspec.runtime.workflow_status.WorkflowStatus`. Heartbeat times
are sent as wall-clock epoch seconds (``last_heartbeat_at``) so a page can count the age up by
itself between events; nothing in an item goes stale on the wire.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from wfspec.compiler import FieldError

__all__ = ["badge", "command_json", "field_errors", "timeseries_json", "workflow_json"]


def badge(status: Any) -> str:
    """The state a person sees: the runtime's aggregate state, with two words of its own:
    ``not running`` (no current jobs) and ``stale`` (heard from, but nothing fresh)."""
    if status is None or status.job_number is None:
        return "not running"
    state = str(status.state)
    if state == "pending" and any(
        s.received_at is not None and not s.fresh for s in status.sources
    ):
        return "stale"
    return state


def command_json(result: Any) -> dict[str, Any] | None:
    """A :class:`~wfspec.runtime.command_outcome.CommandResult` (ACK/ERR per source)."""
    if result is None:
        return None
    return {
        "kind": result.kind,
        "outcome": result.outcome,
        "message": result.message,
        "job_number": None if result.job_number is None else str(result.job_number),
        "sent_at": result.sent_at,
        "replies": [
            {"source": r.source_name, "outcome": r.outcome, "message": r.message}
            for r in result.replies
        ],
    }


def workflow_json(
    workflow_id: Any,
    spec: Any,
    status: Any,
    *,
    template: str | None,
    to_wall: Callable[[float], float],
) -> dict[str, Any]:
    """One item of ``GET /api/workflows`` (and of the ``workflows`` event)."""
    sources = [] if status is None else list(status.sources)
    heard = [s.received_at for s in sources if s.received_at is not None]
    return {
        "id": str(workflow_id),
        "title": spec.title,
        "group": spec.group,
        "service": spec.service_name,
        "template": template,
        "local": spec.executor is not None,
        "source_names": list(spec.source_names),
        "state": "stopped" if status is None else str(status.state),
        "badge": badge(status),
        "job_number": None
        if status is None or status.job_number is None
        else str(status.job_number),
        "summary": None if status is None else status.summary,
        "sources": [
            {
                "name": s.source_name,
                "state": None if s.state is None else str(s.state),
                "fresh": s.fresh,
                "error": s.error,
                "warning": s.warning,
                "rejected": s.rejected,
                "last_heartbeat_at": None if s.received_at is None else to_wall(s.received_at),
            }
            for s in sources
        ],
        "reporting": sum(1 for s in sources if s.fresh),
        "last_heartbeat_at": to_wall(max(heard)) if heard else None,
        "last_command": command_json(None if status is None else status.last_command),
    }


def monotonic_to_wall(monotonic_now: Callable[[], float]) -> Callable[[float], float]:
    """A converter from the runtime's monotonic clock to epoch seconds, fixed at call time."""
    offset = time.time() - monotonic_now()
    return lambda t: round(t + offset, 3)


def timeseries_json(ref: Any) -> dict[str, Any]:
    """A timeseries reference as a template config wants it, with a label for a dropdown."""
    value = ref.model_dump(mode="json")
    wid = value["workflow_id"]
    value["workflow_id"] = f"{wid['instrument']}/{wid['name']}/{wid['version']}"
    return {"label": str(ref), "value": value}


def field_errors(errors: Any, prefix: str = "") -> list[dict[str, Any]]:
    """FieldErrors -> ``[{field, message}]``; ``prefix`` (``params.``/``config.``) is dropped
    so ``field`` is the dotted path inside the form's data."""
    out = []
    for error in errors:
        if isinstance(error, FieldError):
            field, message = error.field, error.message
        else:
            field, message = str(getattr(error, "field", "")), str(error)
        if prefix and field.startswith(prefix):
            field = field[len(prefix) :]
        elif prefix and field == prefix.rstrip("."):
            field = ""
        out.append({"field": field, "message": message})
    return out


def deep_merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """``over`` merged into ``base`` (objects recursively; anything else replaced)."""
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged
