"""Hover: what the node under the cursor means, as Markdown.

- a key: its title and description from the JSON Schema (:mod:`.schema_docs`);
- a param's name: type, default, unit(s), bounds and choices, from the checker's parsed model;
- a source name (``source_names``, aux choices): the Instrument's entry for it;
- a ParamSet name (``params_from``) or ``instrument:``: the document's title and description;
- a template expression: the value it renders to with the template's first example config,
  rendered by the compiler's sandboxed :class:`~wfspec.compiler.instantiate.Template` (never
  executed any other way); on a ``config.x`` chain in it, first what ``config.x`` is (the
  field's definition, or a part's type and description, from the checker's config shape);
- a config field's name elsewhere in a template (a ``source_names.except`` entry, a key of an
  example's config): the field's definition;
- a timeseries reference (a reference mapping's values, or the string form): the workflow, the
  output (title, unit, temporality) and the source it names -- only for a reference the spec
  set has; an unknown one gets no hover (its diagnostic says what is wrong).
"""

from __future__ import annotations

from typing import Any

from ..diagnostics import JsonPath
from ..ids import TimeseriesReference
from ..templating import is_templated
from .cursor import Cursor, source_instrument, timeseries_reference
from .expressions import chain_at, config_field_named, resolve, template_config
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


def _config_markdown(cursor: Cursor, index: SpecIndex, parts: list[str]) -> str | None:
    """What ``config.<parts>`` is: the field's ParamDef, or a part's shape (kind, words,
    parts); None for a field or part the config does not have (T007/T009 say so)."""
    config = template_config(cursor, index)
    if config is None:
        return None
    if not parts:
        return f"**config**: the template's config\n\n- fields: {_listing(config.names())}"
    shape = resolve(config.shape, parts)
    defn = config.defs.get(parts[0])
    name = "config." + ".".join(parts)
    if len(parts) == 1 and defn is not None:
        text = _param_markdown(name, defn)
        own_fields = set(getattr(defn, "fields", None) or ())
        if shape is not None and shape.fields and set(shape.fields) != own_fields:
            text += ("\n" if "\n- " in text else "\n\n") + "- parts: " + _listing(shape.names())
        return text
    if shape is None or shape.kind == "value":
        return None  # unknown (T007/T009 say so), or a method of a scalar
    lines = [f"**{name}**: `{shape.kind}`" + (f" — {shape.title}" if shape.title else "")]
    if shape.description:
        lines += ["", shape.description]
    if shape.fields:
        lines += ["", "- parts: " + _listing(shape.names())]
    return "\n".join(lines)


def _listing(names: list[str]) -> str:
    return ", ".join(f"`{n}`" for n in names) or "none"


def _reference_markdown(reference: TimeseriesReference, index: SpecIndex) -> str | None:
    """The workflow, output and source a timeseries reference names; None unless the spec set
    has that timeseries (a wrong reference is its diagnostic's to explain)."""
    instrument = reference.workflow_id.instrument
    entry = index.workflow(reference.workflow_id)
    if entry is None or reference not in index.timeseries(instrument):
        return None
    workflow = entry.model
    output = workflow.outputs[reference.output_name]
    unit = f"unit `{output.unit}`" if output.unit else "no unit declared"
    lines = [
        f"**{reference}**: timeseries",
        "",
        f"- workflow: {workflow.title} (`{reference.workflow_id}`)",
        f"- output: {output.title} (`{reference.output_name}`), {output.temporality}, {unit}",
    ]
    found = index.source(instrument, reference.source_name)
    source = found.model if found is not None else None
    if source is not None:
        facts = [f"`{source.kind}` source of `{instrument}`"]
        if source.unit:
            facts.append(f"unit `{source.unit}`")
        title = f"{source.title} " if source.title else ""
        lines.append(f"- source: {title}(`{source.name}`), {', '.join(facts)}")
    else:
        lines.append(f"- source: `{reference.source_name}`")
    if output.description:
        lines += ["", output.description]
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
    if cursor.kind == "WorkflowTemplate":
        name = config_field_named(cursor, path, span.role)
        if name is not None:
            return _config_markdown(cursor, index, [name])
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
        reference = timeseries_reference(cursor, path, span.text)
        if reference is not None:
            return _reference_markdown(reference, index)
        if cursor.kind == "WorkflowTemplate" and is_templated(span.text):
            rendered = _rendered(cursor, index, path)
            parts = chain_at(cursor)
            field = _config_markdown(cursor, index, parts) if parts is not None else None
            shown = [text for text in (field, rendered) if text]
            return "\n\n---\n\n".join(shown) if shown else None
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
