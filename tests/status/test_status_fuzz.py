"""Robustness: arbitrary bytes and arbitrary JSON (inside valid x5f2 flatbuffers) never raise
out of the codec or the router, and rejected input leaves every piece of state unchanged."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streaming_data_types import serialise_x5f2

from wfspec.compiler.ids import WorkflowId
from wfspec.runtime.clock import FakeClock
from wfspec.runtime.commands import RecordingSink
from wfspec.runtime.orchestrator import JobOrchestrator
from wfspec.runtime.status_router import StatusRouter
from wfspec.runtime.x5f2 import Decoded, Rejection, X5f2Decoder

MONITOR = WorkflowId.parse("dummy/monitor_histogram/1")
NUMBER = "3f2a6c1e-8b1d-4c55-9a55-0d6b1f1e2a01"

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)

# Near-valid messages: real keys with arbitrary values, so the checks deep inside are reached.
field_values = st.one_of(
    json_values,
    st.sampled_from(
        [
            "job",
            "service",
            "active",
            "error",
            "running",
            "dummy/monitor_histogram/1",
            NUMBER,
            "monitor1",
        ]
    ),
)
job_keys = [
    "message_type",
    "state",
    "warning",
    "error",
    "job_id",
    "workflow_id",
    "start_time",
    "end_time",
    "instrument",
    "service_name",
    "worker_id",
    "started_at",
    "active_job_count",
    "batch_interval_s",
    "stream_stats",
]
messages = st.fixed_dictionaries(
    {},
    optional={
        "status": st.one_of(st.integers(), json_values),
        "message": st.one_of(
            st.dictionaries(st.sampled_from(job_keys), field_values, max_size=len(job_keys)),
            st.fixed_dictionaries(
                {
                    "state": st.sampled_from(["active", "error", "bogus"]),
                    "workflow_id": st.sampled_from(["dummy/monitor_histogram/1", "x"]),
                },
                optional={
                    "job_id": st.one_of(
                        st.fixed_dictionaries(
                            {"source_name": field_values, "job_number": field_values}
                        ),
                        json_values,
                    )
                },
            ),
            json_values,
        ),
    },
)


def make_runtime(registry, records):
    clock = FakeClock()
    orchestrator = JobOrchestrator(registry, records, RecordingSink(), clock=clock)
    orchestrator.stage(MONITOR, "monitor1")
    orchestrator.commit(MONITOR)
    return StatusRouter.for_runtime(orchestrator, clock=clock), orchestrator


def state_of(router, orchestrator):
    return (
        orchestrator.states(),
        orchestrator.version,
        router.job_service.snapshot(),
        router.service_registry.snapshot(),
    )


SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(raw=st.binary(max_size=600))
def test_arbitrary_bytes(registry, records, raw):
    router, orchestrator = make_runtime(registry, records)
    before = state_of(router, orchestrator)
    result = router.route(raw)
    if isinstance(result, Rejection):
        assert state_of(router, orchestrator) == before


@SETTINGS
@given(raw=st.binary(min_size=8, max_size=300))
def test_arbitrary_bytes_with_the_x5f2_identifier(registry, records, raw):
    raw = raw[:4] + b"x5f2" + raw[8:]
    router, orchestrator = make_runtime(registry, records)
    before = state_of(router, orchestrator)
    result = router.route(raw)
    assert isinstance(result, Decoded | Rejection)
    if isinstance(result, Rejection):
        assert state_of(router, orchestrator) == before


@SETTINGS
@given(
    doc=st.one_of(messages, json_values),
    service_id=st.one_of(st.text(max_size=40), st.just(f"a:b:{NUMBER}")),
    raw_text=st.one_of(st.none(), st.text(max_size=80)),
)
def test_arbitrary_json_inside_valid_flatbuffers(registry, records, doc, service_id, raw_text):
    text = raw_text if raw_text is not None else json.dumps(doc)
    raw = serialise_x5f2("livedata", "1", service_id, "h", 1, 1000, text)
    router, orchestrator = make_runtime(registry, records)
    before = state_of(router, orchestrator)
    result = router.route(raw)
    if isinstance(result, Rejection):
        assert state_of(router, orchestrator) == before
        assert router.counters["rejected"] == 1
    else:
        assert result.envelope.status_json == text


@SETTINGS
@given(batch=st.lists(st.binary(max_size=100), max_size=20))
def test_batches_of_garbage(registry, records, batch):
    router, orchestrator = make_runtime(registry, records)
    before = state_of(router, orchestrator)
    assert router.route_batch(batch) == 0
    assert state_of(router, orchestrator) == before


def test_decoder_never_raises_on_truncations_of_a_valid_message(captures):
    decoder = X5f2Decoder()
    for raw in captures.values():
        for cut in range(len(raw)):
            decoder.decode(raw[:cut])
            decoder.decode(raw[:cut] + b"\xff" * (len(raw) - cut))
    assert sum(decoder.rejections.values()) > 0
