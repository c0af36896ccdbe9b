"""The codec and the status rules on what the real ESS livedata backend sent (26.8.0, 2,714
heartbeats, tests/data/real-captures/README.md): byte-exact round trip, the direct envelope reader
equal to ``deserialise_x5f2``, the pydantic fast path equal to the lean parser, the canonical
encoder equal to the backend's, and a replay that ends in the states the backend reported."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from streaming_data_types import deserialise_x5f2, serialise_x5f2

from wfspec.runtime.cli.main import main
from wfspec.runtime.status import JobState, JobStatus, ServiceState
from wfspec.runtime.x5f2 import (
    Decoded,
    X5f2Decoder,
    _FastParser,
    _Parser,
    _Reject,
    encode,
    encode_status,
    read_envelope,
)

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT / "tests" / "data" / "real-captures"


@cache
def rows() -> tuple[dict, ...]:
    with (REAL / "heartbeats.jsonl").open(encoding="utf-8") as lines:
        return tuple(json.loads(line) for line in lines)


@cache
def raws() -> tuple[bytes, ...]:
    return tuple(serialise_x5f2(**row["x5f2"]) for row in rows())


def lean(text: str, service_id: str, update_interval_ms: int):
    """The lean parser's answer: (code, status) or the rejection reason."""
    try:
        code, status, _ = _Parser().parse(text, service_id, update_interval_ms)
    except _Reject as exc:
        return exc.reason
    return code, status


def test_the_captures_are_what_the_readme_says():
    kinds = {json.loads(r["x5f2"]["status_json"])["message"]["message_type"] for r in rows()}
    assert len(rows()) == 2714 and kinds == {"job", "service"}
    # No two beats of one job repeat: an active job's end_time moves on every beat.
    job_texts = [r["x5f2"]["status_json"] for r in rows() if '"job"' in r["x5f2"]["status_json"]]
    assert len(set(job_texts)) == len(job_texts)


def test_the_envelope_reader_equals_deserialise_x5f2_on_every_capture():
    for raw in raws():
        assert read_envelope(raw) == deserialise_x5f2(raw)


def test_every_capture_decodes_and_re_encodes_byte_for_byte():
    decoder = X5f2Decoder()
    for raw in raws():
        decoded = decoder.decode(raw)
        assert type(decoded) is Decoded, decoded
        assert encode(decoded) == raw
    assert decoder.rejections == {}


def test_the_fast_path_takes_every_capture_and_equals_the_lean_parser():
    fast = _FastParser()
    for row in rows():
        x5f2 = row["x5f2"]
        text, service_id, interval = (
            x5f2["status_json"],
            x5f2["service_id"],
            x5f2["update_interval"],
        )
        got = fast.parse(text, interval)
        assert got is not None, text
        assert got == lean(text, service_id, interval)
        assert type(got[1].model_dump()) is dict  # a real model, not a half-built one
        if isinstance(got[1], JobStatus):
            assert got[1].update_interval_ms == interval


def test_the_backend_reports_1_s_on_job_beats_2_s_on_service_beats_but_jobs_beat_every_2_s():
    """What the staleness rule is built on (ADR 0006): the envelope's ``update_interval`` is
    1000 ms on every job beat and 2000 ms on every service beat, and a job's beats really arrive
    with the service's, every ~2 s (broker timestamps), never faster than 1.1 s."""
    reported: dict[str, set[int]] = {"job": set(), "service": set()}
    last: dict[str, int] = {}
    job_gaps = []
    for row in rows():
        x5f2 = row["x5f2"]
        kind = json.loads(x5f2["status_json"])["message"]["message_type"]
        reported[kind].add(x5f2["update_interval"])
        if kind == "job":
            at = row["kafka_timestamp_ms"]
            if x5f2["service_id"] in last:
                job_gaps.append(at - last[x5f2["service_id"]])
            last[x5f2["service_id"]] = at
    assert reported == {"job": {1000}, "service": {2000}}
    job_gaps.sort()
    fastest, median, slowest = job_gaps[0], job_gaps[len(job_gaps) // 2], job_gaps[-1]
    assert fastest >= 1100 and 2000 <= median <= 2100 and slowest <= 2100


def test_every_decoded_job_status_carries_the_interval_its_envelope_reports():
    decoder = X5f2Decoder()
    for raw, row in zip(raws(), rows(), strict=True):
        status = decoder.decode_status(raw)
        if isinstance(status, JobStatus):
            assert status.update_interval_ms == row["x5f2"]["update_interval"] == 1000


def test_the_canonical_encoder_writes_what_the_backend_wrote():
    """Field by field, key by key: a status we encode is the backend's bytes. The one deliberate
    difference (ADR 0007): a stopped job is NICOS 235 here, 999 from the backend."""
    decoder = X5f2Decoder()
    stopped = 0
    for raw in raws():
        decoded = decoder.decode(raw)
        env = decoded.envelope
        ours = encode_status(
            decoded.status,
            software_version=env.software_version,
            host_name=env.host_name,
            process_id=env.process_id,
        )
        if decoded.is_job and decoded.status.state is JobState.STOPPED:
            stopped += 1
            assert decoded.nicos_status == 999 and deserialise_x5f2(ours).status_json.startswith(
                '{"status":235,'
            )
            continue
        assert ours == raw, (deserialise_x5f2(ours), env)
    assert stopped == 2


def test_replaying_every_capture_ends_in_the_states_the_backend_reported(
    shipped_bundle_path, tmp_path
):
    files = []
    for i, raw in enumerate(raws()):
        path = tmp_path / f"{i:05d}.x5f2"
        path.write_bytes(raw)
        files.append(str(path))
    args = [
        "heartbeats",
        "replay",
        "--bundle",
        str(shipped_bundle_path),
        "--format",
        "json",
        *files,
    ]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    view = json.loads(result.output)

    # What the backend said last about each job and worker (computed from the capture itself).
    last_job, last_service = {}, {}
    for row in rows():
        message = json.loads(row["x5f2"]["status_json"])["message"]
        if message["message_type"] == "job":
            key = (message["job_id"]["source_name"], message["job_id"]["job_number"])
            last_job[key] = message["state"]
        else:
            last_service[message["worker_id"]] = message["state"]
    jobs = {(j["source_name"], j["job_number"]): j for j in view["jobs"]}
    assert {k: j["state"] for k, j in jobs.items()} == last_job
    services = {s["worker_id"]: s["state"] for s in view["services"]}
    assert services == last_service
    assert ServiceState.STOPPED.value in services.values()

    panel = next(j for j in view["jobs"] if j["source_name"] == "panel_0")
    assert panel["state"] == "error" and panel["message"]


# ---------------------------------------------------------------------------------------------
# Generated inputs: the fast paths never accept what the reference readers read differently.
# ---------------------------------------------------------------------------------------------


@settings(max_examples=400, deadline=None)
@given(data=st.data())
def test_the_envelope_reader_never_reads_a_corrupt_buffer_differently(data):
    raw = bytearray(data.draw(st.sampled_from(raws()[:40])))
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(raw) - 1))
        raw[at] = data.draw(st.integers(0, 255))
    raw[4:8] = b"x5f2"  # the decoder checks the identifier before reading
    cut = data.draw(st.integers(8, len(raw)))
    raw = bytes(raw[:cut])
    try:
        ours = read_envelope(raw)
    except Exception:
        return  # refused: the decoder rejects it as bad_flatbuffer
    assert ours == deserialise_x5f2(raw)


def _sample_messages() -> list[dict]:
    picked, seen = [], set()
    for row in rows():
        doc = json.loads(row["x5f2"]["status_json"])
        key = (doc["message"]["message_type"], doc["message"]["state"])
        if key not in seen:
            seen.add(key)
            picked.append(doc)
    return picked


wild = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),
    st.text(max_size=12),
    st.sampled_from(
        [
            "active",
            "running",
            "bogus",
            "dummy/monitor_histogram/1",
            "Dummy/x/1",
            "d841d7df-ee74-4e64-8b4b-d6de77584f2a",
            "{d841d7df-ee74-4e64-8b4b-d6de77584f2a}",
            "D841D7DFEE744E648B4BD6DE77584F2A",
            "urn:uuid:d841d7df-ee74-4e64-8b4b-d6de77584f2a",
            "1.5",
            "7",
        ]
    ),
    st.lists(st.integers(), max_size=2),
    st.fixed_dictionaries({"instrument": st.just("dummy"), "name": st.just("x")}),
    st.fixed_dictionaries(
        {"window_seconds": st.one_of(st.integers(), st.floats(), st.none())},
        optional={
            "streams": st.lists(
                st.fixed_dictionaries(
                    {"topic": st.text(max_size=3), "source_name": st.just("m")},
                    optional={"stream": st.none(), "count": st.one_of(st.integers(), st.floats())},
                ),
                max_size=2,
            )
        },
    ),
)


@settings(max_examples=600, deadline=None)
@given(data=st.data())
def test_the_fast_path_never_accepts_what_the_lean_parser_reads_differently(data):
    doc = json.loads(json.dumps(data.draw(st.sampled_from(_sample_messages()))))
    message = doc["message"]
    for _ in range(data.draw(st.integers(0, 3))):
        where = data.draw(st.sampled_from(["top", "message", "job_id"]))
        target = {"top": doc, "message": message, "job_id": message.get("job_id")}[where]
        if not isinstance(target, dict):
            continue
        key = data.draw(st.sampled_from([*target, "extra"]))
        if data.draw(st.booleans()) and key in target and key != "message_type":
            del target[key]
        else:
            target[key] = data.draw(wild)
    text = json.dumps(doc, separators=(",", ":"), ensure_ascii=data.draw(st.booleans()))
    interval = data.draw(st.sampled_from([0, 1, 1000, 2000, 2**32 - 1]))
    got = _FastParser().parse(text, interval)
    if got is not None:
        assert got == lean(text, "monitor1:d841d7df-ee74-4e64-8b4b-d6de77584f2a", interval)


def test_the_interval_comes_from_the_envelope_never_from_status_json():
    """A ``status_json`` that happens to hold an ``update_interval_ms`` key changes nothing:
    both paths take the envelope's value."""
    job = next(d for d in _sample_messages() if d["message"]["message_type"] == "job")
    job = json.loads(json.dumps(job))
    job["message"]["update_interval_ms"] = "soon"
    text = json.dumps(job, separators=(",", ":"))
    got = _FastParser().parse(text, 2000)
    assert got is not None and got[1].update_interval_ms == 2000
    assert got == lean(text, "x:1", 2000)


def test_duplicate_keys_and_odd_heads_go_to_the_lean_parser():
    doc = _sample_messages()[0]
    text = json.dumps(doc, separators=(",", ":"))
    fast = _FastParser()
    assert fast.parse(text, 2000) is not None
    assert fast.parse(text.replace('{"status"', '{ "status"', 1), 2000) is None  # not canonical
    twice = text[:-1] + ',"message":' + json.dumps(doc["message"], separators=(",", ":")) + "}"
    assert fast.parse(twice, 2000) is None
    legacy = text.replace('"message_type":"service",', "")
    assert fast.parse(legacy, 2000) is None


def test_a_workflow_id_object_is_refused_on_the_wire_but_accepted_from_python():
    job = next(d for d in _sample_messages() if d["message"]["message_type"] == "job")
    wid = {"instrument": "dummy", "name": "monitor_histogram", "version": 1}
    job["message"]["workflow_id"] = wid
    text = json.dumps(job, separators=(",", ":"))
    assert _FastParser().parse(text, 1000) is None
    assert lean(text, "x:1", 1000) == "bad_workflow_id"
    status = JobStatus.model_validate({**job["message"]})
    assert str(status.workflow_id) == "dummy/monitor_histogram/1"


def test_stream_stats_without_streams_read_alike_on_both_paths():
    """Found by the property test above: ``streams`` is optional in the StreamStats model (the
    contract), so the lean parser takes its absence as no streams too."""
    doc = next(d for d in _sample_messages() if d["message"]["message_type"] == "service")
    doc = json.loads(json.dumps(doc))
    doc["message"]["stream_stats"] = {"window_seconds": 0}
    text = json.dumps(doc, separators=(",", ":"))
    got = _FastParser().parse(text, 2000)
    assert got is not None and got[1].stream_stats.streams == ()
    assert got == lean(text, "monitor1:d841d7df-ee74-4e64-8b4b-d6de77584f2a", 2000)
