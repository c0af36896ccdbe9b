"""The shipped specs plus more correlation axes, for benchmarks that need many instances.

A correlation template instance must name a real timeseries (``Template.validate_config`` refuses
an axis no workflow publishes), and its id comes from the axis' source. So tests and benchmarks
that create hundreds of instances compile the shipped specs with extra ``log`` sources of the
dummy instrument, each published by ``dummy/timeseries_data/1`` as ``delta``. The tests use
this module too (``axes_specs_factory`` in ``tests/conftest.py``; ``benchmarks/`` is on pytest's
``pythonpath``).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_SHIPPED = "source_names: [motion1, motion2]"


def specs_with_axes(dest: Path, names: Iterable[str]) -> Path:
    """A copy of ``specs/`` in ``dest`` whose dummy instrument has log sources ``names`` too."""
    names = list(names)
    folder = dest / "specs"
    shutil.copytree(ROOT / "specs", folder)
    instrument = folder / "dummy" / "instrument.yaml"
    lines = "".join(f"  - {{name: {name}, kind: log, unit: mm}}\n" for name in names)
    instrument.write_text(instrument.read_text(encoding="utf-8") + lines, encoding="utf-8")
    reduction = folder / "dummy" / "reduction.yaml"
    text = reduction.read_text(encoding="utf-8")
    assert text.count(_SHIPPED) == 1, "specs/dummy/reduction.yaml changed: update this helper"
    extended = f"source_names: [motion1, motion2, {', '.join(names)}]"
    reduction.write_text(text.replace(_SHIPPED, extended), encoding="utf-8")
    return folder
