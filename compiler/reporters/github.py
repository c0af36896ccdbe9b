"""GitHub Actions workflow commands: each diagnostic becomes an annotation on the pull request.

``::error file=F,line=L,col=C,title=CODE::message`` (``warning``/``notice`` for the other
severities). Values are escaped as the Actions runner expects (``%``, CR, LF everywhere; ``:``
and ``,`` in properties too). The hint follows the message on a new line of the annotation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

from ..diagnostics import Diagnostic, Severity
from .text import summary_line

if TYPE_CHECKING:
    from ..checker import CheckResult

__all__ = ["annotation", "report"]

_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(diagnostic: Diagnostic) -> str:
    """One workflow command line for ``diagnostic``."""
    properties = [f"file={_escape_property(diagnostic.file)}"]
    if diagnostic.line:
        properties.append(f"line={diagnostic.line}")
        if diagnostic.col:
            properties.append(f"col={diagnostic.col}")
    properties.append(f"title={_escape_property(diagnostic.code)}")
    message = diagnostic.message
    if diagnostic.hint:
        message += f"\nhint: {diagnostic.hint}"
    command = _COMMANDS.get(diagnostic.severity, "notice")
    return f"::{command} {','.join(properties)}::{_escape_data(message)}"


def report(result: CheckResult, stream: TextIO, *, color: bool = False) -> None:
    """One annotation per diagnostic, then the plain summary line (shown in the job log)."""
    for diagnostic in result.diagnostics:
        stream.write(annotation(diagnostic) + "\n")
    stream.write(summary_line(result) + "\n")
