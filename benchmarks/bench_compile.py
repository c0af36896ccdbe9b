"""Time the compiler and the bundle API: compile, instantiate and load_bundle.

Run: .venv/bin/python benchmarks/bench_compile.py [--repeats 5] [--count 1000] [--check]

Printed, then summed up as rows with their targets (issues 3 and 14); ``--check`` exits 1 when a
target is missed:

1. ``compile_paths(["specs"])`` of the shipped set, in-process: the first call (it pays for lazy
   imports such as scipp) and the median of warm calls; also ``wfspec compile`` as a command.
2. the same for a generated set of ``--count`` WorkflowTemplates plus ``--count`` Workflows (one
   Instrument, documents spread over 40 files), written to a temp folder.
3. ``Template.instantiate`` per call after the first call (target <= 1 ms): p50/p99 over distinct
   configs (each renders, validates and builds a new spec) and over one repeated config (the
   memoized path a dashboard hits when it redraws).
4. ``load_bundle`` of the shipped bundle (target <= 100 ms, excluding interpreter start): the
   first load in a fresh interpreter (timed inside it, imports of wfspec included) and warm loads.
5. scaling: warm compile of ``--count`` templates + ``--count`` workflows (target <= 2 s), and
   its cost per document against a set ten times smaller of the same shape (target: within
   20 %, ratio <= 1.2).
6. ``load_bundle`` of a bundle of ``2 x --count`` workflows (and as many templates), first call
   in a fresh interpreter, imports excluded (target <= 100 ms).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

INSTRUMENT = """\
kind: Instrument
name: benchinst
title: Benchmark instrument
sources:
{sources}
"""

WORKFLOW = """\
kind: Workflow
instrument: benchinst
name: workflow_{n}
version: 1
group: detector_data
title: Workflow {n}
description: Detector counts of bank {n} binned by time of arrival.
source_names: [bank_{a}, bank_{b}]
params:
  toa_edges:
    type: edges
    title: Time-of-arrival bins
    units: [ns, us, μs, ms, s]
    default: {{start: 0.0, stop: 71.43, num_bins: 100, scale: linear, unit: ms}}
  mode:
    type: choice
    choices: [{{value: toa, title: Time of arrival}}, {{value: wavelength, title: Wavelength}}]
    default: toa
  threshold: {{type: float, min: 0, default: 0.5, unit: counts}}
outputs:
  cumulative: {{title: Counts (cumulative), dims: [toa], unit: counts, temporality: cumulative}}
  current: {{title: Counts (current), dims: [toa], unit: counts, temporality: window}}
  total: {{title: Total (current), unit: counts, temporality: window}}
"""

TEMPLATE = """\
kind: WorkflowTemplate
name: template_{n}
title: Template {n}
config:
  axis: {{type: timeseries, title: Axis}}
  unit: {{type: string, default: mm}}
  stop: {{type: float, default: 1.0}}
workflow:
  instrument: "{{{{ config.axis.workflow_id.instrument }}}}"
  name: "t{n}_{{{{ config.axis.source_name | slug }}}}"
  version: 1
  group: correlation
  title: "{{{{ config.axis.source_name | title }}}} histogram {n}"
  source_names: {{from: timeseries, except: [axis]}}
  params:
    x_edges:
      type: edges
      unit: "{{{{ config.unit }}}}"
      default:
        start: 0.0
        stop: "{{{{ config.stop }}}}"
        num_bins: 50
        scale: linear
        unit: "{{{{ config.unit }}}}"
  executor: correlation_histogram
  outputs:
    histogram: {{title: Histogram}}
examples:
  - config:
      axis: {{workflow_id: benchinst/workflow_0/1, source_name: bank_0, output_name: total}}
    expect: {{id: benchinst/t{n}_bank_0/1}}
"""


def generate(folder: Path, count: int, files: int | None = None) -> int:
    """``count`` workflows and ``count`` templates over ``files`` files; returns documents.

    ``files`` defaults to one file per 50 documents, so sets of different sizes differ in the
    number of files, not in their shape (the scaling row compares cost per document).
    """
    files = files if files is not None else max(1, (2 * count) // 50)
    banks = max(2, count // 4)
    sources = "\n".join(f"  - {{name: bank_{i}, kind: detector}}" for i in range(banks))
    (folder / "instrument.yaml").write_text(INSTRUMENT.format(sources=sources), encoding="utf-8")
    documents = [WORKFLOW.format(n=n, a=n % banks, b=(n + 1) % banks) for n in range(count)] + [
        TEMPLATE.format(n=n) for n in range(count)
    ]
    per_file = -(-len(documents) // files)
    for index in range(files):
        chunk = documents[index * per_file : (index + 1) * per_file]
        if chunk:
            text = "---\n".join(chunk)
            (folder / f"set_{index:02d}.yaml").write_text(text, encoding="utf-8")
    return len(documents) + 1


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:.2f} ms"


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def time_calls(call: Callable[[], object], repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return times


def bench_compile(label: str, folder: Path, repeats: int) -> None:
    from wfspec.compiler import compile_paths

    start = time.perf_counter()
    result = compile_paths([folder])
    first = time.perf_counter() - start
    if not result.ok:
        problems = [str(d) for d in result.check.diagnostics[:5]]
        raise SystemExit(f"{label} does not compile: {problems}")
    warm = time_calls(lambda: compile_paths([folder]), repeats)
    document = result.document
    size = len(result.data or b"")
    print(
        f"compile {label}: {len(document['workflows'])} workflows, "
        f"{len(document['templates'])} templates, {size:,} bytes: "
        f"first {first:.3f} s, warm median {statistics.median(warm):.3f} s"
    )
    with tempfile.TemporaryDirectory() as out:
        command = [str(BIN / "wfspec"), "compile", str(folder), "-o", out]
        runs = []
        for _ in range(max(1, repeats // 2)):
            start = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            runs.append(time.perf_counter() - start)
    print(
        "  'wfspec compile' command (with interpreter start): "
        f"median {statistics.median(runs):.3f} s"
    )


def bench_instantiate(bundle_file: Path, calls: int) -> list[Row]:
    from wfspec.compiler import load_bundle

    bundle = load_bundle(bundle_file)
    name = "correlation_histogram_1d"
    axis = {"workflow_id": "dummy/timeseries_data/1", "output_name": "delta"}
    start = time.perf_counter()
    bundle.instantiate(name, {"x_axis": {**axis, "source_name": "motion1"}, "x_unit": "mm"})
    first = time.perf_counter() - start

    distinct = []
    for i in range(calls):
        config = {
            "x_axis": {**axis, "source_name": "motion1"},  # x_stop makes each config new
            "x_unit": "mm",
            "x_stop": i + 1.0,
        }
        start = time.perf_counter()
        bundle.instantiate(name, config)
        distinct.append(time.perf_counter() - start)
    repeated_config = {"x_axis": {**axis, "source_name": "motion2"}, "x_unit": "deg"}
    bundle.instantiate(name, repeated_config)
    repeated = time_calls(lambda: bundle.instantiate(name, repeated_config), calls)
    verdict = "met" if _percentile(distinct, 0.5) <= 1e-3 else "MISSED"
    print(f"instantiate {name} (first call {_ms(first)}; target <= 1 ms after the first call):")
    print(
        f"  {calls} distinct configs: p50 {_ms(_percentile(distinct, 0.5))}, "
        f"p99 {_ms(_percentile(distinct, 0.99))}  [{verdict}]"
    )
    print(
        f"  {calls} repeated calls, one config: p50 {_ms(_percentile(repeated, 0.5))}, "
        f"p99 {_ms(_percentile(repeated, 0.99))}"
    )
    spec = bundle.instantiate(name, repeated_config)
    start = time.perf_counter()
    spec.params().model_dump(mode="json")
    took = time.perf_counter() - start
    print(f"  first params() + model_dump of an instance (builds its model): {_ms(took)}")
    return [
        Row(
            "Template.instantiate after the first call, p50",
            _percentile(distinct, 0.5) * 1e3,
            "ms",
            1.0,
        )
    ]


COLD_LOAD = """\
import sys, time
start = time.perf_counter()
from pydantic import BaseModel
mark = time.perf_counter()
from wfspec.compiler import load_bundle
imported = time.perf_counter()
bundle = load_bundle(sys.argv[1])
done = time.perf_counter()
print(mark - start, imported - mark, done - imported)
"""


def cold_load_medians(bundle_file: Path, repeats: int) -> tuple[float, ...]:
    """Medians of (pydantic import, wfspec import, first load_bundle) in fresh interpreters."""
    runs = []
    for _ in range(max(3, repeats)):
        done = subprocess.run(
            [sys.executable, "-c", COLD_LOAD, str(bundle_file)],
            check=True,
            capture_output=True,
            text=True,
        )
        runs.append([float(x) for x in done.stdout.split()])
    return tuple(statistics.median(column) for column in zip(*runs, strict=True))


def bench_load(bundle_file: Path, repeats: int) -> None:
    from wfspec.compiler import load_bundle

    pydantic, imports, first = cold_load_medians(bundle_file, repeats)
    total = pydantic + imports + first
    warm = time_calls(lambda: load_bundle(bundle_file), repeats * 4)
    print(
        f"load_bundle shipped ({bundle_file.stat().st_size:,} bytes; target <= 100 ms excluding "
        "interpreter start), fresh interpreter, medians:"
    )
    print(
        f"  first load_bundle call {_ms(first)}  [{'met' if first <= 0.1 else 'MISSED'}]; "
        f"warm call {_ms(statistics.median(warm))}"
    )
    print(
        f"  with imports: pydantic {_ms(pydantic)} + wfspec bundle API {_ms(imports)} + load "
        f"= {_ms(total)}  (reference: the target excludes start-up, which is mostly pydantic)"
    )
    bundle = load_bundle(bundle_file)
    start = time.perf_counter()
    for wid in bundle.workflows:
        bundle.workflows[wid].params()
    print(
        f"  then every static workflow's spec and params model: {_ms(time.perf_counter() - start)}"
    )


class Row(NamedTuple):
    """One printed measure with its target (``higher`` False: the figure must not exceed it)."""

    measure: str
    figure: float
    unit: str
    target: float

    @property
    def met(self) -> bool:
        return self.figure <= self.target


def warm_compile_seconds(folder: Path, repeats: int) -> float:
    """Median in-process ``compile_paths`` time after a first (import-paying) call."""
    from wfspec.compiler import compile_paths

    result = compile_paths([folder])
    if not result.ok:
        problems = [str(d) for d in result.check.diagnostics[:5]]
        raise SystemExit(f"{folder} does not compile: {problems}")
    return statistics.median(time_calls(lambda: compile_paths([folder]), repeats))


def scale_rows(tmp: Path, count: int, repeats: int) -> list[Row]:
    """Warm compile of ``count`` templates + ``count`` workflows, and its cost per document
    against a set ten times smaller (same shape: 50 documents per file)."""
    big, small = tmp / "big", tmp / "small"
    big.mkdir()
    small.mkdir()
    big_docs = generate(big, count)
    small_docs = generate(small, max(1, count // 10))
    small_s = warm_compile_seconds(small, repeats * 2)
    big_s = warm_compile_seconds(big, repeats)
    per_small, per_big = small_s / small_docs, big_s / big_docs
    print(
        f"compile, warm medians: {small_docs} documents {small_s:.3f} s "
        f"({per_small * 1e3:.3f} ms/doc); {big_docs} documents {big_s:.3f} s "
        f"({per_big * 1e3:.3f} ms/doc)"
    )
    return [
        Row(f"compile {count:,} templates + {count:,} workflows, warm", big_s, "s", 2.0),
        Row(
            f"cost per document, {big_docs} vs {small_docs} documents (ratio)",
            per_big / per_small,
            "x",
            1.2,
        ),
    ]


def load_row(tmp: Path, count: int, repeats: int) -> list[Row]:
    """``load_bundle`` of a ``count``-workflow bundle: first call in a fresh interpreter."""
    from wfspec.compiler import compile_paths
    from wfspec.compiler.emit import write_atomic

    folder = tmp / "load"
    folder.mkdir()
    generate(folder, count)
    bundle_file = tmp / "load-build" / "bundle.json"
    write_atomic(bundle_file, compile_paths([folder]).data or b"")
    pydantic, imports, first = cold_load_medians(bundle_file, repeats)
    size = bundle_file.stat().st_size
    print(
        f"load_bundle of {count:,} workflows + {count:,} templates ({size:,} bytes), fresh "
        f"interpreter, medians: imports pydantic {_ms(pydantic)} + wfspec {_ms(imports)}, "
        f"first load_bundle call {_ms(first)}"
    )
    return [Row(f"load_bundle, {count:,}-workflow bundle, in process", first * 1e3, "ms", 100.0)]


def print_rows(rows: list[Row]) -> None:
    print(f"\n{'measure':62s} {'figure':>10s} {'target':>10s}")
    for row in rows:
        target = f"<= {row.target:g}"
        verdict = "met" if row.met else "MISSED"
        print(f"{row.measure:62s} {row.figure:8.3f} {row.unit:2s} {target:>8s} {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    from wfspec.compiler import compile_paths
    from wfspec.compiler.emit import write_atomic

    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="wfspec-bench-") as tmp:
        bench_compile("shipped specs/", ROOT / "specs", args.repeats)
        rows += scale_rows(Path(tmp), args.count, max(2, args.repeats // 2))
        rows += load_row(Path(tmp), 2 * args.count, args.repeats)
        bundle_file = Path(tmp) / "build" / "bundle.json"
        write_atomic(bundle_file, compile_paths([ROOT / "specs"]).data or b"")
        rows += bench_instantiate(bundle_file, args.calls)
        bench_load(bundle_file, args.repeats)
    print_rows(rows)
    missed = [row.measure for row in rows if not row.met]
    print(
        f"\ntargets: {len(rows) - len(missed)} of {len(rows)} met"
        + (f"; MISSED: {', '.join(missed)}" if missed else "")
    )
    if args.check and missed:
        sys.exit(1)


if __name__ == "__main__":
    main()
