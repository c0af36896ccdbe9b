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

from functools import cache
from typing import Any

from pydantic import ValidationError

from .build import inline_params_from
from .diagnostics import Diagnostic
from .documents import Workflow, WorkflowTemplate
from .errors import ConfigError, TemplateError
from .ids import WorkflowId
from .instantiate import Template, TimeseriesLookup
from .params_check import check_param_defs
from .specset import Located, SpecSet
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
    # one walk per instrument, not one per example: the spec set does not change while checking
    timeseries = cache(spec_set.timeseries)
    for located in spec_set.templates.values():
        diagnostics.extend(_check_template(located, spec_set, seen, timeseries))
    return diagnostics


def _check_template(
    located: Located[WorkflowTemplate],
    spec_set: SpecSet,
    seen: dict[WorkflowId, Any],
    timeseries: TimeseriesLookup,
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
    factory = template_of(located, spec_set, timeseries)
    for index, example in enumerate(template.examples):
        at = located.at("examples", index)
        try:
            rendered = factory.render(example.config)
        except ConfigError as exc:
            out.append(
                doc.diagnostic(
                    "T004",
                    f"example config is invalid: {'; '.join(map(str, exc.errors))}",
                    (*at, "config"),
                    hint=f"give every config field of template {template.name!r} a valid value",
                )
            )
            continue
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
