"""The resolve stage: semantic checks across the documents of a :class:`SpecSet`.

Structure (keys, types, slugs) was checked against the JSON Schema already; here the documents
are checked *against each other* and against the physical world: a workflow's instrument exists
and has the streams it names, ParamSets exist and do not redefine a param, views and device
outputs name real outputs, units are units. Param definitions themselves (units, defaults,
constraints) are checked by ``params_check.check_param_defs``; this stage calls it once per
ParamSet, per workflow's own params and per template config.

Every diagnostic points at the offending node (``file:line:col``) and carries a hint; where a
name is probably misspelled the hint says "did you mean ...". Template bodies are checked only
where they are not expressions (rendered results are checked by ``template.py``).
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

from .diagnostics import Diagnostic, JsonPath, Severity, did_you_mean
from .documents import SourceNamesFrom, Workflow, WorkflowTemplate
from .params_check import check_param_defs as _param_defs_problems
from .services import known_services
from .specset import Located, SpecSet
from .units import likely_typo, suggest_unit, typo_message, unit_error

__all__ = ["check_instrument_refs", "check_service", "check_spec_set", "did_you_mean"]

_PLACEHOLDERS = {"source_name"}


def check_param_defs(defs: Any, doc: Any, path: JsonPath, **options: Any) -> list[Diagnostic]:
    """``params_check.check_param_defs``, once per document (it reads that document only).

    Each call gets its own list: callers extend it, and the memoized one must stay as computed
    (it is kept with a cached document across ``check --watch`` runs and read again by the
    template stage).
    """
    key = ("check_param_defs", tuple(path), tuple(sorted(options.items())))
    return list(doc.memoized(key, lambda: _param_defs_problems(defs, doc, path, **options)))


def _hint(name: str, known: Iterable[str], fallback: str) -> str:
    known = list(known)
    guess = did_you_mean(name, known)
    if guess is not None:
        return f"did you mean {guess!r}?"
    if known and len(known) <= 12:
        return f"{fallback}; known: {', '.join(sorted(known))}"
    return fallback


def check_spec_set(spec_set: SpecSet) -> list[Diagnostic]:
    """Every semantic problem of the spec set (R, U and params_check's P/U codes)."""
    out: list[Diagnostic] = []
    for entry in spec_set.instruments.values():
        out += _check_instrument(entry)
    for entry in spec_set.param_sets.values():
        out += check_param_defs(entry.model.params, entry.doc, entry.at("params"))
    # one source table per instrument, not one per workflow: the spec set does not change here
    sources_of = cache(spec_set.instrument_sources)
    for entry in spec_set.workflows.values():
        out += _check_workflow(spec_set, entry, sources_of)
    for entry in spec_set.templates.values():
        out += _check_template(spec_set, entry)
    return out


# --------------------------------------------------------------------------- instruments


def _check_instrument(entry: Located) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    seen: dict[str, int] = {}
    for index, source in enumerate(entry.model.sources):
        if source.name in seen:
            first = entry.doc.locate(entry.at("sources", seen[source.name], "name"))
            out.append(
                entry.diagnostic(
                    "R015",
                    f"source {source.name!r} is listed twice (first at {first})",
                    "sources",
                    index,
                    "name",
                    hint="remove one of the two entries",
                    related=[first],
                )
            )
        else:
            seen[source.name] = index
        if source.unit is not None:
            out += _check_unit(entry, source.unit, "sources", index, "unit")
    return out


def _check_unit(entry: Located, unit: str, *path: str | int) -> list[Diagnostic]:
    reason = unit_error(unit)
    if reason is None:
        typo = likely_typo(unit)
        if typo is None:
            return []
        return [
            entry.diagnostic(
                "U104",
                typo_message(unit, *typo),
                *path,
                severity=Severity.WARNING,
                hint=f"did you mean {typo[0]!r}?",
            )
        ]
    code = "U201" if path[0] == "sources" else "U202"
    guess = suggest_unit(unit)
    hint = f"did you mean {guess!r}?" if guess else "use a unit scipp knows, e.g. 'mm' or 'counts'"
    return [entry.diagnostic(code, f"{unit!r} is not a unit: {reason}", *path, hint=hint)]


_PLACEHOLDER = re.compile(r"^<[a-z][a-z0-9_]*>$")


def dim_problem(dim: str) -> str | None:
    """What is wrong with a dim label, or None.

    scipp accepts any string as a label, so ``Q``, ``Qx`` and ``two_theta`` are all fine. Two
    spellings are refused because they are surely mistakes: surrounding blanks (never visible in
    a plot) and angle brackets other than one whole run-time placeholder ``<name>`` (the
    backend's ``<spectral_coord>``: a dimension chosen when the job runs, kept as written).
    """
    if dim != dim.strip():
        return "has leading or trailing blanks"
    if ("<" in dim or ">" in dim) and not _PLACEHOLDER.match(dim):
        return "is neither a label nor a run-time placeholder <name> (a slug in angle brackets)"
    return None


# --------------------------------------------------------------------------- workflows


def _check_workflow(
    spec_set: SpecSet, entry: Located[Workflow], sources_of: _SourcesOf
) -> list[Diagnostic]:
    workflow = entry.model
    out = _check_instrument_refs(spec_set, entry, workflow, sources_of)
    out += _check_params_from(spec_set, entry, workflow.params_from)
    for name, first, second in spec_set.param_conflicts(entry):
        first_at = first.doc.locate(first.path)
        second_at = second.doc.locate(second.path)
        out.append(
            second.doc.diagnostic(
                "R008",
                f"param {name!r} of workflow {workflow.id} is defined twice (also at {first_at})",
                second.path,
                hint="remove one definition, or drop the ParamSet from params_from",
                related=[first_at],
            )
        )
        if first.doc is not second.doc or first.path != second.path:
            out.append(
                first.doc.diagnostic(
                    "R008",
                    f"param {name!r} of workflow {workflow.id} is defined twice "
                    f"(also at {second_at})",
                    first.path,
                    hint="remove one definition, or drop the ParamSet from params_from",
                    related=[second_at],
                )
            )
    out += check_param_defs(workflow.params, entry.doc, entry.at("params"))
    out += _check_outputs(entry, workflow)
    out += _check_runner(entry, workflow)
    out += check_service(spec_set, entry, workflow)
    return out


def check_instrument_refs(spec_set: SpecSet, entry: Located[Workflow]) -> list[Diagnostic]:
    """R003-R006 of one workflow: its instrument exists and has the sources it names.

    Also used on a template's rendered workflow (``entry.path == ("workflow",)``), so a
    template whose instrument or sources do not exist fails check even without a static one.
    """
    return _check_instrument_refs(spec_set, entry, entry.model, spec_set.instrument_sources)


_SourcesOf = Callable[[str], "dict[str, Any] | None"]
"""``SpecSet.instrument_sources`` or a cache of it."""


def _check_instrument_refs(
    spec_set: SpecSet, entry: Located[Workflow], workflow: Workflow, sources_of: _SourcesOf
) -> list[Diagnostic]:
    sources = sources_of(workflow.instrument)
    if sources is None:
        if workflow.instrument in spec_set.known_names.instruments:
            return []  # the instrument document is broken; reported there, no cascade
        return [
            entry.diagnostic(
                "R003",
                f"unknown instrument {workflow.instrument!r}",
                "instrument",
                hint=_hint(
                    workflow.instrument,
                    spec_set.known_names.instruments,
                    "add a kind: Instrument document with this name",
                ),
            )
        ]
    out: list[Diagnostic] = []
    instrument = workflow.instrument
    # The instrument's sources are involved in a missing source: named in ``related``, so a check
    # of the instrument file alone also reports the workflows its edit broke (ADR 0010).
    owner = spec_set.instruments[instrument]
    involved = [owner.doc.locate(owner.at("sources"))]
    out += _check_list_names(entry, workflow.source_names, "source_names")
    for index, name in enumerate(workflow.source_names):
        if name not in sources:
            out.append(
                entry.diagnostic(
                    "R004",
                    f"instrument {instrument!r} has no source {name!r}",
                    "source_names",
                    index,
                    hint=_hint(name, sources, f"add it to the sources of {instrument!r}"),
                    related=involved,
                )
            )
    for role, aux in workflow.aux_sources.items():
        for index, name in enumerate(aux.choices):
            if name not in sources:
                out.append(
                    entry.diagnostic(
                        "R005",
                        f"aux role {role!r}: instrument {instrument!r} has no source {name!r}",
                        "aux_sources",
                        role,
                        "choices",
                        index,
                        hint=_hint(name, sources, f"add it to the sources of {instrument!r}"),
                        related=involved,
                    )
                )
        if aux.default is not None and aux.default not in aux.choices:
            out.append(
                entry.diagnostic(
                    "R006",
                    f"aux role {role!r}: default {aux.default!r} is not one of its choices",
                    "aux_sources",
                    role,
                    "default",
                    hint=_hint(aux.default, aux.choices, "add it to choices or pick a choice"),
                )
            )
    return out


def _check_list_names(entry: Located, names: list[str], *path: str) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    seen: set[str] = set()
    for index, name in enumerate(names):
        if name in seen:
            out.append(
                entry.diagnostic(
                    "R016",
                    f"{name!r} is listed twice in {path[-1]}",
                    *path,
                    index,
                    hint="remove the repeated entry",
                )
            )
        seen.add(name)
    return out


def _check_params_from(
    spec_set: SpecSet, entry: Located, params_from: list[str], *prefix: str
) -> list[Diagnostic]:
    out = _check_list_names(entry, params_from, *prefix, "params_from")
    for index, name in enumerate(params_from):
        if name in spec_set.param_sets or name in spec_set.known_names.param_sets:
            continue
        if "{" in name:
            continue  # an expression in a template body: checked after rendering
        out.append(
            entry.diagnostic(
                "R007",
                f"unknown ParamSet {name!r} in params_from",
                *prefix,
                "params_from",
                index,
                hint=_hint(name, spec_set.known_names.param_sets, "add a kind: ParamSet document"),
            )
        )
    return out


def _check_outputs(entry: Located[Workflow], workflow: Workflow) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    outputs = workflow.outputs
    for name, output in outputs.items():
        if output.unit is not None:
            out += _check_unit(entry, output.unit, "outputs", name, "unit")
        out += _check_list_names(entry, output.dims, "outputs", name, "dims")
        for index, dim in enumerate(output.dims):
            problem = dim_problem(dim)
            if problem is not None:
                out.append(
                    entry.diagnostic(
                        "R020",
                        f"dim {dim!r} {problem}",
                        "outputs",
                        name,
                        "dims",
                        index,
                        hint="write a label (Q, two_theta) or a run-time placeholder such as "
                        "<spectral_coord>",
                    )
                )
    for view_name, view in workflow.views.items():
        out += _check_list_names(entry, view.fields, "views", view_name, "fields")
        for index, field_name in enumerate(view.fields):
            if field_name not in outputs:
                out.append(
                    entry.diagnostic(
                        "R009",
                        f"view {view_name!r} shows unknown output {field_name!r}",
                        "views",
                        view_name,
                        "fields",
                        index,
                        hint=_hint(field_name, outputs, "list outputs of this workflow"),
                    )
                )
    for output_name, device in workflow.device_outputs.items():
        if output_name not in outputs:
            out.append(
                entry.diagnostic(
                    "R010",
                    f"device_outputs names unknown output {output_name!r}",
                    "device_outputs",
                    output_name,
                    hint=_hint(output_name, outputs, "use an output of this workflow"),
                )
            )
        elif outputs[output_name].dims:
            out.append(
                entry.diagnostic(
                    "R018",
                    f"device output {output_name!r} is not 0-d (dims "
                    f"{outputs[output_name].dims}); a device carries one value",
                    "device_outputs",
                    output_name,
                    severity=Severity.WARNING,
                    hint="map a 0-d (scalar) output to the device",
                )
            )
        out += _check_device_name(entry, output_name, device)
    return out


def _check_device_name(entry: Located, output_name: str, device: str) -> list[Diagnostic]:
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(device) if f is not None]
    except ValueError as error:
        return [
            entry.diagnostic(
                "R011",
                f"device name template {device!r} does not parse: {error}",
                "device_outputs",
                output_name,
                hint="write placeholders as {source_name}; double other braces: {{ }}",
            )
        ]
    unknown = [f for f in fields if f not in _PLACEHOLDERS]
    if not unknown:
        return []
    return [
        entry.diagnostic(
            "R011",
            f"device name template {device!r} uses unknown placeholder {{{unknown[0]}}}",
            "device_outputs",
            output_name,
            hint=_hint(unknown[0], _PLACEHOLDERS, "the only placeholder is {source_name}"),
        )
    ]


def check_service(
    spec_set: SpecSet, entry: Located, body: Any, *prefix: str | int
) -> list[Diagnostic]:
    """R019: the service a workflow is sent to (``service``, else ``group``) must exist.

    ``body`` is a Workflow or a template body; an expression (``{{ ... }}``) is checked after
    rendering. Known: the backend's and the executors' services, and those the instrument
    declares (every instrument's when the instrument is itself an expression).
    """
    if body.executor is not None:
        return []  # an in-process executor runs it, whatever the service (R012)
    key = "service" if body.service is not None else "group"
    name = body.service if body.service is not None else body.group
    if not isinstance(name, str) or "{" in name:
        return []
    instrument = body.instrument
    if isinstance(instrument, str) and instrument in spec_set.instruments:
        declared = spec_set.instruments[instrument].model.services
    elif isinstance(instrument, str) and "{" not in instrument:
        return []  # unknown instrument: R003 already, no cascade
    else:
        declared = [s for i in spec_set.instruments.values() for s in i.model.services]
    known = known_services(declared)
    if name in known:
        return []
    return [
        entry.diagnostic(
            "R019",
            f"no service runs {key} {name!r}: workflows sent there never start",
            *prefix,
            key,
            severity=Severity.WARNING,
            hint=_hint(name, known, "use a known service or declare it in the Instrument"),
        )
    ]


def _check_runner(entry: Located[Workflow], workflow: Workflow) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    if workflow.executor is not None and workflow.service is not None:
        out.append(
            entry.diagnostic(
                "R012",
                f"service {workflow.service!r} is ignored: executor {workflow.executor!r} "
                "runs the workflow in-process, not in a backend service",
                "service",
                severity=Severity.WARNING,
                hint="remove service, or remove executor to let the backend run it",
            )
        )
    if workflow.service is not None and workflow.service == workflow.group:
        out.append(
            entry.diagnostic(
                "R013",
                f"service {workflow.service!r} repeats the group; it is the default",
                "service",
                severity=Severity.WARNING,
                hint="remove service (the group's service runs the workflow)",
            )
        )
    return out


# --------------------------------------------------------------------------- templates


def _check_template(spec_set: SpecSet, entry: Located[WorkflowTemplate]) -> list[Diagnostic]:
    template = entry.model
    out = check_param_defs(template.config, entry.doc, entry.at("config"), allow_timeseries=True)
    body = template.workflow
    params_from = [name for name in body.params_from if isinstance(name, str)]
    out += _check_params_from(spec_set, entry, params_from, "workflow")
    out += check_service(spec_set, entry, body, "workflow")
    derive = body.source_names
    if isinstance(derive, SourceNamesFrom):
        for index, field_name in enumerate(derive.except_):
            param = template.config.get(field_name)
            if param is None:
                out.append(
                    entry.diagnostic(
                        "R017",
                        f"source_names.except names {field_name!r}, which is not a config field",
                        "workflow",
                        "source_names",
                        "except",
                        index,
                        hint=_hint(field_name, template.config, "list timeseries config fields"),
                    )
                )
            elif param.type != "timeseries":
                out.append(
                    entry.diagnostic(
                        "R017",
                        f"source_names.except names {field_name!r}, a {param.type} config field; "
                        "only timeseries fields name a timeseries to leave out",
                        "workflow",
                        "source_names",
                        "except",
                        index,
                        hint="list config fields of type timeseries",
                    )
                )
    return out
