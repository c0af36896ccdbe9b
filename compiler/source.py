"""Loaded YAML documents that remember where every node came from.

The loader (``loader.py``) produces :class:`SourceDocument` objects; every later stage reports
problems through :meth:`SourceDocument.diagnostic`, which turns a JSON path into ``file:line:col``.
How positions are found (eagerly from a round-trip parse, or lazily by re-parsing the file only
when a diagnostic needs them — the C-loader fast path) is the loader's business, hidden behind
the ``locator`` callable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .diagnostics import Diagnostic, JsonPath, Location, Severity

Locator = Callable[[JsonPath], Location]


@dataclass(slots=True)
class SourceDocument:
    """One YAML document (a file may hold several, separated by ``---``).

    ``data`` is plain Python (dict, list, str, int, float, bool, None) with mapping order kept.
    ``locator`` maps a JSON path to the position of that node; a path that does not exist maps to
    its nearest existing ancestor, so a "missing key" diagnostic points at the mapping that lacks
    it.
    """

    file: str
    index: int
    data: Any
    start: Location
    locator: Locator = field(repr=False)
    memo: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)
    """Results computed from this document alone (its model, its params' diagnostics), kept
    with it: a document reused from a :class:`~.check_cache.CheckCache` is not re-derived."""

    @property
    def kind(self) -> str | None:
        """The ``kind:`` text; None when missing or not a string (``kind: [Workflow]`` is an
        S001 of the validate stage, and later stages use the kind as a table key)."""
        kind = self.data.get("kind") if isinstance(self.data, dict) else None
        return kind if isinstance(kind, str) else None

    def memoized(self, key: Any, compute: Callable[[], Any]) -> Any:
        """``compute()`` once per document and ``key`` (it must depend on this document only)."""
        try:
            return self.memo[key]
        except KeyError:
            value = self.memo[key] = compute()
            return value

    def locate(self, path: JsonPath = ()) -> Location:
        return self.locator(tuple(path))

    def diagnostic(
        self,
        code: str,
        message: str,
        path: JsonPath = (),
        *,
        hint: str | None = None,
        severity: Severity = Severity.ERROR,
        related: Iterable[Location] = (),
    ) -> Diagnostic:
        """A diagnostic at the node ``path`` of this document."""
        return Diagnostic(
            code=code,
            severity=severity,
            message=message,
            location=self.locate(path),
            path=tuple(path),
            hint=hint,
            related=tuple(related),
        )
