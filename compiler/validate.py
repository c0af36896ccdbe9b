"""Validate stage: one document against its kind's JSON Schema, as plain-language diagnostics.

jsonschema's own messages are written for programmers (``Additional properties are not allowed
('titel' was unexpected)``, ``{...} is not valid under any of the given schemas``) and print whole
objects. Authors need: where (line:col of the offending node, JSON path), what in plain words,
and how to fix it ("did you mean 'title'?"). So each error is translated by its ``validator``
keyword into one of a few stable S codes (listed in ``diagnostics.CODES``). ``anyOf``/``oneOf``
errors are not reported as such: we descend into the branch the author evidently meant (the one
whose type matches the value), so the message names the real problem. The schemas dispatch ParamDefs
on ``type`` with ``if``/``then``, for which jsonschema already reports the chosen branch's errors.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from .diagnostics import Diagnostic, JsonPath, did_you_mean
from .schema_store import KINDS, is_surely_valid, validator_for
from .source import SourceDocument

if TYPE_CHECKING:  # jsonschema is imported only when a document fails the fast check
    from jsonschema.exceptions import ValidationError

__all__ = ["did_you_mean", "validate_document"]

SLUG_PATTERN = "^[a-z][a-z0-9_]*$"
_SLUG_HELP = "names are slugs: lowercase letters, digits and '_', starting with a letter"

_TYPE_NAMES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "object": "a mapping",
    "array": "a list",
    "null": "nothing (null)",
}

# Keys that suggest which kind a document without ``kind`` was meant to be.
_KIND_HINT_KEYS = (
    ("WorkflowTemplate", ("config", "workflow", "examples")),
    ("Instrument", ("sources",)),
    ("Workflow", ("outputs", "source_names", "version", "group")),
    ("ParamSet", ("params",)),
)


def _suggest(word: Any, candidates: Iterable[Any]) -> str | None:
    close = did_you_mean(str(word), [str(c) for c in candidates])
    return f"did you mean {close!r}?" if close is not None else None


def _show(value: Any) -> str:
    """A short, readable rendering of a value (never a whole object)."""
    if isinstance(value, dict):
        return "a mapping" if value else "an empty mapping"
    if isinstance(value, list):
        return "a list" if value else "an empty list"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nothing (null)"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _type_of(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return "null"


def _matches_type(value: Any, expected: str | list[str]) -> bool:
    names = [expected] if isinstance(expected, str) else list(expected)
    actual = _type_of(value)
    return actual in names or (actual == "integer" and "number" in names)


def _deref(schema: Any, root: dict[str, Any]) -> Any:
    """Follow local ``$ref``s (``#/definitions/X``) of ``root``."""
    for _ in range(32):  # a ref chain longer than this is a loop
        if not (isinstance(schema, dict) and str(schema.get("$ref", "")).startswith("#/")):
            return schema
        node: Any = root
        for part in schema["$ref"][2:].split("/"):
            node = (
                node.get(part.replace("~1", "/").replace("~0", "~"), {})
                if isinstance(node, dict)
                else {}
            )
        schema = node
    return schema


def _expected_types(schema: Any, root: dict[str, Any]) -> list[str]:
    """Types a (sub)schema accepts, as far as can be read off it directly."""
    schema = _deref(schema, root)
    if not isinstance(schema, dict):
        return []
    if "type" in schema:
        return [schema["type"]] if isinstance(schema["type"], str) else list(schema["type"])
    if "const" in schema:
        return [_type_of(schema["const"])]
    if "enum" in schema:
        return sorted({_type_of(v) for v in schema["enum"]})
    out: list[str] = []
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, []):
            out += [t for t in _expected_types(sub, root) if t not in out]
    return out


def _where(path: JsonPath) -> str:
    """How a message names the node at ``path``: its key, or 'item N of <key>'."""
    if not path:
        return "the document"
    if isinstance(path[-1], str):
        return f"'{path[-1]}'"
    owner = f" of '{path[-2]}'" if len(path) > 1 and isinstance(path[-2], str) else ""
    return f"item {path[-1] + 1}{owner}"


class _Translator:
    """Turns the jsonschema errors of one document into diagnostics."""

    def __init__(self, doc: SourceDocument, root: dict[str, Any]) -> None:
        self.doc = doc
        self.root = root

    def all(self, errors: Iterable[ValidationError]) -> list[Diagnostic]:
        out: list[Diagnostic] = []
        seen: set[tuple[str, JsonPath, str]] = set()
        for error in errors:
            for diagnostic in self.translate(error):
                key = (diagnostic.code, diagnostic.path, diagnostic.message)
                if key not in seen:
                    seen.add(key)
                    out.append(diagnostic)
        return out

    def _diag(self, code: str, message: str, path: JsonPath, hint: str | None) -> Diagnostic:
        return self.doc.diagnostic(code, message, path, hint=hint)

    def translate(self, error: ValidationError) -> Iterator[Diagnostic]:
        path: JsonPath = tuple(error.absolute_path)
        value = error.instance
        keyword = error.validator
        schema = error.schema if isinstance(error.schema, dict) else {}
        if keyword in ("anyOf", "oneOf"):
            yield from self._branches(error, path)
        elif keyword == "additionalProperties":
            yield from self._unknown_keys(error, path)
        elif keyword == "required":
            yield from self._missing(error, path)
        elif keyword == "type":
            expected = error.validator_value
            names = [expected] if isinstance(expected, str) else list(expected)
            wanted = " or ".join(_TYPE_NAMES.get(n, n) for n in names)
            yield self._diag(
                "S004",
                f"{_where(path)} must be {wanted}, not {_show(value)}",
                path,
                self._type_hint(value, names),
            )
        elif keyword in ("enum", "const"):
            allowed = error.validator_value if keyword == "enum" else [error.validator_value]
            listed = ", ".join(str(a) for a in allowed)
            suggestion = _suggest(value, allowed) if isinstance(value, str) else None
            message = (
                f"{_where(path)} must be {allowed[0]!r}, not {_show(value)}"
                if len(allowed) == 1
                else f"{_show(value)} is not one of: {listed}"
            )
            yield self._diag("S005", message, path, suggestion or f"use one of: {listed}")
        elif keyword == "pattern":
            if error.validator_value == SLUG_PATTERN:
                yield self._diag(
                    "S006",
                    f"{_show(value)} is not a valid name ({_SLUG_HELP})",
                    path,
                    f"for example {_slugify(str(value))!r}",
                )
            else:
                yield self._diag(
                    "S006",
                    f"{_show(value)} does not match the pattern {error.validator_value}",
                    path,
                    schema.get("description"),
                )
        else:
            yield self._diag("S007", self._other_message(error, path), path, None)

    def _type_hint(self, value: Any, names: list[str]) -> str | None:
        if isinstance(value, str) and any(n in ("number", "integer") for n in names):
            return "write the number without quotes"
        if isinstance(value, str) and "array" in names:
            return f"write a list: [{value}]"
        if isinstance(value, str) and "object" in names:
            return "write a mapping (key: value pairs, indented below this key)"
        if value is None:
            return "fill in a value or remove the key"
        return None

    def _other_message(self, error: ValidationError, path: JsonPath) -> str:
        keyword, limit, value = error.validator, error.validator_value, error.instance
        subject = _where(path)
        messages = {
            "minimum": f"{subject} must be at least {limit}, not {_show(value)}",
            "maximum": f"{subject} must be at most {limit}, not {_show(value)}",
            "exclusiveMinimum": f"{subject} must be greater than {limit}, not {_show(value)}",
            "exclusiveMaximum": f"{subject} must be less than {limit}, not {_show(value)}",
            "minItems": f"{subject} must not be empty"
            if limit == 1
            else f"{subject} needs at least {limit} items",
            "maxItems": f"{subject} may have at most {limit} item(s)",
            "minProperties": f"{subject} must not be empty"
            if limit == 1
            else f"{subject} needs at least {limit} entries",
            "maxProperties": f"{subject} may have at most {limit} entry(ies)",
            "minLength": f"{subject} must not be empty"
            if limit == 1
            else f"{subject} needs at least {limit} characters",
            "maxLength": f"{subject} may have at most {limit} characters",
            "uniqueItems": f"{subject} lists the same item twice",
            "not": f"{subject} is not allowed to be {_show(value)}",
            "dependencies": f"{subject}: {error.message}",
        }
        if keyword in messages:
            return messages[keyword]
        message = error.message
        return message if len(message) <= 160 else message[:157] + "..."

    def _unknown_keys(self, error: ValidationError, path: JsonPath) -> Iterator[Diagnostic]:
        schema = error.schema if isinstance(error.schema, dict) else {}
        value = error.instance if isinstance(error.instance, dict) else {}
        known = list(schema.get("properties", {}))
        patterns = [re.compile(p) for p in schema.get("patternProperties", {})]
        for key in value:
            if key in known or any(p.search(str(key)) for p in patterns):
                continue
            key_path = (*path, key)
            if patterns and not known and SLUG_PATTERN in schema.get("patternProperties", {}):
                yield self._diag(
                    "S006",
                    f"{key!r} is not a valid name ({_SLUG_HELP})",
                    key_path,
                    f"for example {_slugify(str(key))!r}",
                )
                continue
            suggestion = _suggest(key, known)
            allowed = ", ".join(known) if known else "none"
            yield self._diag(
                "S002",
                f"unknown key {key!r}" + (f" in {_where(path)}" if path else ""),
                key_path,
                suggestion or f"allowed keys here: {allowed}",
            )

    def _missing(self, error: ValidationError, path: JsonPath) -> Iterator[Diagnostic]:
        value = error.instance if isinstance(error.instance, dict) else {}
        properties = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        for key in error.validator_value:
            if key in value:
                continue
            described = properties.get(key, {}) if isinstance(properties, dict) else {}
            description = described.get("description") if isinstance(described, dict) else None
            close = did_you_mean(key, [k for k in value if k not in properties])
            hint = f"add '{key}:'" + (f" ({description})" if description else "")
            if close:
                hint = f"rename {close!r} to {key!r}"
            yield self._diag(
                "S003",
                f"missing required key {key!r}" + (f" in {_where(path)}" if path else ""),
                path,
                hint,
            )

    def _branches(self, error: ValidationError, path: JsonPath) -> Iterator[Diagnostic]:
        """anyOf/oneOf: report the errors of the branch meant, or a type error listing all."""
        value = error.instance
        branches = error.validator_value if isinstance(error.validator_value, list) else []
        by_branch: dict[int, list[ValidationError]] = {}
        for sub in error.context or ():
            index = sub.relative_schema_path[0] if sub.relative_schema_path else -1
            if isinstance(index, int):
                by_branch.setdefault(index, []).append(sub)
        candidates = [
            i
            for i, branch in enumerate(branches)
            if (types := _expected_types(branch, self.root)) and _matches_type(value, types)
        ]
        if error.validator == "oneOf" and not by_branch.keys() - set(range(len(branches))):
            passing = [i for i in range(len(branches)) if i not in by_branch]
            if len(passing) > 1:
                yield self._diag(
                    "S007",
                    f"{_where(path)} matches more than one of the allowed forms",
                    path,
                    "make the value unambiguous (see docs/spec-language.md)",
                )
                return
        failing = [i for i in candidates if i in by_branch]
        if failing:
            best = min(failing, key=lambda i: len(by_branch[i]))
            for sub in by_branch[best]:
                yield from self.translate(sub)
            return
        expected: list[str] = []
        for branch in branches:
            expected += [t for t in _expected_types(branch, self.root) if t not in expected]
        if expected and not _matches_type(value, expected):
            if "integer" in expected and "number" in expected:
                expected.remove("integer")
            wanted = " or ".join(_TYPE_NAMES.get(t, t) for t in expected)
            yield self._diag(
                "S004",
                f"{_where(path)} must be {wanted}, not {_show(value)}",
                path,
                self._type_hint(value, expected),
            )
            return
        yield self._diag(
            "S007",
            f"{_where(path)} is not any of the allowed forms",
            path,
            "see docs/spec-language.md for the forms this key accepts",
        )


def _slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9_]+", "_", text.strip().lower()).strip("_")
    if not slug or not slug[0].isalpha():
        slug = "x_" + slug
    return slug


def _guess_kind(data: dict[str, Any]) -> str | None:
    for kind, keys in _KIND_HINT_KEYS:
        if any(key in data for key in keys):
            return kind
    return None


def _check_kind(doc: SourceDocument) -> Diagnostic | None:
    data = doc.data
    listed = ", ".join(KINDS)
    if "kind" not in data:
        guess = _guess_kind(data)
        return doc.diagnostic(
            "S001",
            "the document has no 'kind'",
            (),
            hint=f"add 'kind: {guess}' as its first line"
            if guess
            else f"add a 'kind:' line, one of {listed}",
        )
    kind = data["kind"]
    if isinstance(kind, str) and kind in KINDS:
        return None
    close = did_you_mean(kind, KINDS) if isinstance(kind, str) else None
    return doc.diagnostic(
        "S001",
        f"unknown kind {_show(kind)}",
        ("kind",),
        hint=f"did you mean {close!r}?" if close else f"use one of: {listed}",
    )


def validate_document(doc: SourceDocument) -> list[Diagnostic]:
    """Every structural problem of ``doc`` (empty when it matches its kind's schema)."""
    if not isinstance(doc.data, dict):  # the loader refuses these; stay safe for API callers
        return [doc.diagnostic("S001", "a spec document must be a mapping with a 'kind'")]
    problem = _check_kind(doc)
    if problem is not None:
        return [problem]
    kind = doc.data["kind"]
    if is_surely_valid(kind, doc.data):  # the compiled check; most documents stop here
        return []
    validator = validator_for(kind)
    errors = list(validator.iter_errors(doc.data))
    if not errors:
        return []
    errors.sort(key=lambda e: [str(p) for p in e.absolute_path])
    return _Translator(doc, validator.schema).all(errors)
