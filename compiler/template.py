"""Template checks: every WorkflowTemplate's Jinja strings compile, and every example renders.

For each template, ``check_templates`` (the last stage of ``wfspec check``):

1. compiles every templated string of the body (T001 at the string's line:col);
2. for each example: builds the config (timeseries values become
   :class:`~wfspec.compiler.ids.TimeseriesReference`, missing keys take the config defaults),
   renders the body (T002 undefined names and render errors, T003 sandbox violations), derives
   ``source_names: {from: timeseries, except: [...]}``, validates the result as a Workflow document
   (T004) and its params defaults (the same checks as static workflows), compares it with the
   example's ``expect`` (T005);
3. reports WorkflowId collisions between examples, and between an example and a static workflow
   (T006).
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from .diagnostics import Diagnostic
from .documents import Workflow, WorkflowTemplate
from .errors import TemplateError
from .ids import TimeseriesReference, WorkflowId
from .params_check import check_param_defs
from .specset import Located, SpecSet
from .templating import render_tree, syntax_error, templated_strings


def build_context(template: WorkflowTemplate, config: dict[str, Any]) -> dict[str, Any]:
    """The Jinja context of one config: defaults filled in, timeseries as references.

    Raises ``ValueError`` naming the field for a missing value or a bad timeseries reference.
    """
    values: dict[str, Any] = {}
    for name, definition in template.config.items():
        if name in config:
            value = config[name]
        elif getattr(definition, "default", None) is not None:
            value = definition.default
        else:
            raise ValueError(f"config field {name!r} is required")
        if definition.type == "timeseries":
            try:
                value = (
                    TimeseriesReference.parse(value)
                    if isinstance(value, str)
                    else TimeseriesReference.model_validate(value)
                )
            except (ValueError, ValidationError) as exc:
                raise ValueError(f"config field {name!r}: {_first_line(exc)}") from None
        values[name] = value
    unknown = sorted(set(config) - set(template.config))
    if unknown:
        raise ValueError(f"unknown config field(s) {', '.join(map(repr, unknown))}")
    return {"config": values}


def render_body(
    template: WorkflowTemplate, raw_body: dict[str, Any], context: dict[str, Any], spec_set: SpecSet
) -> dict[str, Any]:
    """Render a template body to a Workflow document (plain data, ``kind: Workflow``)."""
    rendered = render_tree(raw_body, context)
    sources = rendered.get("source_names")
    if isinstance(sources, dict) and sources.get("from") == "timeseries":
        axes = {str(context["config"][name]) for name in sources.get("except", [])}
        rendered["source_names"] = [
            str(ref)
            for ref in spec_set.timeseries(str(rendered.get("instrument")))
            if str(ref) not in axes
        ]
    return {"kind": "Workflow", **rendered}


def check_templates(spec_set: SpecSet) -> list[Diagnostic]:
    """Diagnostics of every template of the spec set (see the module docstring)."""
    diagnostics: list[Diagnostic] = []
    seen: dict[WorkflowId, Any] = {}
    for located in spec_set.templates.values():
        diagnostics.extend(_check_template(located, spec_set, seen))
    return diagnostics


def _check_template(
    located: Located[WorkflowTemplate], spec_set: SpecSet, seen: dict[WorkflowId, Any]
) -> list[Diagnostic]:
    template, doc = located.model, located.doc
    raw_body = doc.data.get("workflow", {})
    out: list[Diagnostic] = []
    for path, text in templated_strings(raw_body, located.at("workflow")):
        message = syntax_error(text)
        if message:
            out.append(
                doc.diagnostic(
                    "T001",
                    f"Jinja syntax error: {message}",
                    path,
                    hint="write expressions as {{ config.field }}; check brackets and quotes",
                )
            )
    if out:
        return out
    for index, example in enumerate(template.examples):
        at = located.at("examples", index)
        try:
            context = build_context(template, example.config)
        except ValueError as exc:
            out.append(
                doc.diagnostic(
                    "T004",
                    f"example config is invalid: {exc}",
                    (*at, "config"),
                    hint=f"give every config field of template {template.name!r} a valid value",
                )
            )
            continue
        try:
            rendered = render_body(template, raw_body, context, spec_set)
        except TemplateError as exc:
            code = "T003" if "sandbox" in str(exc) else "T002"
            path = located.at("workflow", *getattr(exc, "path", ()))
            out.append(
                doc.diagnostic(
                    code,
                    f"{exc} (rendering example {index + 1})",
                    path,
                    hint="only `config.<field>` names are defined in a template body",
                )
            )
            continue
        try:
            workflow = Workflow.model_validate(rendered)
        except ValidationError as exc:
            out.append(
                doc.diagnostic(
                    "T004",
                    f"example {index + 1} renders to an invalid Workflow: {_first_line(exc)}",
                    at,
                    hint="check the template body's fields for the rendered values",
                )
            )
            continue
        out.extend(
            check_param_defs(workflow.params, doc, located.at("workflow", "params"))
            if workflow.params
            else []
        )
        out.extend(_compare(example.expect, workflow, doc, at))
        out.extend(_collisions(workflow.id, spec_set, seen, doc, at))
    return out


def _compare(expect: Any, workflow: Workflow, doc: Any, at: tuple) -> list[Diagnostic]:
    actual = {
        "id": str(workflow.id),
        "title": workflow.title,
        "description": workflow.description,
        "group": workflow.group,
        "source_names": list(workflow.source_names),
    }
    out = []
    for key, wanted in expect.model_dump(exclude_none=True).items():
        if actual.get(key) != wanted:
            out.append(
                doc.diagnostic(
                    "T005",
                    f"example renders {key} {actual.get(key)!r}, expected {wanted!r}",
                    (*at, "expect", key),
                    hint="fix the template body, or update the example's expect",
                )
            )
    return out


def _collisions(
    wid: WorkflowId, spec_set: SpecSet, seen: dict[WorkflowId, Any], doc: Any, at: tuple
) -> list[Diagnostic]:
    here = doc.locate(at)
    static = spec_set.workflows.get(wid)
    if static is not None:
        return [
            doc.diagnostic(
                "T006",
                f"example renders WorkflowId {wid}, which a static workflow already has",
                at,
                hint="rename the template's workflow or the static one",
                related=[static.doc.locate(static.path)],
            )
        ]
    if wid in seen:
        return [
            doc.diagnostic(
                "T006",
                f"two template examples render the same WorkflowId {wid}",
                at,
                hint="configs of one template must give distinct ids (use the slug filter)",
                related=[seen[wid]],
            )
        ]
    seen[wid] = here
    return []


def _first_line(exc: Exception) -> str:
    if isinstance(exc, ValidationError) and exc.errors():
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"])
        return f"{loc}: {err['msg']}" if loc else err["msg"]
    return str(exc).splitlines()[0]
