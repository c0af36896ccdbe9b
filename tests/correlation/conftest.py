"""A direct scipp computation of a correlation histogram: what the executor must agree with.

Written the way the ESS livedata reference computes it (lookup, then ``hist`` or
``bin().bins.mean()``), over the whole history at once, independent of the incremental code.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest
import scipp as sc


def series(times, values, unit, variances=None) -> sc.DataArray:
    """A timeseries batch along ``time`` (int64 ns), as the backend publishes it."""
    return sc.DataArray(
        sc.array(
            dims=["time"], values=np.asarray(values, dtype=float), variances=variances, unit=unit
        ),
        coords={
            "time": sc.array(dims=["time"], values=np.asarray(times, dtype=np.int64), unit="ns")
        },
    )


def direct_histogram(
    data: sc.DataArray,
    axes: dict[str, sc.DataArray],
    edges: dict[str, sc.Variable],
    per_second: bool = False,
) -> sc.DataArray:
    dependent = data.copy()
    if dependent.dtype != sc.DType.float64:
        dependent = dependent.to(dtype="float64")
    if per_second:
        times = dependent.coords["time"]
        widths = (times[1:] - times[:-1]).to(dtype="float64", unit="s")
        widths = sc.concat([widths, widths[-1]], dim="time")
        dependent = dependent / widths
    for dim, axis in axes.items():
        lut = sc.lookup(sc.values(axis), mode="previous")
        dependent.coords[dim] = lut[dependent.coords["time"]].to(unit=edges[dim].unit)
    if per_second:
        return dependent.bin(edges).bins.mean()
    return dependent.hist(edges)


def buffer_as_dataarray(buffer, unit=None) -> sc.DataArray:
    """The retained history of a SeriesBuffer as a DataArray (for the direct computation)."""
    return series(buffer.times, buffer.values, unit or buffer.unit, variances=buffer.variances)


def assert_same_histogram(actual: sc.DataArray, expected: sc.DataArray) -> None:
    assert actual.dims == expected.dims
    assert actual.unit == expected.unit
    for dim in expected.dims:
        assert sc.identical(actual.coords[dim], expected.coords[dim])
    np.testing.assert_allclose(actual.values, expected.values, rtol=1e-9, atol=1e-9)
    if expected.variances is None:
        assert actual.variances is None
    else:
        np.testing.assert_allclose(actual.variances, expected.variances, rtol=1e-9, atol=1e-9)


def read_da00_topic(bootstrap: str, topic: str, idle_s: float = 2.0) -> list:
    """Every da00 record on ``topic``, decoded, in order, as (ResultKey, DataArray): what a
    dashboard reads back. Stops after ``idle_s`` without new records."""
    import time
    import uuid

    from confluent_kafka import Consumer

    from wfspec.runtime.correlation.da00 import decode_da00
    from wfspec.runtime.correlation.result_key import ResultKey

    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": str(uuid.uuid4()),
            "auto.offset.reset": "earliest",
            "session.timeout.ms": 2000,
            "heartbeat.interval.ms": 100,
            "fetch.wait.max.ms": 20,
        }
    )
    consumer.subscribe([topic])
    records, idle_since = [], time.monotonic()
    try:
        while time.monotonic() - idle_since < idle_s:
            messages = consumer.consume(500, 0.2)
            if messages:
                idle_since = time.monotonic()
            for message in messages:
                if message.error() is None:
                    record = decode_da00(message.value())
                    records.append((ResultKey.from_json(record.source_name), record.data))
    finally:
        consumer.close()
    return records


@pytest.fixture
def ref():
    """The helpers of this module (test modules cannot import conftest under importlib mode)."""
    return sys.modules[__name__]


# -- registry stand-in: the specs the executor looks up
def make_specs() -> dict:
    """Timeseries producers plus a 1-D and a 2-D correlation instance, as the registry has them."""
    from pydantic import BaseModel

    from wfspec.compiler.ids import WorkflowId
    from wfspec.compiler.spec import OutputSpec, TemplateOrigin, WorkflowSpec

    class NoParams(BaseModel):
        pass

    def spec(wid, sources, outputs, executor=None, origin=None):
        return WorkflowSpec(
            id=WorkflowId.parse(wid),
            group="g",
            title=wid,
            source_names=sources,
            params=NoParams,
            outputs=outputs,
            executor=executor,
            origin=origin,
        )

    hist = {"histogram": OutputSpec(title="h")}
    specs = [
        spec(
            "dummy/timeseries_data/1",
            ["motion1", "motion2"],
            {"delta": OutputSpec(title="d", temporality="series")},
        ),
        spec(
            "dummy/monitor_histogram/1",
            ["monitor1", "monitor2"],
            {
                "counts_total": OutputSpec(title="c", unit="counts", temporality="window"),
                "cumulative": OutputSpec(title="c", dims=["toa"], unit="counts"),
            },
        ),
        spec(
            "dummy/motion1_correlation_histogram_1d/1",
            ["dummy/monitor_histogram/1/counts_total@monitor1"],
            hist,
            executor="correlation_histogram",
            origin=TemplateOrigin(
                template="correlation_histogram_1d",
                config={
                    "x_axis": {
                        "workflow_id": "dummy/timeseries_data/1",
                        "source_name": "motion1",
                        "output_name": "delta",
                    },
                    "x_unit": "mm",
                },
            ),
        ),
        spec(
            "dummy/motion1_vs_motion2_correlation_histogram_2d/1",
            ["dummy/monitor_histogram/1/counts_total@monitor1"],
            hist,
            executor="correlation_histogram",
            origin=TemplateOrigin(
                template="correlation_histogram_2d",
                config={
                    "x_axis": "dummy/timeseries_data/1/delta@motion1",
                    "y_axis": "dummy/timeseries_data/1/delta@motion2",
                },
            ),
        ),
    ]
    return {s.id: s for s in specs}


X_EDGES = {"start": 0.0, "stop": 1.0, "num_bins": 10, "scale": "linear", "unit": "mm"}
Y_EDGES = {"start": 1.0, "stop": 360.0, "num_bins": 6, "scale": "log", "unit": "deg"}


# -- a real broker
@pytest.fixture
def tansu_bootstrap(kafka_broker):
    """Bootstrap servers of the shared embedded broker fixture (tests/conftest.py)."""
    return kafka_broker.bootstrap_servers
