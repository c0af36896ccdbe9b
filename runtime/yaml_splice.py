"""Set or delete one entry of a top-level block mapping in YAML *text*, leaving every other byte.

Why: a round-trip parse + dump of the whole file (ruamel.yaml, pure Python) costs about a
millisecond per stored instance, so registering into a store of 1,000 instances took a second.
The stores only ever add, replace or delete one entry of one section (``instances:`` /
``records:``), so the writer splices the text instead: the new entry is rendered alone and
inserted, a deleted entry's lines are cut out. Every other line -- comments, blank lines, the
author's quoting and layout -- stays byte for byte.

The splice is only done on a layout it fully understands, checked against the parsed content:
the section is a block mapping at column 0 whose entry keys are plain scalars at one indentation,
and the keys found by scanning the lines are exactly the parsed keys, in order. Anything else
(flow style, quoted keys, tabs, ``instances: {}``) returns None and the caller falls back to a
round-trip edit of the whole document.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["Layout", "delete_entry", "find_layout", "render_entry", "set_entry"]

_KEY = re.compile(r"^(?P<key>[^\s#'\"?{}\[\],&*!|>%@`-][^#]*?):(?:\s|$)")


@dataclass(frozen=True, slots=True)
class Layout:
    """Where one section's entries sit in ``text``: character offsets of the start of each key
    line, of the first line after the section header and of the section's end."""

    text: str
    body: int
    indent: int
    keys: list[str]
    starts: list[int]
    end: int


def find_layout(text: str, section: str, expected_keys: Sequence[str]) -> Layout | None:
    """The layout of ``section`` if the text is one the splicer understands (see module doc).

    Regular expressions over the whole text, not a loop over lines: a store of 1,000 instances
    has 8,000 lines, and this runs on every write.
    """
    if text and not text.endswith("\n"):
        text += "\n"
    headers = list(re.finditer(rf"^{re.escape(section)}:[ ]*(?:#[^\n]*)?$", text, re.MULTILINE))
    if len(headers) != 1 or "\t" in text or "\r" in text:
        return None
    body = headers[0].end() + 1
    closing = _TOP_LEVEL.search(text, body)
    end = closing.start() if closing is not None else len(text)
    section_text = text[body:end]
    first = _FIRST_CONTENT.search(section_text)
    if first is None:
        return Layout(text, body, 2, [], [], end) if not expected_keys else None
    indent = len(first.group("lead"))
    if indent > 1 and re.search(rf"^ {{1,{indent - 1}}}[^ #\n]", section_text, re.MULTILINE):
        return None  # content less indented than the entries: not a layout we splice
    keys, starts = [], []
    for line in re.finditer(rf"^ {{{indent}}}(?P<rest>[^ #\n][^\n]*)$", section_text, re.MULTILINE):
        match = _KEY.match(line.group("rest"))
        if match is None:
            return None
        keys.append(match.group("key").rstrip())
        starts.append(body + line.start())
    if keys != list(expected_keys):
        return None
    return Layout(text, body, indent, keys, starts, end)


_TOP_LEVEL = re.compile(r"^[^ #\n]", re.MULTILINE)
_FIRST_CONTENT = re.compile(r"^(?P<lead> +)[^ #\n]", re.MULTILINE)


def _trailing_kept(line: str, indent: int) -> bool:
    """Blank lines and comments at the entries' indentation (or less) after an entry introduce
    what follows; they are never deleted with it."""
    stripped = line.strip()
    if not stripped:
        return True
    lead = len(line) - len(line.lstrip(" "))
    return stripped.startswith("#") and lead <= indent


def _own_span(layout: Layout, index: int) -> tuple[int, int]:
    """Offsets (start, stop) of entry ``index`` without the comments and blank lines after it."""
    text = layout.text
    start = layout.starts[index]
    stop = layout.starts[index + 1] if index + 1 < len(layout.starts) else layout.end
    while stop > start:
        line_start = text.rfind("\n", start, stop - 1) + 1
        if line_start <= start or not _trailing_kept(text[line_start:stop], layout.indent):
            break
        stop = line_start
    return start, stop


def render_entry(key: str, node: Any, yaml: Any) -> str:
    """``key: node`` rendered by ``yaml`` (a round-trip YAML), key at column 0."""
    buffer = io.StringIO()
    yaml.dump({key: node}, buffer)
    return buffer.getvalue()


def set_entry(layout: Layout, key: str, rendered: str) -> str:
    """The text with entry ``key`` replaced by (or, if new, appended as) ``rendered``."""
    pad = " " * layout.indent
    block = "".join(pad + line if line.strip() else line for line in rendered.splitlines(True))
    text = layout.text
    if key in layout.keys:
        start, stop = _own_span(layout, layout.keys.index(key))
        return text[:start] + block + text[stop:]
    at = layout.end
    while at > layout.body:  # column-0 comments closing the section stay after the new entry
        line_start = text.rfind("\n", layout.body, at - 1) + 1
        line_start = max(line_start, layout.body)
        if not text.startswith("#", line_start):
            break
        at = line_start
    return text[:at] + block + text[at:]


def delete_entry(layout: Layout, key: str) -> str:
    """The text without entry ``key`` (the comments that follow it are kept)."""
    start, stop = _own_span(layout, layout.keys.index(key))
    return layout.text[:start] + layout.text[stop:]
