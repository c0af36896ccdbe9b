"""instance_store.py: the instances.yaml format, comments, errors with line:col, changes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from wfspec.runtime.instance_store import (
    InstanceStore,
    StoreError,
    default_instances_path,
)

EXAMPLE = """\
# Template instances of the dummy instrument. Safe to edit by hand; comments are kept.
format_version: 1
instances:
  dummy/motion1_correlation_histogram_1d/1:
    template: correlation_histogram_1d
    config:
      x_axis: {workflow_id: dummy/timeseries_data/1, source_name: motion1, output_name: delta}
      x_unit: mm
    created: '2026-11-22T03:00:00Z'
"""


def test_the_documented_example_loads(tmp_path: Path) -> None:
    path = tmp_path / "instances.yaml"
    path.write_text(EXAMPLE)
    entry = InstanceStore(path).load()["dummy/motion1_correlation_histogram_1d/1"]
    assert entry.template == "correlation_histogram_1d"
    assert entry.config["x_axis"]["source_name"] == "motion1"
    assert entry.created == "2026-11-22T03:00:00Z"


def test_a_missing_file_is_an_empty_store_and_is_not_created_by_reading(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "instances.yaml"
    assert InstanceStore(path).load() == {}
    assert not path.parent.exists()


def test_added_entries_are_written_in_the_documented_format(tmp_path: Path) -> None:
    path = tmp_path / "dummy" / "instances.yaml"
    store = InstanceStore(path, instrument="dummy")
    config = {
        "x_axis": {
            "workflow_id": "dummy/timeseries_data/1",
            "source_name": "motion1",
            "output_name": "delta",
        },
        "x_unit": "mm",
    }
    store.add("dummy/motion1_correlation_histogram_1d/1", "correlation_histogram_1d", config)
    text = path.read_text()
    assert text.startswith("# Template instances of the dummy instrument.")
    assert (
        "      x_axis: {workflow_id: dummy/timeseries_data/1, source_name: motion1, "
        "output_name: delta}\n" in text
    )
    fresh = InstanceStore(path).load()
    assert fresh["dummy/motion1_correlation_histogram_1d/1"].config == config


def test_comments_and_key_order_survive_writes(tmp_path: Path) -> None:
    path = tmp_path / "instances.yaml"
    path.write_text(
        "# my notes: keep these instances for the beam time\n"
        + EXAMPLE.replace("x_unit: mm", "x_unit: mm  # calibrated in May").split("\n", 1)[1]
    )
    store = InstanceStore(path)
    store.add("dummy/other/1", "some_template", {"b": 1, "a": 2})
    store.remove("dummy/other/1")
    text = path.read_text()
    assert text.startswith("# my notes: keep these instances for the beam time\n")
    assert "x_unit: mm  # calibrated in May" in text
    assert "dummy/other/1" not in text


def test_a_comment_about_the_next_entry_survives_deleting_the_one_before(tmp_path: Path) -> None:
    path = tmp_path / "instances.yaml"
    path.write_text(
        "format_version: 1\n"
        "instances:\n"
        "  dummy/a/1:\n"
        "    template: t\n"
        "    config: {}\n"
        "    created: '2026'\n"
        "  # b is the one the sample environment team uses\n"
        "  dummy/b/1:\n"
        "    template: t\n"
        "    config: {}\n"
    )
    InstanceStore(path).remove("dummy/a/1")
    text = path.read_text()
    assert "  # b is the one the sample environment team uses\n  dummy/b/1:" in text
    assert "dummy/a/1" not in text


@pytest.mark.parametrize(
    ("text", "place", "words"),
    [
        ("format_version: 1\ninstances:\n  dummy/a/1: {template: t\n", ":4:1:", "invalid YAML"),
        ("format_version: 2\ninstances: {}\n", ":1:17:", "format_version"),
        (
            "format_version: 1\ninstances:\n  dummy/a/1:\n    template: t\n    config: {}\n"
            "    colour: red\n",
            ":6:5:",
            "unknown field 'colour'",
        ),
        (
            "format_version: 1\ninstances:\n  dummy/a:\n    template: t\n    config: {}\n",
            ":3:3:",
            "not a workflow id",
        ),
        (
            "format_version: 1\ninstances:\n  dummy/a/1:\n    config: {}\n",
            ":3:3:",
            "'template' is a required property",
        ),
        (
            "format_version: 1\ninstances:\n  dummy/a/1: {template: t, config: {}}\n"
            "  dummy/a/1: {template: t, config: {}}\n",
            ":4:3:",
            "duplicate key",
        ),
        ("", ":1:1:", "expected a mapping"),
    ],
    ids=["syntax", "version", "unknown-field", "bad-id", "missing-field", "duplicate", "empty"],
)
def test_a_bad_file_is_reported_with_line_and_column_and_never_written(
    tmp_path: Path, text: str, place: str, words: str
) -> None:
    path = tmp_path / "instances.yaml"
    path.write_text(text)
    before = path.read_bytes()
    store = InstanceStore(path)
    with pytest.raises(StoreError) as caught:
        store.load()
    message = str(caught.value)
    assert f"{path}{place}" in message
    assert words in message
    assert "\n" not in message
    with pytest.raises(StoreError):
        store.add("dummy/new/1", "t", {})
    with pytest.raises(StoreError):
        store.remove("dummy/a/1")
    assert path.read_bytes() == before


def test_a_change_by_another_writer_is_noticed_and_read(tmp_path: Path) -> None:
    path = tmp_path / "instances.yaml"
    mine, theirs = InstanceStore(path), InstanceStore(path)
    mine.add("dummy/a/1", "t", {"n": 1})
    assert not mine.changed_on_disk()
    theirs.add("dummy/b/1", "t", {"n": 2})
    assert mine.changed_on_disk()
    assert list(mine.load()) == ["dummy/a/1", "dummy/b/1"]
    with mine.edit() as edit:  # re-read under the lock: nothing of theirs is clobbered
        edit.put("dummy/c/1", "t", {"n": 3})
    assert list(theirs.load()) == ["dummy/a/1", "dummy/b/1", "dummy/c/1"]


def test_a_hand_edit_is_picked_up(tmp_path: Path) -> None:
    path = tmp_path / "instances.yaml"
    store = InstanceStore(path)
    store.add("dummy/a/1", "t", {"unit": "mm"})
    path.write_text(path.read_text().replace("unit: mm", "unit: cm"))
    assert store.load()["dummy/a/1"].config == {"unit": "cm"}


def test_an_edit_that_fails_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "instances.yaml"
    store = InstanceStore(path)
    store.add("dummy/a/1", "t", {"n": 1})
    before = path.read_bytes()
    with pytest.raises(RuntimeError), store.edit() as edit:
        edit.put("dummy/b/1", "t", {"n": 2})
        raise RuntimeError("the caller changed its mind")
    assert path.read_bytes() == before
    assert list(store.load()) == ["dummy/a/1"]


def test_default_path_follows_xdg_state_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    assert default_instances_path("dummy") == tmp_path / "xdg" / "wfspec/dummy/instances.yaml"
    monkeypatch.delenv("XDG_STATE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_instances_path("dummy") == (
        tmp_path / "home" / ".local/state/wfspec/dummy/instances.yaml"
    )
    store: Any = InstanceStore.for_instrument("dummy")
    assert store.path == tmp_path / "home" / ".local/state/wfspec/dummy/instances.yaml"
