"""Writes change only the entry they are about; odd layouts fall back to a round-trip edit.

Checked the way a user would: after every change a fresh parse of the file holds exactly the
expected entries, and the person's other lines are still there byte for byte.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from wfspec.runtime.instance_store import InstanceStore
from wfspec.runtime.yaml_store import _fast_yaml, plain

HAND_WRITTEN = """\
# Instances for the November beam time.
# Ask Ana before removing the temperature ones.
format_version: 1
instances:
  # the first one we made
  dummy/a/1:
    template: t
    config:
      unit: 'mm'   # quoted on purpose
      edges: [1, 2, 3]
    created: 2026-11-22T03:00:00Z

  dummy/b/1:
    template: t
    config: {unit: K}
# end of the instances
"""


def _fresh(path: Path) -> dict:
    return plain(_fast_yaml().load(path.read_text()))["instances"] or {}


def test_adding_changes_no_other_line(tmp_path: Path) -> None:
    path = tmp_path / "instances.yaml"
    path.write_text(HAND_WRITTEN)
    InstanceStore(path).add("dummy/c/1", "t", {"unit": "deg"}, created="2026-11-23T00:00:00Z")
    text = path.read_text()
    assert text.startswith(HAND_WRITTEN.rsplit("# end of the instances\n", 1)[0])
    assert text.endswith(
        "  dummy/c/1:\n    template: t\n    config:\n      unit: deg\n"
        "    created: '2026-11-23T00:00:00Z'\n# end of the instances\n"
    )


def test_removing_cuts_only_the_entry(tmp_path: Path) -> None:
    path = tmp_path / "instances.yaml"
    path.write_text(HAND_WRITTEN)
    InstanceStore(path).remove("dummy/a/1")
    assert path.read_text() == HAND_WRITTEN.replace(
        "  dummy/a/1:\n    template: t\n    config:\n      unit: 'mm'   # quoted on purpose\n"
        "      edges: [1, 2, 3]\n    created: 2026-11-22T03:00:00Z\n",
        "",
    )


@pytest.mark.parametrize(
    "layout",
    [
        "format_version: 1\ninstances: {}\n",
        "format_version: 1\ninstances: {dummy/a/1: {template: t, config: {n: 1}}}\n",
        "format_version: 1\ninstances:\n  'dummy/a/1': {template: t, config: {n: 1}}\n",
        "instances:\n    dummy/a/1:\n        template: t\n        config: {n: 1}\n"
        "format_version: 1\n",
    ],
    ids=["empty-flow", "flow", "quoted-key", "indent-4-section-first"],
)
def test_other_layouts_are_edited_too(tmp_path: Path, layout: str) -> None:
    path = tmp_path / "instances.yaml"
    path.write_text("# keep me\n" + layout)
    store = InstanceStore(path)
    had = set(store.load())
    store.add("dummy/z/1", "t", {"n": 2})
    assert set(_fresh(path)) == had | {"dummy/z/1"}
    store.remove("dummy/z/1")
    assert set(_fresh(path)) == had
    assert path.read_text().startswith("# keep me\n")


def test_random_edits_always_leave_exactly_the_expected_entries(tmp_path: Path) -> None:
    path = tmp_path / "instances.yaml"
    path.write_text(HAND_WRITTEN)
    store = InstanceStore(path)
    expected = {k: (v.template, v.config) for k, v in store.load().items()}
    rng = random.Random(7)
    for step in range(150):
        if expected and rng.random() < 0.45:
            key = rng.choice(sorted(expected))
            assert store.remove(key)
            del expected[key]
        else:
            key = f"dummy/k{rng.randrange(30)}/1"
            config = {"n": step, "nested": {"unit": rng.choice(["mm", "1e3", "yes", "null"])}}
            store.add(key, "t", config)
            expected[key] = ("t", config)
        fresh = _fresh(path)
        assert {k: (v["template"], v["config"]) for k, v in fresh.items()} == expected
    assert path.read_text().startswith(
        "# Instances for the November beam time.\n# Ask Ana before removing the temperature ones.\n"
    )
    assert path.read_text().endswith("# end of the instances\n")
