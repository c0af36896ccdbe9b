"""Go to definition: from a name to the place the spec set defines it.

- ``params_from`` entry -> the ParamSet's ``name``;
- ``source_names`` entry or aux choice -> the Instrument's source entry;
- ``instrument:`` -> the Instrument document;
- a timeseries reference (a template example's ``{workflow_id, source_name, output_name}`` or
  its string form ``workflow/output@source``) -> the workflow's output.
"""

from __future__ import annotations

from ..diagnostics import JsonPath
from ..ids import TimeseriesReference
from .cursor import Cursor, source_instrument
from .index import Definition, SpecIndex

__all__ = ["definition_of"]


def _reference(cursor: Cursor, path: JsonPath, text: str) -> TimeseriesReference | None:
    if path and path[-1] in ("workflow_id", "source_name", "output_name"):
        parent = path[:-1]
        parts = {
            k: cursor.value((*parent, k)) for k in ("workflow_id", "source_name", "output_name")
        }
        if all(parts.values()):
            try:
                return TimeseriesReference.model_validate(parts)
            except ValueError:
                return None
    if "@" in text:
        try:
            return TimeseriesReference.parse(text)
        except ValueError:
            return None
    return None


def definition_of(cursor: Cursor, index: SpecIndex) -> Definition | None:
    span = cursor.span
    if span is None or span.role != "value":
        return None
    path = span.path
    if len(path) >= 2 and path[-2] == "params_from":
        return index.param_set(span.text)
    if path == ("instrument",):
        return index.instrument(span.text)
    instrument = source_instrument(cursor, path)
    if instrument is not None:
        return index.source(instrument, span.text)
    reference = _reference(cursor, path, span.text)
    if reference is not None:
        return index.output(reference)
    return None
