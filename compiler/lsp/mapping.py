"""wfspec diagnostics -> LSP diagnostics, in one place.

A checker :class:`~wfspec.compiler.diagnostics.Diagnostic` names the start of its node
(1-based ``line:col``) and the node's JSON path; the editor wants a range. The range is the
scalar that starts there (a key for an unknown key, S002), found in the buffer's
:class:`~.outline.Outline`; a mapping or list is underlined on its first line; a whole-file
diagnostic (line 0) underlines the first line. The message is the CLI's message, the hint
follows on its own line (as ``wfspec check`` prints it), the code is the stable code, the
source is ``wfspec``, related places become ``relatedInformation``. A did-you-mean travels in
``data`` for the code action.
"""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types

from ..diagnostics import Diagnostic, Severity
from .outline import Outline, Span

__all__ = ["SEVERITY", "diagnostic_range", "to_lsp_diagnostic", "to_position"]

SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}


def _utf16(line_text: str, col: int) -> int:
    """A code-point column as UTF-16 code units (the LSP default position encoding)."""
    prefix = line_text[:col]
    return col + sum(1 for ch in prefix if ord(ch) > 0xFFFF)


def to_position(lines: list[str], line: int, col: int) -> types.Position:
    text = lines[line] if 0 <= line < len(lines) else ""
    return types.Position(line=line, character=_utf16(text, col))


def span_range(lines: list[str], span: Span) -> types.Range:
    return types.Range(start=to_position(lines, *span.start), end=to_position(lines, *span.end))


def _line_content(lines: list[str], line: int, col: int) -> types.Range:
    """From ``col`` to the end of the line's content (a node that is not a scalar)."""
    text = lines[line] if 0 <= line < len(lines) else ""
    end = len(text.rstrip())
    start = min(col, end)
    if start == end and text.strip():  # nothing after col: the line's content
        start = len(text) - len(text.lstrip())
    return types.Range(
        start=to_position(lines, line, start), end=to_position(lines, line, max(end, start))
    )


def diagnostic_range(diagnostic: Diagnostic, outline: Outline, lines: list[str]) -> types.Range:
    """The precise range of a diagnostic in the buffer (0-based, UTF-16 columns)."""
    if diagnostic.line <= 0:
        return _line_content(lines, 0, 0)
    line, col = outline.to_editor(diagnostic.line - 1, max(diagnostic.col - 1, 0))
    if diagnostic.code == "S002" and diagnostic.path:  # the unknown key, not its value
        document = outline.document_of(line)
        key = outline.find(diagnostic.path, "key", document)
        if key is not None:
            return span_range(lines, key)
    span = outline.starting_at(line, col)
    if span is not None:
        return span_range(lines, span)
    return _line_content(lines, line, col)


def to_lsp_diagnostic(
    diagnostic: Diagnostic, outline: Outline, lines: list[str]
) -> types.Diagnostic:
    """One LSP diagnostic: same code, message and hint as ``wfspec check``."""
    message = diagnostic.message
    if diagnostic.hint:
        message += f"\nhint: {diagnostic.hint}"
    related = [
        types.DiagnosticRelatedInformation(
            location=types.Location(
                uri=Path(r.file).absolute().as_uri(),
                range=types.Range(
                    start=types.Position(line=max(r.line - 1, 0), character=max(r.col - 1, 0)),
                    end=types.Position(line=max(r.line - 1, 0), character=max(r.col - 1, 0)),
                ),
            ),
            message="related",
        )
        for r in diagnostic.related
        if r.file and not r.file.startswith("<")
    ]
    suggestion = diagnostic.suggestion
    return types.Diagnostic(
        range=diagnostic_range(diagnostic, outline, lines),
        message=message,
        severity=SEVERITY.get(diagnostic.severity, types.DiagnosticSeverity.Error),
        code=diagnostic.code,
        source="wfspec",
        related_information=related or None,
        data={"suggestion": suggestion} if suggestion is not None else None,
    )
