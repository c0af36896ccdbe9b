"""``wfspec explain CODE``: what a diagnostic code means, a spec that triggers it, and its fix.

The meaning is the one-line entry of :data:`~.diagnostics.CODES`; :data:`HELP` adds, for every
code, a small example (the offending YAML) and how to fix it. Codes that keep their help next to
their definition (``diagnostics.CODE_HELP``) are found there first. A test asserts that every
code of ``CODES`` is explained.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import diagnostics
from .diagnostics import CODES, did_you_mean

__all__ = ["HELP", "Explanation", "explain", "explained_codes"]

HELP: dict[str, tuple[str, str]] = {
    "I001": (
        "(any input: a stage of wfspec raised an exception)",
        "report it with the file named in the message; the rest of the run is still valid",
    ),
    "L001": ("title: 'Beam monitor\nname: x", "close the quote or bracket, align the indentation"),
    "L002": ("outputs:\n\tcurrent: {...}", "indent with spaces; replace the tab"),
    "L003": ("title: A\ntitle: B", "remove one of the two keys (wfspec keeps the first)"),
    "L004": ("(a file saved as Latin-1 or UTF-16)", "save the file as UTF-8"),
    "L005": ("---\n---", "remove the empty document (extra '---') or fill it in"),
    "L006": (
        "a: &a [x, x]\nb: &b [*a, *a]   # ... doubling 30 times",
        "write the content out; share values through a ParamSet instead of nested aliases",
    ),
    "L007": ("- kind: Workflow", "a document is a mapping: start it with 'kind: ...' keys"),
    "L008": ("title: !!python/name:os.system", "remove the tag; specs use plain YAML values"),
    "L009": ("? [a, b]\n: value", "write the key as a plain word"),
    "L010": ("wfspec check specs/dumy/", "check the spelling of the path"),
    "L011": (
        "wfspec check docs/",
        "point wfspec at the folder holding the *.yaml specs (an empty folder is an error so "
        "that a wrong path cannot pass CI)",
    ),
    "S001": ("kind: Workflw", "use one of Workflow, WorkflowTemplate, Instrument, ParamSet"),
    "S002": ("titel: Beam monitor", "fix the key's spelling (the hint names the close one)"),
    "S003": ("kind: Workflow\nname: x   # no title, outputs ...", "add the missing key"),
    "S004": ("version: '1'", "write a value of the expected type (version: 1)"),
    "S005": ("temporality: windowed", "use one of the allowed values (window, cumulative ...)"),
    "S006": (
        "name: Monitor Histogram",
        "names are slugs: lower case, digits, '_' (monitor_histogram)",
    ),
    "S007": ("version: 0", "respect the bound, length or count the schema sets (version >= 1)"),
    "U101": ("toa: {type: float, unit: nanosec}", "use a unit scipp knows (ns)"),
    "U102": (
        "toa: {type: edges, units: [ns, us], default: {..., unit: ms}}",
        "make the default's unit one of the param's units",
    ),
    "P101": ("mode: {type: choice, choices: [a, b], default: c}", "default to one of the choices"),
    "P102": ("mode: {type: choice}", "give exactly one of 'choices' or 'units'"),
    "P103": ("mode: {type: choice, choices: [a, a]}", "list each choice once"),
    "P104": (
        "toa: {type: edges, default: {start: 5, stop: 1, ...}}",
        "change the default so the constraint holds (start < stop)",
    ),
    "P105": ("constraints: [{rule: 'start <'}]", "write the rule as 'field < field' or similar"),
    "P106": ("constraints: [{rule: 'strat < stop'}]", "name a field the group has"),
    "P107": ("n: {type: int, min: 10, max: 1}", "make min <= max"),
    "P108": ("n: {type: int, max: 10, default: 20}", "move the default within the bounds"),
    "P109": (
        "toa: {type: range, default: {start: 0, stop: 1, unit: ms, strat: 2}}",
        "set only fields the param has",
    ),
    "P110": ("toa: {type: edges, fields: {start: {...}}}", "rename the extra field"),
    "P111": (
        "axis: {type: timeseries}   # in a Workflow's params",
        "timeseries params belong in a WorkflowTemplate's config",
    ),
    "P112": ("label: {type: str, pattern: '^[a-z]+$', default: 'A1'}", "make the default match"),
    "P113": ("label: {type: str, pattern: '[a-'}", "fix the regular expression"),
    "P114": ("mode: {type: choice, choices: []}", "offer at least one value"),
    "P115": (
        "constraints: [{rule: 'mode < stop'}]   # mode is a choice",
        "compare number fields only",
    ),
    "P116": (
        "constraints: [{rule: 'start < stop', when: 'mode == tof'}]   # choices: toa, wavelength",
        "compare with a value among the field's choices",
    ),
    "R001": ("name: toa_histogram   # a ParamSet that already exists", "rename one of them"),
    "R002": (
        "name: monitor_histogram\nversion: 1   # the same id as another workflow",
        "rename the workflow or bump its version",
    ),
    "R003": ("instrument: dumy", "name an Instrument of the spec set (dummy)"),
    "R004": ("source_names: [monitr1]", "name a source of the instrument (monitor1)"),
    "R005": (
        "aux_sources: {roi: {choices: [roi_rectangel]}}",
        "use an aux source the instrument has",
    ),
    "R006": (
        "aux_sources: {roi: {choices: [roi_rectangle], default: roi_circle}}",
        "default to one of the choices",
    ),
    "R007": ("params_from: [toa_histogramm]", "name a ParamSet of the spec set"),
    "R008": (
        "params_from: [toa_histogram]\nparams: {toa_edges: {...}}   # toa_edges is in the set",
        "remove one definition, or drop the ParamSet",
    ),
    "R009": ("views: {main: {outputs: [curent]}}", "show an output the workflow has"),
    "R010": ("device_outputs: {curent: ...}", "name an output the workflow has"),
    "R011": ("device_outputs: {total: '{sorce}_total'}", "use the placeholders {source} ..."),
    "R012": (
        "executor: correlation\nservice: monitor_data",
        "remove 'service': in-process executors ignore it",
    ),
    "R013": ("group: monitor_data\nservice: monitor_data", "remove the redundant 'service'"),
    "R014": ("(a value the schema allows but the model does not parse)", "fix the value"),
    "R015": ("sources: [{name: monitor1, ...}, {name: monitor1, ...}]", "list each source once"),
    "R016": ("source_names: [monitor1, monitor1]", "list each name once"),
    "R017": (
        "source_names: {except: [y_axis]}   # y_axis is not a timeseries field",
        "name a timeseries field of the config",
    ),
    "R018": (
        "device_outputs: {spectrum: ...}   # spectrum has dims",
        "device outputs are 0-d: pick an output without dims",
    ),
    "U201": ("sources: [{name: motion1, unit: milimeter}]", "use a unit scipp knows (mm)"),
    "U202": ("outputs: {total: {unit: count}}", "use a unit scipp knows (counts)"),
    "T001": ("name: '{{ config.x_axis.source_name }'", "close the Jinja expression"),
    "T002": ("title: '{{ cfg.title }}'", "use only config and the provided filters"),
    "T003": ("title: '{{ config.__class__ }}'", "templates may not reach Python internals"),
    "T004": (
        "examples: [{config: {x_unit: 3}}]",
        "make the example config valid for the template's config",
    ),
    "T005": ("examples: [{config: {...}, expect: {name: other}}]", "fix the body or the expect"),
    "T006": (
        "examples: two configs that render the same name and version",
        "make configs give distinct ids (use the slug filter), or rename",
    ),
}


@dataclass(frozen=True, slots=True)
class Explanation:
    code: str
    meaning: str
    example: str
    fix: str

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "meaning": self.meaning,
            "example": self.example,
            "fix": self.fix,
        }

    def text(self) -> str:
        example = "\n".join(f"    {line}" for line in self.example.splitlines())
        return f"{self.code}: {self.meaning}\n\nexample:\n{example}\n\nfix: {self.fix}\n"


def _help(code: str) -> tuple[str, str] | None:
    other = getattr(diagnostics, "CODE_HELP", {}).get(code)
    if other is not None:
        return other.example, other.fix
    return HELP.get(code)


def explained_codes() -> list[str]:
    """Every code with an explanation (meaning, example and fix)."""
    return sorted(code for code in CODES if _help(code) is not None)


def explain(code: str) -> Explanation | None:
    """The explanation of ``code`` (any case), or None when there is no such code."""
    key = code.strip().upper()
    found = _help(key)
    if key not in CODES or found is None:
        return None
    return Explanation(key, CODES[key], *found)


def suggestion(code: str) -> str | None:
    """The code closest to a mistyped one."""
    return did_you_mean(code.strip().upper(), CODES, cutoff=0.5)
