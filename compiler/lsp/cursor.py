"""What is under the cursor: the node (from the outline) and, for half-typed text, the key.

Hover and definition need the parsed node under the cursor (:class:`Cursor`). Completion runs
while the author types, when the buffer often does not parse; :func:`typing_context` therefore
reads the key being filled in from the text itself (indentation and the ``key:`` of the line or
of the enclosing block), which works on broken YAML too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..diagnostics import JsonPath
from ..ids import TimeseriesReference
from .documents import OpenDocument
from .outline import Span

__all__ = [
    "Cursor",
    "TypingContext",
    "cursor_at",
    "source_instrument",
    "timeseries_reference",
    "typing_context",
]


@dataclass(slots=True)
class Cursor:
    doc: OpenDocument
    line: int
    col: int
    span: Span | None
    document: int

    def value(self, path: JsonPath) -> str | None:
        """The buffer's scalar at ``path`` in the same YAML document, as text."""
        span = self.doc.outline.find(path, "value", self.document)
        return span.text if span is not None else None

    @property
    def kind(self) -> str | None:
        return self.value(("kind",))


def cursor_at(doc: OpenDocument, line: int, character: int) -> Cursor:
    text = doc.lines[line] if 0 <= line < len(doc.lines) else ""
    col = _code_points(text, character)
    outline = doc.outline
    span = outline.at(line, col)
    document = span.document if span is not None else outline.document_of(line)
    return Cursor(doc, line, col, span, document)


def source_instrument(cursor: Cursor, path: JsonPath) -> str | None:
    """The instrument whose sources a value names, when the value is a source name."""
    base = path[:1] if path and path[0] == "workflow" else ()
    rel = path[len(base) :]
    is_source = (len(rel) == 2 and rel[0] == "source_names" and isinstance(rel[1], int)) or (
        len(rel) >= 3 and rel[0] == "aux_sources" and rel[2] in ("choices", "default")
    )
    if not is_source:
        return None
    return cursor.value((*base, "instrument"))


def timeseries_reference(cursor: Cursor, path: JsonPath, text: str) -> TimeseriesReference | None:
    """The timeseries reference a value names: one of the ``workflow_id`` / ``source_name`` /
    ``output_name`` values of a reference mapping (a template example's config, a timeseries
    default), or a string in the form ``instrument/name/version/output@source``."""
    if path and path[-1] in ("workflow_id", "source_name", "output_name"):
        parent = path[:-1]
        parts = {
            k: cursor.value((*parent, k)) for k in ("workflow_id", "source_name", "output_name")
        }
        if all(parts.values()):
            try:
                return TimeseriesReference.model_validate(parts)
            except ValueError:
                return None
    if "@" in text:
        try:
            return TimeseriesReference.parse(text)
        except ValueError:
            return None
    return None


def _code_points(text: str, utf16: int) -> int:
    """A UTF-16 column (LSP) as a code-point column."""
    units = 0
    for index, char in enumerate(text):
        if units >= utf16:
            return index
        units += 2 if ord(char) > 0xFFFF else 1
    return len(text)


_KEY_LINE = re.compile(r"^(?P<indent>\s*)(?:-\s+)*(?P<key>[^\s:#\-](?:[^:#]*[^\s:#])?)\s*:(?:\s|$)")
"""A ``key:`` line. The key ends at a non-blank, so it never competes with ``\\s*`` for the same
blanks (that took quadratic time: 90 s for a line of 300,000 spaces without a colon)."""
_WORD_BEFORE = re.compile(r"[\w./@\-µμÅ]*")
"""The word being typed, matched on the reversed text before the cursor: a search for it at
the end (``...*$``) retries from every character of a long word (quadratic: seconds per
completion on a line with a 20,000-character token)."""
_ITEM_LINE = re.compile(r"^(?P<indent>\s*)-(?:\s|$)")


@dataclass(slots=True)
class TypingContext:
    """The keys from the document root to the value being typed, and the word typed so far."""

    keys: list[str]
    prefix: str
    line_before: str
    block: list[str]
    """The lines of the mapping the cursor is in (siblings of the key being typed)."""

    @property
    def key(self) -> str | None:
        return self.keys[-1] if self.keys else None


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" "))


def typing_context(lines: list[str], line: int, col: int) -> TypingContext:
    """The key whose value is being typed at (line, col), with its ancestors by indentation."""
    line = min(line, len(lines))  # a position past the end (a request on a stale version)
    current = lines[line] if 0 <= line < len(lines) else ""
    before = current[:col]
    prefix = _WORD_BEFORE.match(before[::-1]).group(0)[::-1]  # reversed: linear in the line
    keys: list[str] = []
    match = _KEY_LINE.match(current)
    if match and col > match.end("key"):
        keys.append(match.group("key").strip("'\""))
        level = len(match.group("indent"))
        if current.lstrip().startswith("-"):
            level += 1  # a key inside a list item belongs to the item's mapping
    else:
        level = _indent(current) if current.strip() else col
        if _ITEM_LINE.match(current):
            level = _indent(current) + (0 if _ITEM_LINE.match(current) else 1)
    block_start = line
    for number in range(line - 1, -1, -1):
        text = lines[number]
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        if text.strip() == "---":
            break
        indent = _indent(text)
        found = _KEY_LINE.match(text)
        item = _ITEM_LINE.match(text)
        if indent < level or (item and indent <= level and not keys and found is None):
            if found is not None:
                keys.insert(0, found.group("key").strip("'\""))
                if block_start == line:
                    block_start = number + 1
                level = indent
            elif item:
                level = indent
            if indent == 0 and found is not None:
                break
    flow = re.search(r"\{[^{}]*$", before)  # inside a flow mapping: {workflow_id: |
    if flow is not None:
        inner = re.search(r"(?<![\w-])([\w-]+)\s*:\s*(?:\[[^\]]*)?[^,:{}\[\]]*$", flow.group(0))
        if inner is not None:
            keys.append(inner.group(1))
    block_end = line + 1
    while block_end < len(lines) and (
        not lines[block_end].strip() or _indent(lines[block_end]) >= _indent(current)
    ):
        block_end += 1
    return TypingContext(keys, prefix, before, lines[block_start:block_end])
