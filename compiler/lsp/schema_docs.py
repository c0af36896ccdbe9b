"""The JSON Schema description of a key: the text the models' ``Field(description=...)`` gave.

``schemas/*.json`` are generated from the document models, so every key already has a title and
a description; a hover walks the kind's schema along the key's JSON path. A ParamDef is chosen
by its ``type`` (the schema's ``if type == ... then $ref`` branches), using the buffer's own
value of ``type`` at that place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..diagnostics import JsonPath
from ..schema_store import load_schema

__all__ = ["describe_key"]

SCHEMA_FILES = {
    "Instrument": "instrument.schema.json",
    "ParamSet": "paramset.schema.json",
    "Workflow": "workflow.schema.json",
    "WorkflowTemplate": "workflowtemplate.schema.json",
}


def _deref(root: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    seen = 0
    while seen < 20:
        all_of = node.get("allOf")
        if "$ref" not in node and all_of and len(all_of) == 1 and "$ref" in all_of[0]:
            node = {**{k: v for k, v in node.items() if k != "allOf"}, **all_of[0]}
        if "$ref" not in node:
            break
        target: Any = root
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        merged = dict(target)
        for key in ("title", "description"):  # the referencing node's words win
            if key in node:
                merged[key] = node[key]
        node = merged
        seen += 1
    return node


def _branch(root: dict[str, Any], node: dict[str, Any], type_name: Any) -> dict[str, Any]:
    """``if type == X then $ref`` (ParamDef): the branch of the value's ``type``."""
    for rule in node.get("allOf", ()):
        const = rule.get("if", {}).get("properties", {}).get("type", {}).get("const")
        if const is not None and const == type_name and "then" in rule:
            return _deref(root, rule["then"])
    for key in ("anyOf", "oneOf"):
        for option in node.get(key, ()):
            option = _deref(root, option)
            if "properties" in option:
                return option
    return node


def _child(root: dict[str, Any], node: dict[str, Any], part: str | int) -> dict[str, Any] | None:
    if isinstance(part, int):
        items = node.get("items")
        return _deref(root, items) if isinstance(items, dict) else None
    properties = node.get("properties", {})
    if part in properties:
        return _deref(root, properties[part])
    for schema in node.get("patternProperties", {}).values():
        return _deref(root, schema)
    extra = node.get("additionalProperties")
    if isinstance(extra, dict):
        return _deref(root, extra)
    for key in ("anyOf", "oneOf"):  # e.g. source_names: a list, or {from, except}
        for option in node.get(key, ()):
            found = _child(root, _deref(root, option), part)
            if found is not None:
                return found
    return None


def describe_key(
    kind: str | None, path: JsonPath, type_at: Callable[[JsonPath], Any]
) -> tuple[str | None, str | None] | None:
    """(title, description) of the node at ``path`` in a document of ``kind``, or None.

    ``type_at(path)`` gives the buffer's ``type`` value of the mapping at ``path`` (to pick the
    ParamDef branch).
    """
    file = SCHEMA_FILES.get(kind or "")
    if file is None:
        return None
    root = load_schema(file)
    node: dict[str, Any] | None = root
    for depth, part in enumerate(path):
        if node is None:
            return None
        node = _branch(root, node, type_at(tuple(path[:depth])))
        node = _child(root, node, part)
    if node is None:
        return None
    return node.get("title"), node.get("description")
