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
from collections.abc import Iterator, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from .atomic_io import atomic_write as write_atomic
from .build import build_static_specs, defs_json
from .bundle import FORMAT_VERSION
from .forms import build_form, json_copy
from .specset import SpecSet
from .template import template_of

__all__ = [
    "BUNDLE_FILE",
    "FORMAT_VERSION",
    "bundle_bytes",
    "bundle_chunks",
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


_SHARED_MODEL = "bundle_defaults"
"""Class name of the params models the bundle's forms and defaults are read from."""


def _defaults(param_defs: dict[str, Any], memo: dict[str, Any]) -> Any:
    """The backend's params JSON of the defaults, ``spec.params().model_dump(mode="json")``.

    Built from a params model with one shared class name, so workflows with equal ParamDefs
    share one class (``build_params_model`` caches by name and defs) with each other and with
    their forms: the class name only shows in error titles, never in a dump or a form. Each
    workflow's own, named class stays unbuilt until someone validates with it
    (``WorkflowSpec.params``), so a first compile creates one class per distinct ParamDefs,
    not two per workflow. ``memo`` (one per bundle) keeps the
    defaults of each distinct ``param_defs`` (JSON data, so its text is the key); every other
    workflow with them gets a copy, made before anyone can edit the first one's.
    """
    from .params_model import build_params_model, default_values

    key = json.dumps(param_defs)
    found = memo.get(key)
    if found is not None:
        return json_copy(found)
    found = memo[key] = default_values(build_params_model(_SHARED_MODEL, param_defs))
    return found


def bundle_document(spec_set: SpecSet, digest: str) -> dict[str, Any]:
    """The bundle of a spec set that checked clean (see ADR 0004 for every field).

    Workflows and templates with equal ParamDefs (ParamSets, copied blocks) share the work of
    their forms and defaults; each entry still holds its own data.
    """
    specs = build_static_specs(spec_set)
    forms: dict[str, Any] = {}
    defaults: dict[str, Any] = {}
    workflows: dict[str, Any] = {}
    for wid, spec in specs.items():
        form = build_form(spec.param_defs, name=_SHARED_MODEL, title=spec.title, memo=forms)
        workflows[str(wid)] = {
            "spec": spec.to_json(),
            "params_schema": form.json_schema,
            "ui_schema": form.ui_schema,
            "defaults": _defaults(spec.param_defs, defaults),
        }
    templates: dict[str, Any] = {}
    for name in sorted(spec_set.templates):
        template = template_of(spec_set.templates[name], spec_set)
        form = template.config_form(forms)
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
    """The canonical bytes of a bundle document (see the module docstring): the chunks of
    :func:`bundle_chunks` joined."""
    return b"".join(bundle_chunks(document))


def bundle_chunks(document: dict[str, Any]) -> Iterator[bytes]:
    """The canonical bytes of a bundle document in pieces of about one bundle entry each.

    Together exactly ``json.dumps(document, indent=1, ensure_ascii=False, allow_nan=False)``
    plus a newline, encoded as UTF-8, whatever the values (tuples, int keys and subclasses
    included), so a writer streams them to disk without ever holding the whole text. Each
    piece is encoded by the standard library's C encoder without indentation (its Python
    encoder, the one that indents, costs a generator step per value) and then indented by
    ``msgspec.json.format``, which only moves whitespace: every number and string keeps the
    standard library's spelling. Nested pieces are shifted right by replacing newlines, which
    is safe because JSON text never holds a raw newline inside a string.
    """
    yield from _pieces(document, "", _PIECE_DEPTH)
    yield b"\n"


_PIECE_DEPTH = 2
"""Levels of plain dicts written key by key: the top level and its maps (workflows...)."""

_COMPACT = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def _pieces(value: Any, pad: str, depth: int) -> Iterator[bytes]:
    if depth and type(value) is dict and value and all(type(key) is str for key in value):
        from json.encoder import encode_basestring as string

        inner = pad + " "
        separator = "{\n" + inner
        for key, child in value.items():
            yield f"{separator}{string(key)}: ".encode()
            yield from _pieces(child, inner, depth - 1)
            separator = ",\n" + inner
        yield f"\n{pad}}}".encode()
        return
    yield _indented(value, pad)


def _indented(value: Any, pad: str) -> bytes:
    """``json.dumps(value, indent=1, ...)`` as UTF-8, every line after the first shifted by
    ``pad`` (the indentation of the line the value starts on)."""
    import msgspec

    try:
        compact = _COMPACT.encode(value)
    except ValueError:  # NaN, infinities, cycles: raise the indenting encoder's own message
        json.dumps(value, indent=1, ensure_ascii=False, allow_nan=False)
        raise
    text = msgspec.json.format(compact.encode("utf-8"), indent=1)
    return text.replace(b"\n", b"\n" + pad.encode()) if pad else text
