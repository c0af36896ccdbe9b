"""Print how long the params type system takes: scipp import, model/form build, defaults check.

Run: .venv/bin/python benchmarks/params_build.py
Budget context: loading a bundle has 100 ms in total, so building the params models of the
shipped set must be a small part of it (models are cached by a digest of their defs).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[1]


def shipped_param_sets() -> list[tuple[str, dict]]:
    docs = []
    for path in sorted((ROOT / "specs").rglob("*.y*ml")):
        docs += [d for d in YAML(typ="safe").load_all(path) if isinstance(d, dict)]
    sets = {d["name"]: d.get("params") or {} for d in docs if d.get("kind") == "ParamSet"}
    out = []
    for d in docs:
        if d.get("kind") == "Workflow":
            params: dict = {}
            for name in d.get("params_from") or ():
                params.update(sets[name])
            params.update(d.get("params") or {})
            out.append((f"{d['instrument']}/{d['name']}/{d['version']}", params))
        elif d.get("kind") == "WorkflowTemplate":
            out.append((d["name"], d.get("config") or {}))
    return out


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:8.2f} ms"


def main() -> None:
    code = "import time; t=time.perf_counter(); import scipp; print(time.perf_counter()-t)"
    scipp_s = float(
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout
    )
    print(f"scipp import (fresh interpreter):      {ms(scipp_s)}")

    from wfspec.compiler import params_model
    from wfspec.compiler.diagnostics import Location
    from wfspec.compiler.forms import build_form
    from wfspec.compiler.params_check import check_param_defs
    from wfspec.compiler.params_model import build_params_model, coerce_defs
    from wfspec.compiler.source import SourceDocument

    sets = shipped_param_sets()
    parsed = [(label, coerce_defs(p)) for label, p in sets]
    print(f"param sets in specs/:                  {len(sets):5d}")

    start = time.perf_counter()
    for label, defs in parsed:
        build_params_model(label, defs)
    cold = time.perf_counter() - start
    print(f"build_params_model, all, cold:         {ms(cold)}")

    start = time.perf_counter()
    for _ in range(20):
        for label, defs in parsed:
            build_params_model(label, defs)
    print(f"build_params_model, all, cached:       {ms((time.perf_counter() - start) / 20)}")

    params_model._MODELS.clear()
    start = time.perf_counter()
    for label, defs in parsed:
        model = build_params_model(label, defs)
        if not any(f.is_required() for f in model.model_fields.values()):
            model().model_dump(mode="json")
    warm = time.perf_counter() - start
    print(f"build + defaults dump, top-level cache cleared (nested models shared): {ms(warm)}")
    print(f"  per param set:                       {ms(warm / len(parsed))}")

    start = time.perf_counter()
    for label, defs in parsed:
        build_form(defs, name=label)
    print(f"build_form, all (models cached):       {ms(time.perf_counter() - start)}")

    doc = SourceDocument("b", 0, {}, Location("b"), lambda p: Location("b"))
    start = time.perf_counter()
    for _, defs in parsed:
        check_param_defs(defs, doc, ("params",), allow_timeseries=True)
    print(f"check_param_defs, all:                 {ms(time.perf_counter() - start)}")
    print(f"scipp imported by the check:           {'scipp' in sys.modules}")


if __name__ == "__main__":
    main()
