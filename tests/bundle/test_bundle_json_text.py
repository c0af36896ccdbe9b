"""``bundle_bytes`` writes exactly the text ``json.dumps(indent=1, ensure_ascii=False)`` writes."""

from __future__ import annotations

import json
import math
from collections import OrderedDict
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wfspec.compiler.emit import bundle_bytes

JSON = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**80), max_value=2**80),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(),  # quotes, backslashes, control characters, μs, astral characters
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(), inner, max_size=4)
    ),
    max_leaves=30,
)


def _reference(document: Any) -> bytes:
    return (json.dumps(document, indent=1, ensure_ascii=False, allow_nan=False) + "\n").encode()


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(), JSON, max_size=5))
def test_same_bytes_as_json_dumps(document: dict[str, Any]) -> None:
    assert bundle_bytes(document) == _reference(document)


def test_the_shipped_bundle_is_written_as_json_dumps_would(shipped_bundle_path) -> None:
    document = json.loads(shipped_bundle_path.read_bytes())
    assert bundle_bytes(document) == _reference(document) == shipped_bundle_path.read_bytes()


@pytest.mark.parametrize(
    "document",
    [
        {"a": (1, 2)},
        {"a": OrderedDict(b=1)},
        {1: "int key"},
        {"a": {True: None, None: 1.5}},
    ],
)
def test_other_types_take_the_json_dumps_path(document: dict[Any, Any]) -> None:
    assert bundle_bytes(document) == _reference(document)


@pytest.mark.parametrize("number", [math.nan, math.inf, -math.inf])
def test_nan_and_infinities_are_refused(number: float) -> None:
    with pytest.raises(ValueError, match="not JSON compliant"):
        bundle_bytes({"a": [number]})


def test_stored_defaults_are_each_workflows_own_params_dump(shipped_bundle_path) -> None:
    """The bundle's defaults come from a shared model; they equal each spec's own model's."""
    from wfspec.compiler import load_bundle

    bundle = load_bundle(shipped_bundle_path)
    stored = json.loads(shipped_bundle_path.read_bytes())["workflows"]
    for wid, spec in bundle.workflows.items():
        assert stored[str(wid)]["defaults"] == spec.params().model_dump(mode="json")
