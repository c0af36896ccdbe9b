"""Static check of template strings: names, filters and config fields, without rendering.

A template without examples would otherwise never be looked at before a user instantiates it
(``{{ config.numerater }}`` passed ``check --strict``). Every templated string of a body is
parsed with the sandboxed environment's own parser (``ENVIRONMENT.parse``) and its Jinja AST
walked:

- ``config.<field>`` / ``config['<field>']`` must name a config field (T007);
- an attribute of a field must exist for the field's type (T009): a timeseries has
  ``workflow_id`` (``instrument``, ``name``, ``version``), ``source_name`` and ``output_name``;
  a group (and ``edges``, ``range``, a number with ``units``) has its fields; a scalar has the
  methods of its Python type (``config.label.upper()``);
- every filter and test must exist in the environment (T008, did-you-mean among them);
- any other free name must be a Jinja global (T002).

Messages speak of the config the author wrote ("config has no field 'numerater' (fields:
numerator, x_axis); did you mean 'numerator'?"), never of Python objects.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from jinja2 import TemplateSyntaxError, nodes

from .diagnostics import did_you_mean
from .ids import TimeseriesReference, WorkflowId
from .param_expand import expand
from .paramdefs import ChoiceParam, GroupParam, ParamDef, TimeseriesParam
from .params_model import choice_values
from .templating import ENVIRONMENT

__all__ = ["Finding", "Shape", "analyse", "config_shape"]

_SCALAR_TYPES = {"float": float, "int": int, "bool": bool, "string": str}


@dataclass(frozen=True, slots=True)
class Shape:
    """What a config value looks like to an expression: its type name and its attributes.

    ``fields`` are named parts (group fields, timeseries parts) with their shapes; ``python`` are
    the Python types whose public attributes (methods) are usable too. ``title`` and
    ``description`` are the author's (or the built-in part's) words: the checker does not need
    them, the editor shows them (completion details, hover), so both read one model.
    """

    kind: str
    fields: Mapping[str, Shape] = field(default_factory=dict)
    python: tuple[type, ...] = ()
    title: str | None = None
    description: str | None = None

    def attribute(self, name: str) -> Shape | None:
        """The shape of ``value.name``; a method or unknown part gives an opaque shape."""
        if name in self.fields:
            return self.fields[name]
        if any(hasattr(t, name) for t in self.python) and not name.startswith("_"):
            return Shape("value")
        return None

    def names(self) -> list[str]:
        return list(self.fields)


_ANY = Shape("value")


def _part(model: type, name: str, kind: str, python: type) -> Shape:
    """A built-in part of a timeseries, described by the field of its id model."""
    return Shape(kind, python=(python,), description=model.model_fields[name].description)


_WORKFLOW_ID = Shape(
    "workflow id",
    {
        "instrument": _part(WorkflowId, "instrument", "string", str),
        "name": _part(WorkflowId, "name", "string", str),
        "version": _part(WorkflowId, "version", "int", int),
    },
    (WorkflowId,),
    description=TimeseriesReference.model_fields["workflow_id"].description,
)
_TIMESERIES = Shape(
    "timeseries",
    {
        "workflow_id": _WORKFLOW_ID,
        "source_name": _part(TimeseriesReference, "source_name", "string", str),
        "output_name": _part(TimeseriesReference, "output_name", "string", str),
    },
    (TimeseriesReference,),
)


def _shape(defn: ParamDef) -> Shape:
    words = {"title": defn.title, "description": defn.description}
    if isinstance(defn, TimeseriesParam):
        return replace(_TIMESERIES, **words)
    expanded = expand(defn)
    if expanded is not None or isinstance(defn, GroupParam):
        group = expanded.group if expanded is not None else defn
        return Shape(defn.type, {n: _shape(f) for n, f in group.fields.items()}, (dict,), **words)
    if isinstance(defn, ChoiceParam):
        types = tuple(dict.fromkeys(type(v) for v in choice_values(defn))) or (str,)
        return Shape("choice", python=types, **words)
    return Shape(defn.type, python=(_SCALAR_TYPES.get(defn.type, object),), **words)


def config_shape(defs: Mapping[str, ParamDef]) -> Shape:
    """The shape of ``config`` in a template body: one field per config ParamDef."""
    return Shape("config", {name: _shape(defn) for name, defn in defs.items()})


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem of a templated string: a diagnostic code, the message and a hint."""

    code: str
    message: str
    hint: str


@dataclass(slots=True)
class Analysis:
    """What one templated string uses and what is wrong with it."""

    used: set[str] = field(default_factory=set)
    findings: list[Finding] = field(default_factory=list)
    uses_whole_config: bool = False


def _chain(node: nodes.Node) -> list[str] | None:
    """``config.a.b`` / ``config['a'].b`` -> ``['a', 'b']``; None when not rooted at config."""
    parts: list[str] = []
    while True:
        if isinstance(node, nodes.Getattr):
            parts.append(node.attr)
            node = node.node
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            if not isinstance(node.arg.value, str):
                return None
            parts.append(node.arg.value)
            node = node.node
        elif isinstance(node, nodes.Name) and node.name == "config":
            return list(reversed(parts))
        else:
            return None


def _outermost_chains(tree: nodes.Node) -> Iterator[list[str]]:
    """Every maximal ``config....`` access chain (inner parts of a chain are not repeated)."""
    inner: set[int] = set()
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        if id(node) in inner:
            continue
        parts = _chain(node)
        if parts is None:
            continue
        child = node.node
        while isinstance(child, nodes.Getattr | nodes.Getitem):
            inner.add(id(child))
            child = child.node
        yield parts


def config_fields(text: str) -> list[str]:
    """The top-level config fields a template string reads, in order of first use
    (``{{ config.x_stop }}`` -> ``['x_stop']``); none for text that does not parse."""
    try:
        tree = _parse(text)
    except Exception:  # a syntax error is the checker's to report, not this lookup's
        return []
    return list(dict.fromkeys(parts[0] for parts in _outermost_chains(tree) if parts))


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _listing(names: list[str]) -> str:
    return ", ".join(names) if names else "none"


def _check_chain(parts: list[str], config: Shape, out: Analysis) -> None:
    out.used.add(parts[0])
    shape: Shape | None = config
    path = "config"
    for index, part in enumerate(parts):
        assert shape is not None
        if part.startswith("_"):
            return  # private attributes are the sandbox's to refuse (T003 when rendered)
        following = shape.attribute(part)
        if following is None:
            guess = did_you_mean(part, shape.names())
            hint = f"did you mean {guess!r}?" if guess else None
            if index == 0:
                fields = _listing(shape.names())
                message = f"config has no field {part!r} (fields: {fields})"
                hint = hint or "add the field to the template's config, or fix the name"
                out.findings.append(Finding("T007", message + (f"; {hint}" if guess else ""), hint))
            else:
                parts_known = shape.names()
                what = f"{path} is {_article(shape.kind)} {shape.kind}"
                detail = f" (its parts: {_listing(parts_known)})" if parts_known else ""
                message = f"{what}{detail}: it has no {part!r}"
                out.findings.append(
                    Finding(
                        "T009",
                        message + (f"; {hint}" if guess else ""),
                        hint or f"use {path} as {_article(shape.kind)} {shape.kind}",
                    )
                )
            return
        shape = following
        path = f"{path}.{part}"
        if shape is _ANY or shape.kind == "value":
            return  # a method or an opaque value: nothing more to know statically


def analyse(text: str, config: Shape) -> Analysis:
    """The config fields ``text`` uses and its T002/T007/T008/T009 findings.

    A string that does not parse yields one T001 finding (the syntax error).
    """
    out = Analysis()
    try:
        tree = _parse(text)
    except TemplateSyntaxError as exc:
        out.findings.append(
            Finding(
                "T001", f"Jinja syntax error: {exc.message or exc}", "check brackets and quotes"
            )
        )
        return out
    facts = _facts(tree)
    for name in facts.filters:
        if name not in ENVIRONMENT.filters:
            out.findings.append(_unknown("filter", name, ENVIRONMENT.filters))
    for name in facts.tests:
        if name not in ENVIRONMENT.tests:
            out.findings.append(_unknown("test", name, ENVIRONMENT.tests))
    for parts in facts.chains:
        if parts:
            _check_chain(list(parts), config, out)
    if facts.config_loads > len(facts.chains):
        out.uses_whole_config = True  # e.g. config | tojson: every field counts as used
    for name in sorted(facts.free_names - {"config"} - set(ENVIRONMENT.globals)):
        guess = did_you_mean(name, ["config", *ENVIRONMENT.globals])
        out.findings.append(
            Finding(
                "T002",
                f"undefined name {name!r}: a template body knows only config and the Jinja "
                "globals (range, dict, ...)",
                f"did you mean {guess!r}?" if guess else "write config.<field>",
            )
        )
    return out


@lru_cache(maxsize=4096)
def _parse(text: str) -> nodes.Template:
    """The AST of a string, parsed once (template bodies repeat the same expressions; the
    tree is only read)."""
    return ENVIRONMENT.parse(text)


@dataclass(frozen=True, slots=True)
class _TreeFacts:
    """What :func:`analyse` needs of a tree, whatever the config: read once per distinct string
    (templates repeat their expressions; walking the tree six times per string was a third of
    the template stage on 1,000 templates)."""

    filters: tuple[str, ...]
    tests: tuple[str, ...]
    chains: tuple[tuple[str, ...], ...]
    config_loads: int
    free_names: frozenset[str]


_FACTS: dict[int, tuple[nodes.Template, _TreeFacts]] = {}


def _facts(tree: nodes.Template) -> _TreeFacts:
    """The facts of a tree from :func:`_parse` (cached by the tree, which that cache keeps)."""
    hit = _FACTS.get(id(tree))
    if hit is not None and hit[0] is tree:
        return hit[1]
    facts = _TreeFacts(
        filters=tuple(node.name for node in tree.find_all(nodes.Filter)),
        tests=tuple(node.name for node in tree.find_all(nodes.Test)),
        chains=tuple(tuple(parts) for parts in _outermost_chains(tree)),
        config_loads=sum(
            1 for n in tree.find_all(nodes.Name) if n.name == "config" and n.ctx == "load"
        ),
        free_names=frozenset(_free_names(tree)),
    )
    if len(_FACTS) >= 4096:
        _FACTS.clear()
    _FACTS[id(tree)] = (tree, facts)
    return facts


def _free_names(tree: nodes.Template) -> set[str]:
    """Names read but never bound in the string (loop variables, set, macro arguments).

    Why not ``jinja2.meta.find_undeclared_variables``: it runs Jinja's code generator, which
    costs more than the parse and fails on an unknown filter. Scoping is not modelled: a name
    bound anywhere in the string counts as bound (a missed warning, never a false one).
    """
    loaded = {n.name for n in tree.find_all(nodes.Name) if n.ctx == "load"}
    bound = {n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")}
    return loaded - bound


def _unknown(what: str, name: str, known: Mapping[str, Any]) -> Finding:
    guess = did_you_mean(name, sorted(known))
    message = f"unknown {what} {name!r}" + (f"; did you mean {guess!r}?" if guess else "")
    return Finding(
        "T008",
        message,
        f"did you mean {guess!r}?" if guess else f"{what}s: {', '.join(sorted(known))}",
    )
