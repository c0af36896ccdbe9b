"""Completion of what the JSON Schema cannot know: names that live in the spec set.

The schema (through yaml-language-server) already completes keys and enums. Here, from the
key being typed (:func:`~.cursor.typing_context`, which works on half-typed YAML):

- ``source_names`` entries and aux ``choices``/``default``: the instrument's source names;
- ``params_from`` entries: ParamSet names; ``instrument``: instrument names;
- ``group`` / ``service``: the backend's services and the groups the spec set uses;
- ``unit`` / ``units``: units of the same dimension as those already written next to it (the
  backend's unit enums), else every unit the backend knows;
- ``config.`` inside a ``{{ ... }}`` / ``{% ... %}`` expression of a template: its config
  fields, and after ``config.<field>.`` that field's parts (a timeseries' ``workflow_id``,
  ``source_name``, ``output_name``, a workflow id's ``instrument``/``name``/``version``, a
  group's fields, the built-in fields of ``edges``/``range``/a number with ``units``), each
  with its type and title; from the checker's config shape (:mod:`.expressions`), so nothing
  offered is a T007/T009; after ``|`` the environment's filters, after ``is`` its tests;
- a key of a template example's config: the config fields not written yet;
- a template example's timeseries config value and its ``workflow_id`` / ``source_name`` /
  ``output_name``: the spec set's timeseries references;
- a view's ``fields``: the document's outputs; a template's ``source_names.except``: its
  config fields.
"""

from __future__ import annotations

import inspect
import re

from lsprotocol import types

from ..template_static import Shape
from ..units import BACKEND_UNIT_ENUMS, KNOWN_UNITS
from .cursor import Cursor, typing_context
from .expressions import chain_before, expression_before, resolve, template_config
from .index import SpecIndex

__all__ = ["completions"]

_WORD = re.compile(r"[^\s\[\],{}:'\"]+")
_FILTER = re.compile(r"\|\s*\w*$")
_TEST = re.compile(r"\bis\s+(?:not\s+)?\w*$")
_NAME = re.compile(r"(?<![\w.\]\)'\"])(\w*)$")


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


def _detail(shape: Shape | None) -> str | None:
    if shape is None:
        return None
    return shape.kind + (f" — {shape.title}" if shape.title else "")


def _shape_items(names: list[str], shapes: Shape | None) -> list[types.CompletionItem]:
    """Fields or parts, in the order the config declares them, with type, title, description."""
    items = []
    for order, name in enumerate(names):
        shape = shapes.fields.get(name) if shapes is not None else None
        items.append(
            types.CompletionItem(
                label=name,
                kind=types.CompletionItemKind.Field,
                detail=_detail(shape),
                documentation=shape.description if shape is not None else None,
                sort_text=f"{order:04d}",
            )
        )
    return items


def _in_expression(cursor: Cursor, index: SpecIndex) -> list[types.CompletionItem] | None:
    """Completion inside a Jinja expression; None when the cursor is not in one."""
    expression = expression_before(cursor)
    if expression is None:
        return None
    chain = chain_before(expression)
    if chain is not None:
        config = template_config(cursor, index)
        if config is None:
            return []
        parts = chain[0]
        if not parts:
            return _shape_items(config.names(), config.shape)
        shape = resolve(config.shape, parts)
        return _shape_items(shape.names(), shape) if shape is not None else []
    if _FILTER.search(expression):
        return _named_callables(_environment().filters, "filter")
    if _TEST.search(expression):
        return _named_callables(_environment().tests, "test")
    name = _NAME.search(expression)
    if name is not None and (name.group(1) or expression.rstrip() in ("{{", "{%")):
        config = types.CompletionItem(
            label="config",
            kind=types.CompletionItemKind.Variable,
            detail="the template's config",
        )
        return [config, *_named_callables(_environment().globals, "global")]
    return []  # inside an expression, no YAML value (unit, source) is meant


def _environment():
    from ..templating import ENVIRONMENT  # jinja2: loaded when a template is being edited

    return ENVIRONMENT


def _named_callables(table, what: str) -> list[types.CompletionItem]:
    items = []
    for name, function in sorted(table.items()):
        doc = inspect.getdoc(function) or ""
        items.append(
            types.CompletionItem(
                label=name,
                kind=types.CompletionItemKind.Function,
                detail=f"Jinja {what}",
                documentation=doc.split("\n\n")[0] or None,
            )
        )
    return items


def _example_config_keys(cursor: Cursor, index: SpecIndex, block: list[str]):
    """The config fields an example's config does not set yet (the key being typed)."""
    config = template_config(cursor, index)
    if config is None:
        return []
    written = {m.group(1) for text in block if (m := re.match(r"^\s*([\w-]+)\s*:", text))}
    names = [n for n in config.names() if n not in written]
    return _shape_items(names, config.shape)


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
    expression = _in_expression(cursor, index)
    if expression is not None:
        return expression
    context = typing_context(lines, cursor.line, cursor.col)
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
        config = template_config(cursor, index)
        return _shape_items(config.names(), config.shape) if config is not None else []
    if key in ("unit", "units"):
        return _items(_units_like(context.block), types.CompletionItemKind.Unit)
    typing_key = ":" not in context.line_before.split("#")[0]
    if key == "config" and keys[-2:] == ["examples", "config"] and typing_key:
        return _example_config_keys(cursor, index, context.block)
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
