"""The JSON Schemas of the spec language, read once and compiled into draft-07 validators.

The schemas are package data (``wfspec.schemas``, the top-level ``schemas/`` folder), found with
:mod:`importlib.resources` so the same code works from a checkout, an editable install and a
wheel. Building a validator is cheap but not free (the schema is walked for ``$ref``s), so each
kind's validator is built on first use and cached for the life of the process.

Two validators per kind, for two questions:

- :func:`fast_validator_for` -- "is this document valid?" -- is jsonschema-rs's compiled draft-07
  validator (Rust; about 50x faster than jsonschema on spec documents, and 15 ms to import instead
  of 50 ms). Almost every document of a real spec set is valid, so this is all most documents
  ever meet.
- :func:`validator_for` -- "what exactly is wrong?" -- is the ``jsonschema`` validator whose
  errors ``validate.py`` translates into diagnostics. It is imported and built only when a
  document fails the fast check, so the diagnostics are exactly those it always gave.

The fast check may only be *stricter*, never looser: a document it rejects is judged again by
``jsonschema``. Where the two differ on the keywords our schemas use (Python's ``$`` also
matches before a final newline; NaN and infinity are not JSON numbers to jsonschema-rs; non-JSON
values such as bytes or integer keys make it raise), jsonschema-rs rejects, and
``tests/check/test_fast_validation.py`` keeps it that way on the corpus and on random edits.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported where used: only documents that fail the fast check need it
    from jsonschema import Draft7Validator

__all__ = [
    "KINDS",
    "SCHEMA_FILES",
    "UMBRELLA_FILE",
    "fast_validator_for",
    "is_surely_valid",
    "load_schema",
    "validator_for",
]

SCHEMA_FILES: dict[str, str] = {
    "Instrument": "instrument.schema.json",
    "ParamSet": "paramset.schema.json",
    "Workflow": "workflow.schema.json",
    "WorkflowTemplate": "workflowtemplate.schema.json",
}
"""Kind -> file name inside ``wfspec.schemas`` (the files ``schema_gen.py`` writes)."""

UMBRELLA_FILE = "wfspec.schema.json"
"""The schema that dispatches on ``kind`` (for editors and check-jsonschema)."""

KINDS: tuple[str, ...] = tuple(SCHEMA_FILES)

SCHEMA_PACKAGE = "wfspec.schemas"

MEMO_SIZE = 50_000
"""Most ``$ref`` instances remembered as valid per kind (a few MB at most)."""


def _read(file_name: str, package: str) -> str:
    """Text of a data file of ``package``.

    ``wfspec.schemas`` is a namespace package (JSON only, no ``__init__.py``). Under an editable
    install its ``__path__`` also holds setuptools' path-hook placeholder, which makes Python
    3.11's ``importlib.resources.files`` fail, so the real folders of ``__path__`` are the
    fallback.
    """
    try:
        return resources.files(package).joinpath(file_name).read_text(encoding="utf-8")
    except (NotADirectoryError, FileNotFoundError, TypeError):
        module = importlib.import_module(package)
        for folder in getattr(module, "__path__", []):
            candidate = Path(folder) / file_name
            if candidate.is_file():
                return candidate.read_text(encoding="utf-8")
        raise FileNotFoundError(f"schema {file_name!r} not found in package {package!r}") from None


@cache
def load_schema(file_name: str, package: str = SCHEMA_PACKAGE) -> dict[str, Any]:
    """The parsed schema file ``file_name`` of ``package``."""
    return json.loads(_read(file_name, package))


def _freeze(instance: Any) -> str:
    """A canonical text of a plain-data instance (keys in order; ``1`` and ``1.0`` differ)."""
    return json.dumps(instance, ensure_ascii=False, default=repr)


def _memoising_validator_class(memo_size: int) -> type[Draft7Validator]:
    """A draft-07 validator class that remembers which instances passed which ``$ref``.

    Spec sets repeat themselves: the same ParamDefs (time-of-arrival edges, ranges, coordinate
    modes), outputs and aux roles recur in dozens of workflows, and in jsonschema most of the time
    goes into descending through ``$ref`` -> ``if``/``then`` for exactly those. So an instance that
    was *valid* against a ``$ref`` is remembered (by its canonical JSON text) and not checked
    again; errors are never cached, so every error is still reported with its own path.
    """
    from jsonschema import Draft7Validator, validators

    valid: set[tuple[str, str]] = set()
    original = Draft7Validator.VALIDATORS["$ref"]

    def ref(validator: Any, reference: str, instance: Any, schema: Any) -> Any:
        if not isinstance(instance, dict | list):
            yield from original(validator, reference, instance, schema)
            return
        key = (reference, _freeze(instance))
        if key in valid:
            return
        failed = False
        for error in original(validator, reference, instance, schema):
            failed = True
            yield error
        if not failed and len(valid) < memo_size:
            valid.add(key)

    return validators.extend(Draft7Validator, {"$ref": ref})


@cache
def validator_for(kind: str, package: str = SCHEMA_PACKAGE) -> Draft7Validator:
    """The draft-07 validator of one document kind (``KeyError`` for an unknown kind).

    Each kind gets its own memo of valid ``$ref`` instances (see
    :func:`_memoising_validator_class`), bounded to :data:`MEMO_SIZE` entries. No format
    checker: the spec language uses no ``format`` keyword whose check matters.
    """
    schema = load_schema(SCHEMA_FILES[kind], package)
    return _memoising_validator_class(MEMO_SIZE)(schema)


@cache
def fast_validator_for(kind: str, package: str = SCHEMA_PACKAGE) -> Callable[[Any], bool] | None:
    """The compiled validity test of one kind (jsonschema-rs), or None when it is not installed.

    Built once per process and reused for every document (``KeyError`` for an unknown kind).
    It may raise for values that are not JSON (see :func:`is_surely_valid`).
    """
    try:
        import jsonschema_rs
    except ImportError:  # pragma: no cover - a declared dependency; degrade to jsonschema
        return None
    return jsonschema_rs.Draft7Validator(load_schema(SCHEMA_FILES[kind], package)).is_valid


def is_surely_valid(kind: str, instance: Any, package: str = SCHEMA_PACKAGE) -> bool:
    """True when ``instance`` certainly matches the schema of ``kind``; False means "look closer".

    False when jsonschema-rs rejects it, cannot take it (a non-JSON value) or is missing: the
    caller then asks :func:`validator_for` for the errors, which decides.
    """
    is_valid = fast_validator_for(kind, package)
    if is_valid is None:
        return False
    try:
        return bool(is_valid(instance))
    except Exception:  # ValueError, UnicodeEncodeError ...: jsonschema judges these
        return False
