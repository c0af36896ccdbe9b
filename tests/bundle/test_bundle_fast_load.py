"""``load_bundle`` decodes with msgspec but reads exactly what ``json`` reads, and parses the
timeseries of an instrument on first use while refusing bad ones at load."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wfspec.compiler import BundleError, load_bundle
from wfspec.compiler.bundle import _decode


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 18446744073709551617123, "b": [1.5, -0.0, 1e300]}',  # beyond 64 bits
        '{"a": "\\ud800 lone surrogate", "μs": "Å"}',
        '{"a": 1, "a": 2}',  # duplicate keys: the last wins
        '{"a": NaN}',
        '{"a": 1e400}',
    ],
)
def test_decoding_gives_what_json_gives(text: str) -> None:
    assert repr(_decode(text.encode())) == repr(json.loads(text))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.floats(allow_nan=False), st.integers(), st.text()), max_size=8))
def test_decoding_random_values_gives_what_json_gives(values: list) -> None:
    data = json.dumps({"values": values}, ensure_ascii=False).encode()
    assert repr(_decode(data)) == repr(json.loads(data))


def test_a_bundle_with_huge_integers_still_loads(tmp_path, shipped_bundle_path) -> None:
    document = json.loads(shipped_bundle_path.read_bytes())
    document["instruments"]["dummy"]["x_extra"] = 2**70  # unknown keys are ignored
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    bundle = load_bundle(path)
    assert bundle.timeseries("dummy") == load_bundle(shipped_bundle_path).timeseries("dummy")


def test_timeseries_parse_on_first_use_and_equal_the_strings(shipped_bundle_path) -> None:
    document = json.loads(shipped_bundle_path.read_bytes())
    bundle = load_bundle(shipped_bundle_path)
    for instrument, texts in document["timeseries"].items():
        assert [str(ref) for ref in bundle.timeseries(instrument)] == texts
    assert bundle.timeseries("no_such_instrument") == []


@pytest.mark.parametrize(
    "reference",
    ["dummy/timeseries_data/1/delta", "Dummy/x/1/o@s", "dummy/x/0/o@s", 7],
)
def test_a_bad_timeseries_reference_is_refused_at_load(
    tmp_path, shipped_bundle_path, reference
) -> None:
    document = json.loads(shipped_bundle_path.read_bytes())
    document["timeseries"]["dummy"].append(reference)
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(BundleError, match="bundle is corrupt"):
        load_bundle(path)


def test_a_non_canonical_but_valid_reference_loads(tmp_path, shipped_bundle_path) -> None:
    document = json.loads(shipped_bundle_path.read_bytes())
    document["timeseries"]["dummy"].append("dummy/timeseries_data/01/delta@odd/name@x")
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert str(load_bundle(path).timeseries("dummy")[-1]) == (
        "dummy/timeseries_data/1/delta@odd/name@x"
    )
