"""schemas/ and docs/spec-language.md are generated from the models, draft-07, and helpful."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft7Validator
from jsonschema.exceptions import best_match
from pydantic import ValidationError

from wfspec.compiler.documents import TemplateWorkflow, Workflow, WorkflowTemplate
from wfspec.compiler.schema_gen import generated_files, main

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def generated() -> dict[Path, str]:
    return generated_files(REPO)


@pytest.fixture(scope="module")
def umbrella() -> Draft7Validator:
    text = (REPO / "schemas" / "wfspec.schema.json").read_text(encoding="utf-8")
    return Draft7Validator(json.loads(text))


def test_committed_schemas_match_the_models(generated: dict[Path, str]) -> None:
    for path, text in generated.items():
        if path.suffix == ".json":
            assert path.read_text(encoding="utf-8") == text, (
                f"{path.name} drifted from compiler/documents.py: run `wfspec schemas`"
            )


def test_language_reference_is_not_stale(generated: dict[Path, str]) -> None:
    path = REPO / "docs" / "spec-language.md"
    assert path.read_text(encoding="utf-8") == generated[path], "run `wfspec schemas`"


def test_check_mode_reports_a_stale_file(tmp_path: Path, generated: dict[Path, str]) -> None:
    from wfspec.compiler.schema_gen import write_or_check

    assert {p.name for p in write_or_check(check=True, root=tmp_path)} == {
        p.name for p in generated
    }
    assert write_or_check(check=False, root=tmp_path)
    assert write_or_check(check=True, root=tmp_path) == []
    (tmp_path / "schemas" / "workflow.schema.json").write_text("{}\n", encoding="utf-8")
    assert [p.name for p in write_or_check(check=True, root=tmp_path)] == ["workflow.schema.json"]


def test_module_entry_point_checks(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--check"]) == 0


def test_schemas_are_draft07_with_stable_ids() -> None:
    ids = set()
    for path in sorted((REPO / "schemas").glob("*.schema.json")):
        text = path.read_text(encoding="utf-8")
        schema = json.loads(text)
        Draft7Validator.check_schema(schema)
        assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
        assert schema["$id"].endswith("/" + path.name)
        assert "$defs" not in text and "discriminator" not in text
        assert text.endswith("}\n")
        ids.add(schema["$id"])
    assert len(ids) == len(list((REPO / "schemas").glob("*.schema.json")))  # ids are unique


def test_every_property_has_title_and_description() -> None:
    schema = json.loads((REPO / "schemas" / "wfspec.schema.json").read_text(encoding="utf-8"))
    missing = [
        f"{name}.{prop}"
        for name, definition in schema["definitions"].items()
        for prop, node in definition.get("properties", {}).items()
        if not (node.get("title") and node.get("description"))
    ]
    assert missing == []


def _workflow(**changes: object) -> dict:
    doc = {
        "kind": "Workflow",
        "instrument": "dummy",
        "name": "w",
        "version": 1,
        "group": "g",
        "title": "W",
        "source_names": ["monitor1"],
        "outputs": {"o": {"title": "O"}},
    }
    doc.update(changes)
    return doc


def test_discriminated_param_reports_the_chosen_branch(umbrella: Draft7Validator) -> None:
    doc = _workflow(params={"e": {"type": "edges", "units": ["ms"], "num_bins": 3}})
    error = best_match(umbrella.iter_errors(doc))
    assert list(error.absolute_path) == ["params", "e"]
    assert "num_bins" in error.message and "Additional properties" in error.message
    doc = _workflow(params={"e": {"type": "edgs"}})
    error = best_match(umbrella.iter_errors(doc))
    assert list(error.absolute_path) == ["params", "e", "type"]
    assert "'edges'" in error.message


def test_unknown_kind_and_bad_names_are_errors(umbrella: Draft7Validator) -> None:
    error = best_match(umbrella.iter_errors({"kind": "Workflw"}))
    assert list(error.absolute_path) == ["kind"]
    assert "'Workflow'" in error.message
    errors = list(umbrella.iter_errors(_workflow(outputs={"Bad-Name": {"title": "x"}})))
    assert errors and all(list(e.absolute_path)[:1] == ["outputs"] for e in errors)
    # source names are free strings, as the facility spells them
    assert list(umbrella.iter_errors(_workflow(source_names=["bwc/delay", "SOM"]))) == []


def _template(**body_changes: object) -> dict:
    body = {k: v for k, v in _workflow().items() if k != "kind"}
    body.update(body_changes)
    return {
        "kind": "WorkflowTemplate",
        "name": "t",
        "title": "T",
        "config": {"x_axis": {"type": "timeseries"}},
        "workflow": body,
    }


def test_template_body_takes_expressions_for_scalars(umbrella: Draft7Validator) -> None:
    doc = _template(
        version="{{ config.version }}",
        name="{{ config.x_axis.source_name | slug }}_h",
        reset_on_run_transition="{{ config.reset }}",
        source_names={"from": "timeseries", "except": ["x_axis"]},
        params={
            "x": {
                "type": "edges",
                "unit": "{{ config.x_unit }}",
                "default": {"start": "{{ config.x_start }}", "stop": 1.0, "num_bins": 50},
            }
        },
        outputs={"h": {"title": "H", "temporality": "{{ config.t }}"}},
    )
    assert list(umbrella.iter_errors(doc)) == []
    template = WorkflowTemplate.model_validate(doc)
    assert template.workflow.source_names.except_ == ["x_axis"]


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"version": "one"}, ["workflow", "version"]),
        ({"outputs": {"h": {"title": "H", "temporalty": "window"}}}, ["workflow", "outputs", "h"]),
        ({"params": {"x": {"type": "bool", "defualt": True}}}, ["workflow", "params", "x"]),
        ({"source_names": {"from": "outputs"}}, ["workflow", "source_names"]),
        ({"kind": "Workflow"}, ["workflow"]),
    ],
)
def test_template_body_still_catches_mistakes(
    umbrella: Draft7Validator, change: dict, path: list
) -> None:
    doc = _template(**change)
    errors = list(umbrella.iter_errors(doc))
    assert errors
    assert list(best_match(errors).absolute_path)[: len(path)] == path
    with pytest.raises(ValidationError):
        TemplateWorkflow.model_validate(doc["workflow"])


def test_workflow_model_keeps_strict_structure() -> None:
    with pytest.raises(ValidationError, match="extra"):
        Workflow.model_validate(_workflow(sources=["x"]))
    with pytest.raises(ValidationError, match="pattern"):
        Workflow.model_validate(_workflow(name="Monitor"))
    assert str(Workflow.model_validate(_workflow()).id) == "dummy/w/1"


def test_model_examples_are_valid_documents(umbrella: Draft7Validator) -> None:
    schema = json.loads((REPO / "schemas" / "wfspec.schema.json").read_text(encoding="utf-8"))
    for kind in umbrella.schema["properties"]["kind"]["enum"]:
        for example in schema["definitions"][kind].get("examples", []):
            assert list(umbrella.iter_errors(example)) == [], kind
