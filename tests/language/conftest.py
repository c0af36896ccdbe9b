"""Fixtures of the language tests: YAML text -> SourceDocuments with real positions.

A small round-trip loader (not the production loader, which H1's tests cover) so that the
resolve tests can assert the line of each diagnostic independently of the loader's fast path.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from wfspec.compiler.diagnostics import Diagnostic, Location
from wfspec.compiler.resolve import check_spec_set
from wfspec.compiler.source import SourceDocument
from wfspec.compiler.specset import SpecSet, build_spec_set

REPO = Path(__file__).resolve().parents[2]
SPECS = REPO / "specs"


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def _locator(file: str, root: Any, start: tuple[int, int]) -> Callable[..., Location]:
    def locate(path: tuple[str | int, ...]) -> Location:
        node, line, col = root, start[0], start[1]
        for part in path:
            if isinstance(node, CommentedMap) and part in node:
                pos = node.lc.value(part) if not isinstance(node[part], dict | list) else None
                line, col = pos if pos else node.lc.key(part)
                node = node[part]
            elif isinstance(node, CommentedSeq) and isinstance(part, int) and part < len(node):
                line, col = node.lc.item(part)
                node = node[part]
            else:
                break
        return Location(file, line + 1, col + 1)

    return locate


def load_text(text: str, file: str = "test.yaml") -> list[SourceDocument]:
    """Every document of ``text`` as a SourceDocument with 1-based positions."""
    yaml = YAML()
    docs = []
    for index, data in enumerate(yaml.load_all(io.StringIO(text))):
        start = (data.lc.line, data.lc.col) if hasattr(data, "lc") else (0, 0)
        docs.append(
            SourceDocument(
                file=file,
                index=index,
                data=_plain(data),
                start=Location(file, start[0] + 1, start[1] + 1),
                locator=_locator(file, data, start),
            )
        )
    return docs


def load_paths(paths: list[Path]) -> list[SourceDocument]:
    docs: list[SourceDocument] = []
    for path in paths:
        docs += load_text(path.read_text(encoding="utf-8"), str(path.relative_to(REPO)))
    return docs


def shipped_documents() -> list[SourceDocument]:
    return load_paths(sorted(SPECS.rglob("*.yaml")))


def check_with_shipped(text: str, file: str = "extra.yaml") -> list[Diagnostic]:
    """Parse + resolve the shipped specs together with ``text``; every diagnostic."""
    spec_set, diagnostics = build_spec_set(shipped_documents() + load_text(text, file))
    return diagnostics + check_spec_set(spec_set)


@pytest.fixture(scope="session")
def shipped_spec_set() -> SpecSet:
    spec_set, diagnostics = build_spec_set(shipped_documents())
    assert diagnostics == []
    return spec_set


@pytest.fixture(scope="session")
def check_extra() -> Callable[..., list[Diagnostic]]:
    """``check_extra(yaml_text)``: diagnostics of the shipped specs plus that document."""
    return check_with_shipped


@pytest.fixture(scope="session")
def load_yaml() -> Callable[..., list[SourceDocument]]:
    """``load_yaml(text, file)``: SourceDocuments with positions."""
    return load_text


@pytest.fixture(scope="session")
def shipped_docs() -> list[SourceDocument]:
    return shipped_documents()
