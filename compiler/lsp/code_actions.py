"""Quick fixes: a diagnostic with a did-you-mean offers "replace with the suggestion".

The suggestion is the checker's own (``Diagnostic.suggestion``, from its did-you-mean hint);
:mod:`.mapping` put it in the LSP diagnostic's ``data`` and gave the diagnostic the range of the
misspelled scalar (the key, for an unknown key). The action is a workspace edit the editor
applies: the server itself never writes files.
"""

from __future__ import annotations

from typing import Any

from lsprotocol import types

from .documents import OpenDocument

__all__ = ["quick_fixes"]

_QUOTES = ("'", '"')


def _suggestion(diagnostic: types.Diagnostic) -> str | None:
    data: Any = diagnostic.data
    if diagnostic.source != "wfspec" or not isinstance(data, dict):
        return None
    value = data.get("suggestion")
    return value if isinstance(value, str) else None


def _text_in(doc: OpenDocument, rng: types.Range) -> str:
    if rng.start.line != rng.end.line or rng.start.line >= len(doc.lines):
        return ""
    units = doc.lines[rng.start.line].encode("utf-16-le")  # the range counts UTF-16 units
    return units[2 * rng.start.character : 2 * rng.end.character].decode("utf-16-le", "replace")


def quick_fixes(doc: OpenDocument, diagnostics: list[types.Diagnostic]) -> list[types.CodeAction]:
    """One "replace with ..." action per diagnostic that carries a suggestion."""
    actions: list[types.CodeAction] = []
    for diagnostic in diagnostics:
        suggestion = _suggestion(diagnostic)
        if suggestion is None:
            continue
        old = _text_in(doc, diagnostic.range)
        new = suggestion
        if old[:1] in _QUOTES and old[-1:] == old[:1]:
            new = f"{old[0]}{suggestion}{old[0]}"  # keep the author's quoting
        edit = types.TextEdit(range=diagnostic.range, new_text=new)
        actions.append(
            types.CodeAction(
                title=f"Replace with '{suggestion}'",
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[diagnostic],
                is_preferred=True,
                edit=types.WorkspaceEdit(changes={doc.uri: [edit]}),
            )
        )
    return actions
