"""Go to definition: from a name to the place the spec set defines it.

- ``params_from`` entry -> the ParamSet's ``name``;
- ``source_names`` entry or aux choice -> the Instrument's source entry;
- ``instrument:`` -> the Instrument document;
- a timeseries reference (a template example's ``{workflow_id, source_name, output_name}`` or
  its string form ``workflow/output@source``) -> the workflow's output;
- in a template, a config field's name -> its definition under ``config:`` in the same document:
  ``config.x`` (``.y`` ...) in an expression (a nested group field leads to its ``fields``
  entry; a built-in part such as ``.source_name`` to the field), a ``source_names.except``
  entry and a key of an example's config.
"""

from __future__ import annotations

from ..diagnostics import JsonPath, Location
from .cursor import Cursor, source_instrument, timeseries_reference
from .expressions import chain_at, config_field_named, config_key
from .index import Definition, SpecIndex
from .outline import Span

__all__ = ["definition_of"]


def _here(cursor: Cursor, span: Span | None, path: JsonPath) -> Definition | None:
    if span is None or cursor.doc.path is None:
        return None
    line, col = cursor.doc.outline.to_parser(*span.start)  # as the checker's locations count
    location = Location(str(cursor.doc.path), line + 1, col + 1)
    return Definition(None, location, path)


def _config_definition(cursor: Cursor, path: JsonPath, role: str) -> Definition | None:
    if cursor.kind != "WorkflowTemplate":
        return None
    name = config_field_named(cursor, path, role)
    if name is not None:
        return _here(cursor, config_key(cursor, [name]), ("config", name))
    parts = chain_at(cursor) if role == "value" else None
    if parts:
        return _here(cursor, config_key(cursor, parts), ("config", *parts))
    return None


def definition_of(cursor: Cursor, index: SpecIndex) -> Definition | None:
    span = cursor.span
    if span is None:
        return None
    path = span.path
    found = _config_definition(cursor, path, span.role)
    if found is not None or span.role != "value":
        return found
    if len(path) >= 2 and path[-2] == "params_from":
        return index.param_set(span.text)
    if path == ("instrument",):
        return index.instrument(span.text)
    instrument = source_instrument(cursor, path)
    if instrument is not None:
        return index.source(instrument, span.text)
    reference = timeseries_reference(cursor, path, span.text)
    if reference is not None:
        return index.output(reference)
    return None
