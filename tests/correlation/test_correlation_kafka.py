"""Against a real broker: simulated timeseries on the data topic in, histograms out.

The executor consumes ``dummy_livedata_data`` with its own consumer and publishes on the same
topic; the test reads the topic back like a dashboard would and compares with a direct scipp
computation of exactly the records it produced.
"""

from __future__ import annotations

import uuid

import numpy as np
import pytest
import scipp as sc
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic

from wfspec.compiler.ids import WorkflowId
from wfspec.runtime.correlation.da00 import decode_da00
from wfspec.runtime.correlation.executor import CorrelationExecutor
from wfspec.runtime.correlation.publisher import (
    DataTopicConsumer,
    KafkaDataPublisher,
    data_topic,
)
from wfspec.runtime.correlation.result_key import ResultKey
from wfspec.runtime.correlation.timeseries_source import TimeseriesSource

pytestmark = pytest.mark.kafka

S = 1_000_000_000
T0 = 1_800_000_000 * S
TS = WorkflowId.parse("dummy/timeseries_data/1")
MON = WorkflowId.parse("dummy/monitor_histogram/1")
H1 = WorkflowId.parse("dummy/motion1_correlation_histogram_1d/1")
H2 = WorkflowId.parse("dummy/motion1_vs_motion2_correlation_histogram_2d/1")
COUNTS1 = "dummy/monitor_histogram/1/counts_total@monitor1"
COUNTS2 = "dummy/monitor_histogram/1/counts_total@monitor2"
MOTION1 = "dummy/timeseries_data/1/delta@motion1"
MOTION2 = "dummy/timeseries_data/1/delta@motion2"
TOPIC = data_topic("dummy")


class SimulatedBackend:
    """Produces the simulated jobs' records to Kafka and remembers them per series."""

    def __init__(self, bootstrap: str) -> None:
        self.producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 0})
        self.source = TimeseriesSource(seed=11)
        self.sent: dict[str, list[sc.DataArray]] = {}
        self.now = T0

    def run(self, ticks: int) -> None:
        for _ in range(ticks):
            self.now += S
            for value in self.source.tick(self.now):
                record = decode_da00(value)
                ref = str(ResultKey.from_json(record.source_name).reference)
                data = record.data if record.data.ndim else sc.concat([record.data], "time")
                self.sent.setdefault(ref, []).append(data)
                self.producer.produce(TOPIC, value=value)
        assert self.producer.flush(10) == 0

    def series(self, ref: str) -> sc.DataArray:
        return sc.concat(self.sent[ref], "time")


def matches(snapshot, expected) -> bool:
    """The latest histogram equals ``expected`` (values and variances)."""
    if snapshot is None or snapshot.data.shape != expected.shape:
        return False
    pairs = [(snapshot.data.values, expected.values)]
    if expected.variances is not None:
        pairs.append((snapshot.data.variances, expected.variances))
    return all(np.allclose(a, b, rtol=1e-9, atol=1e-9, equal_nan=True) for a, b in pairs)


def read_back(ref, bootstrap: str) -> dict[tuple[WorkflowId, str], list]:
    """Every histogram on the topic, in order, per (instance, source), like a dashboard."""
    found: dict[tuple[WorkflowId, str], list] = {}
    for key, data in ref.read_da00_topic(bootstrap, TOPIC, idle_s=3.0):
        if key.output_name == "histogram":
            found.setdefault((key.workflow_id, key.job_id.source_name), []).append((key, data))
    return found


@pytest.fixture
def kafka_executor(ref, tansu_bootstrap):
    admin = AdminClient({"bootstrap.servers": tansu_bootstrap})
    # one partition: the order on the topic is the order of publication
    for future in admin.create_topics([NewTopic(TOPIC, num_partitions=1)]).values():
        future.result(10)
    config = {"bootstrap.servers": tansu_bootstrap}
    publisher = KafkaDataPublisher(config, TOPIC)
    executor = CorrelationExecutor(ref.make_specs().get, publisher=publisher)
    consumer = DataTopicConsumer(config, TOPIC, executor.on_record, from_beginning=True)
    consumer.start()
    yield executor, SimulatedBackend(tansu_bootstrap)
    consumer.stop()
    publisher.flush()


def test_histograms_through_kafka_equal_direct_scipp(
    wait_for, ref, kafka_executor, tansu_bootstrap
):
    executor, backend = kafka_executor
    numbers = {H1: uuid.uuid4(), H2: uuid.uuid4()}
    executor.start_job(H1, COUNTS1, numbers[H1], {"x_edges": ref.X_EDGES})
    executor.start_job(
        H2,
        COUNTS1,
        numbers[H2],
        {"x_edges": ref.X_EDGES, "y_edges": ref.Y_EDGES, "normalization": {"per_second": True}},
    )
    executor.start_job(H1, COUNTS2, uuid.uuid4(), {"x_edges": {**ref.X_EDGES, "unit": "K"}})

    backend.source.job_started(MON, "monitor1", uuid.uuid4())
    backend.source.job_started(MON, "monitor2", uuid.uuid4())
    backend.run(4)  # monitor windows before any axis reading: excluded
    assert wait_for(lambda: len(executor.store.series(_ref(COUNTS1))) == 3)
    assert {j.source_name: j.state for j in executor.jobs()} == {
        COUNTS1: "scheduled",
        COUNTS2: "scheduled",
    }
    backend.source.job_started(TS, "motion1", uuid.uuid4())
    backend.source.job_started(TS, "motion2", uuid.uuid4())
    backend.run(25)

    x = {"motion1": sc.linspace("motion1", 0.0, 1.0, 11, unit="mm")}
    xy = {**x, "motion2": sc.geomspace("motion2", 1.0, 360.0, 7, unit="deg")}
    expected_1d = ref.direct_histogram(
        backend.series(COUNTS1), {"motion1": backend.series(MOTION1)}, x
    )
    expected_2d = ref.direct_histogram(
        backend.series(COUNTS1),
        {"motion1": backend.series(MOTION1), "motion2": backend.series(MOTION2)},
        xy,
        per_second=True,
    )
    assert wait_for(lambda: matches(executor.latest(H1, COUNTS1), expected_1d))
    assert wait_for(lambda: matches(executor.latest(H2, COUNTS1), expected_2d))
    ref.assert_same_histogram(executor.latest(H1, COUNTS1).data, expected_1d)
    ref.assert_same_histogram(executor.latest(H2, COUNTS1).data, expected_2d)
    # the windows before the first reading are not in the histogram
    assert expected_1d.sum().value < backend.series(COUNTS1).sum().value

    states = {j.source_name: (j.state, j.error) for j in executor.jobs()}
    assert states[COUNTS1] == ("active", None)
    assert states[COUNTS2][0] == "error" and "'K'" in states[COUNTS2][1]

    # what a dashboard reads back: the last histogram of each job is the latest one
    published = read_back(ref, tansu_bootstrap)
    for wid in (H1, H2):
        key, data = published[(wid, COUNTS1)][-1]
        assert key.job_id.job_number == numbers[wid]
        latest = executor.latest(wid, COUNTS1).data
        assert sc.identical(sc.values(data), sc.values(latest), equal_nan=True)
        assert sc.allclose(
            sc.variances(data.data),
            sc.variances(latest.data),
            rtol=sc.scalar(1e-14),
            equal_nan=True,
        )
    assert (H1, COUNTS2) not in published  # a job in error publishes nothing


def test_restarted_data_job_starts_a_fresh_history_through_kafka(wait_for, ref, kafka_executor):
    executor, backend = kafka_executor
    executor.start_job(H1, COUNTS1, uuid.uuid4(), {"x_edges": ref.X_EDGES})
    backend.source.job_started(TS, "motion1", uuid.uuid4())
    backend.source.job_started(MON, "monitor1", uuid.uuid4())
    backend.run(8)
    assert wait_for(lambda: len(executor.store.series(_ref(COUNTS1))) == 7)
    backend.source.job_stopped(MON, "monitor1")
    backend.sent[COUNTS1] = []
    backend.source.job_started(MON, "monitor1", uuid.uuid4())
    backend.run(6)
    expected = ref.direct_histogram(
        backend.series(COUNTS1),
        {"motion1": backend.series(MOTION1)},
        {"motion1": sc.linspace("motion1", 0.0, 1.0, 11, unit="mm")},
    )
    assert wait_for(lambda: matches(executor.latest(H1, COUNTS1), expected))
    assert len(executor.store.series(_ref(COUNTS1))) == 5


def _ref(text: str):
    from wfspec.compiler.ids import TimeseriesReference

    return TimeseriesReference.parse(text)
