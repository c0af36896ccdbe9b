"""The x5f2 codec on the captured heartbeats and on every kind of malformed message."""

from __future__ import annotations

import json
import logging
import uuid

import pytest
from streaming_data_types import deserialise_x5f2, serialise_x5f2

from wfspec.runtime.clock import FakeClock
from wfspec.runtime.status import JobState, JobStatus, ServiceState, ServiceStatus
from wfspec.runtime.x5f2 import (
    JOB_STATE_CODES,
    REJECTION_REASONS,
    SERVICE_STATE_CODES,
    Decoded,
    NicosStatus,
    Rejection,
    X5f2Decoder,
    encode,
    encode_status,
    status_json,
)

JOB_NUMBER = "3f2a6c1e-8b1d-4c55-9a55-0d6b1f1e2a01"


def wire(text: str, service_id: str = f"monitor1:{JOB_NUMBER}") -> bytes:
    return serialise_x5f2("livedata", "1.0", service_id, "host", 1, 1000, text)


def job_json(**overrides) -> str:
    message = {
        "message_type": "job",
        "state": "active",
        "warning": None,
        "error": None,
        "job_id": {"source_name": "monitor1", "job_number": JOB_NUMBER},
        "workflow_id": "dummy/monitor_histogram/1",
        "start_time": 1,
        "end_time": None,
    }
    message.update(overrides)
    message = {k: v for k, v in message.items() if v != "<drop>"}
    return json.dumps({"status": 200, "message": message}, separators=(",", ":"))


def test_every_capture_decodes_and_reencodes_byte_identically(captures):
    decoder = X5f2Decoder()
    assert len(captures) >= 8
    for name, raw in captures.items():
        decoded = decoder.decode(raw)
        assert isinstance(decoded, Decoded), (name, decoded)
        assert encode(decoded) == raw, name
    assert decoder.rejections == {}


def test_captures_parse_to_the_expected_statuses(captures):
    decoder = X5f2Decoder()
    error = decoder.decode(captures["job_error_traceback"]).status
    assert isinstance(error, JobStatus)
    assert error.state is JobState.ERROR
    assert error.error.startswith("Traceback") and error.error.count("\n") == 5
    legacy = decoder.decode(captures["job_legacy_no_message_type"]).status
    assert isinstance(legacy, JobStatus) and legacy.job_id.source_name == "motion1"
    colons = decoder.decode(captures["job_source_with_colons"])
    assert colons.status.job_id.source_name == "YMIR-SpScn:MC-X-01:Mtr.RBV"
    assert colons.envelope.update_interval == 1000
    stats = decoder.decode(captures["service_stream_stats"])
    assert isinstance(stats.status, ServiceStatus)
    assert stats.status.stream_stats.streams[0].count == 419
    assert stats.status.stream_stats.streams[1].stream is None
    assert stats.envelope.update_interval == 2000
    assert decoder.decode(captures["service_null_stream_stats"]).status.stream_stats is None


def test_stopped_with_code_999_is_accepted_whatever_the_code(captures):
    decoded = X5f2Decoder().decode(captures["job_stopped_code_999"])
    assert decoded.nicos_status == 999
    assert decoded.status.state is JobState.STOPPED


def test_canonical_encoding_matches_the_backend_json(captures):
    decoder = X5f2Decoder()
    for name in (
        "job_active",
        "job_warning",
        "job_error_traceback",
        "job_source_with_colons",
        "service_stream_stats",
        "service_null_stream_stats",
    ):
        decoded = decoder.decode(captures[name])
        assert status_json(decoded.status) == decoded.envelope.status_json, name


def test_new_messages_round_trip_and_use_the_documented_codes():
    decoder = X5f2Decoder()
    message = json.loads(job_json(state="warning", warning="ä slow"))["message"]
    status = JobStatus.model_validate(message)
    decoded = decoder.decode(encode_status(status))
    # a status that reports no interval goes out with the backend's 1000 ms, and comes back so
    assert decoded.status == status.model_copy(update={"update_interval_ms": 1000})
    assert decoded.nicos_status == NicosStatus.WARNING
    assert decoded.envelope.service_id == f"monitor1:{JOB_NUMBER}"
    assert "ä" in decoded.envelope.status_json  # UTF-8 kept, like pydantic's dump_json


def test_new_envelopes_carry_the_backend_defaults(job_status, captures):
    job = job_status("dummy/monitor_histogram/1", "monitor1", uuid.UUID(JOB_NUMBER))
    envelope = deserialise_x5f2(encode_status(job))
    assert envelope.software_name == "livedata"
    assert envelope.update_interval == 1000
    assert envelope.service_id == f"monitor1:{JOB_NUMBER}"
    service = X5f2Decoder().decode(captures["service_stream_stats"]).status
    envelope = deserialise_x5f2(encode_status(service))
    assert envelope.software_name == "livedata"
    assert envelope.update_interval == 2000
    assert envelope.service_id == f"dummy:monitor_data:{service.worker_id}"


def test_a_job_status_reporting_its_interval_round_trips_with_it(job_status):
    job = job_status("dummy/monitor_histogram/1", "monitor1", uuid.UUID(JOB_NUMBER))
    job = job.model_copy(update={"update_interval_ms": 2500})
    raw = encode_status(job)
    assert deserialise_x5f2(raw).update_interval == 2500
    assert X5f2Decoder().decode_status(raw) == job
    assert deserialise_x5f2(encode_status(job, update_interval=700)).update_interval == 700


def test_the_lean_path_carries_the_interval_too(captures):
    """A legacy job beat (no ``message_type``, no ``job_id``) is read by the lean parser: its
    status carries the envelope's interval as the fast path's would."""
    legacy = X5f2Decoder().decode(captures["job_legacy_no_message_type"])
    assert type(legacy) is Decoded and legacy.is_job
    assert legacy.status.update_interval_ms == legacy.envelope.update_interval


def test_state_to_code_mapping_is_total():
    assert set(JOB_STATE_CODES) == set(JobState)
    assert set(SERVICE_STATE_CODES) == set(ServiceState)
    assert JOB_STATE_CODES[JobState.STOPPED] is NicosStatus.DISABLED
    assert JOB_STATE_CODES[JobState.ERROR] is NicosStatus.ERROR


def test_legacy_message_without_job_id_takes_it_from_service_id_split_at_last_colon():
    text = job_json(message_type="<drop>", job_id="<drop>")
    decoded = X5f2Decoder().decode(wire(text, f"ns:device:signal:{JOB_NUMBER}"))
    assert decoded.status.job_id.source_name == "ns:device:signal"
    assert str(decoded.status.job_id.job_number) == JOB_NUMBER


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "too_short"),
        ("not bytes", "not_bytes"),
        (b"\x00" * 4 + b"f144" + b"\x00" * 32, "wrong_file_identifier"),
        (b"\xff\xff\xff\x7f" + b"x5f2" + b"\x00" * 8, "bad_flatbuffer"),
        (wire("{not json"), "bad_json"),
        (wire("[1,2]"), "bad_field"),
        (wire('{"status":200}'), "missing_field"),
        (wire('{"status":"ok","message":{}}'), "bad_field"),
        (wire(job_json(state="<drop>")), "missing_field"),
        (wire(job_json(state="running")), "unknown_state"),
        (wire(job_json(job_id={"source_name": "m", "job_number": "nope"})), "bad_uuid"),
        (wire(job_json(workflow_id="dummy/monitor_histogram")), "bad_workflow_id"),
        (wire(job_json(workflow_id="<drop>")), "missing_field"),
        (wire(job_json(start_time="yesterday")), "bad_field"),
        (wire(job_json(message_type="device")), "unknown_message_type"),
        (wire(job_json(job_id="<drop>"), "no-colon-here"), "bad_service_id"),
        (
            wire('{"status":200,"message":{"message_type":"service","state":"running"}}'),
            "missing_field",
        ),
    ],
)
def test_malformed_messages_are_rejected_with_a_reason_and_counted(raw, reason):
    decoder = X5f2Decoder()
    result = decoder.decode(raw)
    assert isinstance(result, Rejection)
    assert result.reason == reason, result.detail
    assert result.reason in REJECTION_REASONS
    assert decoder.rejections == {reason: 1}
    decoder.decode(raw)
    assert decoder.rejections == {reason: 2}


def test_rejections_are_logged_rate_limited(caplog):
    clock = FakeClock()
    decoder = X5f2Decoder(clock=clock, log_interval_s=10)
    with caplog.at_level(logging.WARNING, logger="wfspec.runtime.x5f2"):
        for _ in range(5):
            decoder.decode(b"garbage!garbage!")
        assert len(caplog.records) == 1
        clock.advance(10)
        decoder.decode(b"garbage!garbage!")
    assert len(caplog.records) == 2
    assert "4 more suppressed" in caplog.records[1].getMessage()
    assert decoder.rejections == {"wrong_file_identifier": 6}


def test_repeated_heartbeats_decode_to_equal_statuses_and_a_change_shows():
    decoder = X5f2Decoder()
    a = decoder.decode(wire(job_json()))
    b = decoder.decode(wire(job_json()))
    assert a.status == b.status
    c = decoder.decode(wire(job_json(state="warning", warning="w")))
    assert c.status.state is JobState.WARNING and c.status != a.status
