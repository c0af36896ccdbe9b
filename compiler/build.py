"""The build stage: checked Workflow documents -> concrete :class:`WorkflowSpec` objects.

A Workflow document names its params in two places (``params_from`` ParamSets, then its own
``params``); a WorkflowSpec has one flat, ordered set of ParamDefs and the pydantic params class
built from them. This module does that merge and nothing else, for static workflows and for
rendered template bodies alike, so both kinds of spec are built by the same code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .documents import Workflow
from .ids import WorkflowId
from .spec import AuxSourceSpec, OutputSpec, TemplateOrigin, ViewSpec, WorkflowSpec
from .specset import SpecSet

__all__ = ["build_static_specs", "defs_json", "inline_params_from", "workflow_spec"]


def defs_json(defs: Mapping[str, Any]) -> dict[str, Any]:
    """ParamDefs as plain JSON (what the bundle stores): defaults left out, order kept."""
    return {
        name: (d.model_dump(mode="json", exclude_defaults=True) if hasattr(d, "model_dump") else d)
        for name, d in defs.items()
    }


def workflow_spec(
    workflow: Workflow, defs: Mapping[str, Any], origin: TemplateOrigin | None = None
) -> WorkflowSpec:
    """The WorkflowSpec of a Workflow document whose params are ``defs`` (already merged)."""
    wid = workflow.id
    param_defs = defs_json(defs)
    return WorkflowSpec(
        id=wid,
        group=workflow.group,
        title=workflow.title,
        description=workflow.description,
        source_names=list(workflow.source_names),
        aux_sources={
            role: AuxSourceSpec(
                title=aux.title or role.replace("_", " ").capitalize(),
                description=aux.description or "",
                choices=list(aux.choices),
                default=aux.default,
                per_job=aux.per_job,
            )
            for role, aux in workflow.aux_sources.items()
        },
        param_defs=param_defs,
        outputs={
            name: OutputSpec(**out.model_dump(exclude_none=False))
            for name, out in workflow.outputs.items()
        },
        views={name: ViewSpec(**view.model_dump()) for name, view in workflow.views.items()},
        device_outputs=dict(workflow.device_outputs),
        reset_on_run_transition=workflow.reset_on_run_transition,
        supports_reset=workflow.supports_reset,
        service=workflow.service,
        executor=workflow.executor,
        origin=origin,
    )


def build_static_specs(spec_set: SpecSet) -> dict[WorkflowId, WorkflowSpec]:
    """Every static workflow of a checked spec set as a WorkflowSpec, sorted by id."""
    return {
        wid: workflow_spec(
            entry.model,
            {name: r.definition for name, r in spec_set.resolved_params(entry).items()},
        )
        for wid, entry in sorted(spec_set.workflows.items())
    }


def inline_params_from(body: Mapping[str, Any], spec_set: SpecSet) -> dict[str, Any]:
    """A template body with its ``params_from`` ParamSets merged into ``params`` (sets first).

    Why: an instance is rendered at run time from the bundle, which holds no ParamSets; inlining
    at build time makes the stored body self-contained and renders to the same params.
    """
    names = body.get("params_from") or []
    if not names:
        return dict(body)
    merged: dict[str, Any] = {}
    for name in dict.fromkeys(names):
        entry = spec_set.param_sets.get(name)
        if entry is not None:
            for key, value in entry.doc.data.get("params", {}).items():
                merged.setdefault(key, value)
    for key, value in (body.get("params") or {}).items():
        merged.setdefault(key, value)
    out = {k: v for k, v in body.items() if k != "params_from"}
    out["params"] = merged
    return out
