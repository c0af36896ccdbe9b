"""Human-readable report, grouped by file, with a closing summary line.

Each diagnostic is one ``path:line:col: severity CODE message`` line (the form editors and
terminals turn into links), followed by an indented hint and the related places. Colour only when
writing to a terminal, via rich; otherwise plain text without importing rich at all.
"""

from __future__ import annotations

from itertools import groupby
from typing import TYPE_CHECKING, TextIO

from ..diagnostics import Diagnostic, Severity

if TYPE_CHECKING:
    from ..checker import CheckResult

__all__ = ["format_diagnostic", "report", "summary_line"]

_STYLES = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary_line(result: CheckResult) -> str:
    """E.g. ``3 errors, 1 warning in 12 files`` or ``no problems in 12 files (16 documents)``."""
    where = f"in {_plural(len(result.files), 'file')}"
    others = ""
    if result.hidden:  # problems of files loaded only as context (ADR 0010)
        others = f"; {_plural(result.hidden, 'problem')} in other files of the spec set not shown"
    if not result.diagnostics:
        return f"no problems {where} ({_plural(result.documents, 'document')}){others}"
    parts = [_plural(result.errors, "error"), _plural(result.warnings, "warning")]
    infos = result.count(Severity.INFO)
    if infos:
        parts.append(_plural(infos, "note"))
    return f"{', '.join(parts)} {where}{others}"


def format_diagnostic(diagnostic: Diagnostic) -> list[str]:
    """The lines of one diagnostic, without colour."""
    lines = [
        f"{diagnostic.location}: {diagnostic.severity.value} {diagnostic.code} {diagnostic.message}"
    ]
    if diagnostic.hint:
        lines.append(f"    hint: {diagnostic.hint}")
    lines.extend(f"    see: {place}" for place in diagnostic.related)
    return lines


def _plain(result: CheckResult, stream: TextIO) -> None:
    for index, (_, group) in enumerate(groupby(result.diagnostics, key=lambda d: d.file)):
        if index:
            stream.write("\n")
        for diagnostic in group:
            stream.write("\n".join(format_diagnostic(diagnostic)) + "\n")
    if result.diagnostics:
        stream.write("\n")
    stream.write(summary_line(result) + "\n")


def _coloured(result: CheckResult, stream: TextIO) -> None:
    from rich.console import Console
    from rich.markup import escape

    console = Console(file=stream, highlight=False, soft_wrap=True, force_terminal=True)
    for index, (_, group) in enumerate(groupby(result.diagnostics, key=lambda d: d.file)):
        if index:
            console.print()
        for d in group:
            style = _STYLES.get(d.severity, "")
            console.print(
                f"[bold]{escape(str(d.location))}[/]: [{style}]{d.severity.value} {d.code}[/] "
                f"{escape(d.message)}"
            )
            if d.hint:
                console.print(f"    [dim]hint:[/] {escape(d.hint)}")
            for place in d.related:
                console.print(f"    [dim]see:[/] {escape(str(place))}")
    if result.diagnostics:
        console.print()
    style = "bold red" if result.errors else ("yellow" if result.warnings else "bold green")
    console.print(f"[{style}]{escape(summary_line(result))}[/]")


def report(result: CheckResult, stream: TextIO, *, color: bool = False) -> None:
    """Write the text report of ``result`` to ``stream``."""
    (_coloured if color else _plain)(result, stream)
