"""da00 against what the real backend wrote (tests/data/real-captures/da00): every captured result
decodes, and re-encoding it gives the backend's bytes exactly, 0-d variables included (shape
``[]``, not ``[1]``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streaming_data_types import dataarray_da00

from wfspec.runtime.correlation.da00 import decode_da00, encode_da00

DA00 = Path(__file__).resolve().parents[1] / "data" / "real-captures" / "da00"
CAPTURED = sorted(DA00.glob("*.da00"))


def test_all_21_captured_results_are_here():
    assert len(CAPTURED) == 21


@pytest.mark.parametrize("path", CAPTURED, ids=lambda p: p.stem)
def test_a_captured_result_re_encodes_to_the_backends_bytes(path):
    raw = path.read_bytes()
    record = decode_da00(raw)
    ours = encode_da00(record.source_name, record.data, record.timestamp_ns)
    theirs_shapes = [(v.name, list(v.shape)) for v in dataarray_da00.deserialise_da00(raw).data]
    our_shapes = [(v.name, list(v.shape)) for v in dataarray_da00.deserialise_da00(ours).data]
    assert our_shapes == theirs_shapes
    assert ours == raw


def test_a_scalar_result_is_0_d_on_the_wire():
    raw = next(p for p in CAPTURED if p.stem.startswith("monitor_histogram-counts_total-"))
    record = decode_da00(raw.read_bytes())
    assert record.data.ndim == 0
    encoded = encode_da00(record.source_name, record.data, record.timestamp_ns)
    signal = next(v for v in dataarray_da00.deserialise_da00(encoded).data if v.name == "signal")
    assert list(signal.shape) == []
