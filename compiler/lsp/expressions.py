"""``config`` inside a template's Jinja expressions: what a ``config.a.b`` chain means.

Completion, hover and go-to-definition of ``config.`` chains all ask the same two questions:
which chain is at the cursor, and what the template's config looks like to an expression.
The second is answered by the checker's own model: :func:`~wfspec.compiler.template_static.
config_shape` over the config's ParamDefs, walked with :meth:`Shape.attribute` -- the code
behind T007/T009 -- so the editor never offers a part the checker would reject.

The ParamDefs are read from the buffer's ``config:`` block (the compiler's YAML loader, the
compiler's ParamDef validation, field by field), not from the last check: completion runs while
the author types, when the body often does not parse or check, and a field just added to
config should complete at once. A field that does not validate yet is still offered by name.
When the block itself does not load, the last checked template's config is used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pydantic import ValidationError

from ..diagnostics import JsonPath
from ..loader import load_text
from ..paramdefs import ParamDef
from ..params_model import coerce_defs
from ..template_static import Shape, config_shape
from .cursor import Cursor
from .index import SpecIndex
from .outline import Span

__all__ = [
    "TemplateConfig",
    "chain_at",
    "chain_before",
    "config_field_named",
    "config_key",
    "expression_before",
    "resolve",
    "template_config",
]

_OPEN = re.compile(r"\{[{%](?:(?![}%]\}).)*$", re.S)
"""The text after the last ``{{`` / ``{%`` that is not closed yet (the expression typed)."""
_PART = r"(?:\.\w+|\[\s*['\"]\w+['\"]\s*\])"
_CHAIN_BEFORE = re.compile(rf"(?<![\w.\]])config({_PART}*)\.(\w*)$")
_CHAIN = re.compile(rf"(?<![\w.\]])config({_PART}*)")
_PARTS = re.compile(r"\.(\w+)|\[\s*['\"](\w+)['\"]\s*\]")
_DOCUMENT_MARKER = re.compile(r"^---(?:\s|$)")
_CONFIG_KEY = re.compile(r"^config\s*:")


@dataclass(frozen=True, slots=True)
class TemplateConfig:
    """A template's config: every field name in order, its ParamDef when it validates, and the
    shape expressions see (the checker's :func:`config_shape` of the valid ones)."""

    defs: dict[str, ParamDef | None]
    shape: Shape

    def names(self) -> list[str]:
        return list(self.defs)


def _document_lines(lines: list[str], line: int) -> list[str]:
    """The lines of the YAML document that holds ``line`` (text-based: works on broken YAML)."""
    start, end = 0, len(lines)
    for number in range(min(line, len(lines) - 1), -1, -1):
        if _DOCUMENT_MARKER.match(lines[number]):
            start = number + 1
            break
    for number in range(line + 1, len(lines)):
        if _DOCUMENT_MARKER.match(lines[number]):
            end = number
            break
    return lines[start:end]


def _config_block(lines: list[str]) -> str | None:
    """The top-level ``config:`` entry of a document's lines, as YAML text."""
    for number, text in enumerate(lines):
        if _CONFIG_KEY.match(text):
            block = [text]
            for following in lines[number + 1 :]:
                if following.strip() and not following[:1].isspace() and following[0] != "#":
                    break
                block.append(following)
            return "\n".join(block) + "\n"
    return None


@lru_cache(maxsize=32)
def _parse_block(block: str) -> TemplateConfig | None:
    """The config of a ``config:`` block (cached: completion asks on every keystroke)."""
    loaded = load_text(block, "<config>")
    data = loaded.documents[0].data if loaded.documents else None
    raw = data.get("config") if isinstance(data, dict) else None
    if not isinstance(raw, dict):
        return None
    defs: dict[str, ParamDef | None] = {}
    for name, value in raw.items():
        try:
            defs[str(name)] = coerce_defs({str(name): value})[str(name)]
        except (ValidationError, TypeError, ValueError):
            defs[str(name)] = None  # half-typed: offered by name, no parts
    return _config(defs)


def _config(defs: dict[str, ParamDef | None]) -> TemplateConfig:
    valid = {name: defn for name, defn in defs.items() if defn is not None}
    return TemplateConfig(defs, config_shape(valid))


def template_config(cursor: Cursor, index: SpecIndex) -> TemplateConfig | None:
    """The config of the template the cursor is in: the buffer's, else the last checked one."""
    block = _config_block(_document_lines(cursor.doc.lines, cursor.line))
    found = _parse_block(block) if block is not None else None
    if found is not None:
        return found
    located = index.template_at(cursor.doc.path, cursor.document) if cursor.doc.path else None
    if located is None:
        return None
    return _config(dict(located.model.config))


def resolve(config: Shape, parts: list[str]) -> Shape | None:
    """The shape of ``config.<parts>``, as the checker's T007/T009 walk sees it; None when a
    part does not exist."""
    shape: Shape | None = config
    for part in parts:
        if shape is None or part.startswith("_"):
            return None
        shape = shape.attribute(part)
    return shape


def _parts(text: str) -> list[str]:
    return [a or b for a, b in _PARTS.findall(text)]


def expression_before(cursor: Cursor) -> str | None:
    """The Jinja expression being typed up to the cursor (from its ``{{``/``{%``), or None
    outside one. A multi-line scalar (``>-``) counts from its first line."""
    lines = cursor.doc.lines
    text = lines[cursor.line][: cursor.col] if cursor.line < len(lines) else ""
    span = cursor.span
    if span is not None and span.role == "value" and span.start[0] < cursor.line:
        first = lines[span.start[0]][span.start[1] :]
        text = "\n".join([first, *lines[span.start[0] + 1 : cursor.line], text])
    found = _OPEN.search(text)
    return found.group(0) if found else None


def chain_before(expression: str) -> tuple[list[str], str] | None:
    """``{{ config.a.b`` -> (["a"], "b"): the parts written before the last dot and the word
    being typed after it; None when the expression does not end in a ``config.`` chain."""
    found = _CHAIN_BEFORE.search(expression)
    if found is None:
        return None
    return _parts(found.group(1)), found.group(2)


def chain_at(cursor: Cursor) -> list[str] | None:
    """The ``config`` chain under the cursor, up to the part the cursor is on (``[]`` on
    ``config`` itself); None outside a chain or outside an expression."""
    line = cursor.doc.lines[cursor.line] if cursor.line < len(cursor.doc.lines) else ""
    for found in _CHAIN.finditer(line):
        if not found.start() <= cursor.col <= found.end():
            continue
        before = Cursor(cursor.doc, cursor.line, found.start(), cursor.span, cursor.document)
        if expression_before(before) is None:
            return None
        parts: list[str] = []
        offset = found.start(1)
        for part in _PARTS.finditer(found.group(1)):
            if cursor.col < offset + part.start():
                break
            parts.append(part.group(1) or part.group(2))
        return parts
    return None


def config_key(cursor: Cursor, parts: list[str]) -> Span | None:
    """The key that defines ``config.<parts>`` in the buffer: the config field, or the deepest
    of its nested group ``fields`` that is written out (built-in parts of an ``edges`` or a
    timeseries lead to the field itself)."""
    outline, document = cursor.doc.outline, cursor.document
    found = None
    path: tuple[Any, ...] = ("config",)
    for depth, part in enumerate(parts):
        path = (*path, part) if depth == 0 else (*path, "fields", part)
        span = outline.find(path, "key", document)
        if span is None:
            break
        found = span
    return found


def config_field_named(cursor: Cursor, path: JsonPath, role: str) -> str | None:
    """The config field a template's ``source_names.except`` entry or example config key names."""
    if (
        role == "value"
        and path[:3] == ("workflow", "source_names", "except")
        and len(path) == 4
        and isinstance(path[3], int)
    ):
        return cursor.value(path)
    if role == "key" and len(path) == 4 and path[0] == "examples" and path[2] == "config":
        return str(path[3])
    return None
