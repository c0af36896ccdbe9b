"""WorkflowRegistry: the view, registering, unregistering, events, restore, stale entries."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from wfspec.compiler import ConfigError, UnknownTemplate, load_bundle
from wfspec.compiler.ids import WorkflowId
from wfspec.runtime.instance_store import InstanceStore, StoreError
from wfspec.runtime.registry import (
    InstanceConflict,
    NotAnInstance,
    RegistryEvent,
    WorkflowRegistry,
)

TEMPLATE = "correlation_histogram_1d"
MOTION1 = WorkflowId.parse("dummy/motion1_correlation_histogram_1d/1")
MONITOR = WorkflowId.parse("dummy/monitor_histogram/1")


def _events(registry: WorkflowRegistry) -> list[tuple[str, str | None]]:
    seen: list[tuple[str, str | None]] = []
    registry.subscribe(
        lambda e: seen.append((e.kind, None if e.workflow_id is None else str(e.workflow_id)))
    )
    return seen


# -- the view -----------------------------------------------------------------------------------


def test_static_workflows_are_in_the_view(registry: WorkflowRegistry, bundle: Any) -> None:
    assert len(registry) == len(bundle.workflows)
    assert list(registry) == list(bundle.workflows)
    assert registry[MONITOR].title == bundle.workflows[MONITOR].title
    assert registry["dummy/monitor_histogram/1"] is registry[MONITOR]
    assert registry.get(WorkflowId.parse("dummy/nothing/1")) is None
    assert registry.get("not an id") is None
    with pytest.raises(KeyError):
        registry[WorkflowId.parse("dummy/nothing/1")]
    assert not registry.is_template_instance(MONITOR)


def test_readers_get_snapshots(registry: WorkflowRegistry, config_for: Any) -> None:
    snapshot = registry.snapshot()
    wid = registry.register_from_template(TEMPLATE, config_for())
    assert wid not in snapshot
    assert wid in registry.snapshot()
    _, config = registry.template_instance(wid)
    config["x_unit"] = "changed by the caller"
    assert registry.template_instance(wid)[1]["x_unit"] == "mm"
    ids = iter(registry)
    registry.unregister(wid)
    assert wid in list(ids)  # an iterator started before a change keeps its snapshot


# -- registering --------------------------------------------------------------------------------


def test_register_returns_the_id_from_the_config_and_persists_it(
    registry: WorkflowRegistry, store_path: Path, config_for: Any
) -> None:
    wid = registry.register_from_template(TEMPLATE, config_for())
    assert wid == MOTION1
    assert registry.is_template_instance(wid)
    spec = registry[wid]
    assert spec.id == wid
    assert spec.origin is not None and spec.origin.template == TEMPLATE
    assert registry.template_instance(wid) == (TEMPLATE, spec.origin.config)
    assert len(registry) == len(registry.bundle.workflows) + 1
    assert str(wid) in InstanceStore(store_path).load()


def test_registering_an_equal_config_again_is_idempotent_and_writes_nothing(
    registry: WorkflowRegistry, store_path: Path, config_for: Any
) -> None:
    wid = registry.register_from_template(TEMPLATE, config_for())
    before = (store_path.read_bytes(), store_path.stat().st_ino, registry.version)
    events = _events(registry)
    # the same config spelled differently: defaults given explicitly
    again = registry.register_from_template(TEMPLATE, config_for(x_start=0.0, x_stop=1.0))
    assert again == wid
    assert (store_path.read_bytes(), store_path.stat().st_ino, registry.version) == before
    assert events == []


def test_a_different_config_for_an_existing_id_conflicts(
    registry: WorkflowRegistry, store_path: Path, config_for: Any
) -> None:
    registry.register_from_template(TEMPLATE, config_for(unit="mm"))
    before = store_path.read_bytes()
    with pytest.raises(InstanceConflict, match="different config") as caught:
        registry.register_from_template(TEMPLATE, config_for(unit="deg"))
    assert caught.value.workflow_id == MOTION1
    assert store_path.read_bytes() == before
    assert registry.template_instance(MOTION1)[1]["x_unit"] == "mm"


def test_an_id_of_a_static_workflow_conflicts(
    clash_bundle_path: Path, tmp_path: Path, config_for: Any
) -> None:
    store_path = tmp_path / "instances.yaml"
    registry = WorkflowRegistry(load_bundle(clash_bundle_path), InstanceStore(store_path))
    with pytest.raises(InstanceConflict, match="static workflow"):
        registry.register_from_template(TEMPLATE, config_for(source="motion2"))
    assert not store_path.exists()


def test_an_invalid_config_names_each_bad_field(
    registry: WorkflowRegistry, store_path: Path
) -> None:
    with pytest.raises(ConfigError) as caught:
        registry.register_from_template(TEMPLATE, {"x_unit": 3, "colour": "red"})
    fields = {e.field for e in caught.value.errors}
    assert {"x_axis", "x_unit", "colour"} <= fields
    assert not store_path.exists()


def test_an_unknown_template_says_did_you_mean(registry: WorkflowRegistry, config_for: Any) -> None:
    with pytest.raises(UnknownTemplate, match="did you mean 'correlation_histogram_1d'"):
        registry.register_from_template("correlation_histogram_1", config_for())


def test_without_a_store_instances_live_in_memory(bundle: Any, config_for: Any) -> None:
    registry = WorkflowRegistry(bundle)
    wid = registry.register_from_template(TEMPLATE, config_for())
    assert registry.register_from_template(TEMPLATE, config_for()) == wid
    with pytest.raises(InstanceConflict):
        registry.register_from_template(TEMPLATE, config_for(unit="deg"))
    registry.unregister(wid)
    assert wid not in registry


# -- unregistering and events -------------------------------------------------------------------


def test_unregistering_a_static_or_unknown_id_raises(
    registry: WorkflowRegistry, config_for: Any
) -> None:
    registry.register_from_template(TEMPLATE, config_for())
    with pytest.raises(NotAnInstance, match="static workflow") as caught:
        registry.unregister(MONITOR)
    assert caught.value.static
    with pytest.raises(NotAnInstance, match="did you mean") as caught:
        registry.unregister("dummy/motion1_correlation_histogram_1d/2")
    assert not caught.value.static
    with pytest.raises(NotAnInstance):
        registry.unregister("not an id")
    assert MONITOR in registry and MOTION1 in registry


def test_listeners_hear_of_the_removal_before_it_happens(
    registry: WorkflowRegistry, store_path: Path, config_for: Any
) -> None:
    seen: list[tuple[str, bool, bool]] = []

    def listener(event: RegistryEvent) -> None:
        on_disk = str(MOTION1) in InstanceStore(store_path).load()
        seen.append((event.kind, event.workflow_id in registry, on_disk))

    unsubscribe = registry.subscribe(listener)
    registry.register_from_template(TEMPLATE, config_for())
    registry.unregister(MOTION1)
    assert seen == [
        ("registered", True, True),
        ("unregistering", True, True),
        ("unregistered", False, False),
    ]
    unsubscribe()
    registry.register_from_template(TEMPLATE, config_for())
    assert len(seen) == 3


def test_a_listener_that_fails_on_unregistering_keeps_the_instance(
    registry: WorkflowRegistry, store_path: Path, config_for: Any
) -> None:
    registry.register_from_template(TEMPLATE, config_for())

    def refuse(event: RegistryEvent) -> None:
        if event.kind == "unregistering":
            raise RuntimeError("could not stop the jobs")

    registry.subscribe(refuse)
    with pytest.raises(RuntimeError):
        registry.unregister(MOTION1)
    assert registry.is_template_instance(MOTION1)
    assert str(MOTION1) in InstanceStore(store_path).load()


def test_the_version_increases_on_every_change(registry: WorkflowRegistry, config_for: Any) -> None:
    versions = [registry.version]
    registry.register_from_template(TEMPLATE, config_for())
    versions.append(registry.version)
    registry.register_from_template(TEMPLATE, config_for(source="motion2"))
    versions.append(registry.version)
    registry.unregister(MOTION1)
    versions.append(registry.version)
    assert versions == sorted(set(versions))


# -- restore, other writers, hand edits ---------------------------------------------------------

RESTORE = textwrap.dedent(
    """
    import json, sys
    from wfspec.compiler import load_bundle
    from wfspec.runtime.instance_store import InstanceStore
    from wfspec.runtime.registry import WorkflowRegistry
    registry = WorkflowRegistry(load_bundle(sys.argv[1]), InstanceStore(sys.argv[2]))
    print(json.dumps({
        "instances": {str(w): registry[w].title for w in registry.instance_ids()},
        "stale": [[s.workflow_id, s.kind] for s in registry.stale()],
        "problems": list(registry.problems),
    }))
    """
)


def _restore_in_a_fresh_process(bundle_path: Path, store_path: Path) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-c", RESTORE, str(bundle_path), str(store_path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def test_instances_are_restored_in_a_fresh_process(
    registry: WorkflowRegistry, bundle_path: Path, store_path: Path, config_for: Any
) -> None:
    registry.register_from_template(TEMPLATE, config_for())
    registry.register_from_template(TEMPLATE, config_for(source="motion2"))
    restored = _restore_in_a_fresh_process(bundle_path, store_path)
    assert restored == {
        "instances": {
            str(MOTION1): "Motion1 Correlation Histogram",
            "dummy/motion2_correlation_histogram_1d/1": "Motion2 Correlation Histogram",
        },
        "stale": [],
        "problems": [],
    }


def test_changes_by_another_registry_are_picked_up_on_refresh(
    bundle: Any, store_path: Path, config_for: Any
) -> None:
    mine = WorkflowRegistry(bundle, InstanceStore(store_path))
    theirs = WorkflowRegistry(bundle, InstanceStore(store_path))
    events = _events(mine)
    theirs.register_from_template(TEMPLATE, config_for())
    assert MOTION1 not in mine  # reads never block or reload on their own
    assert mine.refresh()
    assert MOTION1 in mine
    assert events == [("registered", str(MOTION1)), ("reloaded", None)]
    assert not mine.refresh()
    theirs.unregister(MOTION1)
    mine.refresh()
    assert MOTION1 not in mine
    assert events[2:] == [
        ("unregistering", str(MOTION1)),
        ("unregistered", str(MOTION1)),
        ("reloaded", None),
    ]


def test_a_writer_takes_in_what_others_wrote_meanwhile(
    bundle: Any, store_path: Path, config_for: Any
) -> None:
    mine = WorkflowRegistry(bundle, InstanceStore(store_path))
    theirs = WorkflowRegistry(bundle, InstanceStore(store_path))
    theirs.register_from_template(TEMPLATE, config_for(source="motion2"))
    mine.register_from_template(TEMPLATE, config_for())
    assert len(mine.instance_ids()) == 2
    assert set(InstanceStore(store_path).load()) == {
        str(MOTION1),
        "dummy/motion2_correlation_histogram_1d/1",
    }


def test_a_hand_edit_is_picked_up(
    registry: WorkflowRegistry, store_path: Path, config_for: Any, hand_write: Any
) -> None:
    hand_write(store_path, {str(MOTION1): {"template": TEMPLATE, "config": config_for()}})
    assert registry.refresh()
    assert registry.template_instance(MOTION1)[1]["x_unit"] == "mm"


# -- stale entries and bad files ----------------------------------------------------------------


def _stale_file(store_path: Path, config_for: Any, hand_write: Any) -> None:
    hand_write(
        store_path,
        {
            "dummy/gone_1d/1": {"template": "old_histogram_1d", "config": {"axis": "t"}},
            "dummy/motion2_correlation_histogram_1d/1": {
                "template": TEMPLATE,
                "config": config_for(source="motion2", x_bins=10),
            },
            "dummy/renamed/1": {"template": TEMPLATE, "config": config_for(source="motion3")},
            str(MOTION1): {"template": TEMPLATE, "config": config_for()},
        },
        header="# a note by hand",
    )


def test_stale_entries_are_reported_skipped_and_kept(
    bundle: Any, store_path: Path, config_for: Any, hand_write: Any
) -> None:
    _stale_file(store_path, config_for, hand_write)
    registry = WorkflowRegistry(bundle, InstanceStore(store_path))
    assert registry.instance_ids() == [MOTION1]
    stale = {s.workflow_id: (s.kind, s.reason) for s in registry.stale()}
    assert stale["dummy/gone_1d/1"][0] == "template_missing"
    assert "old_histogram_1d" in stale["dummy/gone_1d/1"][1]
    assert stale["dummy/motion2_correlation_histogram_1d/1"][0] == "config_invalid"
    assert "x_bins" in stale["dummy/motion2_correlation_histogram_1d/1"][1]
    assert stale["dummy/renamed/1"][0] == "id_changed"
    assert "dummy/motion3_correlation_histogram_1d/1" in stale["dummy/renamed/1"][1]
    assert "dummy/renamed/1" not in registry


def test_stale_entries_survive_a_restart_and_a_later_write(
    bundle: Any, bundle_path: Path, store_path: Path, config_for: Any, hand_write: Any
) -> None:
    _stale_file(store_path, config_for, hand_write)
    kept = {
        k: v
        for k, v in InstanceStore(store_path).load().items()
        if k != str(MOTION1)  # the usable one
    }
    registry = WorkflowRegistry(bundle, InstanceStore(store_path))
    registry.register_from_template(TEMPLATE, config_for(source="motion4"))
    registry.unregister(MOTION1)
    after = InstanceStore(store_path).load()
    for key, entry in kept.items():
        assert (after[key].template, after[key].config) == (entry.template, entry.config)
    assert store_path.read_text().startswith("# a note by hand\n")
    restored = _restore_in_a_fresh_process(bundle_path, store_path)
    assert sorted(w for w, _ in restored["stale"]) == sorted(kept)
    assert list(restored["instances"]) == ["dummy/motion4_correlation_histogram_1d/1"]


def test_a_stale_entry_can_be_removed(
    bundle: Any, store_path: Path, config_for: Any, hand_write: Any
) -> None:
    _stale_file(store_path, config_for, hand_write)
    registry = WorkflowRegistry(bundle, InstanceStore(store_path))
    registry.unregister("dummy/gone_1d/1")
    assert "dummy/gone_1d/1" not in InstanceStore(store_path).load()
    assert "dummy/gone_1d/1" not in {s.workflow_id for s in registry.stale()}


def test_a_stale_entry_blocks_its_id_until_removed(
    bundle: Any, store_path: Path, config_for: Any, hand_write: Any
) -> None:
    _stale_file(store_path, config_for, hand_write)
    registry = WorkflowRegistry(bundle, InstanceStore(store_path))
    with pytest.raises(InstanceConflict):  # the stored config is never silently replaced
        registry.register_from_template(TEMPLATE, config_for(source="motion2"))
    registry.unregister("dummy/motion2_correlation_histogram_1d/1")
    wid = registry.register_from_template(TEMPLATE, config_for(source="motion2"))
    assert registry.is_template_instance(wid)


def test_a_corrupt_file_is_left_byte_identical_and_static_workflows_carry_on(
    bundle: Any, store_path: Path, config_for: Any
) -> None:
    store_path.parent.mkdir(parents=True)
    store_path.write_bytes(b"format_version: 1\ninstances:\n  dummy/a/1: [unclosed\n")
    before = store_path.read_bytes()
    registry = WorkflowRegistry(bundle, InstanceStore(store_path))
    assert len(registry) == len(bundle.workflows)
    assert len(registry.problems) == 1
    assert f"{store_path}:4:1: invalid YAML" in registry.problems[0]
    with pytest.raises(StoreError):
        registry.register_from_template(TEMPLATE, config_for())
    with pytest.raises(StoreError):
        registry.unregister("dummy/a/1")
    registry.refresh()
    assert store_path.read_bytes() == before
    assert not list(store_path.parent.glob(".*.tmp"))


def test_a_file_broken_by_hand_later_keeps_the_last_good_view(
    registry: WorkflowRegistry, store_path: Path, config_for: Any
) -> None:
    registry.register_from_template(TEMPLATE, config_for())
    good = store_path.read_text()
    store_path.write_text(good.replace("format_version: 1", "format_version: one"))
    registry.refresh()
    assert registry.problems and ":3:17: format_version" in registry.problems[0]
    assert registry.is_template_instance(MOTION1)  # a typo does not stop running instances
    store_path.write_text(good)
    registry.refresh()
    assert registry.problems == ()
    assert registry.is_template_instance(MOTION1)


def test_a_hand_written_comment_survives_a_register_unregister_cycle(
    bundle: Any, store_path: Path, config_for: Any
) -> None:
    store_path.parent.mkdir(parents=True)
    store_path.write_text(
        "# Beam time 2026-11: motion1 histogram requested by the sample team\n"
        "format_version: 1\n"
        "instances:\n"
        f"  {MOTION1}:\n"
        "    template: correlation_histogram_1d\n"
        "    config:\n"
        "      x_axis: {workflow_id: dummy/timeseries_data/1, source_name: motion1,\n"
        "        output_name: delta}\n"
        "      x_unit: mm  # per the logbook\n"
    )
    registry = WorkflowRegistry(bundle, InstanceStore(store_path))
    assert registry.is_template_instance(MOTION1)
    wid = registry.register_from_template(TEMPLATE, config_for(source="motion2"))
    registry.unregister(wid)
    after = store_path.read_text()
    assert after.startswith("# Beam time 2026-11: motion1 histogram requested by the sample team")
    assert "x_unit: mm  # per the logbook" in after
    assert str(wid) not in after
    assert str(MOTION1) in InstanceStore(store_path).load()


def test_unregistering_from_a_file_broken_since_tells_no_listener(
    registry: WorkflowRegistry, store_path: Path, config_for: Any
) -> None:
    wid = registry.register_from_template(TEMPLATE, config_for())
    events = _events(registry)
    store_path.write_text("format_version: 1\ninstances: [\n")
    with pytest.raises(StoreError):
        registry.unregister(wid)
    assert events == []  # the orchestrator stops no jobs of an instance that stays
    assert registry.is_template_instance(wid)


def test_mutating_a_spec_read_from_the_registry_does_not_corrupt_instantiation(
    bundle_path: Path, config_for: Any
) -> None:
    """Specs the registry hands out are read-only by contract; breaking it must not leak into
    the template memo (a later instantiate of the same config gives the full spec)."""
    own_bundle = load_bundle(bundle_path)  # the session bundle stays untouched if this fails
    registry = WorkflowRegistry(own_bundle)
    wid = registry.register_from_template(TEMPLATE, config_for())
    expected = list(registry[wid].source_names)
    assert expected
    registry[wid].source_names.clear()
    assert own_bundle.instantiate(TEMPLATE, config_for()).source_names == expected
