"""x5f2 codec: raw heartbeat bytes <-> :class:`JobStatus` / :class:`ServiceStatus`.

Wire format (ESS livedata): an x5f2 flatbuffer (``streaming_data_types``) whose ``status_json``
is compact JSON ``{"status": <NICOS code>, "message": {...}}``. ``message.message_type`` is
``"job"`` or ``"service"``; older backends omit it, which means ``"job"``. A job's ``service_id``
is ``<source_name>:<job_number>`` (split at the *last* colon: source names may contain colons), a
service's is ``<instrument>:<service_name>:<worker_id>``. See docs/adr/0007-wire-formats.md.

Decoding never raises: a malformed message becomes a :class:`Rejection` with a stable ``reason``
code, counted per reason and logged at most once per reason every ``log_interval_s``.

Re-encoding a :class:`Decoded` message reproduces its bytes: the envelope and the exact
``status_json`` text are kept, because JSON key order and spacing are the sender's, not ours.
New messages are encoded canonically (compact separators, UTF-8 kept, the backend's key order).

Hot path (docs/adr/0013-status-decoding.md): real heartbeats never repeat (an active job's
``end_time`` moves on every beat), so nothing is cached per payload. Each message is read once:
the envelope by :func:`read_envelope` (a direct flatbuffer read, tested equal to
``deserialise_x5f2``), the ``status_json`` by pydantic's Rust JSON validator straight into the
status models (:class:`JobStatus` / :class:`ServiceStatus` *are* the contract; a job status
gets the envelope's ``update_interval`` in the same pass, through the validation context).
Only what that fast path refuses (legacy forms, bad input) goes through the lean
:class:`_Parser`, which is the one that names the rejection reason.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import struct
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, NamedTuple

from pydantic import TypeAdapter, ValidationError
from streaming_data_types import serialise_x5f2
from streaming_data_types.status_x5f2 import StatusMessage
from typing_extensions import TypedDict

from wfspec.compiler import WorkflowId

from .clock import Clock, SystemClock
from .status import (
    JobId,
    JobState,
    JobStatus,
    ServiceState,
    ServiceStatus,
    StreamCount,
    StreamStats,
    wire_context,
)

log = logging.getLogger(__name__)

FILE_IDENTIFIER = b"x5f2"
SOFTWARE_NAME = "livedata"
JOB_UPDATE_INTERVAL_MS = 1000
"""The ``update_interval`` the backend (26.8.0) writes on every job heartbeat: esslivedata's
default for job status messages. Its job beats really arrive every ~2 s (with the service's
beat), which is why the staleness rule never judges a job faster than it is seen to beat
(docs/adr/0006-status-rules.md)."""
SERVICE_UPDATE_INTERVAL_MS = 2000
"""The ``update_interval`` on every service heartbeat of the backend (26.8.0)."""


class NicosStatus(IntEnum):
    """NICOS device status codes carried in ``status_json["status"]``."""

    OK = 200
    WARNING = 210
    DISABLED = 235
    ERROR = 240
    UNKNOWN = 999


JOB_STATE_CODES: Mapping[JobState, NicosStatus] = {
    JobState.ACTIVE: NicosStatus.OK,
    JobState.FINISHING: NicosStatus.OK,
    JobState.WARNING: NicosStatus.WARNING,
    JobState.ERROR: NicosStatus.ERROR,
    JobState.SCHEDULED: NicosStatus.DISABLED,
    JobState.PENDING_CONTEXT: NicosStatus.DISABLED,
    JobState.STOPPED: NicosStatus.DISABLED,
}
"""Total state -> code mapping used when *encoding* (decoding accepts any integer code)."""

SERVICE_STATE_CODES: Mapping[ServiceState, NicosStatus] = {
    ServiceState.RUNNING: NicosStatus.OK,
    ServiceState.STARTING: NicosStatus.DISABLED,
    ServiceState.STOPPED: NicosStatus.DISABLED,
    ServiceState.ERROR: NicosStatus.ERROR,
}

REJECTION_REASONS: tuple[str, ...] = (
    "not_bytes",
    "too_short",
    "wrong_file_identifier",
    "bad_flatbuffer",
    "bad_json",
    "missing_field",
    "bad_field",
    "bad_uuid",
    "bad_workflow_id",
    "bad_service_id",
    "unknown_state",
    "unknown_message_type",
)
"""Stable rejection reason codes (tools match on them)."""


Envelope = StatusMessage
"""The x5f2 fields exactly as received (``streaming_data_types``' named tuple: software_name,
software_version, service_id, host_name, process_id, update_interval, status_json)."""


class Decoded(NamedTuple):
    """A valid heartbeat: its envelope, the NICOS code as sent, and the parsed status."""

    envelope: Envelope
    nicos_status: int
    status: JobStatus | ServiceStatus

    @property
    def is_job(self) -> bool:
        return isinstance(self.status, JobStatus)


@dataclass(frozen=True, slots=True)
class Rejection:
    """A malformed message: ``reason`` is one of :data:`REJECTION_REASONS`, ``detail`` says why."""

    reason: str
    detail: str


class _Reject(Exception):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


# ----------------------------------------------------------------------------------------------
# Encoding
# ----------------------------------------------------------------------------------------------


def compact_json(value: Any) -> str:
    """The backend's JSON style: no spaces, non-ASCII kept as UTF-8 (pydantic's dump_json)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def job_message(status: JobStatus) -> dict[str, Any]:
    """The ``message`` object of a job heartbeat, in the backend's key order."""
    return {
        "message_type": "job",
        "state": status.state.value,
        "warning": status.warning,
        "error": status.error,
        "job_id": {
            "source_name": status.job_id.source_name,
            "job_number": str(status.job_id.job_number),
        },
        "workflow_id": str(status.workflow_id),
        "start_time": status.start_time,
        "end_time": status.end_time,
    }


def service_message(status: ServiceStatus) -> dict[str, Any]:
    """The ``message`` object of a service heartbeat, in the backend's key order."""
    stats = status.stream_stats
    return {
        "message_type": "service",
        "instrument": status.instrument,
        "service_name": status.service_name,
        "worker_id": status.worker_id,
        "state": status.state.value,
        "started_at": status.started_at,
        "active_job_count": status.active_job_count,
        "error": status.error,
        "batch_interval_s": status.batch_interval_s,
        "stream_stats": None
        if stats is None
        else {
            "window_seconds": stats.window_seconds,
            "streams": [
                {
                    "topic": s.topic,
                    "source_name": s.source_name,
                    "stream": s.stream,
                    "count": s.count,
                }
                for s in stats.streams
            ],
        },
    }


def status_json(status: JobStatus | ServiceStatus) -> str:
    """Canonical ``status_json`` text for a status, with the documented NICOS code."""
    if isinstance(status, JobStatus):
        code, message = JOB_STATE_CODES[status.state], job_message(status)
    else:
        code, message = SERVICE_STATE_CODES[status.state], service_message(status)
    return compact_json({"status": int(code), "message": message})


def service_id_of(status: JobStatus | ServiceStatus) -> str:
    """``source:job_number`` for a job, ``instrument:service_name:worker_id`` for a service."""
    if isinstance(status, JobStatus):
        return f"{status.job_id.source_name}:{status.job_id.job_number}"
    return f"{status.instrument}:{status.service_name}:{status.worker_id}"


def encode_status(
    status: JobStatus | ServiceStatus,
    *,
    software_name: str = SOFTWARE_NAME,
    software_version: str = "0.0.0",
    host_name: str = "",
    process_id: int = 0,
    update_interval: int | None = None,
) -> bytes:
    """A new heartbeat in the canonical wire form.

    The envelope's ``update_interval`` is ``update_interval`` if given, else a job status's own
    ``update_interval_ms`` if it has one, else what the backend writes (1000 ms on job beats,
    2000 ms on service beats).
    """
    if update_interval is None:
        if isinstance(status, JobStatus):
            reported = status.update_interval_ms
            update_interval = JOB_UPDATE_INTERVAL_MS if reported is None else reported
        else:
            update_interval = SERVICE_UPDATE_INTERVAL_MS
    return encode_envelope(
        Envelope(
            software_name,
            software_version,
            service_id_of(status),
            host_name,
            process_id,
            update_interval,
            status_json(status),
        )
    )


def encode_envelope(envelope: Envelope) -> bytes:
    """Serialise an envelope as is (the ``status_json`` text is not touched)."""
    return serialise_x5f2(*envelope)


def encode(decoded: Decoded) -> bytes:
    """Re-encode a decoded message: the original envelope and JSON text, hence the same bytes."""
    return encode_envelope(decoded.envelope)


# ----------------------------------------------------------------------------------------------
# Decoding
# ----------------------------------------------------------------------------------------------

_JOB_STATES = {s.value: s for s in JobState}
_SERVICE_STATES = {s.value: s for s in ServiceState}


def _get(obj: dict[str, Any], key: str, where: str) -> Any:
    try:
        return obj[key]
    except KeyError:
        raise _Reject("missing_field", f"{where}.{key} is missing") from None


def _str(obj: dict[str, Any], key: str, where: str) -> str:
    value = _get(obj, key, where)
    if not isinstance(value, str):
        raise _Reject("bad_field", f"{where}.{key} must be a string, got {value!r:.80}")
    return value


def _opt_str(obj: dict[str, Any], key: str, where: str) -> str | None:
    value = obj.get(key)
    if value is not None and not isinstance(value, str):
        raise _Reject("bad_field", f"{where}.{key} must be a string or null, got {value!r:.80}")
    return value


def _int(obj: dict[str, Any], key: str, where: str, *, optional: bool = False) -> int | None:
    value = obj.get(key) if optional else _get(obj, key, where)
    if value is None and optional:
        return None
    if type(value) is not int:
        raise _Reject("bad_field", f"{where}.{key} must be an integer, got {value!r:.80}")
    return value


def _number(obj: dict[str, Any], key: str, where: str, *, optional: bool = False) -> float | None:
    value = obj.get(key) if optional else _get(obj, key, where)
    if value is None and optional:
        return None
    if type(value) not in (int, float):
        raise _Reject("bad_field", f"{where}.{key} must be a number, got {value!r:.80}")
    return float(value)


def _uuid(text: Any, where: str) -> uuid.UUID:
    if not isinstance(text, str):
        raise _Reject("bad_uuid", f"{where} must be a UUID string, got {text!r:.80}")
    try:
        return uuid.UUID(text)
    except ValueError:
        raise _Reject("bad_uuid", f"{where} is not a UUID: {text!r:.80}") from None


def _job_id_from_service_id(service_id: str) -> JobId:
    source_name, sep, job_number = service_id.rpartition(":")
    if not sep or not source_name:
        raise _Reject(
            "bad_service_id",
            f"service_id {service_id!r:.80} is not '<source_name>:<job_number>'",
        )
    try:
        number = uuid.UUID(job_number)
    except ValueError:
        raise _Reject(
            "bad_service_id", f"service_id {service_id!r:.80} does not end in a job_number UUID"
        ) from None
    return JobId.model_construct(source_name=source_name, job_number=number)


_U32 = struct.Struct("<I").unpack_from
_I32 = struct.Struct("<i").unpack_from
_U16 = struct.Struct("<H").unpack_from
_SLOTS = struct.Struct("<7H").unpack_from


def read_envelope(buf: bytes) -> Envelope:
    """The x5f2 fields of a flatbuffer, read directly: equal to ``deserialise_x5f2(buf)``.

    ``deserialise_x5f2`` walks the buffer through the generic ``flatbuffers`` accessors (about
    15 us a message, most of the decode cost); this reads the seven fields of the one known table
    with ``struct`` (a few us). Unlike the generic reader it checks every offset and length
    against the buffer (a truncated string is an error, not a shorter string). Raises
    ``ValueError`` (or ``struct.error``, ``UnicodeDecodeError``) on a corrupt buffer; the file
    identifier is the caller's to check. Equality with ``deserialise_x5f2`` is tested on every
    real capture and on random buffers (tests/status/test_real_captures.py).
    """
    n = len(buf)
    table = _U32(buf, 0)[0]
    if table + 4 > n:
        raise ValueError(f"root table offset {table} is outside the {n}-byte buffer")
    vtable = table - _I32(buf, table)[0]
    if vtable < 0 or vtable + 4 > n:
        raise ValueError(f"vtable offset {vtable} is outside the {n}-byte buffer")
    vsize = _U16(buf, vtable)[0]
    if vsize >= 18 and vtable + 18 <= n:
        slots = _SLOTS(buf, vtable + 4)
    else:
        slots = tuple(
            _U16(buf, vtable + k)[0] if k < vsize and vtable + k + 2 <= n else 0
            for k in range(4, 18, 2)
        )
    return Envelope(
        _string(buf, table, slots[0]),
        _string(buf, table, slots[1]),
        _string(buf, table, slots[2]),
        _string(buf, table, slots[3]),
        _U32(buf, table + slots[4])[0] if slots[4] else 0,
        _U32(buf, table + slots[5])[0] if slots[5] else 0,
        _string(buf, table, slots[6]),
    )


def _string(buf: bytes, table: int, slot: int) -> str:
    if not slot:
        raise ValueError("a string field of the x5f2 table is missing")
    at = table + slot
    start = at + _U32(buf, at)[0] + 4
    length = _U32(buf, start - 4)[0]
    if start + length > len(buf):
        raise ValueError(f"a string of {length} bytes runs past the {len(buf)}-byte buffer")
    return buf[start : start + length].decode("utf-8")


class _JobWire(TypedDict):
    status: int
    message: JobStatus


class _ServiceWire(TypedDict):
    status: int
    message: ServiceStatus


_HEAD = re.compile(r'\{"status":-?\d+,"message":\{"message_type":"(job|service)",')
"""The backend's canonical head: the NICOS code, then ``message`` whose first key is its type."""


@functools.cache
def _adapters() -> tuple[TypeAdapter, TypeAdapter]:
    """Built once per process (a few ms), shared by every decoder."""
    return TypeAdapter(_JobWire), TypeAdapter(_ServiceWire)


class _FastParser:
    """``status_json`` -> (code, status) in one pass of pydantic's JSON validator, or None.

    It takes only the canonical shape the backend writes (``_HEAD``: ``message_type`` the first
    key of the one ``message``), validated *strictly* against the status models themselves, so
    no coercion the lean :class:`_Parser` would refuse is made (``workflow_id`` must be a
    string: :func:`~.status.wire_context`). A job status gets the envelope's ``update_interval``
    through that context, in the same pass. Anything else returns None and goes to the lean
    parser, which accepts the legacy forms and names the rejection reason. Tested equal to the
    lean parser on every real capture and on generated payloads
    (tests/status/test_real_captures.py).
    """

    def __init__(self) -> None:
        self._job, self._service = _adapters()

    def parse(
        self, text: str, update_interval_ms: int
    ) -> tuple[int, JobStatus | ServiceStatus] | None:
        head = _HEAD.match(text)
        if head is None or text.count('"message_type"') != 1 or text.count('"message":') != 1:
            return None
        adapter = self._job if head.group(1) == "job" else self._service
        try:
            doc = adapter.validate_json(text, strict=True, context=wire_context(update_interval_ms))
        except (ValidationError, ValueError):
            return None
        return doc["status"], doc["message"]


class _Parser:
    """Turns a ``status_json`` text into a status; raises :class:`_Reject` on bad input."""

    def __init__(self) -> None:
        self._workflow_ids: dict[str, WorkflowId] = {}

    def parse(
        self, text: str, service_id: str, update_interval_ms: int
    ) -> tuple[int, JobStatus | ServiceStatus, bool]:
        """Return (code, status, depends_on_service_id); a job status carries the envelope's
        ``update_interval_ms``."""
        try:
            doc = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise _Reject("bad_json", f"status_json is not JSON: {exc}") from None
        if not isinstance(doc, dict):
            raise _Reject("bad_field", "status_json must be a JSON object")
        code = _get(doc, "status", "status_json")
        if type(code) is not int:
            raise _Reject("bad_field", f"status_json.status must be an integer, got {code!r:.80}")
        message = _get(doc, "message", "status_json")
        if not isinstance(message, dict):
            raise _Reject("bad_field", "status_json.message must be an object")
        kind = message.get("message_type", "job")
        if kind == "job":
            status, uses_service_id = self._job(message, service_id, update_interval_ms)
            return code, status, uses_service_id
        if kind == "service":
            return code, self._service(message), False
        raise _Reject("unknown_message_type", f"message_type {kind!r:.80} is not job or service")

    def _workflow_id(self, text: Any) -> WorkflowId:
        if not isinstance(text, str):
            raise _Reject("bad_workflow_id", f"workflow_id must be a string, got {text!r:.80}")
        known = self._workflow_ids.get(text)
        if known is not None:
            return known
        try:
            parsed = WorkflowId.parse(text)
        except ValueError as exc:
            raise _Reject("bad_workflow_id", str(exc)) from None
        if len(self._workflow_ids) >= 65536:
            self._workflow_ids.clear()
        self._workflow_ids[text] = parsed
        return parsed

    def _job(
        self, m: dict[str, Any], service_id: str, update_interval_ms: int
    ) -> tuple[JobStatus, bool]:
        where = "message"
        state_text = _get(m, "state", where)
        state = _JOB_STATES.get(state_text) if isinstance(state_text, str) else None
        if state is None:
            raise _Reject("unknown_state", f"unknown job state {state_text!r:.80}")
        raw_job_id = m.get("job_id")
        uses_service_id = raw_job_id is None
        if uses_service_id:
            job_id = _job_id_from_service_id(service_id)
        else:
            if not isinstance(raw_job_id, dict):
                raise _Reject("bad_field", "message.job_id must be an object")
            job_id = JobId.model_construct(
                source_name=_str(raw_job_id, "source_name", "message.job_id"),
                job_number=_uuid(
                    _get(raw_job_id, "job_number", "message.job_id"), "message.job_id.job_number"
                ),
            )
        status = JobStatus.model_construct(
            job_id=job_id,
            workflow_id=self._workflow_id(_get(m, "workflow_id", where)),
            state=state,
            error=_opt_str(m, "error", where),
            warning=_opt_str(m, "warning", where),
            start_time=_int(m, "start_time", where, optional=True),
            end_time=_int(m, "end_time", where, optional=True),
            update_interval_ms=update_interval_ms,
        )
        return status, uses_service_id

    def _service(self, m: dict[str, Any]) -> ServiceStatus:
        where = "message"
        state_text = _get(m, "state", where)
        state = _SERVICE_STATES.get(state_text) if isinstance(state_text, str) else None
        if state is None:
            raise _Reject("unknown_state", f"unknown service state {state_text!r:.80}")
        raw_stats = m.get("stream_stats")
        stats = None if raw_stats is None else self._stats(raw_stats)
        return ServiceStatus.model_construct(
            instrument=_str(m, "instrument", where),
            service_name=_str(m, "service_name", where),
            worker_id=_str(m, "worker_id", where),
            state=state,
            started_at=_int(m, "started_at", where),
            active_job_count=_int(m, "active_job_count", where),
            error=_opt_str(m, "error", where),
            batch_interval_s=_number(m, "batch_interval_s", where, optional=True),
            stream_stats=stats,
        )

    @staticmethod
    def _stats(raw: Any) -> StreamStats:
        where = "message.stream_stats"
        if not isinstance(raw, dict):
            raise _Reject("bad_field", f"{where} must be an object or null")
        streams = raw.get("streams", [])  # optional, as in the StreamStats model (the contract)
        if not isinstance(streams, list):
            raise _Reject("bad_field", f"{where}.streams must be a list")
        counts = []
        for i, s in enumerate(streams):
            at = f"{where}.streams[{i}]"
            if not isinstance(s, dict):
                raise _Reject("bad_field", f"{at} must be an object")
            counts.append(
                StreamCount.model_construct(
                    topic=_str(s, "topic", at),
                    source_name=_str(s, "source_name", at),
                    stream=_opt_str(s, "stream", at),
                    count=_int(s, "count", at),
                )
            )
        return StreamStats.model_construct(
            window_seconds=_number(raw, "window_seconds", where), streams=tuple(counts)
        )


class RateLimitedLog:
    """Logs a warning per key at most once every ``interval_s``, with a count of suppressed ones."""

    def __init__(self, clock: Clock, interval_s: float = 10.0, logger: logging.Logger = log):
        self._clock = clock
        self._interval = interval_s
        self._logger = logger
        self._last: dict[str, float] = {}
        self._suppressed: dict[str, int] = {}

    def warning(self, key: str, message: str) -> None:
        now = self._clock.monotonic()
        last = self._last.get(key)
        if last is not None and now - last < self._interval:
            self._suppressed[key] = self._suppressed.get(key, 0) + 1
            return
        suppressed = self._suppressed.pop(key, 0)
        self._last[key] = now
        extra = f" ({suppressed} more suppressed)" if suppressed else ""
        self._logger.warning("%s%s", message, extra)


class X5f2Decoder:
    """Decodes raw heartbeats; never raises. Counts rejections per reason (``rejections``).

    No per-payload cache: real heartbeats never repeat (see the module docstring), so a cache
    only costs. ``cache_size`` is accepted for compatibility and ignored.
    """

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        cache_size: int | None = None,
        log_interval_s: float = 10.0,
        log_rejections: bool = True,
    ) -> None:
        del cache_size
        self._fast = _FastParser()
        self._parser = _Parser()
        self._log_rejections = log_rejections
        self._counts_lock = threading.Lock()
        self._rejections: dict[str, int] = {}
        self._log = RateLimitedLog(clock or SystemClock(), log_interval_s)

    @property
    def rejections(self) -> dict[str, int]:
        """A snapshot of the rejection counts per reason."""
        with self._counts_lock:
            return dict(self._rejections)

    def decode(self, raw: Any) -> Decoded | Rejection:
        """Bytes of one Kafka record value -> :class:`Decoded` or :class:`Rejection`."""
        envelope = self._envelope(raw)
        if type(envelope) is Rejection:
            return envelope
        result = self._parsed(envelope)
        if type(result) is Rejection:
            return result
        return Decoded(envelope, result[0], result[1])

    def decode_status(self, raw: Any) -> JobStatus | ServiceStatus | Rejection:
        """The hot path of the router: only the parsed status (or the rejection)."""
        envelope = self._envelope(raw)
        if type(envelope) is Rejection:
            return envelope
        fast = self._fast.parse(envelope.status_json, envelope.update_interval)
        if fast is not None:
            return fast[1]
        result = self._slow(envelope)
        if type(result) is Rejection:
            return self._count(result)
        return result[1]

    def _envelope(self, raw: Any) -> Envelope | Rejection:
        if type(raw) is not bytes:
            if not isinstance(raw, bytes | bytearray | memoryview):
                return self._reject("not_bytes", f"expected bytes, got {type(raw).__name__}")
            raw = bytes(raw)
        if len(raw) < 8:
            return self._reject("too_short", f"{len(raw)} bytes cannot hold an x5f2 flatbuffer")
        ident = raw[4:8]
        if ident != FILE_IDENTIFIER:
            return self._reject(
                "wrong_file_identifier",
                f"file identifier {ident!r} is not {FILE_IDENTIFIER!r}",
            )
        try:
            return read_envelope(raw)
        except Exception as exc:  # any corruption (struct.error, ValueError, UnicodeError)
            return self._reject("bad_flatbuffer", f"not a readable x5f2 flatbuffer: {exc!r:.120}")

    def _parsed(self, envelope: Envelope) -> tuple[int, JobStatus | ServiceStatus] | Rejection:
        fast = self._fast.parse(envelope.status_json, envelope.update_interval)
        if fast is not None:
            return fast
        result = self._slow(envelope)
        if type(result) is Rejection:
            return self._count(result)
        return result

    def _slow(self, envelope: Envelope) -> tuple[int, JobStatus | ServiceStatus] | Rejection:
        try:
            code, status, _ = self._parser.parse(
                envelope.status_json, envelope.service_id, envelope.update_interval
            )
            return (code, status)
        except _Reject as exc:
            return Rejection(exc.reason, exc.detail)
        except Exception as exc:  # defensive: nothing escapes the routing path
            return Rejection("bad_field", f"unexpected content: {exc!r:.120}")

    def _reject(self, reason: str, detail: str) -> Rejection:
        return self._count(Rejection(reason, detail))

    def _count(self, rejection: Rejection) -> Rejection:
        with self._counts_lock:
            self._rejections[rejection.reason] = self._rejections.get(rejection.reason, 0) + 1
        if self._log_rejections:
            self._log.warning(
                rejection.reason, f"heartbeat rejected ({rejection.reason}): {rejection.detail}"
            )
        return rejection


def decode(raw: Any) -> Decoded | Rejection:
    """Decode one message with a throw-away decoder (for tools; the router keeps its own)."""
    return X5f2Decoder().decode(raw)
