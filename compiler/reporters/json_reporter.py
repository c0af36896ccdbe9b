"""Machine-readable report: one JSON object, stable across releases (``version`` bumps if not).

Shape (documented in docs/adr/0002-diagnostics-and-check-output.md)::

    {"version": 1,
     "summary": {"files": 12, "documents": 16, "errors": 3, "warnings": 1, "infos": 0,
                 "hidden": 0},
     "files": ["specs/dummy/instrument.yaml", ...],
     "diagnostics": [Diagnostic.to_json(), ...]}

Diagnostics are sorted by file, line, column, code. Keys are written in this fixed order.
``hidden`` counts problems of files loaded only as context of the named ones (ADR 0010).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from ..checker import CheckResult

__all__ = ["JSON_FORMAT_VERSION", "report", "to_json"]

JSON_FORMAT_VERSION = 1


def to_json(result: CheckResult) -> dict[str, Any]:
    """The report as a JSON-able dict."""
    return {
        "version": JSON_FORMAT_VERSION,
        "summary": result.summary(),
        "files": list(result.files),
        "diagnostics": [d.to_json() for d in result.diagnostics],
    }


def report(result: CheckResult, stream: TextIO, *, color: bool = False) -> None:
    """Write the JSON report (indented, UTF-8 kept as is) followed by a newline."""
    json.dump(to_json(result), stream, indent=2, ensure_ascii=False)
    stream.write("\n")
