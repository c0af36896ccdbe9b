"""da00 <-> DataArray and the ResultKey JSON, in the exact livedata wire format."""

from __future__ import annotations

import json
import uuid

import numpy as np
import pytest
import scipp as sc
from streaming_data_types import dataarray_da00

from wfspec.compiler.ids import WorkflowId
from wfspec.runtime.correlation.da00 import Da00Error, decode_da00, encode_da00
from wfspec.runtime.correlation.result_key import ResultJobId, ResultKey, ResultKeyError


def test_result_key_json_is_the_backend_format():
    number = uuid.UUID("8f6c2a5e-0d63-4a55-9d8c-5a8f3f1e2b7c")
    key = ResultKey(
        workflow_id=WorkflowId.parse("dummy/timeseries_data/1"),
        job_id=ResultJobId(source_name="motion1", job_number=number),
        output_name="delta",
    )
    assert key.to_json() == (
        '{"workflow_id":{"instrument":"dummy","name":"timeseries_data","version":1},'
        '"job_id":{"source_name":"motion1","job_number":"8f6c2a5e-0d63-4a55-9d8c-5a8f3f1e2b7c"},'
        '"output_name":"delta"}'
    )
    assert ResultKey.from_json(key.to_json()) == key
    assert str(key.reference) == "dummy/timeseries_data/1/delta@motion1"


def test_result_key_rejects_other_source_names_with_a_reason():
    with pytest.raises(ResultKeyError, match="not a ResultKey"):
        ResultKey.from_json("motion1")
    with pytest.raises(ResultKeyError, match="job_number"):
        ResultKey.from_json(
            json.dumps(
                {
                    "workflow_id": "dummy/a/1",
                    "job_id": {"source_name": "s", "job_number": "x"},
                    "output_name": "o",
                }
            )
        )


def test_histogram_round_trips_through_da00():
    histogram = sc.DataArray(
        sc.array(
            dims=["motion1", "motion2"],
            values=np.arange(6.0).reshape(2, 3),
            variances=np.ones((2, 3)),
            unit="counts/s",
        ),
        coords={
            "motion1": sc.linspace("motion1", 0.0, 1.0, 3, unit="mm"),
            "motion2": sc.geomspace("motion2", 1.0, 100.0, 4, unit="deg"),
            "time": sc.scalar(1_700_000_000_000_000_000, unit="ns", dtype="int64"),
        },
        name="monitor1",
    )
    record = decode_da00(encode_da00("key", histogram, 42))
    assert (record.source_name, record.timestamp_ns) == ("key", 42)
    assert sc.identical(record.data, histogram)


def test_backend_timeseries_formats_decode():
    zero_d = dataarray_da00.serialise_da00(
        "k",
        1,
        [
            dataarray_da00.Variable(name="signal", data=np.asarray(12.0), unit="counts"),
            dataarray_da00.Variable(name="errors", data=np.asarray(2.0), unit="counts"),
            dataarray_da00.Variable(name="time", data=np.asarray(5, dtype=np.int64), unit="ns"),
            dataarray_da00.Variable(name="frame", data=np.arange(3), axes=["frame"], unit=None),
        ],
    )
    data = decode_da00(zero_d).data
    assert data.ndim == 0 and data.value == 12.0 and data.variance == 4.0
    assert data.coords["time"].value == 5
    assert "frame" not in data.coords  # dims not a subset of the signal's: dropped
    batch = dataarray_da00.serialise_da00(
        "k",
        1,
        [
            dataarray_da00.Variable(
                name="signal", data=np.array([1.0, 2.0]), axes=["time"], unit="mm"
            ),
            dataarray_da00.Variable(name="time", data=np.array([5, 6]), axes=["time"], unit="ns"),
        ],
    )
    data = decode_da00(batch).data
    assert data.dims == ("time",) and list(data.coords["time"].values) == [5, 6]


def test_garbage_is_rejected_with_a_reason():
    with pytest.raises(Da00Error, match="not a da00"):
        decode_da00(b"garbage!")
    no_signal = dataarray_da00.serialise_da00(
        "k",
        1,
        [dataarray_da00.Variable(name="time", data=np.asarray(5, dtype=np.int64), unit="ns")],
    )
    with pytest.raises(Da00Error, match="no 'signal'"):
        decode_da00(no_signal)
