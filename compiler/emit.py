"""The emit stage: a checked spec set -> the bundle document -> canonical bytes on disk.

The bundle is what the dashboard loads (``bundle.py``); its format is ADR 0004 and
``schemas/bundle.schema.json``. It must be *byte-stable*: the same sources give identical bytes
whatever the working directory, the order of files on disk or ``PYTHONHASHSEED``. So:

- maps keyed by identity (instruments, workflows, templates, timeseries) are sorted by key;
- everything an author wrote keeps the author's order (params, outputs, template bodies): that
  order is meaningful (it is the order of the backend's params JSON and of the form);
- JSON is written with fixed separators, ``ensure_ascii=False`` (units like ``μs`` stay as
  written), shortest round-trip floats, no NaN, a final newline and no timestamps;
- the sources digest hashes each file's path *relative to the folder given* with its bytes.

A failed compile never writes: the bytes go to a temp file in the target folder, are fsynced and
then renamed over the bundle, so readers see the old bundle or the new one, never half of one
(``write_atomic`` is :func:`wfspec.compiler.atomic_io.atomic_write`, shared with the runtime).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from .atomic_io import atomic_write as write_atomic
from .build import build_static_specs, defs_json
from .bundle import FORMAT_VERSION
from .specset import SpecSet
from .template import template_of

__all__ = [
    "BUNDLE_FILE",
    "FORMAT_VERSION",
    "bundle_bytes",
    "bundle_document",
    "sources_digest",
    "write_atomic",
]

BUNDLE_FILE = "bundle.json"


def wfspec_version() -> str:
    try:
        return version("wfspec")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0+unknown"


def sources_digest(files: Sequence[Path], roots: Sequence[str | Path]) -> str:
    """``sha256:`` of every source file's root-relative posix path and content, sorted by path."""
    resolved_roots = [Path(r).resolve() for r in roots]
    entries: list[tuple[str, str]] = []
    for file in files:
        absolute = file.resolve()
        relative = absolute.name
        for root in resolved_roots:
            if root.is_dir() and absolute.is_relative_to(root):
                relative = absolute.relative_to(root).as_posix()
                break
        entries.append((relative, hashlib.sha256(absolute.read_bytes()).hexdigest()))
    digest = hashlib.sha256()
    for relative, content in sorted(entries):
        digest.update(f"{relative}\0{content}\n".encode())
    return f"sha256:{digest.hexdigest()}"


def _instrument(entry: Any) -> dict[str, Any]:
    model = entry.model
    return {
        "title": model.title,
        "description": model.description or "",
        "sources": [s.model_dump(mode="json", exclude_none=True) for s in model.sources],
    }


def _defaults(param_defs: dict[str, Any]) -> Any:
    """The backend's params JSON of the defaults, ``spec.params().model_dump(mode="json")``.

    Built from a params model with one shared class name, so workflows with equal ParamDefs
    share one class (``build_params_model`` caches by name and defs): the class name only shows
    in error titles, never in the dump. Each workflow's own, named class stays unbuilt until
    someone validates with it (``WorkflowSpec.params``).
    """
    from .params_model import build_params_model, default_values

    return default_values(build_params_model("bundle_defaults", param_defs))


def bundle_document(spec_set: SpecSet, digest: str) -> dict[str, Any]:
    """The bundle of a spec set that checked clean (see ADR 0004 for every field)."""
    specs = build_static_specs(spec_set)
    workflows: dict[str, Any] = {}
    for wid, spec in specs.items():
        form = spec.form()
        workflows[str(wid)] = {
            "spec": spec.to_json(),
            "params_schema": form.json_schema,
            "ui_schema": form.ui_schema,
            "defaults": _defaults(spec.param_defs),
        }
    templates: dict[str, Any] = {}
    for name in sorted(spec_set.templates):
        template = template_of(spec_set.templates[name], spec_set)
        form = template.config_form()
        templates[name] = {
            "title": template.title,
            "description": template.description,
            "config": defs_json(template.config_defs),
            "config_schema": form.json_schema,
            "ui_schema": form.ui_schema,
            "body": template.body,
            "examples": template.examples,
        }
    instruments = sorted(spec_set.instruments)
    return {
        "format_version": FORMAT_VERSION,
        "wfspec_version": wfspec_version(),
        "sources_digest": digest,
        "instruments": {name: _instrument(spec_set.instruments[name]) for name in instruments},
        "timeseries": {name: [str(r) for r in spec_set.timeseries(name)] for name in instruments},
        "workflows": workflows,
        "templates": templates,
    }


def bundle_bytes(document: dict[str, Any]) -> bytes:
    """The canonical bytes of a bundle document (see the module docstring).

    Exactly ``json.dumps(document, indent=1, ensure_ascii=False, allow_nan=False)`` plus a
    newline: :func:`_indented_json` writes the same text about 2.5x faster (the standard
    library's C encoder does not indent, its Python one costs a generator step per value), and
    ``json.dumps`` itself takes over for anything that is not plain JSON data.
    """
    try:
        text = _indented_json(document)
    except _NotPlain:
        text = json.dumps(document, indent=1, ensure_ascii=False, allow_nan=False)
    return (text + "\n").encode("utf-8")


class _NotPlain(Exception):
    """A value other than dict (str keys), list, str, int, float, bool or None."""


_INFINITIES = (float("inf"), float("-inf"))


def _indented_json(document: Any) -> str:
    """``json.dumps(document, indent=1, ensure_ascii=False, allow_nan=False)`` of plain data.

    Raises :class:`_NotPlain` for any other type (subclasses included, as their JSON form may
    differ) and ``ValueError`` for NaN and infinities, as ``allow_nan=False`` does.
    """
    from json.encoder import encode_basestring as string

    parts: list[str] = []
    append = parts.append

    def value(item: Any, pad: str) -> None:
        kind = type(item)
        if kind is str:
            append(string(item))
        elif kind is dict:
            if not item:
                append("{}")
                return
            inner = pad + " "
            separator = "{\n" + inner
            for key, child in item.items():
                if type(key) is not str:
                    raise _NotPlain
                append(separator)
                append(string(key))
                append(": ")
                value(child, inner)
                separator = ",\n" + inner
            append("\n" + pad + "}")
        elif kind is list:
            if not item:
                append("[]")
                return
            inner = pad + " "
            separator = "[\n" + inner
            for child in item:
                append(separator)
                value(child, inner)
                separator = ",\n" + inner
            append("\n" + pad + "]")
        elif item is None:
            append("null")
        elif item is True:
            append("true")
        elif item is False:
            append("false")
        elif kind is int:
            append(int.__repr__(item))
        elif kind is float:
            if item != item or item in _INFINITIES:
                raise ValueError(f"Out of range float values are not JSON compliant: {item!r}")
            append(float.__repr__(item))
        else:
            raise _NotPlain

    value(document, "")
    return "".join(parts)
