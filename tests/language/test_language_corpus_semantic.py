"""The semantic fixtures of tests/corpus/broken: each yields its code at its line.

Each fixture is checked together with the shipped specs (as the corpus harness of
``wfspec check`` does). Here only the R/U fixtures are run, through parse + resolve, and each is
also required to be structurally valid, so the semantic code is really what a user sees.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from jsonschema import Draft7Validator
from ruamel.yaml import YAML

REPO = Path(__file__).resolve().parents[2]
EXPECT = re.compile(r"^# expect: (?P<code>[A-Z]\d{3}) line (?P<line>\d+)\s*$")


def _expectations(path: Path) -> list[tuple[str, int]]:
    out = []
    for line in path.read_bytes().decode("utf-8", errors="replace").splitlines():
        match = EXPECT.match(line)
        if not match:
            break
        out.append((match["code"], int(match["line"])))
    return out


FIXTURES = [
    path
    for path in sorted((REPO / "tests" / "corpus" / "broken").glob("*.yaml"))
    if any(code[0] in "RU" and code[1] in "0123456789" for code, _ in _expectations(path))
    and not any(code[0] not in "RU" for code, _ in _expectations(path))
]


def test_every_resolve_code_has_a_fixture() -> None:
    from wfspec.compiler.diagnostics import CODES

    covered = {code for path in FIXTURES for code, _ in _expectations(path)}
    ours = {c for c in CODES if c[0] == "R" or c.startswith("U2")}
    assert ours - covered == {"R014"}  # unreachable after the schema; unit-tested instead


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_fixture_yields_its_code_at_its_line(path: Path, check_extra) -> None:
    text = path.read_text(encoding="utf-8")
    schema = json.loads((REPO / "schemas" / "wfspec.schema.json").read_text(encoding="utf-8"))
    for doc in YAML(typ="safe").load_all(text):
        assert list(Draft7Validator(schema).iter_errors(doc)) == [], "must be structurally valid"
    diagnostics = check_extra(text, file=path.name)
    found = {(d.code, d.line) for d in diagnostics if d.file == path.name}
    for expected in _expectations(path):
        assert expected in found, f"{path.name}: expected {expected}, got {sorted(found)}"
    for diagnostic in diagnostics:
        assert diagnostic.hint, f"{diagnostic.code} has no hint"
