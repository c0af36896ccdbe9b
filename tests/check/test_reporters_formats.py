"""Reporters: the text layout, the stable JSON shape, GitHub annotations and SARIF 2.1.0."""

from __future__ import annotations

import io
import json

import pytest

from wfspec.compiler.checker import CheckResult
from wfspec.compiler.diagnostics import CODES, Diagnostic, Location, Severity
from wfspec.compiler.reporters import FORMATS, get_reporter


@pytest.fixture
def result() -> CheckResult:
    diagnostics = [
        Diagnostic(
            "S002",
            Severity.ERROR,
            "unknown key 'titel'",
            Location("specs/a.yaml", 6, 8),
            path=("params", "x", "titel"),
            hint="did you mean 'title'?",
        ),
        Diagnostic(
            "R001",
            Severity.ERROR,
            "duplicate ParamSet 'p': 50%, a, b",
            Location("specs/b.yaml", 3, 7),
            path=("name",),
            related=(Location("specs/a.yaml", 2, 7),),
        ),
        Diagnostic(
            "R013", Severity.WARNING, "service repeats the group", Location("specs/b.yaml", 9, 10)
        ),
        Diagnostic("L005", Severity.ERROR, "the file is empty", Location("specs/empty.yaml")),
    ]
    return CheckResult(
        diagnostics=diagnostics,
        files=["specs/a.yaml", "specs/b.yaml", "specs/empty.yaml"],
        documents=2,
    )


def render(name: str, result: CheckResult, **options) -> str:
    stream = io.StringIO()
    get_reporter(name)(result, stream, **options)
    return stream.getvalue()


def test_registry_knows_every_format() -> None:
    assert set(FORMATS) == {"text", "json", "github", "sarif"}
    with pytest.raises(KeyError):
        get_reporter("xml")


def test_text_groups_by_file_with_hints_and_summary(result: CheckResult) -> None:
    text = render("text", result)
    assert text.splitlines() == [
        "specs/a.yaml:6:8: error S002 unknown key 'titel'",
        "    hint: did you mean 'title'?",
        "",
        "specs/b.yaml:3:7: error R001 duplicate ParamSet 'p': 50%, a, b",
        "    see: specs/a.yaml:2:7",
        "specs/b.yaml:9:10: warning R013 service repeats the group",
        "",
        "specs/empty.yaml: error L005 the file is empty",
        "",
        "3 errors, 1 warning in 3 files",
    ]
    assert "\x1b[" not in text  # no colour codes when not asked


def test_text_colour_uses_ansi_codes(result: CheckResult) -> None:
    coloured = render("text", result, color=True)
    assert "\x1b[" in coloured and "3 errors, 1 warning in 3 files" in coloured


def test_text_clean_summary() -> None:
    clean = CheckResult(diagnostics=[], files=["a.yaml"], documents=3)
    assert render("text", clean) == "no problems in 1 file (3 documents)\n"


def test_json_shape_is_stable(result: CheckResult) -> None:
    data = json.loads(render("json", result))
    assert list(data) == ["version", "summary", "files", "diagnostics"]
    assert data["version"] == 1
    assert data["summary"] == {
        "files": 3,
        "documents": 2,
        "errors": 3,
        "warnings": 1,
        "infos": 0,
        "hidden": 0,
    }
    first = data["diagnostics"][0]
    assert first == {
        "code": "S002",
        "severity": "error",
        "file": "specs/a.yaml",
        "line": 6,
        "col": 8,
        "path": "$.params.x.titel",
        "message": "unknown key 'titel'",
        "hint": "did you mean 'title'?",
        "related": [],
    }
    assert data["diagnostics"][1]["related"] == [{"file": "specs/a.yaml", "line": 2, "col": 7}]


def test_github_annotations_are_escaped(result: CheckResult) -> None:
    lines = render("github", result).splitlines()
    assert lines[0] == (
        "::error file=specs/a.yaml,line=6,col=8,title=S002::unknown key 'titel'%0A"
        "hint: did you mean 'title'?"
    )
    assert (
        lines[1]
        == "::error file=specs/b.yaml,line=3,col=7,title=R001::duplicate ParamSet 'p': 50%25, a, b"
    )
    assert lines[2].startswith("::warning file=specs/b.yaml,line=9,col=10,title=R013::")
    assert lines[3] == "::error file=specs/empty.yaml,title=L005::the file is empty"
    assert lines[-1] == "3 errors, 1 warning in 3 files"


def test_sarif_has_the_2_1_0_shape(result: CheckResult) -> None:
    log = json.loads(render("sarif", result))
    assert log["version"] == "2.1.0" and "sarif-2.1.0" in log["$schema"]
    [run] = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "wfspec"
    rule_ids = [rule["id"] for rule in driver["rules"]]
    assert rule_ids == sorted({"S002", "R001", "R013", "L005"})
    assert all(rule["shortDescription"]["text"] == CODES[rule["id"]] for rule in driver["rules"])
    results = run["results"]
    assert [r["level"] for r in results] == ["error", "error", "warning", "error"]
    for item in results:
        assert rule_ids[item["ruleIndex"]] == item["ruleId"]
        assert item["message"]["text"]
        [location] = item["locations"]
        assert location["physicalLocation"]["artifactLocation"]["uri"].startswith("specs/")
    assert results[0]["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 6,
        "startColumn": 8,
    }
    assert "region" not in results[3]["locations"][0]["physicalLocation"]
    assert results[1]["relatedLocations"][0]["physicalLocation"]["region"]["startLine"] == 2
