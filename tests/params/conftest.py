"""Fixtures of the params tests: YAML documents with positions, the dummy instrument's params."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from wfspec.compiler.diagnostics import Location
from wfspec.compiler.source import SourceDocument

ROOT = Path(__file__).resolve().parents[2]


def _plain(node: Any) -> Any:
    if isinstance(node, CommentedMap):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, CommentedSeq):
        return [_plain(v) for v in node]
    if type(node).__name__ == "ScalarFloat":
        return float(node)
    if isinstance(node, str):
        return str(node)
    if isinstance(node, bool):
        return bool(node)
    if isinstance(node, int):
        return int(node)
    return node


def yaml_document(text: str, file: str = "spec.yaml") -> SourceDocument:
    """A SourceDocument whose locator finds each node's line:col (1-based) in ``text``."""
    root = YAML(typ="rt").load(io.StringIO(text))

    def locate(path: tuple) -> Location:
        node, line, col = root, 1, 1
        for part in path:
            if isinstance(node, CommentedMap) and part in node:
                line, col = (
                    node.lc.value(part)
                    if not isinstance(node[part], (dict, list))
                    else node.lc.key(part)
                )
                node = node[part]
            elif isinstance(node, CommentedSeq) and isinstance(part, int) and part < len(node):
                line, col = node.lc.item(part)
                node = node[part]
            else:
                break
            line, col = line + 1, col + 1
        return Location(file, line, col)

    return SourceDocument(
        file=file, index=0, data=_plain(root), start=Location(file, 1, 1), locator=locate
    )


@pytest.fixture
def doc() -> Callable[[str], SourceDocument]:
    return yaml_document


def load_params(text: str) -> dict[str, Any]:
    """Plain data of a YAML params mapping (floats stay floats, ints stay ints)."""
    return YAML(typ="safe").load(io.StringIO(text))


DUMMY_PARAMS = YAML(typ="safe").load(ROOT / "tests" / "params" / "data" / "dummy_params.yaml")
"""workflow name -> {"params": ParamDefs as YAML data, "expected": the backend's default JSON}."""


@pytest.fixture(scope="session")
def dummy_params() -> dict[str, Any]:
    return DUMMY_PARAMS


def shipped_param_sets() -> list[tuple[str, dict[str, Any], bool]]:
    """(label, params, is_template_config) of every workflow and template config in specs/.

    Read straight from the YAML (``params_from`` sets first, then the workflow's own params, the
    order the spec language defines), so these tests do not depend on the spec-set loader.
    """
    documents = []
    for path in sorted((ROOT / "specs").rglob("*.y*ml")):
        documents += [d for d in YAML(typ="safe").load_all(path) if isinstance(d, dict)]
    param_sets = {
        d["name"]: d.get("params") or {} for d in documents if d.get("kind") == "ParamSet"
    }
    found = []
    for d in documents:
        if d.get("kind") == "Workflow":
            params: dict[str, Any] = {}
            for name in d.get("params_from") or ():
                params.update(param_sets[name])
            params.update(d.get("params") or {})
            found.append((f"{d['instrument']}/{d['name']}/{d['version']}", params, False))
        elif d.get("kind") == "WorkflowTemplate":
            found.append((f"template {d['name']} config", d.get("config") or {}, True))
    return found


SHIPPED = shipped_param_sets()


@pytest.fixture(scope="session")
def shipped_labels() -> set[str]:
    return {label for label, _, _ in SHIPPED}


COVERAGE_PARAMS = YAML(typ="safe").load(ROOT / "tests" / "params" / "data" / "coverage_params.yaml")


def all_param_sets() -> list[tuple[str, dict[str, Any]]]:
    """Every param set the property tests run over: fixtures and the shipped specs."""
    sets = [(f"dummy fixture {k}", v["params"]) for k, v in DUMMY_PARAMS.items()]
    sets += [(f"coverage fixture {k}", v) for k, v in COVERAGE_PARAMS.items()]
    sets += [(label, params) for label, params, _ in SHIPPED]
    return sets


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "shipped_param_set" in metafunc.fixturenames:
        metafunc.parametrize("shipped_param_set", SHIPPED, ids=[s[0] for s in SHIPPED])
    if "shipped_dummy_workflow" in metafunc.fixturenames:
        dummy = [
            (label.split("/")[1], params)
            for label, params, _ in SHIPPED
            if label.startswith("dummy/")
        ]
        metafunc.parametrize("shipped_dummy_workflow", dummy, ids=[d[0] for d in dummy])
    if "any_param_set" in metafunc.fixturenames:
        sets = all_param_sets()
        metafunc.parametrize("any_param_set", sets, ids=[s[0] for s in sets])
