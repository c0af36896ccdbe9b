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
from .params_model import default_values
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
            "defaults": default_values(spec.params),
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
    """The canonical bytes of a bundle document (see the module docstring)."""
    text = json.dumps(document, indent=1, ensure_ascii=False, allow_nan=False)
    return (text + "\n").encode("utf-8")
