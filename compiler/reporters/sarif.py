"""SARIF 2.1.0 report, for code-scanning dashboards (GitHub code scanning, IDE viewers).

One run of the tool ``wfspec`` whose rules are the diagnostic codes that occur (id, short
description from ``CODES``); one result per diagnostic with its physical location (region only
when the line is known) and the related places. Severity maps to ``level``: error, warning, note.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, TextIO

from ..diagnostics import CODES, Diagnostic, Location, Severity

if TYPE_CHECKING:
    from ..checker import CheckResult

__all__ = ["SARIF_SCHEMA", "report", "to_sarif"]

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/wfspec/wfspec"

_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _tool_version() -> str:
    try:
        from importlib.metadata import version

        return version("wfspec")
    except Exception:  # not installed (running from a checkout)
        return "0"


def _location(place: Location) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": place.file}}
    if place.line:
        physical["region"] = {"startLine": place.line, "startColumn": max(place.col, 1)}
    return {"physicalLocation": physical}


def _result(diagnostic: Diagnostic, rule_index: int) -> dict[str, Any]:
    text = diagnostic.message + (f" (hint: {diagnostic.hint})" if diagnostic.hint else "")
    out: dict[str, Any] = {
        "ruleId": diagnostic.code,
        "ruleIndex": rule_index,
        "level": _LEVELS.get(diagnostic.severity, "note"),
        "message": {"text": text},
        "locations": [_location(diagnostic.location)],
    }
    if diagnostic.path:
        out["properties"] = {"jsonPath": diagnostic.to_json()["path"]}
    if diagnostic.related:
        out["relatedLocations"] = [
            {"id": i, **_location(place)} for i, place in enumerate(diagnostic.related)
        ]
    return out


def to_sarif(result: CheckResult) -> dict[str, Any]:
    """The SARIF log as a JSON-able dict."""
    codes = sorted({d.code for d in result.diagnostics})
    index = {code: i for i, code in enumerate(codes)}
    rules = [
        {
            "id": code,
            "name": code,
            "shortDescription": {"text": CODES.get(code, code)},
        }
        for code in codes
    ]
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "wfspec",
                        "informationUri": INFORMATION_URI,
                        "version": _tool_version(),
                        "rules": rules,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": [_result(d, index[d.code]) for d in result.diagnostics],
            }
        ],
    }


def report(result: CheckResult, stream: TextIO, *, color: bool = False) -> None:
    """Write the SARIF log (indented JSON) followed by a newline."""
    json.dump(to_sarif(result), stream, indent=2, ensure_ascii=False)
    stream.write("\n")
