"""Completion of what the JSON Schema cannot know: names that live in the spec set.

The schema (through yaml-language-server) already completes keys and enums. Here, from the
key being typed (:func:`~.cursor.typing_context`, which works on half-typed YAML):

- ``source_names`` entries and aux ``choices``/``default``: the instrument's source names;
- ``params_from`` entries: ParamSet names; ``instrument``: instrument names;
- ``group`` / ``service``: the backend's services and the groups the spec set uses;
- ``unit`` / ``units``: units of the same dimension as those already written next to it (the
  backend's unit enums), else every unit the backend knows;
- ``config.<field>`` inside a ``{{ ... }}`` expression of a template: its config fields;
- a template example's timeseries config value and its ``workflow_id`` / ``source_name`` /
  ``output_name``: the spec set's timeseries references;
- a view's ``fields``: the document's outputs; a template's ``source_names.except``: its
  config fields.
"""

from __future__ import annotations

import re

from lsprotocol import types

from ..units import BACKEND_UNIT_ENUMS, KNOWN_UNITS
from .cursor import Cursor, typing_context
from .index import SpecIndex

__all__ = ["completions"]

_EXPRESSION_CONFIG = re.compile(r"\{\{(?:(?!\}\}).)*\bconfig\.(\w*)$")
_WORD = re.compile(r"[^\s\[\],{}:'\"]+")


def _items(labels, kind: types.CompletionItemKind, details=None) -> list[types.CompletionItem]:
    details = details or {}
    return [
        types.CompletionItem(label=str(label), kind=kind, detail=details.get(str(label)))
        for label in dict.fromkeys(labels)
    ]


def _instrument(cursor: Cursor, lines: list[str]) -> str | None:
    value = cursor.value(("instrument",))
    if value:
        return value
    for text in lines:
        match = re.match(r"^instrument:\s*([\w-]+)\s*$", text)
        if match:
            return match.group(1)
    return None


def _units_like(block: list[str]) -> list[str]:
    """Units of the dimension of the units already written in ``block``, else all known."""
    written = {w for text in block for w in _WORD.findall(text.split("#")[0])}
    for units in BACKEND_UNIT_ENUMS.values():
        if written & set(units):
            return list(units)
    return sorted(KNOWN_UNITS)


def _config_fields(cursor: Cursor) -> list[str]:
    """The template's config field names, from the buffer (works while it does not check)."""
    return [
        str(span.path[1])
        for span in cursor.doc.outline.spans
        if span.document == cursor.document
        and span.role == "key"
        and len(span.path) == 2
        and span.path[0] == "config"
    ]


def _outputs(cursor: Cursor) -> list[str]:
    """The output names of the buffer's document (a template's body included)."""
    return [
        str(span.path[-1])
        for span in cursor.doc.outline.spans
        if span.document == cursor.document
        and span.role == "key"
        and span.path[:-1] in (("outputs",), ("workflow", "outputs"))
    ]


def completions(cursor: Cursor, index: SpecIndex) -> list[types.CompletionItem]:
    lines = cursor.doc.lines
    context = typing_context(lines, cursor.line, cursor.col)
    if _EXPRESSION_CONFIG.search(context.line_before):
        return _items(_config_fields(cursor), types.CompletionItemKind.Field)
    keys, key = context.keys, context.key
    if key is None:
        return []
    in_aux = len(keys) >= 3 and keys[-3] == "aux_sources"
    if key == "source_names" or (in_aux and key in ("choices", "default")):
        sources = index.source_names(_instrument(cursor, lines))
        details = {
            s.name: f"{s.kind} source" + (f" ({s.title})" if s.title else "") for s in sources
        }
        return _items([s.name for s in sources], types.CompletionItemKind.Value, details)
    if key == "params_from":
        return _items(index.param_set_names(), types.CompletionItemKind.Module)
    if key == "instrument" and len(keys) <= 2:
        return _items(index.instrument_names(), types.CompletionItemKind.Module)
    if key in ("group", "service") and len(keys) <= 2:
        return _items(index.groups(), types.CompletionItemKind.EnumMember)
    if key == "fields" and "views" in keys:
        return _items(_outputs(cursor), types.CompletionItemKind.Field)
    if key == "except" and "source_names" in keys:
        return _items(_config_fields(cursor), types.CompletionItemKind.Field)
    if key in ("unit", "units"):
        return _items(_units_like(context.block), types.CompletionItemKind.Unit)
    if "examples" in keys and "config" in keys:
        refs = index.timeseries(None)
        if key == "workflow_id":
            return _items([str(r.workflow_id) for r in refs], types.CompletionItemKind.Reference)
        if key == "source_name":
            return _items([r.source_name for r in refs], types.CompletionItemKind.Reference)
        if key == "output_name":
            return _items([r.output_name for r in refs], types.CompletionItemKind.Reference)
        if keys[-2] == "config":
            return _items([str(r) for r in refs], types.CompletionItemKind.Reference)
    return []
