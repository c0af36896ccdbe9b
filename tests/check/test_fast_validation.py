"""The compiled (jsonschema-rs) validity check never lets through what jsonschema rejects.

``validate_document`` returns ``[]`` as soon as the fast check passes, so a document it wrongly
passed would lose its diagnostics. These tests hold it to "only ever stricter" on the broken
corpus, the shipped specs and random edits of them, and check that the diagnostics are exactly
those of the jsonschema-only path.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wfspec.compiler import validate
from wfspec.compiler.loader import load_paths
from wfspec.compiler.schema_store import KINDS, fast_validator_for, is_surely_valid, validator_for

REPO = Path(__file__).resolve().parents[2]
DOCUMENTS = [
    doc
    for doc in load_paths([REPO / "specs", REPO / "tests" / "corpus" / "broken"]).documents
    if isinstance(doc.data, dict) and doc.data.get("kind") in KINDS
]
SHIPPED = [doc for doc in DOCUMENTS if "/corpus/" not in doc.file]


def _jsonschema_valid(kind: str, data: Any) -> bool:
    return not any(validator_for(kind).iter_errors(data))


def test_the_fast_validator_is_installed() -> None:
    assert all(fast_validator_for(kind) is not None for kind in KINDS)


def test_shipped_documents_pass_the_fast_check() -> None:
    """Otherwise every check silently takes the slow path."""
    assert SHIPPED and all(is_surely_valid(d.data["kind"], d.data) for d in SHIPPED)


@pytest.mark.parametrize("doc", DOCUMENTS, ids=lambda d: f"{Path(d.file).name}#{d.index}")
def test_fast_check_agrees_with_jsonschema(doc: Any) -> None:
    """Equal verdicts, except that a document holding a non-finite number (``1e400``, ``.inf``:
    no JSON value) is declined by the fast check and left to jsonschema and the meaning checks
    (P118), which is the safe direction."""
    kind = doc.data["kind"]
    if _has_non_finite(doc.data):
        assert not is_surely_valid(kind, doc.data)
    else:
        assert is_surely_valid(kind, doc.data) == _jsonschema_valid(kind, doc.data)


def _has_non_finite(node: Any) -> bool:
    if isinstance(node, float):
        return not math.isfinite(node)
    if isinstance(node, dict):
        return any(_has_non_finite(value) for value in node.values())
    if isinstance(node, list):
        return any(_has_non_finite(value) for value in node)
    return False


def test_diagnostics_equal_the_jsonschema_only_path(monkeypatch: pytest.MonkeyPatch) -> None:
    fast = [validate.validate_document(doc) for doc in DOCUMENTS]
    monkeypatch.setattr(validate, "is_surely_valid", lambda kind, data: False)
    slow = [validate.validate_document(doc) for doc in DOCUMENTS]
    assert fast == slow
    assert any(fast), "the corpus has structural errors"


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found.extend(_paths(value, (*prefix, key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.extend(_paths(value, (*prefix, index)))
    return found


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, 1, 1.0, 0.5, -1, math.inf, math.nan, 2**64, 10**30]),
    st.sampled_from(["", "a", "abc\n", "Abc", "x_1", "1x", "{{ config.x }}", "{% if %}", "μs"]),
    st.sampled_from(["edges", "range", "choice", "group", "float", "int", "linear", "log"]),
    st.text(max_size=8),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["a", "type", "title", "x_1", "Bad"]), inner, max_size=3),
    ),
    max_leaves=6,
)


@st.composite
def edited_documents(draw: st.DrawFn) -> tuple[str, Any]:
    doc = draw(st.sampled_from(SHIPPED))
    data = copy.deepcopy(doc.data)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(data)))
        if not path:
            continue
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "replace":
            parent[path[-1]] = draw(VALUES)
        elif action == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.sampled_from(["extra", "titel", "type", "unit", "default"]))] = draw(
                VALUES
            )
        else:
            parent.append(draw(VALUES))
    return doc.data["kind"], data


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edited_documents())
def test_fast_check_is_never_looser_than_jsonschema(case: tuple[str, Any]) -> None:
    kind, data = case
    if is_surely_valid(kind, data):
        assert _jsonschema_valid(kind, data)
