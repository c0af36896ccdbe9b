"""Shared helpers of the check tests: small spec sets written into tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SPECS = REPO / "specs"

INSTRUMENT = """\
kind: Instrument
name: tiny
title: Tiny instrument
sources:
  - {name: mon, kind: monitor}
"""

WORKFLOW = """\
kind: Workflow
instrument: tiny
name: counts
version: 1
group: monitor_data
title: Counts
source_names: [mon]
outputs:
  total: {title: Total, unit: counts, temporality: cumulative}
"""


@pytest.fixture
def spec_dir(tmp_path: Path) -> Path:
    """A clean two-file spec set (an instrument and one workflow)."""
    (tmp_path / "instrument.yaml").write_text(INSTRUMENT)
    (tmp_path / "counts.yaml").write_text(WORKFLOW)
    return tmp_path


@pytest.fixture
def workflow_text() -> str:
    """The text of the clean workflow of :func:`spec_dir` (to edit into broken variants)."""
    return WORKFLOW


@pytest.fixture(scope="session")
def shipped_specs() -> Path:
    return SPECS
