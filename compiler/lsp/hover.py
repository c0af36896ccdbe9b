"""Hover: what the node under the cursor means, as Markdown.

- a key: its title and description from the JSON Schema (:mod:`.schema_docs`);
- a param's name: type, default, unit(s), bounds and choices, from the checker's parsed model;
- a source name (``source_names``, aux choices): the Instrument's entry for it;
- a ParamSet name (``params_from``) or ``instrument:``: the document's title and description;
- a template expression: the value it renders to with the template's first example config,
  rendered by the compiler's sandboxed :class:`~wfspec.compiler.instantiate.Template` (never
  executed any other way).
"""

from __future__ import annotations

from typing import Any

from ..diagnostics import JsonPath
from ..templating import is_templated
from .cursor import Cursor, source_instrument
from .index import SpecIndex
from .schema_docs import describe_key

__all__ = ["hover_markdown"]

_PARAM_TABLES = ("params", "config")


def _param_model(cursor: Cursor, index: SpecIndex, path: JsonPath) -> Any | None:
    """The parsed ParamDef of a top-level param key (workflow/ParamSet params, template config).

    A template body's params (``workflow.params``) are still expressions: the schema's
    description is shown for them instead.
    """
    if len(path) != 2 or path[0] not in _PARAM_TABLES or cursor.doc.path is None:
        return None
    located = index.document_at(cursor.doc.path, cursor.document)
    if located is None:
        return None
    return getattr(located.model, path[0], {}).get(path[1])


def _param_markdown(name: str, param: Any) -> str:
    title = getattr(param, "title", None)
    lines = [f"**{name}**: `{param.type}` param" + (f" — {title}" if title else "")]
    if getattr(param, "description", None):
        lines += ["", param.description]
    facts: list[str] = []
    default = getattr(param, "default", None)
    if default is not None:
        shown = default.model_dump(exclude_none=True) if hasattr(default, "model_dump") else default
        facts.append(f"default: `{shown}`")
    if getattr(param, "unit", None):
        facts.append(f"unit: `{param.unit}`")
    if getattr(param, "units", None):
        facts.append("units: " + ", ".join(f"`{u}`" for u in param.units))
    for bound in ("min", "max", "exclusive_min", "exclusive_max"):
        value = getattr(param, bound, None)
        if value is not None:
            facts.append(f"{bound.replace('_', ' ')}: `{value}`")
    choices = getattr(param, "choices", None)
    if choices:
        values = [getattr(c, "value", c) for c in choices]
        facts.append("choices: " + ", ".join(f"`{v}`" for v in values))
    fields = getattr(param, "fields", None)
    if fields:
        facts.append("fields: " + ", ".join(f"`{f}`" for f in fields))
    if facts:
        lines += ["", *(f"- {fact}" for fact in facts)]
    return "\n".join(lines)


def _source_markdown(source: Any, instrument: str) -> str:
    lines = [f"**{source.name}**: `{source.kind}` source of instrument `{instrument}`"]
    if source.title:
        lines += ["", source.title]
    if source.description:
        lines += ["", source.description]
    if source.unit:
        lines += ["", f"- unit: `{source.unit}`"]
    return "\n".join(lines)


def _document_markdown(what: str, model: Any) -> str:
    lines = [f"**{model.name}**: {what}"]
    if getattr(model, "title", None):
        lines += ["", model.title]
    if getattr(model, "description", None):
        lines += ["", model.description]
    params = getattr(model, "params", None)
    if what == "ParamSet" and params:
        lines += ["", "params: " + ", ".join(f"`{p}`" for p in params)]
    return "\n".join(lines)


def _rendered(cursor: Cursor, index: SpecIndex, path: JsonPath) -> str | None:
    """The value of a template expression with the first example config (sandboxed)."""
    from ..errors import WfspecError
    from ..template import template_of

    if not path or path[0] != "workflow" or cursor.doc.path is None:
        return None
    located = index.template_at(cursor.doc.path, cursor.document)
    if located is None:
        return "not rendered: the template does not parse (see its diagnostics)"
    if not located.model.examples:
        return "not rendered: the template has no example config"
    try:
        factory = template_of(located, index.spec_set)
        value: Any = factory.render(located.model.examples[0].config)
    except WfspecError as error:
        return f"does not render with the first example: {error}"
    except Exception as error:  # the hover must never fail the request
        return f"does not render with the first example: {type(error).__name__}: {error}"
    for part in path[1:]:
        try:
            value = value[part]
        except (KeyError, IndexError, TypeError):
            return None
    return f"renders to `{value!r}` with the first example's config"


def hover_markdown(cursor: Cursor, index: SpecIndex) -> str | None:
    """Markdown for the node under the cursor, or None."""
    span = cursor.span
    if span is None:
        return None
    path = span.path
    if span.role == "value":
        if len(path) >= 2 and path[-2] == "params_from":
            found = index.param_set(span.text)
            return _document_markdown("ParamSet", found.model) if found else None
        instrument = source_instrument(cursor, path)
        if instrument is not None:
            found = index.source(instrument, span.text)
            return _source_markdown(found.model, instrument) if found else None
        if path == ("instrument",):
            found = index.instrument(span.text)
            return _document_markdown("Instrument", found.model) if found else None
        if cursor.kind == "WorkflowTemplate" and is_templated(span.text):
            return _rendered(cursor, index, path)
        return None
    param = _param_model(cursor, index, path)
    if param is not None:
        return _param_markdown(str(path[-1]), param)

    def type_at(at: JsonPath) -> Any:
        return cursor.value((*at, "type"))

    described = describe_key(cursor.kind, path, type_at)
    if described is None:
        return None
    title, description = described
    text = f"**{span.text}**" + (f": {title}" if title else "")
    return text + (f"\n\n{description}" if description else "")
