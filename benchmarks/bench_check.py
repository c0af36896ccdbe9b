"""Time ``wfspec check`` against ``check-jsonschema`` on the same files with the same schemas.

Run: .venv/bin/python benchmarks/bench_check.py [--repeats 5]

Two spec sets, each timed as whole commands (subprocess; best and median of several runs):

1. the shipped set (``specs/``). check-jsonschema reads one YAML document per file, so the set is
   first split into single-document files (same content) in a temp folder; both tools check
   that folder. wfspec on the original multi-document ``specs/`` is printed for reference.
2. a generated set of 1,000 spec files: one Instrument and 999 realistic Workflows (params with
   edges, ranges, choices and groups; outputs, views, device outputs) that refer to it.

check-jsonschema validates with the umbrella schema (``--schemafile schemas/wfspec.schema.json``);
wfspec validates every document against its kind's schema *and* runs its semantic checks.
Targets: ratio (wfspec time / check-jsonschema time) <= 1.0 shipped, <= 0.5 on 1,000 files.

Also printed: the load stage alone, the C fast path (``loader.load_paths``) against an
all-round-trip load (``YAML()``) and the pure-Python safe loader check-jsonschema uses.
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

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
UMBRELLA = ROOT / "schemas" / "wfspec.schema.json"

INSTRUMENT = """\
# yaml-language-server: $schema=../schemas/wfspec.schema.json
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
description: Detector counts of bank {n} binned by time of arrival, with totals and ROI spectra.
source_names: [bank_{a}, bank_{b}]
aux_sources:
  roi_rectangle:
    title: Rectangle ROI
    choices: [roi_rectangle]
    default: roi_rectangle
    per_job: true
params:
  coordinate_mode:
    type: group
    title: Coordinate mode
    fields:
      mode:
        type: choice
        choices:
          - {{value: toa, title: Time of arrival (TOA)}}
          - {{value: wavelength, title: Wavelength}}
        default: toa
  toa_edges:
    type: edges
    title: Time-of-arrival bins
    units: [ns, us, μs, ms, s]
    default: {{start: 0.0, stop: 71.43, num_bins: {bins}, scale: linear, unit: ms}}
  toa_range:
    type: range
    units: [ns, us, μs, ms, s]
    default: {{start: 0.0, stop: 10.0, enabled: false, unit: μs}}
  threshold:
    type: float
    title: Threshold
    min: 0
    default: 0.5
  pixel_weighting:
    type: group
    fields:
      enabled: {{type: bool, default: false}}
      method: {{type: choice, choices: [pixel_number], default: pixel_number}}
outputs:
  cumulative:
    title: Image (cumulative)
    description: Detector image accumulated since the start of the run.
    dims: [dim_0, dim_1]
    unit: counts
    temporality: cumulative
  current: {{title: Image (current), dims: [dim_0, dim_1], unit: counts, temporality: window}}
  counts_total: {{title: Total (current), unit: counts, temporality: window}}
  counts_total_cumulative: {{title: Total (cumulative), unit: counts, temporality: cumulative}}
  roi_spectra:
    {{title: ROI spectra, dims: [roi, time_of_arrival], unit: counts, temporality: cumulative}}
views:
  image: {{title: Image, fields: [cumulative, current]}}
  totals: {{title: Totals, fields: [counts_total, counts_total_cumulative]}}
device_outputs:
  counts_total_cumulative: "{{source_name}}_counts_total"
"""


def generate(folder: Path, count: int = 1000) -> list[Path]:
    """``count`` spec files: one instrument and ``count - 1`` workflows that refer to it."""
    banks = 50
    sources = "\n".join(f"  - {{name: bank_{i}, kind: detector}}" for i in range(banks))
    sources += "\n  - {name: roi_rectangle, kind: other}"
    files = [folder / "instrument.yaml"]
    files[0].write_text(INSTRUMENT.format(sources=sources), encoding="utf-8")
    for n in range(count - 1):
        path = folder / f"workflow_{n:04d}.yaml"
        text = WORKFLOW.format(n=n, a=n % banks, b=(n + 1) % banks, bins=50 + n % 100)
        path.write_text(text, encoding="utf-8")
        files.append(path)
    return files


def split_shipped(folder: Path) -> list[Path]:
    """The shipped specs as one document per file (check-jsonschema reads a single document)."""
    files = []
    for source in sorted((ROOT / "specs").rglob("*.y*ml")):
        text = source.read_text(encoding="utf-8")
        chunks = [c for c in text.split("\n---\n") if c.strip()]
        for i, chunk in enumerate(chunks):
            target = folder / f"{source.parent.name}_{source.stem}_{i}.yaml"
            target.write_text(chunk.removeprefix("---\n") + "\n", encoding="utf-8")
            files.append(target)
    return files


def timed(command: list[str], repeats: int, cwd: Path) -> tuple[float, float, int]:
    """(best, median) wall time in seconds of ``command``, and its exit status."""
    times = []
    status = 0
    for _ in range(repeats):
        started = time.perf_counter()
        done = subprocess.run(command, cwd=cwd, capture_output=True)
        times.append(time.perf_counter() - started)
        status = done.returncode
        if status not in (0,):
            sys.stderr.write(done.stdout.decode()[-2000:] + done.stderr.decode()[-2000:])
    return min(times), statistics.median(times), status


def compare(label: str, folder: Path, files: list[Path], repeats: int) -> float:
    wfspec = [str(BIN / "wfspec"), "check", str(folder)]
    cjs = [str(BIN / "check-jsonschema"), "--schemafile", str(UMBRELLA), *map(str, files)]
    w_best, w_med, w_status = timed(wfspec, repeats, ROOT)
    c_best, c_med, c_status = timed(cjs, repeats, ROOT)
    n = len(files)
    print(f"\n{label}: {n} files")
    print(
        f"  wfspec check       best {w_best:6.3f} s  median {w_med:6.3f} s  "
        f"{n / w_best:8.0f} files/s  exit {w_status}"
    )
    print(
        f"  check-jsonschema   best {c_best:6.3f} s  median {c_med:6.3f} s  "
        f"{n / c_best:8.0f} files/s  exit {c_status}"
    )
    ratio = w_best / c_best
    print(f"  ratio wfspec / check-jsonschema (best): {ratio:.2f}   (median: {w_med / c_med:.2f})")
    return ratio


def best_of(function: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times)


def loader_figures(files: list[Path], repeats: int) -> None:
    from ruamel.yaml import YAML

    from wfspec.compiler.loader import load_paths

    def round_trip() -> None:
        yaml = YAML()
        for path in files:
            list(yaml.load_all(path.read_text(encoding="utf-8")))

    def pure_safe() -> None:
        yaml = YAML(typ="safe", pure=True)
        for path in files:
            list(yaml.load_all(path.read_text(encoding="utf-8")))

    def fast() -> None:
        result = load_paths(files)
        assert not result.diagnostics

    def fast_and_locate() -> None:  # positions looked up for every top-level key
        for doc in load_paths(files).documents:
            for key in doc.data:
                doc.locate((key,))

    n = len(files)
    print(f"\nload stage on {n} files (in-process, best of {repeats}):")
    for label, function in (
        ("wfspec loader (C fast path)", fast),
        ("  + locate every top-level key", fast_and_locate),
        ("ruamel round-trip YAML()", round_trip),
        ("ruamel pure safe (check-jsonschema)", pure_safe),
    ):
        seconds = best_of(function, repeats)
        print(f"  {label:38s} {seconds * 1000:8.1f} ms  {n / seconds:8.0f} files/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--count", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wfspec-bench-") as tmp:
        shipped = Path(tmp) / "shipped"
        shipped.mkdir()
        shipped_files = split_shipped(shipped)
        generated = Path(tmp) / "generated"
        generated.mkdir()
        generated_files = generate(generated, args.count)

        best, med, status = timed([str(BIN / "wfspec"), "check", "specs"], args.repeats, ROOT)
        print(
            f"wfspec check specs/ (multi-document files, reference): best {best:.3f} s, "
            f"median {med:.3f} s, exit {status}"
        )
        r1 = compare("shipped set (one document per file)", shipped, shipped_files, args.repeats)
        r2 = compare("generated set", generated, generated_files, args.repeats)
        print(
            f"\ntargets: shipped ratio <= 1.0: {'met' if r1 <= 1.0 else 'MISSED'} ({r1:.2f}); "
            f"{len(generated_files)} files ratio <= 0.5: {'met' if r2 <= 0.5 else 'MISSED'} "
            f"({r2:.2f})"
        )
        loader_figures(generated_files, args.repeats)


if __name__ == "__main__":
    main()
