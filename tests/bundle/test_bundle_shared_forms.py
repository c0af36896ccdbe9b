"""Entries with equal ParamDefs share the work of their forms and defaults, never their data."""

from __future__ import annotations

import json
from pathlib import Path

from bench_compile import generate

from wfspec.compiler import compile_paths
from wfspec.compiler.bundle import bundle_from_document
from wfspec.compiler.forms import build_form


def _ids(value: object, into: set[int]) -> set[int]:
    """ids of every dict and list inside ``value``."""
    if isinstance(value, dict | list):
        into.add(id(value))
        for item in value.values() if isinstance(value, dict) else value:
            _ids(item, into)
    return into


def test_equal_param_defs_give_the_forms_and_defaults_built_one_by_one(tmp_path: Path) -> None:
    generate(tmp_path, 4)  # four workflows and four templates, each kind with equal defs
    document = compile_paths([tmp_path]).document
    bundle = bundle_from_document(json.loads(json.dumps(document)))
    for wid, spec in bundle.workflows.items():
        entry = document["workflows"][str(wid)]
        form = spec.form()  # built alone, without the bundle's memo
        assert entry["params_schema"] == form.json_schema
        assert entry["ui_schema"] == form.ui_schema
        assert entry["defaults"] == spec.params().model_dump(mode="json")
    for name, template in bundle.templates.items():
        form = template.config_form()
        assert document["templates"][name]["config_schema"] == form.json_schema
    seen: set[int] = set()
    for entry in [*document["workflows"].values(), *document["templates"].values()]:
        mine = _ids(entry, set())
        assert not mine & seen  # no dict or list is shared by two entries
        seen |= mine


def test_a_memoized_form_is_a_copy_with_its_own_title() -> None:
    defs = {"x": {"type": "float", "default": 1.0, "unit": "mm"}}
    memo: dict = {}
    first = build_form(defs, title="First", memo=memo)
    second = build_form(defs, name="other", title="Second", description="d", memo=memo)
    assert len(memo) == 1
    assert first == build_form(defs, title="First")
    assert second == build_form(defs, name="other", title="Second", description="d")
    assert first.json_schema["properties"] is not second.json_schema["properties"]
