"""Diagnostics are data: produced by the stages, printed only by reporters.

Every stage (load, validate, resolve, render, emit) returns :class:`Diagnostic` objects instead of
printing or raising. A diagnostic carries its source position from the stage that knows it. Codes
are stable (tools and CI match on them) and are catalogued in :data:`CODES`; add new codes there,
never reuse or renumber one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

JsonPath = tuple[str | int, ...]


class Severity(StrEnum):
    """How bad a diagnostic is: ``error`` fails check/compile, ``warning`` only with --strict."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Location:
    """A 1-based line and column in a file (``line``/``col`` 0 when unknown, e.g. a whole file)."""

    file: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}:{self.col}"
        return self.file


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in the sources.

    ``path`` is the JSON path of the offending node inside its document (keys and list indices),
    ``hint`` tells the author how to fix it. ``related`` names other places involved (e.g. the
    first definition of a duplicate).
    """

    code: str
    severity: Severity
    message: str
    location: Location
    path: JsonPath = ()
    hint: str | None = None
    related: tuple[Location, ...] = field(default=())

    @property
    def file(self) -> str:
        return self.location.file

    @property
    def line(self) -> int:
        return self.location.line

    @property
    def col(self) -> int:
        return self.location.col

    def sort_key(self) -> tuple[Any, ...]:
        return (self.file, self.line, self.col, self.code, self.message)

    def to_json(self) -> dict[str, Any]:
        """The stable JSON form (documented in docs/adr and schemas/diagnostics.schema.json)."""
        return {
            "code": self.code,
            "severity": self.severity.value,
            "file": self.file,
            "line": self.line,
            "col": self.col,
            "path": format_path(self.path),
            "message": self.message,
            "hint": self.hint,
            "related": [{"file": r.file, "line": r.line, "col": r.col} for r in self.related],
        }


def format_path(path: JsonPath) -> str:
    """JSON-path-like text: ``$.params.toa_edges.default[0]``."""
    out = "$"
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def has_errors(diagnostics: Iterable[Diagnostic], strict: bool = False) -> bool:
    """True when any diagnostic fails the run (errors; warnings too when ``strict``)."""
    failing = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
    return any(d.severity in failing for d in diagnostics)


# Stable diagnostic codes. Prefix letter = stage: L load, S schema (structure), R resolve
# (references, names), U units, P params/constraints, T templates, B bundle, I internal.
# Helpers add codes here (append only) with a one-line meaning; docs list them from this table.
CODES: dict[str, str] = {
    "I001": "internal error in wfspec (a bug: please report it)",
}
