"""The direct construction of plain documents builds exactly what ruamel's constructor builds,
and its position table locates every path exactly where the node graph does.

``plain_nodes.plain_document`` is the loader's fast path; for any document it accepts, the data
(values, their types, key order) must equal the data of ruamel's way, the positions must equal
those the node graph gives, and for anything unusual it must give up so that ruamel's way
records the problems.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wfspec.compiler.loader import _FastLoader, _node_locator, load_text
from wfspec.compiler.plain_nodes import NOT_PLAIN, plain_document

ROOT = Path(__file__).resolve().parents[2]


def _both(text: str) -> list[tuple[Any, Any]]:
    """(fast, ruamel) of every document of ``text``: ``(data, locate)`` or NOT_PLAIN, and
    ``(data, locate)`` of ruamel's constructor and the node graph.

    Never called with aliases: the loader takes ruamel's way for any text with a ``*`` (a
    shared node would be expanded as a tree -- an alias bomb's way to exhaust memory).
    """
    assert "*" not in text
    out = []
    fast_loader, slow_loader = _FastLoader(text), _FastLoader(text)
    try:
        while fast_loader.check_node():
            slow_loader.check_node()
            fast = plain_document(fast_loader.get_node(), fast_loader, "f.yaml")
            node = slow_loader.get_node()
            slow = slow_loader.construct_document(node), _node_locator("f.yaml", node)
            out.append((fast, slow))
    finally:
        fast_loader.dispose()
        slow_loader.dispose()
    return out


def _paths(data: Any, path: tuple = ()) -> list[tuple]:
    """Every path of ``data``, and beside each some that do not exist (or mean another type)."""
    out = [path, (*path, "no_such_key"), (*path, 0), (*path, 99), (*path, True), (*path, -1)]
    if isinstance(data, dict):
        for key, value in data.items():
            out += _paths(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            out += _paths(value, (*path, index))
            out.append((*path, str(index)))
    return out


def _typed(value: Any) -> Any:
    """``value`` with every scalar's type made visible (``1 == 1.0 == True`` otherwise)."""
    if isinstance(value, dict):
        return [(type(k).__name__, k, _typed(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [_typed(v) for v in value]
    return (type(value).__name__, repr(value))


def _same(text: str) -> int:
    accepted = 0
    for fast, (data, locate) in _both(text):
        if fast is not NOT_PLAIN:
            assert _typed(fast[0]) == _typed(data)
            for path in _paths(data):
                assert fast[1](path) == locate(path), path
            accepted += 1
    return accepted


def test_every_shipped_and_corpus_document_is_built_alike() -> None:
    files = sorted((ROOT / "specs").rglob("*.yaml")) + sorted((ROOT / "tests").rglob("*.yaml"))
    accepted = 0
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        if "*" in text:
            continue
        try:
            accepted += _same(text)
        except Exception:  # YAML errors: the loader reports them; nothing to compare
            continue
    assert accepted > 50


SCALARS = [
    "1",
    "-0",
    "0o17",
    "0x1F",
    "1_000",
    "1.5",
    "-.inf",
    ".NaN",
    "1e3",
    "true",
    "True",
    "FALSE",
    "yes",
    "no",
    "on",
    "~",
    "null",
    "",
    "2001-12-14t21:59:43.10-05:00",
    "2002-12-14",
    "'quoted 1'",
    '"μs"',
    "abc",
    "0.0",
    "12:30:00",
]


@pytest.mark.parametrize("scalar", SCALARS)
def test_scalars_of_every_core_type_are_built_alike(scalar: str) -> None:
    assert _same(f"kind: X\nvalue: {scalar}\nlist:\n  - {scalar}\n  - {scalar}\n") == 1


@pytest.mark.parametrize("scalar", [s for s in SCALARS if s])
def test_scalar_keys_are_built_alike(scalar: str) -> None:
    assert _same(f"kind: X\n{scalar}: key\n") == 1


@pytest.mark.parametrize(
    "text",
    [
        "kind: X\nname: a\nname: b\n",  # duplicate key
        "kind: X\n<<: {a: 1}\nb: 2\n",  # merge key
        "kind: X\nvalue: !custom 1\n",  # unknown tag
        "kind: X\n? [a, b]\n: 1\n",  # complex key
        "kind: X\nvalue: !!set {a, b}\n",
        "kind: X\nvalue: !!int abc\n",  # a constructor error: ruamel's way raises it
    ],
)
def test_anything_unusual_is_left_to_ruamel(text: str) -> None:
    loader = _FastLoader(text)
    try:
        assert plain_document(loader.get_single_node(), loader, "x.yaml") is NOT_PLAIN
    finally:
        loader.dispose()


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("kind: X\nname: a\nname: b\n", "L003"),
        ("kind: X\nvalue: !custom 1\n", "L008"),
        ("kind: X\n? [a, b]\n: 1\n", "L009"),
    ],
)
def test_problems_are_still_reported_by_the_loader(text: str, code: str) -> None:
    assert [d.code for d in load_text(text, "x.yaml").diagnostics] == [code]


KEYS = st.sampled_from(["a", "b", "kind", "1", "true", "null", "x_y", "μ"])
LEAVES = st.sampled_from([s for s in SCALARS if s and ":" not in s] + ["'a: b'", '"x\\ty"'])
TREES = st.recursive(
    LEAVES,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4).map(lambda items: "[" + ", ".join(items) + "]"),
        st.dictionaries(KEYS, inner, max_size=4).map(
            lambda items: "{" + ", ".join(f"{k}: {v}" for k, v in items.items()) + "}"
        ),
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(KEYS, TREES, min_size=1, max_size=5))
def test_generated_flow_documents_are_built_alike(document: dict[str, str]) -> None:
    text = "".join(f"{key}: {value}\n" for key, value in document.items())
    try:
        _both(text)
    except Exception:
        return  # not valid YAML (e.g. an empty key): nothing to compare
    _same(text)


def test_long_mappings_and_sequences_are_located_alike() -> None:
    """Past 32 entries the position table indexes a mapping's keys and a sequence's items."""
    items = ", ".join(["a", "{k: 1}", "[1, [2]]", "b: 2"] * 10)
    keys = "".join(
        f"  k{i}: {'[1, 2]' if i % 3 else '{x: 1}' if i % 2 else i}\n" for i in range(40)
    )
    text = f"kind: W\nlist: [{items}]\nmap:\n{keys}nested: [{{y: [{items}]}}]\n"
    assert _same(text) == 1


@pytest.mark.parametrize("alias", ["", "t: &t x\nu: *t\n"], ids=["plain", "node graph"])
def test_thousands_of_lookups_in_one_list_are_not_quadratic(alias: str) -> None:
    """20,000 repeated sources (one R015 each) took 17 s to locate: each lookup walked the list."""
    count = 20_000
    text = f"kind: W\n{alias}names: [{', '.join(['m'] * count)}]\n" + "".join(
        f"k{i}: 1\n" for i in range(count)
    )
    [doc] = load_text(text, "long.yaml").documents
    started = time.perf_counter()
    for i in range(count):
        assert doc.locator(("names", i)).col == 9 + 3 * i
        assert doc.locator((f"k{i}",)).line == i + 3 + alias.count("\n")
    assert time.perf_counter() - started < 3.0  # linear: well under 0.5 s; quadratic: 10 s+
