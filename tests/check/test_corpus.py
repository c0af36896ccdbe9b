"""The broken-spec corpus: every fixture yields exactly its expected codes at its lines.

Each ``tests/corpus/broken/<name>.yaml`` starts with ``# expect: CODE line N`` comment lines
(format: tests/corpus/README.md). The fixture is checked inside the shipped spec set (so fixtures
may refer to the dummy instrument and its ParamSets), exactly as ``wfspec check --spec-root specs
fixture.yaml`` would: the diagnostics reported must be the expected ones, no more and no fewer.
No input may produce an internal error (I001) anywhere.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from wfspec.compiler.checker import check_paths
from wfspec.compiler.loader import display_name

REPO = Path(__file__).resolve().parents[2]
SPECS = REPO / "specs"
CORPUS = REPO / "tests" / "corpus" / "broken"
EXPECT = re.compile(rb"^#\s*expect:\s*([A-Z]\d{3})\s+line\s+(\d+)\s*$")


def expectations(path: Path) -> list[tuple[str, int]]:
    """The ``(code, line)`` pairs of the leading comment block (read as bytes: fixtures may be
    deliberately not UTF-8)."""
    found = []
    for raw in path.read_bytes().splitlines():
        if not raw.startswith(b"#"):
            break
        match = EXPECT.match(raw.strip())
        if match:
            found.append((match.group(1).decode(), int(match.group(2))))
    return found


FIXTURES = sorted(CORPUS.glob("*.y*ml"))


def test_the_corpus_covers_every_load_and_structure_code() -> None:
    expected = {code for path in FIXTURES for code, _ in expectations(path)}
    wanted = {f"L00{i}" for i in range(1, 10)} | {f"S00{i}" for i in range(1, 8)}
    assert wanted <= expected


@pytest.mark.parametrize("fixture", FIXTURES, ids=[p.name for p in FIXTURES])
def test_fixture_yields_its_expected_diagnostics(fixture: Path) -> None:
    expected = expectations(fixture)
    assert expected, f"{fixture.name} has no '# expect: CODE line N' header"
    result = check_paths([fixture], spec_root=SPECS)
    internal = [f"{d.location} {d.message}" for d in result.diagnostics if d.code.startswith("I")]
    assert internal == []
    name = display_name(fixture)
    assert {d.file for d in result.diagnostics} <= {name}
    reported = sorted((d.code, d.line) for d in result.diagnostics)
    assert reported == sorted(expected), "\n".join(
        [f"{fixture.name}: expected {sorted(expected)}, got {reported}:"]
        + [f"  {d.location}: {d.code} {d.message}" for d in result.diagnostics]
    )


def test_the_shipped_spec_set_is_clean() -> None:
    """The context every fixture is checked in has no problem of its own."""
    result = check_paths([SPECS])
    assert result.diagnostics == [] and result.hidden == 0
