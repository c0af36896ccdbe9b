"""Templates at run time: config -> validated config -> rendered body -> WorkflowSpec.

A :class:`Template` is the factory behind a ``WorkflowTemplate`` document. The same class serves
``wfspec check`` (which renders every example) and the dashboard (``Bundle.instantiate``), so an
example that checks clean instantiates the same way in production.

The pipeline, one step per method:

1. :meth:`Template.validate_config` -- the config against the template's config model (a pydantic
   class built from the config's ParamDefs, like a workflow's params): every bad or unknown field
   is named in one :class:`ConfigError`. The result is the *normalized* config (defaults filled,
   timeseries in their stable JSON form), so equal configs compare equal.
2. :meth:`Template.render` -- the body rendered with the sandboxed, typed Jinja environment
   (``templating.py``); ``source_names: {from: timeseries, except: [...]}`` is derived from the
   instrument's timeseries outputs, leaving out the axes.
3. :meth:`Template.instantiate` -- the rendered body validated as a Workflow and built into a
   WorkflowSpec (``build.py``) whose ``origin`` records the template and normalized config.

Identity depends on the config only, never on live data. Nothing is compiled until the first
instantiation (Jinja strings are compiled once and cached in ``templating.py``), and
instantiations are memoized per normalized config. Every call hands out its own deep copy of the
memoized spec (equal data, the same params class): a spec is frozen, but its lists and dicts
(``source_names``, ``param_defs``, ``origin.config``...) are not, and a caller mutating them
must never change what later instantiations return.
"""

from __future__ import annotations

import json
import operator
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from .diagnostics import Location, Severity, did_you_mean
from .errors import ConfigError, FieldError, TemplateError
from .ids import TimeseriesReference, WorkflowId
from .spec import TemplateOrigin, WorkflowSpec

if TYPE_CHECKING:  # pragma: no cover
    from .documents import Workflow
    from .forms import FormSchema

# Rendering, document validation and form building are imported on first use: loading a bundle
# (which builds a Template per template) must not pay for Jinja or the document models.

__all__ = ["Template", "TimeseriesLookup"]

TimeseriesLookup = Callable[[str], Sequence[TimeseriesReference]]
"""``instrument -> every timeseries output of it`` (from the spec set or the bundle)."""

_MEMO_SIZE = 256


class Template:
    """A workflow template: validate a config, render the body, build the WorkflowSpec.

    ``config_defs`` and ``body`` are the document's ``config`` (ParamDefs or their JSON) and its
    ``workflow`` body with ``params_from`` already inlined (``build.inline_params_from``).
    """

    def __init__(
        self,
        name: str,
        *,
        title: str,
        description: str = "",
        config_defs: Mapping[str, Any],
        body: Mapping[str, Any],
        timeseries: TimeseriesLookup,
        examples: Sequence[Mapping[str, Any]] = (),
    ) -> None:
        self.name = name
        self.title = title
        self.description = description
        self.config_defs = dict(config_defs)
        self.body = dict(body)
        self.examples = [dict(e) for e in examples]
        self._timeseries = timeseries
        self._memo: OrderedDict[str, WorkflowSpec] = OrderedDict()
        self._references_by_instrument: dict[str, frozenset[str]] = {}
        self._strings_by_instrument: dict[str, tuple[str, ...]] = {}

    def __repr__(self) -> str:
        return f"Template({self.name!r})"

    # -- config ---------------------------------------------------------------------------------

    @cached_property
    def config_model(self) -> type[BaseModel]:
        """The pydantic model of the config (built on first use)."""
        from .params_model import build_params_model

        return build_params_model(f"{self.name}_config", self.config_defs)

    def config_form(self, memo: dict[str, Any] | None = None) -> FormSchema:
        """The UI form (JSON Schema + uiSchema) of the config (``memo``: shared by the forms of
        one bundle build, see ``forms.build_form``)."""
        from .forms import build_form

        return build_form(
            self.config_defs,
            name=f"{self.name}_config",
            title=self.title,
            description=self.description or None,
            memo=memo,
        )

    def validated_config(self, config: Mapping[str, Any]) -> BaseModel:
        """The config model of ``config`` (defaults filled, timeseries references checked).

        Raises :class:`ConfigError` naming every bad or unknown field with its value.
        """
        if not isinstance(config, Mapping):
            raise ConfigError(
                self.name,
                [FieldError("(config)", "a config is a mapping of field -> value", config)],
            )
        errors = [
            FieldError(
                str(key),
                "unknown config field" + _suggest(str(key), self.config_defs),
                config[key],
            )
            for key in config
            if key not in self.config_defs
        ]
        try:
            model = self.config_model.model_validate(dict(config))
        except ValidationError as exc:
            errors += [
                FieldError(
                    ".".join(str(p) for p in err["loc"]) or "(config)", err["msg"], _input(err)
                )
                for err in exc.errors()
            ]
            model = None
        if model is not None:
            errors += self._reference_errors(model)
        if errors:
            raise ConfigError(self.name, errors)
        assert model is not None
        return model

    def _reference_errors(self, model: BaseModel) -> list[FieldError]:
        """Every timeseries reference of the config must name a timeseries that exists.

        Why: an axis that no workflow publishes (a typo, a 1-D output, another instrument's
        stream) gives an instance that is registered, listed as ok and never shows data. A
        timeseries is a 0-d window/series output of a workflow of the instrument, one per
        source (``TimeseriesLookup``); all axes of one config are of one instrument.
        """
        errors: list[FieldError] = []
        instruments: dict[str, str] = {}
        for field, ref in _references(model, self.config_defs):
            instrument = ref.workflow_id.instrument
            instruments.setdefault(instrument, field)
            known = self._known_references(instrument)
            text = str(ref)
            if text in known or _has_template_syntax(text):
                continue  # template syntax in a value is refused (as such) by render
            if not known:
                message = f"instrument {instrument!r} has no timeseries outputs"
            else:
                guess = _closest_reference(ref, known)
                message = (
                    f"not a timeseries of instrument {instrument!r} (a 0-d window or series "
                    "output of one of its workflows)"
                )
                message += f"; did you mean {guess!r}?" if guess else ""
            errors.append(FieldError(field, message, text, code="T012"))
        if len(instruments) > 1:
            fields = ", ".join(f"{f} ({i})" for i, f in instruments.items())
            errors.append(
                FieldError(
                    "(config)", f"timeseries of different instruments: {fields}", code="T012"
                )
            )
        return errors

    def _reference_strings(self, instrument: str) -> tuple[str, ...]:
        """The instrument's timeseries as canonical strings, in lookup order (cached: the lookup
        does not change during a Template's life, and formatting thousands costs milliseconds)."""
        strings = self._strings_by_instrument.get(instrument)
        if strings is None:
            strings = timeseries_names(self._timeseries(instrument))
            self._strings_by_instrument[instrument] = strings
        return strings

    def _known_references(self, instrument: str) -> frozenset[str]:
        known = self._references_by_instrument.get(instrument)
        if known is None:
            known = timeseries_name_set(self._timeseries(instrument))
            self._references_by_instrument[instrument] = known
        return known

    def validate_config(self, config: Mapping[str, Any]) -> dict[str, Any]:
        """The normalized config: defaults filled, timeseries as ``{workflow_id: "i/n/v", ...}``.

        Raises :class:`ConfigError` naming every bad or unknown field with its value.
        """
        return _plain(self.validated_config(config))

    @staticmethod
    def render_key(model: BaseModel) -> str:
        """Text that is equal for config models that render the same body: the normalized
        config as JSON, field order kept (equal values of equal types in equal order)."""
        return json.dumps(_plain(model))

    # -- rendering ------------------------------------------------------------------------------

    def render(self, config: Mapping[str, Any]) -> dict[str, Any]:
        """The body rendered for ``config``: a Workflow document as plain data.

        Raises :class:`ConfigError` for a bad config and :class:`TemplateError` (with ``.path``,
        the body path of the failing string) for undefined names and sandbox violations.
        """
        return self.render_validated(self.validated_config(config))

    def render_validated(self, model: BaseModel) -> dict[str, Any]:
        """:meth:`render` of a config model :meth:`validated_config` returned."""
        from .templating import render_tree

        _refuse_template_syntax(self.name, _plain(model))
        values = {name: getattr(model, name) for name in self.config_defs}
        rendered = render_tree(self.body, {"config": values})
        sources = rendered.get("source_names")
        if isinstance(sources, dict) and sources.get("from") == "timeseries":
            axes = {str(values.get(name)) for name in sources.get("except", [])}
            kept = list(self._reference_strings(str(rendered.get("instrument"))))
            for axis in axes:  # a few axes, thousands of names: list scans run in C
                while axis in kept:
                    kept.remove(axis)
            rendered["source_names"] = kept
        return {"kind": "Workflow", **rendered}

    def instantiate(self, config: Mapping[str, Any]) -> WorkflowSpec:
        """The concrete WorkflowSpec of ``config`` (its ``origin`` names this template).

        Raises :class:`ConfigError` or :class:`TemplateError`; never returns a spec that does not
        validate as a Workflow.
        """
        normalized = self.validate_config(config)
        key = json.dumps(normalized, sort_keys=True)
        spec = self._memo.get(key)
        if spec is not None:
            self._memo.move_to_end(key)
            return _unshared(spec)
        from .build import workflow_spec
        from .documents import Workflow

        rendered = self.render(normalized)
        try:
            workflow = Workflow.model_validate(rendered)
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"])
            raise TemplateError(
                f"template {self.name!r} renders an invalid workflow: {where}: {err['msg']}"
            ) from None
        self._check_params(rendered, workflow, normalized)
        spec = workflow_spec(
            workflow, workflow.params, TemplateOrigin(template=self.name, config=normalized)
        )
        self._memo[key] = spec
        if len(self._memo) > _MEMO_SIZE:
            self._memo.popitem(last=False)
        return _unshared(spec)

    def _check_params(
        self, rendered: dict[str, Any], workflow: Workflow, values: Mapping[str, Any]
    ) -> None:
        """The rendered params pass the same checks as a static workflow's (units, defaults).

        Why: a config value may end up as a unit or a default (``unit: "{{ config.x_unit }}"``);
        an instance must never carry params the backend or scipp would reject later.
        """
        from .params_check import check_param_defs
        from .source import SourceDocument

        where = Location(f"<template {self.name}>")
        doc = SourceDocument(
            file=where.file, index=0, data=rendered, start=where, locator=lambda _: where
        )
        problems = [
            d
            for d in check_param_defs(workflow.params, doc, ("params",))
            if d.severity is Severity.ERROR
        ]
        if not problems:
            return
        blamed = self._blame(problems, values)
        if blamed:
            raise ConfigError(self.name, blamed)
        detail = "; ".join(f"{'.'.join(map(str, d.path[1:]))}: {d.message}" for d in problems[:3])
        raise TemplateError(
            f"template {self.name!r} renders invalid params for this config: {detail}"
        )

    def _blame(self, problems: Sequence[Any], values: Mapping[str, Any]) -> list[FieldError]:
        """The config fields behind invalid rendered params, one error per field and problem;
        none when some problem comes from no config field (the template itself is at fault).

        Why: ``x_start: 5, x_stop: 1`` validates field by field but renders edges whose stop is
        not above their start. Named at ``x_stop`` (the string that rendered the failing value
        reads it), the page shows the refusal on that field, not beside the form.
        """
        errors: list[FieldError] = []
        for problem in problems:
            names = [n for n in _fields_at(self.body, problem.path) if n in values]
            if not names:
                return []
            where = ".".join(map(str, problem.path[1:]))
            errors += [FieldError(n, f"{where}: {problem.message}", values[n]) for n in names]
        return errors

    def instance_id(self, config: Mapping[str, Any]) -> WorkflowId:
        """The WorkflowId ``config`` gives (equal to ``instantiate(config).id``)."""
        return self.instantiate(config).id


@dataclass(slots=True)
class _Names:
    """The canonical strings of one sequence of references (``set`` built on first use)."""

    refs: Sequence[TimeseriesReference]
    items: tuple[TimeseriesReference, ...]
    names: tuple[str, ...]
    set: frozenset[str] | None = None


_NAMES: dict[int, _Names] = {}
_NAMES_SIZE = 16


def _names_of(refs: Sequence[TimeseriesReference]) -> _Names:
    """The cached strings of ``refs``, made again when ``refs`` is not the sequence they were
    made from or (a list changed in place) no longer holds the very same references."""
    entry = _NAMES.get(id(refs))
    if (
        entry is not None
        and entry.refs is refs
        and (
            type(refs) is tuple  # immutable: being the same object is enough
            or (len(entry.items) == len(refs) and all(map(operator.is_, refs, entry.items)))
        )
    ):
        return entry
    entry = _Names(refs, tuple(refs), tuple(str(ref) for ref in refs))
    if len(_NAMES) >= _NAMES_SIZE:
        _NAMES.pop(next(iter(_NAMES)))
    _NAMES[id(refs)] = entry
    return entry


def timeseries_names(refs: Sequence[TimeseriesReference]) -> tuple[str, ...]:
    """The canonical strings of ``refs``, reused while ``refs`` is the same sequence holding
    the same references.

    Why: every template renders ``{from: timeseries}`` over *all* timeseries of its instrument,
    so with T templates and W timeseries a check converted T x W references to strings (4
    million, 9 s, for 1,000 + 1,000 documents). Lookups that hand out the same sequence each
    time (the checker's cached one, the bundle's) now convert once. An entry is found by the
    sequence's id and used only if it is still the very same sequence: a tuple at once (its
    references cannot change), a list only if it still holds the same references (checking
    that costs a pass over it, so the lookups hand out tuples); a few recent sequences are kept.
    """
    return _names_of(refs).names


def timeseries_name_set(refs: Sequence[TimeseriesReference]) -> frozenset[str]:
    """:func:`timeseries_names` as a set, made once per sequence (not once per template)."""
    entry = _names_of(refs)
    if entry.set is None:
        entry.set = frozenset(entry.names)
    return entry.set


def _unshared(value: Any) -> Any:
    """A copy of ``value`` (a memoized spec) that shares no mutable container with it.

    Only lists, dicts and models holding them are copied (strings and numbers are immutable);
    ``model_copy`` keeps private attributes, so the params class stays shared. ~1.5x faster
    than ``model_copy(deep=True)``; a memoized instantiate stays well under 0.1 ms.
    """
    if isinstance(value, BaseModel):
        update = {
            name: _unshared(item)
            for name, item in value.__dict__.items()
            if isinstance(item, list | dict | BaseModel)
        }
        return value.model_copy(update=update) if update else value
    if isinstance(value, dict):
        return {key: _unshared(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_unshared(item) for item in value]
    return value


def _fields_at(body: Any, path: Sequence[Any]) -> list[str]:
    """The config fields read by the body strings that rendered the value at ``path``: the
    string on the way down (a string may render a whole mapping), else every string below."""
    node = body
    for key in path:
        if isinstance(node, str):
            break
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            return []
    from .template_static import config_fields
    from .templating import templated_strings

    texts = [node] if isinstance(node, str) else [text for _, text in templated_strings(node)]
    return list(dict.fromkeys(name for text in texts for name in config_fields(text)))


def _refuse_template_syntax(template: str, value: Any, path: str = "") -> None:
    """Config values are data, never templates: Jinja syntax in one is refused.

    Why: a value is rendered into titles, names and descriptions as text; a ``{{ ... }}`` left
    in a spec is an escape attempt waiting for any later stage that renders specs.
    """
    if isinstance(value, dict):
        for key, item in value.items():
            _refuse_template_syntax(template, item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _refuse_template_syntax(template, item, f"{path}.{index}")
    elif isinstance(value, str) and any(mark in value for mark in ("{{", "{%", "{#")):
        raise TemplateError(
            f"refused by the template sandbox: config value {path} of template {template!r} "
            f"contains template syntax ({value!r}); config values are plain data"
        )


def _references(
    model: Any, defs: Mapping[str, Any], prefix: str = ""
) -> list[tuple[str, TimeseriesReference]]:
    """``(dotted field, reference)`` of every timeseries value of a validated config."""
    out: list[tuple[str, TimeseriesReference]] = []
    for name, definition in defs.items():
        value = getattr(model, name, None)
        kind = definition.get("type") if isinstance(definition, Mapping) else definition.type
        if isinstance(value, TimeseriesReference):
            out.append((f"{prefix}{name}", value))
        elif kind == "group" and isinstance(value, BaseModel):
            fields = definition["fields"] if isinstance(definition, Mapping) else definition.fields
            out += _references(value, fields, f"{prefix}{name}.")
    return out


def _closest_reference(ref: TimeseriesReference, known: frozenset[str]) -> str | None:
    """The known reference an author most likely meant: the same stream and output of another
    workflow, else the closest spelling among the same workflow's, else among all."""
    tail = f"/{ref.output_name}@{ref.source_name}"
    same_stream = sorted(k for k in known if k.endswith(tail))
    if same_stream:
        return same_stream[0]
    same_workflow = sorted(k for k in known if k.startswith(f"{ref.workflow_id}/"))
    return did_you_mean(str(ref), same_workflow or sorted(known), cutoff=0.6)


def _has_template_syntax(text: str) -> bool:
    return any(mark in text for mark in ("{{", "{%", "{#"))


def _suggest(name: str, known: Mapping[str, Any]) -> str:
    guess = did_you_mean(name, list(known))
    return f" (did you mean {guess!r}?)" if guess else f" (known: {', '.join(known)})"


def _input(err: Mapping[str, Any]) -> Any:
    """The offending value of a pydantic error (None for a missing field)."""
    return None if err.get("type") == "missing" else err.get("input")


def _plain(value: Any) -> Any:
    """JSON data of a validated config; a timeseries keeps the string form of its workflow id."""
    if isinstance(value, TimeseriesReference):
        return {
            "workflow_id": str(value.workflow_id),
            "source_name": value.source_name,
            "output_name": value.output_name,
        }
    if isinstance(value, BaseModel):
        return {name: _plain(getattr(value, name)) for name in type(value).model_fields}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value
