"""Where every key and value of an editor buffer is: the positions the editor features need.

The checker reports a diagnostic at its start (``line:col``) and its JSON path; an editor wants
the whole node underlined, and hover, definition, completion and code actions go the other way
(cursor -> the node under it -> its JSON path). An :class:`Outline` is that map for one text:
every scalar key and value with its JSON path, its role (``key`` or ``value``) and its start and
end, composed by libyaml (the same parser as the checker's loader; nodes only, no values
constructed). It is built from the in-editor text, so it matches what the user sees even while
unsaved. Text that does not parse gives the outline of the documents before the error (and an
empty one for binary or non-YAML text): features then do less, never fail.

Positions here are 0-based lines and code-point columns of the editor's lines (the parser's
marks are converted where the two count lines differently: :func:`parser_lines`);
:mod:`.mapping` turns them into the client's units.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..diagnostics import JsonPath
from ..loader import _may_nest_deeply, _too_deep

try:
    from ruamel.yaml.cyaml import CParser
except ImportError:  # pragma: no cover - only without ruamel.yaml.clib
    CParser = None

__all__ = ["Outline", "Span", "build_outline", "parser_lines"]

Role = Literal["key", "value"]

MAX_OUTLINE_CHARS = 2_000_000
"""Larger buffers get no outline (features degrade to none); the checker still reports them."""


@dataclass(frozen=True, slots=True)
class Span:
    """One scalar of a document: its JSON path, role, text and 0-based start/end (line, col).

    A key's path is the path of the value it names (``("params", "x")`` for the key ``x``).
    """

    document: int
    path: JsonPath
    role: Role
    text: str
    start: tuple[int, int]
    end: tuple[int, int]

    def contains(self, line: int, col: int) -> bool:
        return self.start <= (line, col) <= self.end


@dataclass(slots=True)
class Outline:
    """Every scalar span of a text, in document order, with lookups by position and path."""

    spans: list[Span] = field(default_factory=list)
    containers: dict[tuple[int, JsonPath], tuple[tuple[int, int], tuple[int, int]]] = field(
        default_factory=dict
    )
    parser_lines: list[tuple[int, int]] | None = None
    """Per line as the YAML parser counts them, the editor (line, col) it starts at; None when
    both count alike (see :func:`parser_lines`)."""

    def to_editor(self, line: int, col: int) -> tuple[int, int]:
        """A 0-based parser position (the checker's, less one) as an editor line and column."""
        if self.parser_lines is None or not 0 <= line < len(self.parser_lines):
            return line, col
        editor_line, offset = self.parser_lines[line]
        return editor_line, offset + col

    def to_parser(self, line: int, col: int) -> tuple[int, int]:
        """An editor position (0-based) as the parser counts it: :meth:`to_editor` reversed."""
        if self.parser_lines is None:
            return line, col
        found = (line, col)
        for index, (editor_line, offset) in enumerate(self.parser_lines):
            if editor_line > line:
                break
            if editor_line == line and offset <= col:
                found = (index, col - offset)
        return found

    def at(self, line: int, col: int) -> Span | None:
        """The scalar under the cursor (0-based), or None."""
        for span in self.spans:
            if span.contains(line, col):
                return span
        return None

    def starting_at(self, line: int, col: int) -> Span | None:
        """The scalar that starts exactly at (line, col) (0-based): a diagnostic's node."""
        for span in self.spans:
            if span.start == (line, col):
                return span
        return None

    def find(
        self, path: JsonPath, role: Role = "value", document: int | None = None
    ) -> Span | None:
        """The scalar at ``path`` (a key when ``role`` is "key")."""
        wanted = tuple(path)
        for span in self.spans:
            same_document = document is None or span.document == document
            if span.path == wanted and span.role == role and same_document:
                return span
        return None

    def document_of(self, line: int) -> int:
        """Index of the document that holds ``line`` (0-based; the last one before it)."""
        index = 0
        for span in self.spans:
            if span.start[0] > line:
                break
            index = span.document
        return index


_PARSER_ONLY_BREAKS = re.compile("[\x85\u2028\u2029]")
_EDITOR_BREAKS = re.compile(r"\r\n|\r|\n")


def parser_lines(text: str) -> list[tuple[int, int]] | None:
    """Where each of the YAML parser's lines starts in the editor's lines, when they differ.

    The parser (libyaml here, ruamel.yaml in the checker: YAML 1.1 rules) also ends a line at
    NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR; an editor (LSP) only at LF, CRLF and CR. One
    such character pasted into a description would otherwise shift every position below it.
    A byte-order mark that the editor keeps in the text is no column to the parser.
    """
    bom = text.startswith("\ufeff")
    if not bom and _PARSER_ONLY_BREAKS.search(text) is None:
        return None
    starts: list[tuple[int, int]] = []
    for editor_line, line_text in enumerate(_EDITOR_BREAKS.split(text)):
        starts.append((editor_line, 1 if bom and editor_line == 0 else 0))
        starts.extend((editor_line, m.end()) for m in _PARSER_ONLY_BREAKS.finditer(line_text))
    return starts


class _Composer(CParser if CParser is not None else object):  # type: ignore[misc]
    """libyaml's composer; tags are not resolved (values are never constructed here)."""

    def __init__(self, text: str) -> None:
        CParser.__init__(self, text)

    def resolve(self, kind, value, implicit):
        return None

    def descend_resolver(self, *args) -> None:
        return None

    def ascend_resolver(self, *args) -> None:
        return None


def _walk(outline: Outline, document: int, root: Node) -> None:
    place = outline.to_editor
    stack: list[tuple[Node, JsonPath]] = [(root, ())]
    seen: set[int] = set()
    while stack:
        node, path = stack.pop()
        if id(node) in seen:  # aliases share nodes: each is outlined once
            continue
        seen.add(id(node))
        start = place(node.start_mark.line, node.start_mark.column)
        end = place(node.end_mark.line, node.end_mark.column)
        if isinstance(node, ScalarNode):
            outline.spans.append(Span(document, path, "value", str(node.value), start, end))
        elif isinstance(node, MappingNode):
            outline.containers[(document, path)] = (start, end)
            for key, value in reversed(node.value):
                if isinstance(key, ScalarNode):
                    child = (*path, str(key.value))
                    key_start = place(key.start_mark.line, key.start_mark.column)
                    key_end = place(key.end_mark.line, key.end_mark.column)
                    outline.spans.append(
                        Span(document, child, "key", str(key.value), key_start, key_end)
                    )
                    stack.append((value, child))
        elif isinstance(node, SequenceNode):
            outline.containers[(document, path)] = (start, end)
            for index in range(len(node.value) - 1, -1, -1):
                stack.append((node.value[index], (*path, index)))


def build_outline(text: str) -> Outline:
    """The outline of every document of ``text`` that parses (those before an error)."""
    outline = Outline(parser_lines=parser_lines(text))
    if CParser is None or len(text) > MAX_OUTLINE_CHARS or "\x00" in text:
        return outline
    if _may_nest_deeply(text) and _too_deep(text) is not None:
        return outline  # libyaml's composer recurses in C: the loader refuses this text (L006)
    composer = _Composer(text)
    document = 0
    try:
        while composer.check_node():
            node = composer.get_node()
            if node is not None:
                _walk(outline, document, node)
            document += 1
    except (YAMLError, RecursionError, ValueError, TypeError):
        pass  # the checker reports the error; features work on what parsed
    finally:
        composer.dispose()
    outline.spans.sort(key=lambda span: span.start)
    return outline
