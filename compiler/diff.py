"""Semantic diff of two bundles by WorkflowId: what changed and whether it breaks a running client.

A change is *breaking* when a client of the old spec, with the same WorkflowId, would now send
params the backend rejects or miss a result it reads:

- a param removed, retyped, narrowed (a bound tightened, a choice removed, a pattern added) or
  its unit changed; a new param without a default (old clients do not send it);
- an output removed; a source removed (jobs on it can no longer start);
- for templates: a config field removed, retyped or narrowed (stored instances stop validating).

Changing a version *is* the way to make a breaking change: ``dummy/x/1`` removed and
``dummy/x/2`` added is reported as a version bump, not as a breaking change. Titles,
descriptions and defaults are reported as plain changes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["Change", "diff_documents"]

_NUMERIC_LOWER = ("min", "exclusive_min")
_NUMERIC_UPPER = ("max", "exclusive_max")
_COSMETIC = {"title", "description", "help", "advanced", "widget"}


@dataclass(frozen=True, slots=True)
class Change:
    """One difference: ``kind`` is added, removed, changed or version_bump."""

    kind: str
    what: str  # "workflow" or "template"
    name: str  # WorkflowId or template name
    detail: str
    breaking: bool = False

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _flatten(defs: Mapping[str, Any], prefix: str = "") -> dict[str, dict[str, Any]]:
    """``a.b`` -> the ParamDef JSON of every param, group fields included."""
    out: dict[str, dict[str, Any]] = {}
    for name, definition in defs.items():
        path = f"{prefix}{name}"
        out[path] = definition
        if definition.get("type") == "group":
            out.update(_flatten(definition.get("fields", {}), f"{path}."))
    return out


def _choices(definition: Mapping[str, Any]) -> set[str]:
    values = set()
    for item in definition.get("choices", []):
        value = item.get("value") if isinstance(item, dict) else item
        values.add(repr(value))
    return values


def _param_changes(
    path: str, old: Mapping[str, Any], new: Mapping[str, Any]
) -> Iterator[tuple[str, bool]]:
    """(detail, breaking) for each difference of one param."""
    if old.get("type") != new.get("type"):
        yield f"param {path} retyped {old.get('type')} -> {new.get('type')}", True
        return
    for key in _NUMERIC_LOWER:
        if new.get(key) is not None and (old.get(key) is None or new[key] > old[key]):
            yield f"param {path} narrowed: {key} {old.get(key)} -> {new[key]}", True
    for key in _NUMERIC_UPPER:
        if new.get(key) is not None and (old.get(key) is None or new[key] < old[key]):
            yield f"param {path} narrowed: {key} {old.get(key)} -> {new[key]}", True
    removed = sorted(_choices(old) - _choices(new))
    if removed:
        yield f"param {path} narrowed: choices {', '.join(removed)} removed", True
    if new.get("pattern") and new.get("pattern") != old.get("pattern"):
        yield f"param {path} narrowed: pattern {new['pattern']!r}", True
    for key in ("unit", "units"):
        if old.get(key) != new.get(key):
            yield f"param {path} {key} changed {old.get(key)!r} -> {new.get(key)!r}", True
    if old.get("default") != new.get("default"):
        yield (
            f"param {path} default changed {old.get('default')!r} -> {new.get('default')!r}",
            False,
        )
    handled = {"type", "pattern", "unit", "units", "default", "choices", "fields"}
    handled |= set(_NUMERIC_LOWER) | set(_NUMERIC_UPPER)
    for key in sorted((set(old) | set(new)) - handled):
        if old.get(key) != new.get(key):
            yield f"param {path} {key} changed", False


def _params(
    old_defs: Mapping[str, Any], new_defs: Mapping[str, Any], noun: str
) -> Iterator[tuple[str, bool]]:
    old, new = _flatten(old_defs), _flatten(new_defs)
    for path in old:
        if path not in new:
            yield f"{noun} {path} removed", True
    for path in new:
        if path not in old:
            required = "default" not in new[path] and new[path].get("type") not in (
                "group",
                "edges",
                "range",
            )
            yield (
                f"{noun} {path} added" + (" without a default" if required else ""),
                required,
            )
    for path in old:
        if path in new and old[path] != new[path]:
            for detail, breaking in _param_changes(path, old[path], new[path]):
                yield detail.replace("param ", f"{noun} ", 1), breaking


def _spec_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> Iterator[tuple[str, bool]]:
    yield from _params(old.get("params", {}), new.get("params", {}), "param")
    for name in old.get("outputs", {}):
        if name not in new.get("outputs", {}):
            yield f"output {name} removed", True
    for name in new.get("outputs", {}):
        if name not in old.get("outputs", {}):
            yield f"output {name} added", False
    old_sources, new_sources = old.get("source_names", []), new.get("source_names", [])
    for source in old_sources:
        if source not in new_sources:
            yield f"source {source} removed", True
    for source in new_sources:
        if source not in old_sources:
            yield f"source {source} added", False
    for key in ("title", "description", "group", "executor", "service", "aux_sources"):
        if old.get(key) != new.get(key):
            yield f"{key} changed", False


def _unversioned(key: str) -> str:
    return key.rsplit("/", 1)[0]


def _version(key: str) -> tuple[str, int]:
    """Sort key of ``instrument/name/version`` with the version compared as a number."""
    family, _, version = key.rpartition("/")
    return family, int(version) if version.isdigit() else 0


def diff_documents(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    """Every change from bundle document ``old`` to ``new``, workflows then templates, sorted."""
    changes: list[Change] = []
    old_wf, new_wf = old.get("workflows", {}), new.get("workflows", {})
    new_families: dict[str, str] = {}
    for key in sorted(set(new_wf) - set(old_wf), key=_version):
        new_families[_unversioned(key)] = key  # the highest new version of each family
    successors: set[str] = set()
    for key in sorted(old_wf):
        if key not in new_wf:
            successor = new_families.get(_unversioned(key))
            if successor is not None:
                successors.add(successor)
                changes.append(
                    Change("version_bump", "workflow", key, f"superseded by {successor}")
                )
            else:
                changes.append(Change("removed", "workflow", key, "workflow removed", True))
    for key in sorted(new_wf):
        if key not in old_wf and key not in successors:
            changes.append(Change("added", "workflow", key, "workflow added"))
    for key in sorted(set(old_wf) & set(new_wf)):
        for detail, breaking in _spec_changes(old_wf[key]["spec"], new_wf[key]["spec"]):
            changes.append(Change("changed", "workflow", key, detail, breaking))
    old_t, new_t = old.get("templates", {}), new.get("templates", {})
    for name in sorted(set(old_t) - set(new_t)):
        changes.append(Change("removed", "template", name, "template removed", True))
    for name in sorted(set(new_t) - set(old_t)):
        changes.append(Change("added", "template", name, "template added"))
    for name in sorted(set(old_t) & set(new_t)):
        for detail, breaking in _params(old_t[name]["config"], new_t[name]["config"], "config"):
            changes.append(Change("changed", "template", name, detail, breaking))
        if old_t[name]["body"] != new_t[name]["body"]:
            changes.append(Change("changed", "template", name, "body changed"))
    return changes
