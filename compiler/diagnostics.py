"""Diagnostics are data: produced by the stages, printed only by reporters.

Every stage (load, validate, resolve, render, emit) returns :class:`Diagnostic` objects instead of
printing or raising. A diagnostic carries its source position from the stage that knows it. Codes
are stable (tools and CI match on them) and are catalogued in :data:`CODES`; add new codes there,
never reuse or renumber one.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

JsonPath = tuple[str | int, ...]


class Severity(StrEnum):
    """How bad a diagnostic is: ``error`` fails check/compile, ``warning`` only with --strict."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Location:
    """A 1-based line and column in a file (``line``/``col`` 0 when unknown, e.g. a whole file)."""

    file: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}:{self.col}"
        return self.file


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in the sources.

    ``path`` is the JSON path of the offending node inside its document (keys and list indices),
    ``hint`` tells the author how to fix it. ``related`` names other places involved (e.g. the
    first definition of a duplicate).
    """

    code: str
    severity: Severity
    message: str
    location: Location
    path: JsonPath = ()
    hint: str | None = None
    related: tuple[Location, ...] = field(default=())

    @property
    def file(self) -> str:
        return self.location.file

    @property
    def line(self) -> int:
        return self.location.line

    @property
    def col(self) -> int:
        return self.location.col

    def sort_key(self) -> tuple[Any, ...]:
        return (self.file, self.line, self.col, self.code, self.message)

    def to_json(self) -> dict[str, Any]:
        """The stable JSON form (documented in docs/adr and schemas/diagnostics.schema.json)."""
        return {
            "code": self.code,
            "severity": self.severity.value,
            "file": self.file,
            "line": self.line,
            "col": self.col,
            "path": format_path(self.path),
            "message": self.message,
            "hint": self.hint,
            "related": [{"file": r.file, "line": r.line, "col": r.col} for r in self.related],
        }


def format_path(path: JsonPath) -> str:
    """JSON-path-like text: ``$.params.toa_edges.default[0]``."""
    out = "$"
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def has_errors(diagnostics: Iterable[Diagnostic], strict: bool = False) -> bool:
    """True when any diagnostic fails the run (errors; warnings too when ``strict``)."""
    failing = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
    return any(d.severity in failing for d in diagnostics)


def did_you_mean(word: object, candidates: Iterable[object], cutoff: float = 0.6) -> str | None:
    """The closest candidate to a probably misspelled ``word`` (case-insensitive), or None.

    The one "did you mean" of every stage: keys, kinds, enum values, names and units.
    """
    lowered = {str(c).lower(): str(c) for c in candidates}
    match = difflib.get_close_matches(str(word).lower(), list(lowered), n=1, cutoff=cutoff)
    return lowered[match[0]] if match else None


# Stable diagnostic codes. Prefix letter = stage: L load, S schema (structure), R resolve
# (references, names), U units, P params/constraints, T templates, B bundle, I internal.
# Helpers add codes here (append only) with a one-line meaning; docs list them from this table.
CODES: dict[str, str] = {
    "I001": "internal error in wfspec (a bug: please report it)",
    # params type system (params_check.py)
    "U101": "not a unit scipp knows",
    "U102": "default unit is not one of the param's units",
    "P101": "choice default is not one of the choices",
    "P102": "a choice needs exactly one of 'choices' and 'units'",
    "P103": "the same choice is listed twice",
    "P104": "a default breaks a constraint (or a built-in edges/range rule)",
    "P105": "a constraint rule or 'when' condition does not parse",
    "P106": "a constraint names a field the group does not have",
    "P107": "bounds leave no valid value (min > max)",
    "P108": "a default is outside the param's bounds",
    "P109": "a default mapping sets a field the param does not have",
    "P110": "an extra field of edges/range reuses a built-in field name",
    "P111": "a timeseries param outside a template config",
    "P112": "a string default does not match its pattern",
    "P113": "a string pattern is not a valid regular expression",
    "P114": "a choice offers no values",
    "P115": "an ordering constraint compares a field that is not a number",
    "P116": "a 'when' condition can never hold (value not among the field's choices)",
    # spec set and resolve stage (specset.py, resolve.py)
    "R001": "duplicate instrument, ParamSet or template name across the spec set",
    "R002": "duplicate WorkflowId (instrument/name/version) across the spec set",
    "R003": "unknown instrument",
    "R004": "a source name the instrument does not have",
    "R005": "an aux choice the instrument does not have",
    "R006": "an aux default that is not one of its choices",
    "R007": "unknown ParamSet in params_from",
    "R008": "a param defined twice (params_from sets and own params)",
    "R009": "a view shows an output the workflow does not have",
    "R010": "device_outputs names an output the workflow does not have",
    "R011": "a device-name template does not parse or uses an unknown placeholder",
    "R012": "service given for a workflow run by an in-process executor (ignored)",
    "R013": "service repeats the group (redundant)",
    "R014": "a document the schema accepted does not parse as its model",
    "R015": "a source listed twice in an instrument",
    "R016": "a name listed twice in a list (source_names, params_from, view fields)",
    "R017": "a template's source_names.except names no timeseries config field",
    "R018": "a device output that is not 0-d",
    "U201": "an instrument source's unit is not a unit",
    "U202": "an output's unit is not a unit",
    # load stage (loader.py)
    "L001": "YAML syntax error (bad indentation, unclosed quote or bracket, control character)",
    "L002": "a tab character used for indentation",
    "L003": "duplicate key in a mapping",
    "L004": "the file is not UTF-8 text",
    "L005": "empty file or empty document",
    "L006": "alias bomb, recursive alias or nesting too deep (refused, not loaded)",
    "L007": "a document that is not a mapping",
    "L008": "unsupported YAML tag",
    "L009": "a complex (list or mapping) mapping key",
    "L010": "cannot read the file or the path does not exist",
    "L011": "a folder without *.yaml / *.yml files",
    # structure (validate.py)
    "S001": "unknown or missing document kind",
    "S002": "unknown key (not allowed here)",
    "S003": "missing required key",
    "S004": "wrong type of value",
    "S005": "value is not one of the allowed values",
    "S006": "name or string does not match its pattern (names are slugs)",
    "S007": "other schema rule broken (bounds, lengths, counts)",
    "T001": "Jinja syntax error in a template body",
    "T002": "a template body uses an undefined name or fails to render",
    "T003": "a template body was refused by the Jinja sandbox",
    "T004": "a template example's config is invalid, or it renders to an invalid Workflow",
    "T005": "a template example does not render to its expect",
    "T006": "WorkflowId collision between template examples or with a static workflow",
}

# Meaning checks (docs/adr/0011-meaning-checks.md): bounds, frozen fields, units lists, services,
# dims, templates without examples and timeseries references.
CODES.update(
    {
        "P117": "an int param's bound or default is not a whole number within the 64-bit range",
        "P118": "a float param's bound or default is not finite (1e400 and .inf are infinity)",
        "P119": "a frozen param without a default (the form can neither fill nor send it)",
        "U103": "units of one list (or a unit and its units) do not convert into each other",
        "U104": "a unit scipp accepts but that is almost surely a typo (mmm, MS ...)",
        "R019": "a service (explicit or from the group) no backend or executor runs",
        "R020": "a dim label that is neither a label nor a run-time placeholder <name>",
        "T007": "a template uses a config field the config does not have",
        "T008": "a template uses a Jinja filter or test that does not exist",
        "T009": "a template uses a config field as something it is not (wrong type)",
        "T010": "a template without examples (checked with its config defaults only)",
        "T011": "a config field no template string uses",
        "T012": "a timeseries reference that is not a timeseries output of the spec set",
        "T013": "a template renders with its config defaults to an invalid workflow",
    }
)


@dataclass(frozen=True, slots=True)
class CodeHelp:
    """For ``wfspec explain CODE``: a small spec that triggers the code, and how to fix it."""

    example: str
    fix: str


CODE_HELP: dict[str, CodeHelp] = {
    "P117": CodeHelp(
        "bins: {type: int, max: 16.5}",
        "write a whole number within -2**63 .. 2**63-1 (max: 16), or make the param a float",
    ),
    "P118": CodeHelp(
        "scale: {type: float, max: 1e400}",
        "write a finite number; leave the bound out for 'no limit'",
    ),
    "P119": CodeHelp(
        "mode: {type: choice, choices: [a, b], frozen: true}",
        "give the frozen param a default (default: a), or remove frozen",
    ),
    "U103": CodeHelp(
        "toa: {type: float, units: [ns, mm, ms]}",
        "list units of one dimension only (ns, us, ms, s), so a value converts between them",
    ),
    "U104": CodeHelp(
        "offset: {type: float, unit: mmm}",
        "write the unit you meant (mm); scipp reads mmm as micrometre and MS as megasiemens",
    ),
    "R019": CodeHelp(
        "group: monitor_dat",
        "use a service that runs workflows (monitor_data, detector_data, data_reduction, "
        "timeseries), or declare the service in the Instrument's services",
    ),
    "R020": CodeHelp(
        "dims: ['<spectral coord>']",
        "write a dim label (Q, two_theta) or a run-time placeholder <spectral_coord>",
    ),
    "T007": CodeHelp(
        'title: "{{ config.numerater }}"',
        "use a field of the template's config (config.numerator), or add the field to config",
    ),
    "T008": CodeHelp(
        'name: "{{ config.x_axis.source_name | slugg }}"',
        "use a filter that exists (slug, title, lower ...)",
    ),
    "T009": CodeHelp(
        'title: "{{ config.x_start.source_name }}"  # x_start is a float',
        "use the field as its type allows: attributes only of timeseries and group fields",
    ),
    "T010": CodeHelp(
        "kind: WorkflowTemplate ... (no examples:)",
        "add an example under examples: with a config and the expected id and title",
    ),
    "T011": CodeHelp(
        "config: {x_unit: {type: string}} with no {{ config.x_unit }} in the workflow",
        "use the field in the workflow body, or remove it from config",
    ),
    "T012": CodeHelp(
        "x_axis: {workflow_id: dummy/timeseries_data/1, source_name: motion9, output_name: delta}",
        "pick a 0-d window/series output of the instrument (wfspec list shows them)",
    ),
    "T013": CodeHelp(
        "unit: \"{{ config.x_unit }}\" with x_unit defaulting to 'nope'",
        "fix the template body or the config defaults so that they render a valid workflow",
    ),
}
"""Example and fix of the codes above (``wfspec explain``); codes without an entry have none yet."""
