"""The demo's path end to end on a real broker: commit -> local job -> histogram on the topic.

The Runtime (registry, orchestrator, routing sink, executor, Kafka consumers) and the simulated
backend run exactly as in ``wfspec demo``. The test reads the data topic back like a dashboard
and recomputes the instance's histogram with scipp directly from the backend's records.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipp as sc

from wfspec.compiler import load_bundle
from wfspec.runtime.app import Runtime
from wfspec.runtime.correlation.histogram import make_edges
from wfspec.runtime.demo_scenario import play
from wfspec.runtime.simulator import SimulatedBackend

pytestmark = pytest.mark.kafka

COUNTS1 = "dummy/monitor_histogram/1/counts_total@monitor1"


def series(records, name: str, source: str, output: str, job_number) -> sc.DataArray:
    parts = [
        data if data.ndim else sc.concat([data], "time")
        for key, data in records
        if key.workflow_id.name == name
        and key.job_id.source_name == source
        and key.output_name == output
        and key.job_id.job_number == job_number
    ]
    return sc.concat(parts, "time")


def matches(snapshot, expected) -> bool:
    return (
        snapshot is not None
        and snapshot.data.shape == expected.shape
        and bool(np.allclose(snapshot.data.values, expected.values, rtol=1e-9, atol=1e-9))
    )


def test_demo_instance_goes_active_and_publishes_the_scipp_histogram(
    wait_for, kafka_broker, shipped_bundle_path, tmp_path, ref
):
    kafka = {"bootstrap.servers": kafka_broker.bootstrap_servers}
    bundle = load_bundle(shipped_bundle_path)
    with Runtime(bundle, "dummy", kafka=kafka, state_dir=tmp_path) as runtime:
        with SimulatedBackend(
            kafka, "dummy", runtime.registry.get, heartbeat_interval_s=0.3, data_interval_s=0.1
        ):
            plan = play(runtime.registry, runtime, log=lambda _text: None)
            instance = plan.instance
            assert runtime.registry.is_template_instance(instance)
            assert wait_for(
                lambda: runtime.workflow_statuses([instance])[instance].state.value == "active",
                timeout=30.0,
            )
            assert wait_for(
                lambda: getattr(runtime.histogram(instance, COUNTS1), "version", 0) > 5,
                timeout=30.0,
            )
        # the backend has stopped: recompute from everything it published, then wait for the
        # runtime to have consumed the same records
        states = runtime.states()
        records = ref.read_da00_topic(kafka_broker.bootstrap_servers, runtime.topics.data)
        monitors = states[plan.commits[1][0]].current.job_number
        motions = states[plan.commits[0][0]].current.job_number
        counts = series(records, "monitor_histogram", "monitor1", "counts_total", monitors)
        motion1 = series(records, "timeseries_data", "motion1", "delta", motions)
        params = states[instance].current.jobs[COUNTS1].params
        edges = {"motion1": make_edges("motion1", params["x_edges"])}
        expected = ref.direct_histogram(counts, {"motion1": motion1}, edges)
        assert wait_for(
            lambda: matches(runtime.histogram(instance, COUNTS1), expected), timeout=30.0
        )
        latest = runtime.histogram(instance, COUNTS1)
        ref.assert_same_histogram(latest.data, expected)
        assert expected.sum().value > 0
    # what a dashboard reads: the instance's histograms under its own ResultKey, latest last
    published = [
        (key, data)
        for key, data in ref.read_da00_topic(kafka_broker.bootstrap_servers, runtime.topics.data)
        if key.workflow_id == instance and key.output_name == "histogram"
    ]
    key, data = published[-1]
    assert key.job_id.source_name == COUNTS1
    assert key.job_id.job_number == states[instance].current.job_number
    assert sc.identical(sc.values(data), sc.values(latest.data), equal_nan=True)
