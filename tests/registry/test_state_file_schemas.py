"""The state files' schemas come from the models in ``compiler/state_files.py`` (issue 13).

They were hand-written and accepted non-slug ids (``Dummy/x/1``) that the runtime then refused
at load time; now one rule (``ids.py``: lower-case slugs) holds in the models, the generated
schemas and the stores. Drift between models and committed schemas is caught by
``tests/language/test_language_schemas.py`` (``wfspec schemas --check``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft7Validator

from wfspec.compiler import WorkflowId
from wfspec.compiler.schema_gen import generate_all
from wfspec.runtime.instance_store import InstanceStore
from wfspec.runtime.yaml_store import StoreError

REPO = Path(__file__).resolve().parents[2]
GOOD_RECORD = {"job_number": "6f1c0000-0000-0000-0000-000000000001", "jobs": {}}
GOOD_INSTANCE = {"template": "correlation_histogram_1d", "config": {}}


def validator(name: str) -> Draft7Validator:
    return Draft7Validator(json.loads((REPO / "schemas" / name).read_text(encoding="utf-8")))


def test_state_file_schemas_are_generated() -> None:
    generated = generate_all()
    for name in ("jobs.schema.json", "instances.schema.json"):
        assert (REPO / "schemas" / name).read_text(encoding="utf-8") == generated[name]


@pytest.mark.parametrize("key", ["Dummy/x/1", "dummy/x", "dummy/x/0", "dummy/Monitor/1"])
def test_ids_follow_the_one_rule(key: str) -> None:
    with pytest.raises(ValueError):
        WorkflowId.parse(key)
    jobs = {"format_version": 1, "records": {key: GOOD_RECORD}}
    instances = {"format_version": 1, "instances": {key: GOOD_INSTANCE}}
    assert not validator("jobs.schema.json").is_valid(jobs)
    assert not validator("instances.schema.json").is_valid(instances)


def test_good_and_empty_files_validate() -> None:
    for name, section, entry in (
        ("jobs.schema.json", "records", GOOD_RECORD),
        ("instances.schema.json", "instances", GOOD_INSTANCE),
    ):
        check = validator(name)
        assert check.is_valid({"format_version": 1, section: {"dummy/x_y/2": entry}})
        assert check.is_valid({"format_version": 1, section: None})


def test_a_non_slug_instance_id_is_named_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "instances.yaml"
    path.write_text(
        "format_version: 1\ninstances:\n  Dummy/x/1:\n    template: t\n    config: {}\n"
    )
    with pytest.raises(StoreError, match=r"instances.yaml:3:3: .*'Dummy/x/1' is not a workflow"):
        InstanceStore(path).load()


def test_the_bundle_schema_is_generated_and_the_model_reads_the_shipped_bundle(
    shipped_bundle_path: Path,
) -> None:
    from wfspec.compiler.bundle_model import BundleFile

    assert (REPO / "schemas" / "bundle.schema.json").read_text(encoding="utf-8") == (
        generate_all()["bundle.schema.json"]
    )
    document = json.loads(shipped_bundle_path.read_bytes())
    BundleFile.model_validate(document)  # the model and the schema describe the same bundle
    assert validator("bundle.schema.json").is_valid(document)
