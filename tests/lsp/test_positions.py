"""Ranges and cursor context, in process: where a diagnostic is underlined, what is being typed."""

from __future__ import annotations

from lsprotocol.types import Diagnostic as LspDiagnostic
from lsprotocol.types import Position, Range

from wfspec.compiler.diagnostics import Diagnostic, Location, Severity
from wfspec.compiler.lsp.code_actions import quick_fixes
from wfspec.compiler.lsp.cursor import typing_context
from wfspec.compiler.lsp.documents import OpenDocument
from wfspec.compiler.lsp.mapping import diagnostic_range, to_lsp_diagnostic
from wfspec.compiler.lsp.outline import build_outline

TEXT = 'kind: Workflow\ntitle: "𝔸 beam"\nname: x\nparams:\n  a: {type: float}\n'


def _diag(line: int, col: int, code: str = "S004", path=(), hint=None) -> Diagnostic:
    return Diagnostic(code, Severity.WARNING, "m", Location("f", line, col), path, hint)


def _range(diagnostic: Diagnostic, text: str = TEXT):
    lines = text.split("\n")
    r = diagnostic_range(diagnostic, build_outline(text), lines)
    return (r.start.line, r.start.character, r.end.line, r.end.character)


def test_a_scalar_is_underlined_whole_in_utf16_units() -> None:
    # the quoted title holds a character outside the BMP: two UTF-16 units in the editor
    assert _range(_diag(2, 8, path=("title",))) == (1, 7, 1, 16)


def test_unknown_key_is_underlined_at_the_key() -> None:
    assert _range(_diag(3, 7, "S002", ("name",))) == (2, 0, 2, 4)


def test_whole_file_and_mapping_diagnostics() -> None:
    assert _range(_diag(0, 0)) == (0, 0, 0, 14)  # line 0: the file's first line
    assert _range(_diag(5, 6, path=("params", "a"))) == (4, 5, 4, 18)  # a mapping: its line


def test_severity_code_hint_and_suggestion_reach_the_editor() -> None:
    found = to_lsp_diagnostic(
        _diag(3, 7, "S002", ("name",), "did you mean 'title'?"),
        build_outline(TEXT),
        TEXT.split("\n"),
    )
    assert found.severity == 2 and found.code == "S002" and found.source == "wfspec"
    assert found.message == "m\nhint: did you mean 'title'?"
    assert found.data == {"suggestion": "title"}


def test_suggestion_is_not_part_of_the_stable_json() -> None:
    diagnostic = _diag(1, 1, hint='did you mean "it\'s"?')
    assert diagnostic.suggestion == "it's"
    assert "suggestion" not in diagnostic.to_json()
    assert _diag(1, 1, hint="rename 'a' to 'b'").suggestion is None


def test_outline_of_text_that_would_crash_libyaml_is_empty() -> None:
    assert build_outline("a: " + "[" * 100_000).spans == []


def test_typing_context_on_half_typed_yaml() -> None:
    lines = [
        "kind: Workflow",
        "source_names: [monitor1, mo",
        "params:",
        "  x:",
        "    units: [ns, m",
        "examples:",
        "  - config:",
        "      x_axis: {workflow_id: du",
    ]
    assert typing_context(lines, 1, 27).keys == ["source_names"]
    context = typing_context(lines, 4, 17)
    assert context.keys == ["params", "x", "units"] and context.prefix == "m"
    assert typing_context(lines, 7, 31).keys[-3:] == ["config", "x_axis", "workflow_id"]


def test_parser_and_editor_lines_differ_at_a_unicode_line_separator() -> None:
    # the parser ends a line at U+2028; the editor does not: "b: 1" is parser line 2
    text = "a: 'x\u2028y'\nb: 1\nc: [2\u2029, 3]\n"
    outline = build_outline(text)
    assert outline.find(("b",), "key").start == (1, 0)  # editor coordinates
    assert outline.to_editor(2, 0) == (1, 0) and outline.to_editor(1, 1) == (0, 7)
    for editor in [(0, 0), (0, 7), (1, 0), (1, 3), (2, 5), (2, 6), (2, 9), (3, 0)]:
        assert outline.to_editor(*outline.to_parser(*editor)) == editor
    assert build_outline(TEXT).to_editor(3, 2) == (3, 2)  # no such character: unchanged


def test_quick_fix_keeps_the_quotes_after_an_astral_character() -> None:
    # the range counts UTF-16 units: the emoji before the value is two of them
    text = 'outputs: {a: {title: "😀", unit: "countz"}}\n'
    doc = OpenDocument("file:///w.yaml", None, text, 1)
    start = text.index('"countz"') + 1  # the UTF-16 column of the opening quote
    rng = Range(start=Position(line=0, character=start), end=Position(line=0, character=start + 8))
    diagnostic = LspDiagnostic(
        range=rng, message="m", source="wfspec", data={"suggestion": "counts"}
    )
    (action,) = quick_fixes(doc, [diagnostic])
    assert action.edit.changes["file:///w.yaml"][0].new_text == '"counts"'
