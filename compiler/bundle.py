"""Loading a bundle: ``load_bundle(path) -> Bundle``, the dashboard's view of a compiled spec set.

Loading is cheap on purpose (a dashboard starts with it): the file is parsed and its shape
checked, but each workflow and template entry is kept as its undecoded JSON text (syntax
checked) until it is first looked up; a workflow's WorkflowSpec (and its pydantic params class)
and a template are built then, and no Jinja string is compiled before a template is
instantiated. A 16 MB bundle of 2,000 workflows and 2,000 templates thus loads with ~5,000
tracked containers instead of ~132,000 dicts and lists, which also spares the collection that
would walk them.

Every problem with the file -- missing, not JSON, another ``format_version``, a part that does
not have the documented shape -- raises one :class:`BundleError` that names the file, the place
and what to do (usually: rebuild it with ``wfspec compile``). The format is ADR 0004.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

import msgspec
from pydantic import BaseModel, ConfigDict, ValidationError

from .diagnostics import did_you_mean
from .errors import BundleError, UnknownTemplate, UnknownWorkflow
from .gc_pause import collector_paused
from .ids import TimeseriesReference, WorkflowId
from .instantiate import Template, TimeseriesLookup
from .spec import WorkflowSpec

__all__ = ["FORMAT_VERSION", "Bundle", "InstrumentInfo", "SourceInfo", "load_bundle"]

FORMAT_VERSION = 1
"""The bundle format this wfspec reads and writes; bumped on any change a reader must know about
(ADR 0004). Defined by the reader so that loading a bundle never imports the emit pipeline."""

_REBUILD = "rebuild it with 'wfspec compile specs/ -o build/'"
_TOP_LEVEL = ("format_version", "sources_digest", "instruments", "timeseries", "workflows")


class SourceInfo(BaseModel):
    """One stream of an instrument."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    name: str
    kind: str
    unit: str | None = None
    title: str | None = None
    description: str | None = None


class InstrumentInfo(BaseModel):
    """An instrument of the bundle and its streams."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    name: str
    title: str
    description: str = ""
    sources: tuple[SourceInfo, ...] = ()


_V = TypeVar("_V")


class _Keyed(Mapping[str, _V]):
    """A read-only mapping with the keys of one bundle object (``workflows``/``templates``);
    subclasses make a value from its entry on first lookup."""

    _entries: Mapping[str, Any]

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)


class _Entries(_Keyed[Any]):
    """Read-only ``name -> entry`` of a bundle's ``workflows`` or ``templates`` object, each
    entry decoded from its undecoded JSON text (``msgspec.Raw``) on first lookup.

    A document parsed in full (``json`` fallback, :func:`bundle_from_document`) holds plain
    entries, which pass through unchanged.
    """

    def __init__(self, entries: Mapping[str, Any]) -> None:
        self._entries = entries
        self._decoded: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        entry = self._decoded.get(name)
        if entry is None:
            entry = self._entries[name]  # KeyError for an unknown name, as a Mapping should
            if isinstance(entry, msgspec.Raw):
                entry = _decode(entry)
            self._decoded[name] = entry
        return entry

    def plain(self) -> dict[str, Any]:
        """Every entry decoded, in the document's order."""
        return {name: self[name] for name in self._entries}


class _Specs(Mapping[WorkflowId, WorkflowSpec]):
    """Read-only ``WorkflowId -> WorkflowSpec``; each spec is built on first lookup."""

    def __init__(self, entries: _Entries, where: str) -> None:
        self._entries = entries
        self._where = where
        self._ids = {WorkflowId.parse(key): key for key in entries}
        self._built: dict[WorkflowId, WorkflowSpec] = {}

    def __getitem__(self, key: WorkflowId | str) -> WorkflowSpec:
        wid = WorkflowId.parse(key) if isinstance(key, str) else key
        spec = self._built.get(wid)
        if spec is None:
            text = self._ids[wid]  # KeyError for an unknown id, as a Mapping should
            from .params_model import coerce_defs

            try:
                spec = WorkflowSpec.from_json(self._entries[text]["spec"])
                coerce_defs(spec.param_defs)  # corrupt ParamDefs fail here, not at .params
            except (ValidationError, KeyError, TypeError, ValueError, AttributeError) as exc:
                raise BundleError(
                    f"{self._where}: workflow {text} is corrupt ({_first(exc)}); {_REBUILD}"
                ) from None
            self._built[wid] = spec
        return spec

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            try:
                key = WorkflowId.parse(key)
            except ValueError:
                return False
        return key in self._ids

    def __iter__(self) -> Iterator[WorkflowId]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)


class _Templates(_Keyed[Template]):
    """Read-only ``name -> Template``; each template is built on first lookup."""

    def __init__(self, entries: _Entries, where: str, timeseries: TimeseriesLookup) -> None:
        self._entries = entries
        self._where = where
        self._timeseries = timeseries
        self._built: dict[str, Template] = {}

    def __getitem__(self, name: str) -> Template:
        template = self._built.get(name)
        if template is None:
            entry = self._entries[name]  # KeyError for an unknown name, as a Mapping should
            try:
                template = Template(
                    name,
                    title=entry["title"],
                    description=entry.get("description", ""),
                    config_defs=entry["config"],
                    body=entry["body"],
                    timeseries=self._timeseries,
                    examples=entry.get("examples", []),
                )
                from .params_model import coerce_defs

                coerce_defs(template.config_defs)  # corrupt ParamDefs fail here, not at use
            except (ValidationError, KeyError, TypeError, ValueError, AttributeError) as exc:
                raise BundleError(
                    f"{self._where}: template {name} is corrupt ({_first(exc)}); {_REBUILD}"
                ) from None
            self._built[name] = template
        return template


class Bundle:
    """A loaded bundle: static workflows, templates, instruments and their timeseries.

    ``workflows`` and ``templates`` are read-only mappings; ``instantiate`` renders a template
    instance; ``params_form``/``template_form`` give the stored UI forms (JSON Schema + uiSchema).
    """

    def __init__(self, document: Mapping[str, Any], *, where: str = "<bundle>") -> None:
        self._doc = document
        self._plain: Mapping[str, Any] | None = None
        self.where = where
        self.format_version: int = document["format_version"]
        self.wfspec_version: str = str(document.get("wfspec_version", ""))
        self.digest: str = document["sources_digest"]
        self.instruments: Mapping[str, InstrumentInfo] = {
            name: InstrumentInfo(name=name, **info)
            for name, info in document["instruments"].items()
        }
        self._timeseries_text: dict[str, list[str]] = {
            name: _checked_references(refs) for name, refs in document["timeseries"].items()
        }
        self._timeseries: dict[str, tuple[TimeseriesReference, ...]] = {}
        self._workflow_entries = _Entries(document["workflows"])
        self._template_entries = _Entries(document.get("templates", {}))
        self.workflows: Mapping[WorkflowId, WorkflowSpec] = _Specs(self._workflow_entries, where)
        self.templates: Mapping[str, Template] = _Templates(
            self._template_entries, where, self._timeseries_of
        )

    def __repr__(self) -> str:
        return (
            f"Bundle({self.where!r}: {len(self.workflows)} workflows, "
            f"{len(self.templates)} templates)"
        )

    def verify(self, instrument: str | None = None) -> None:
        """Build every static workflow (of ``instrument``, or all) and every template once:
        :class:`BundleError` naming the first corrupt entry, else nothing.

        Loading reads entries on first lookup; a long-running process (``wfspec run``,
        ``wfspec serve``) calls this at start so that a damaged bundle stops it there, with
        the file and the entry named, instead of failing a request hours later.
        """
        for wid in self.workflows:
            if instrument is None or wid.instrument == instrument:
                self.workflows[wid]
        for name in self.templates:
            self.templates[name]

    def timeseries(self, instrument: str | None = None) -> list[TimeseriesReference]:
        """Every timeseries output (0-d window/series) of one instrument, or of all of them."""
        if instrument is not None:
            return list(self._timeseries_of(instrument))
        return [ref for name in sorted(self._timeseries_text) for ref in self._timeseries_of(name)]

    def _timeseries_of(self, instrument: str) -> tuple[TimeseriesReference, ...]:
        """One instrument's references, parsed on first use (the strings were checked at load).

        Also the templates' lookup: it hands out the same tuple each time, so the strings of a
        render's ``{from: timeseries}`` are made once (``instantiate.timeseries_names``).
        """
        refs = self._timeseries.get(instrument)
        if refs is None:
            texts = self._timeseries_text.get(instrument)
            if texts is None:
                return ()
            refs = self._timeseries[instrument] = tuple(map(TimeseriesReference.parse, texts))
        return refs

    def template(self, name: str) -> Template:
        """The template ``name``; :class:`UnknownTemplate` (with a "did you mean") otherwise."""
        try:
            return self.templates[name]
        except KeyError:
            raise UnknownTemplate(name, did_you_mean(name, self.templates)) from None

    def instantiate(self, name: str, config: Mapping[str, Any]) -> WorkflowSpec:
        """The WorkflowSpec of template ``name`` with ``config`` (see :class:`Template`)."""
        return self.template(name).instantiate(config)

    def params_form(self, workflow_id: WorkflowId | str) -> dict[str, Any]:
        """The stored form of a static workflow: ``{params_schema, ui_schema, defaults}``."""
        entries = self._workflow_entries
        if str(workflow_id) not in entries:
            known = list(entries)
            raise UnknownWorkflow(workflow_id, did_you_mean(str(workflow_id), known))
        return self._form_of(entries, str(workflow_id), ("params_schema", "ui_schema", "defaults"))

    def template_form(self, name: str) -> dict[str, Any]:
        """The stored form of a template's config: ``{config_schema, ui_schema}``."""
        return self._form_of(
            self._template_entries, self.template(name).name, ("config_schema", "ui_schema")
        )

    def _form_of(self, entries: _Entries, name: str, keys: tuple[str, ...]) -> dict[str, Any]:
        try:
            entry = entries[name]
            return {key: entry[key] for key in keys}
        except (KeyError, TypeError, ValueError) as exc:
            raise BundleError(
                f"{self.where}: the form of {name} is corrupt ({_first(exc)}); {_REBUILD}"
            ) from None

    def document(self) -> Mapping[str, Any]:
        """The bundle as loaded, as plain JSON data (every entry decoded; do not mutate)."""
        if self._plain is None:
            document = dict(self._doc)
            document["workflows"] = self._workflow_entries.plain()
            if "templates" in document:
                document["templates"] = self._template_entries.plain()
            self._plain = document
        return self._plain


_REFERENCE = re.compile(r"[a-z][a-z0-9_]*/[a-z][a-z0-9_]*/[1-9][0-9]*/[^/@]*@.+", re.DOTALL)
"""Canonical timeseries strings that certainly parse (others are parsed to be sure)."""


def _checked_references(texts: Any) -> list[str]:
    """``texts`` when every one is a timeseries reference; ``ValueError``/``TypeError`` naming
    the first bad one otherwise (as :meth:`TimeseriesReference.parse` does).

    Parsing builds two pydantic objects per reference (~25 us); a 2,000-workflow bundle holds
    thousands. So load time only checks them -- with a pattern that accepts a subset of what
    ``parse`` accepts, and ``parse`` itself for anything else -- and parses per instrument on
    first use.
    """
    if not isinstance(texts, list):
        raise TypeError(f"timeseries must be a list, not {type(texts).__name__}")
    match = _REFERENCE.fullmatch
    for text in texts:
        if not (isinstance(text, str) and match(text)):
            TimeseriesReference.parse(text)  # raises for a bad one (TypeError for non-strings)
    return texts


_LAZY_PARTS = ("workflows", "templates")
"""Top-level objects whose entries stay undecoded (``msgspec.Raw``) until looked up."""


def _decode_lazily(data: bytes) -> Any:
    """The bundle document of ``data``, its workflow and template entries left undecoded.

    msgspec checks the syntax of every byte (a ``Raw`` value is scanned, not trusted) and decodes
    the rest as ``json`` would. A document whose top level or lazy parts are not objects is
    decoded in full, so the shape checks below report it as before.
    """
    try:
        top = msgspec.json.decode(data, type=dict[str, msgspec.Raw])
    except msgspec.DecodeError:
        return _decode(data)
    document: dict[str, Any] = {}
    for key, raw in top.items():
        if key in _LAZY_PARTS:
            try:
                document[key] = msgspec.json.decode(raw, type=dict[str, msgspec.Raw])
                continue
            except msgspec.DecodeError:
                pass  # not an object: decoded in full, the shape check names it
        document[key] = _decode(raw)
    return document


def _decode(data: bytes | Any) -> Any:
    """The JSON value of ``data``: msgspec (~2x faster than ``json``), else ``json`` decides.

    msgspec reads what ``json`` reads (integers of any size, the last of duplicate keys, the
    same floats) and refuses the rest (lone surrogates, NaN, out-of-range floats, errors, which
    it reports differently); on any refusal ``json.loads`` gives the result or the error.
    """
    try:
        return msgspec.json.decode(data)
    except msgspec.DecodeError:
        return json.loads(bytes(data))


def load_bundle(path: str | Path) -> Bundle:
    """Load ``path`` (a ``bundle.json`` or a folder holding one); :class:`BundleError` if bad.

    The cyclic garbage collector is paused while the document is decoded and wrapped: decoding
    allocates one object per JSON value, all of which stay alive, and collections triggered
    meanwhile would scan them for nothing (about half the time of a 16 MB bundle).
    """
    with collector_paused():
        return _load_bundle(path)


def _load_bundle(path: str | Path) -> Bundle:
    file = Path(path)
    if file.is_dir():
        file = file / "bundle.json"
    where = str(file)
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        raise BundleError(f"{where}: no such file; build it with 'wfspec compile'") from None
    except OSError as exc:
        raise BundleError(f"{where}: cannot read: {exc.strerror}") from None
    try:
        document = _decode_lazily(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        place = f":{exc.lineno}:{exc.colno}" if isinstance(exc, json.JSONDecodeError) else ""
        raise BundleError(f"{where}{place}: not a bundle (invalid JSON); {_REBUILD}") from None
    return bundle_from_document(document, where)


def bundle_from_document(document: Any, where: str = "<bundle>") -> Bundle:
    """A :class:`Bundle` of an already parsed bundle document (checks its shape first)."""
    if not isinstance(document, dict) or "format_version" not in document:
        raise BundleError(f"{where}: not a wfspec bundle (no format_version); {_REBUILD}")
    found = document["format_version"]
    if found != FORMAT_VERSION:
        raise BundleError(
            f"{where}: bundle format_version {found!r}, but this wfspec reads "
            f"format_version {FORMAT_VERSION}; {_REBUILD} with this wfspec"
        )
    missing = [key for key in _TOP_LEVEL if key not in document]
    if missing:
        raise BundleError(f"{where}: bundle lacks {', '.join(missing)}; {_REBUILD}")
    for key in (*_TOP_LEVEL[2:], "templates"):
        if not isinstance(document.get(key, {}), dict):
            raise BundleError(f"{where}: bundle {key} is not an object; {_REBUILD}")
    try:
        return Bundle(document, where=where)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise BundleError(f"{where}: bundle is corrupt ({_first(exc)}); {_REBUILD}") from None


def _first(exc: Exception) -> str:
    if isinstance(exc, ValidationError) and exc.errors():
        err = exc.errors()[0]
        return f"{'.'.join(map(str, err['loc']))}: {err['msg']}"
    if isinstance(exc, KeyError):
        return f"missing {exc.args[0]!r}"
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
