"""The documents open in the editor: their unsaved text, version and outline.

pygls keeps the text in sync with the client (incremental edits applied); this store is what
the rest of the server reads: file path, text and version per URI, the buffers as *overlays* for
the checker, and each buffer's :class:`~.outline.Outline`, built once per text (hover,
definition, completion and diagnostics ranges all use it). Only ``file:`` URIs on disk paths
are spec files; other schemes (untitled buffers, git diffs) are kept but never checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

from .outline import Outline, build_outline

__all__ = ["DocumentStore", "OpenDocument", "split_lines", "uri_to_path"]

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    """The lines as the editor counts them: LSP ends a line at ``\\n``, ``\\r\\n`` or a lone
    ``\\r`` (old Mac files) -- as YAML does, so the checker's line numbers index this list."""
    return _LINE_BREAK.split(text)


def uri_to_path(uri: str) -> Path | None:
    """The local path of a ``file:`` URI, or None for other schemes."""
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return None
    return Path(unquote(parsed.path)).resolve()


@dataclass(slots=True)
class OpenDocument:
    uri: str
    path: Path | None
    text: str
    version: int | None
    _outline: Outline | None = field(default=None, repr=False)
    _lines: list[str] | None = field(default=None, repr=False)

    @property
    def outline(self) -> Outline:
        if self._outline is None:
            self._outline = build_outline(self.text)
        return self._outline

    @property
    def lines(self) -> list[str]:
        if self._lines is None:
            self._lines = split_lines(self.text)
        return self._lines


class DocumentStore:
    """URI -> :class:`OpenDocument` for every document the editor has open."""

    def __init__(self) -> None:
        self._documents: dict[str, OpenDocument] = {}

    def update(self, uri: str, text: str, version: int | None) -> OpenDocument:
        """Record the buffer's current text (open or change); the outline is rebuilt lazily."""
        doc = OpenDocument(uri, uri_to_path(uri), text, version)
        self._documents[uri] = doc
        return doc

    def close(self, uri: str) -> OpenDocument | None:
        return self._documents.pop(uri, None)

    def get(self, uri: str) -> OpenDocument | None:
        return self._documents.get(uri)

    def by_path(self, path: Path) -> OpenDocument | None:
        for doc in self._documents.values():
            if doc.path == path:
                return doc
        return None

    def __iter__(self):
        return iter(list(self._documents.values()))

    def overlays(self) -> dict[Path, str]:
        """Path -> unsaved text of every open spec file (what the checker reads instead)."""
        return {doc.path: doc.text for doc in self._documents.values() if doc.path is not None}
