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

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from pydantic import BaseModel, ValidationError

from .build import inline_params_from
from .diagnostics import Diagnostic, Severity, has_errors
from .documents import SourceNamesFrom, Workflow, WorkflowTemplate
from .errors import ConfigError, FieldError, TemplateError
from .ids import TimeseriesReference, WorkflowId
from .instantiate import Template, TimeseriesLookup
from .paramdefs import EdgesParam, GroupParam, RangeParam, TimeseriesParam
from .params_check import check_param_defs
from .resolve import check_instrument_refs, check_service
from .resolve import check_param_defs as check_config_defs
from .specset import Located, SpecSet
from .template_static import analyse, config_shape
from .templating import syntax_error, templated_strings


def template_of(
    located: Located[WorkflowTemplate],
    spec_set: SpecSet,
    timeseries: TimeseriesLookup | None = None,
) -> Template:
    """The run-time :class:`Template` of a checked WorkflowTemplate document.

    Its body is the document's ``workflow`` as written (strings still templated) with the
    ``params_from`` ParamSets inlined, so the bundle can render it without the spec set.
    ``timeseries`` defaults to ``spec_set.timeseries`` (a walk over every workflow per call).
    """
    model, doc = located.model, located.doc
    return Template(
        model.name,
        title=model.title,
        description=model.description,
        config_defs=model.config,
        body=inline_params_from(doc.data.get("workflow", {}), spec_set),
        timeseries=timeseries or spec_set.timeseries,
        examples=[e.model_dump(mode="json", exclude_none=True) for e in model.examples],
    )


def check_templates(spec_set: SpecSet) -> list[Diagnostic]:
    """Diagnostics of every template of the spec set (see the module docstring)."""
    diagnostics: list[Diagnostic] = []
    seen: dict[WorkflowId, Any] = {}
    # One walk per instrument, not one per example or template: the spec set does not change
    # while checking. Tuples, so each template's lookups of their strings cost no pass over
    # them (``instantiate.timeseries_names``): per-template work stays independent of the
    # number of timeseries, and the check linear in the number of documents.
    timeseries = cache(lambda instrument: tuple(spec_set.timeseries(instrument)))
    axes = tuple(ref for name in sorted(spec_set.instruments) for ref in timeseries(name))
    for located in spec_set.templates.values():
        removed = spec_set.salvaged.get((located.doc.file, located.doc.index), ())
        if any(path[:1] == ("config",) for path in removed):
            continue  # config fields are missing: every use would be reported again (salvage.py)
        body_cut = any(path[:1] == ("workflow",) for path in removed)
        diagnostics.extend(_check_template(located, spec_set, seen, timeseries, axes, body_cut))
    return diagnostics


@dataclass(slots=True)
class _Rendered:
    """What one normalized config renders to: the error, or the Workflow and the problems of
    its params and instrument references (the same whichever example or default gave it)."""

    error: TemplateError | ValidationError | None = None
    workflow: Workflow | None = None
    problems: list[Diagnostic] = field(default_factory=list)


def _check_template(
    located: Located[WorkflowTemplate],
    spec_set: SpecSet,
    seen: dict[WorkflowId, Any],
    timeseries: TimeseriesLookup,
    axes: Sequence[TimeseriesReference],
    body_cut: bool = False,
) -> list[Diagnostic]:
    template, doc = located.model, located.doc
    out = _check_statically(located, report_unused=not body_cut)
    if has_errors(out):
        return out  # rendering would only repeat these
    # the resolve stage's problems of the same config (memoized per document)
    config_problems = check_config_defs(
        template.config, located.doc, located.at("config"), allow_timeseries=True
    )
    if has_errors(config_problems):
        return out  # reported by the resolve stage; no config model can be built from them
    factory = template_of(located, spec_set, timeseries)
    # The defaults and the examples often normalize to the same config (an example showing the
    # default axis): each distinct config is rendered and checked once.
    renders: dict[str, _Rendered] = {}
    defaults = _default_config(template, axes)
    if defaults is not None:
        out += _render_check(located, factory, spec_set, defaults, None, seen, renders)
    if not template.examples:
        out.append(
            doc.diagnostic(
                "T010",
                f"template {template.name!r} has no examples: "
                + (
                    "it is rendered with its config defaults only"
                    if defaults is not None
                    else "some config fields have no default, so only its strings are checked"
                ),
                located.at("name"),
                severity=Severity.WARNING,
                hint="add examples: [{config: {...}, expect: {id: ..., title: ...}}]",
            )
        )
    for index, example in enumerate(template.examples):
        out += _render_check(located, factory, spec_set, example.config, index, seen, renders)
    unique: dict[tuple[str, Any, str], Diagnostic] = {}
    for diagnostic in out:  # the defaults and each example may render the same mistake
        same = diagnostic.message.split(" (rendering ")[0]  # which render found it is no news
        unique.setdefault((diagnostic.code, diagnostic.path, same), diagnostic)
    return list(unique.values())


def _check_statically(
    located: Located[WorkflowTemplate], report_unused: bool = True
) -> list[Diagnostic]:
    """T001/T002/T007/T008/T009 of every templated string, and T011 for unused config fields
    (not when salvage removed body nodes: the removed part may have been the only use)."""
    template, doc = located.model, located.doc
    raw_body = doc.data.get("workflow", {})
    config = config_shape(template.config)
    used: set[str] = set()
    whole = False
    out: list[Diagnostic] = []
    for path, text in templated_strings(raw_body, located.at("workflow")):
        analysis = analyse(text, config)
        used |= analysis.used
        whole = whole or analysis.uses_whole_config
        for finding in analysis.findings:
            out.append(doc.diagnostic(finding.code, finding.message, path, hint=finding.hint))
        if not analysis.findings:
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
    derive = template.workflow.source_names
    if isinstance(derive, SourceNamesFrom):
        used |= set(derive.except_)
    if report_unused and not whole:
        for name in template.config:
            if name not in used:
                out.append(
                    doc.diagnostic(
                        "T011",
                        f"config field {name!r} is never used by the workflow body",
                        located.at("config", name),
                        severity=Severity.WARNING,
                        hint=f"use it (e.g. {{{{ config.{name} }}}}) or remove it from config",
                    )
                )
    return out


def _default_config(
    template: WorkflowTemplate, axes: Sequence[TimeseriesReference]
) -> dict[str, Any] | None:
    """The config of the defaults, a spec-set timeseries for each axis without one (the first
    axis without a default gets the spec set's first timeseries, the next the second..., the
    last one any further); None when a field of another type has no default (nothing to render
    with). ``axes`` are every instrument's timeseries, instruments sorted by name."""
    config: dict[str, Any] = {}
    taken = 0
    for name, defn in template.config.items():
        if defn.default is not None:
            continue
        if not isinstance(defn, TimeseriesParam) or not axes:
            if isinstance(defn, GroupParam | EdgesParam | RangeParam):
                continue  # their fields' defaults may do; the config model decides
            return None
        config[name] = str(axes[min(taken, len(axes) - 1)])
        taken += 1
    return config


def _render_check(
    located: Located[WorkflowTemplate],
    factory: Template,
    spec_set: SpecSet,
    config: dict[str, Any],
    index: int | None,
    seen: dict[WorkflowId, Any],
    renders: dict[str, _Rendered],
) -> list[Diagnostic]:
    """Render ``config`` (example ``index``, or the defaults when None) and check the result.

    ``renders`` holds what each normalized config rendered to, for the other configs of the
    same template; only the diagnostics of the example (expect, collisions) are its own.
    """
    template, doc = located.model, located.doc
    at = located.at("examples", index) if index is not None else located.at("name")
    what = f"example {index + 1}" if index is not None else "the config defaults"
    try:
        model = factory.validated_config(config)
    except ConfigError as exc:
        references = [e for e in exc.errors if e.code == "T012"]
        others = [e for e in exc.errors if e.code != "T012"]
        out = [_reference_diagnostic(located, error, index) for error in references]
        if others and index is not None:
            out.append(
                doc.diagnostic(
                    "T004",
                    f"example config is invalid: {'; '.join(map(str, others))}",
                    (*at, "config"),
                    hint=f"give every config field of template {template.name!r} a valid value",
                )
            )
        elif others:
            out.append(
                doc.diagnostic(
                    "T013",
                    f"the config defaults are invalid: {'; '.join(map(str, others))}",
                    located.at("config"),
                    hint="give each field a default its own type and rules accept",
                )
            )
        return out
    key = factory.render_key(model)
    rendered = renders.get(key)
    if rendered is None:
        rendered = renders[key] = _render(located, factory, spec_set, model)
    exc = rendered.error
    if isinstance(exc, TemplateError):
        code = "T003" if "sandbox" in str(exc) else "T002"
        path = located.at("workflow", *getattr(exc, "path", ()))
        return [
            doc.diagnostic(
                code,
                f"{exc} (rendering {what})",
                path,
                hint="only `config.<field>` names are defined in a template body",
            )
        ]
    if isinstance(exc, ValidationError):
        return [
            doc.diagnostic(
                "T004" if index is not None else "T013",
                f"{what} {'renders' if index is not None else 'render'} to an invalid Workflow: "
                f"{_first_line(exc)}",
                at,
                hint="check the template body's fields for the rendered values",
            )
        ]
    workflow = rendered.workflow
    assert workflow is not None
    out = list(rendered.problems)
    if index is None:
        return out  # the defaults have no expect, and their id may well equal an example's
    body = template.workflow
    if any(isinstance(v, str) and "{" in v for v in (body.group, body.service)):
        # written as expressions: only the rendered value can be checked (else resolve did)
        out.extend(check_service(spec_set, located, workflow, *located.at("workflow")))
    example = template.examples[index]
    out.extend(_compare(example.expect, workflow, doc, at))
    out.extend(_collisions(workflow.id, spec_set, seen, doc, at))
    return out


def _render(
    located: Located[WorkflowTemplate], factory: Template, spec_set: SpecSet, model: BaseModel
) -> _Rendered:
    """Render a validated config and check the Workflow it gives (see :class:`_Rendered`)."""
    doc = located.doc
    try:
        body = factory.render_validated(model)
    except TemplateError as exc:
        return _Rendered(error=exc)
    try:
        workflow = Workflow.model_validate(body)
    except ValidationError as exc:
        return _Rendered(error=exc)
    # not memoized per document: each config renders its own params at the same path
    out = (
        check_param_defs(workflow.params, doc, located.at("workflow", "params"))
        if workflow.params
        else []
    )
    if not isinstance(located.model.workflow.source_names, SourceNamesFrom):
        out.extend(check_instrument_refs(spec_set, Located(workflow, doc, located.at("workflow"))))
    return _Rendered(workflow=workflow, problems=out)


def _reference_diagnostic(
    located: Located[WorkflowTemplate], error: FieldError, index: int | None
) -> Diagnostic:
    """T012 at the example's value, or at the config field's default."""
    name = error.field.split(".")[0]
    if index is not None:
        path = located.at("examples", index, "config", name)
        hint = "pick a timeseries output of the spec set (a 0-d window or series output)"
    else:
        path = located.at("config", name, "default")
        hint = "make the default a timeseries output of the spec set, or remove it"
    if name == "(config)":
        path = path[:-1] if index is not None else located.at("config")
    value = "" if error.value is None else f" = {error.value}"
    return located.doc.diagnostic("T012", f"{error.field}{value}: {error.message}", path, hint=hint)


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
