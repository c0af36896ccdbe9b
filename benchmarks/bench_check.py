"""Time ``wfspec`` against ``check-jsonschema``: start-up, and checking the same documents.

Run: .venv/bin/python benchmarks/bench_check.py [--repeats 7] [--check] [--loader]

Every row is a pair of whole processes timed side by side (interleaved rounds, medians; see
``interleaved``), printed with its ratio and target; ``--check`` exits 1 when one is missed.

0. ``wfspec --help`` against ``check-jsonschema --help`` (target: ratio <= 0.5).
1. the shipped set: ``wfspec check specs`` against check-jsonschema on the same documents.
   check-jsonschema reads one YAML document per file, so the set is split into single-document
   files (same content) in a temp folder; wfspec on that folder is a second row.
2. a generated set of 1,000 spec files: one Instrument and 999 realistic Workflows (params with
   edges, ranges, choices and groups; outputs, views, device outputs) that refer to it.

check-jsonschema validates with the umbrella schema (``--schemafile schemas/wfspec.schema.json``);
wfspec validates every document against its kind's schema *and* runs its semantic checks.
Targets: ratio (wfspec time / check-jsonschema time) <= 1.0 shipped, <= 0.5 on 1,000 files.

With ``--loader``, also printed: the load stage alone, the C fast path (``loader.load_paths``)
against an all-round-trip load (``YAML()``) and the pure-Python safe loader check-jsonschema
uses.
"""

from __future__ import annotations

import argparse
import math
import os
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


def interleaved(
    commands: dict[str, list[str]], repeats: int, cwd: Path = ROOT
) -> dict[str, tuple[float, int]]:
    """Median wall time (s) and last exit status of each whole-process command.

    hyperfine-style: one warm-up run each (page cache, .pyc files), then ``repeats`` rounds in
    which every command runs once, in an order rotated each round. Commands measured in the same
    rounds see the same machine load, so their *ratio* is meaningful on a busy machine even when
    the absolute times are not. ``PYTHONDONTWRITEBYTECODE`` is dropped for these runs: pip
    compiled check-jsonschema's modules at install, and an editable wfspec would otherwise
    compile its ~30 modules from source in every run (~70 ms), which no installed wfspec does.
    """
    names = list(commands)
    times: dict[str, list[float]] = {name: [] for name in names}
    status: dict[str, int] = {}
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for name in names:  # the warm-up run also writes wfspec's .pyc files (see below)
        subprocess.run(commands[name], cwd=cwd, capture_output=True, env=env)
    for round_ in range(repeats):
        order = names[round_ % len(names) :] + names[: round_ % len(names)]
        for name in order:
            started = time.perf_counter()
            done = subprocess.run(commands[name], cwd=cwd, capture_output=True, env=env)
            times[name].append(time.perf_counter() - started)
            status[name] = done.returncode
            if done.returncode not in (0,):
                sys.stderr.write(done.stdout.decode()[-2000:] + done.stderr.decode()[-2000:])
    return {name: (statistics.median(times[name]), status[name]) for name in names}


class Row(NamedTuple):
    """One printed measure: wfspec against a reference, and the ratio target."""

    measure: str
    wfspec: float
    reference: float
    target: float

    @property
    def ratio(self) -> float:
        return self.wfspec / self.reference

    @property
    def met(self) -> bool:
        return self.ratio <= self.target


def print_rows(rows: list[Row]) -> None:
    print(f"\n{'measure':58s} {'wfspec':>8s} {'check-js':>8s} {'ratio':>6s} {'target':>7s}")
    for row in rows:
        print(
            f"{row.measure:58s} {row.wfspec:7.3f}s {row.reference:7.3f}s {row.ratio:6.2f} "
            + (
                f"{'<= ' + format(row.target, '.1f'):>7s}  {'met' if row.met else 'MISSED'}"
                if math.isfinite(row.target)
                else f"{'-':>7s}"
            )
        )


def help_row(repeats: int) -> Row:
    """``wfspec --help`` against ``check-jsonschema --help``: start-up cost alone."""
    got = interleaved(
        {
            "wfspec": [str(BIN / "wfspec"), "--help"],
            "cjs": [str(BIN / "check-jsonschema"), "--help"],
        },
        repeats,
    )
    return Row("wfspec --help vs check-jsonschema --help", got["wfspec"][0], got["cjs"][0], 0.5)


def compare(label: str, wfspec: list[str], files: list[Path], repeats: int, target: float) -> Row:
    """wfspec (checks everything) against check-jsonschema (structure only) on ``files``."""
    cjs = [str(BIN / "check-jsonschema"), "--schemafile", str(UMBRELLA), *map(str, files)]
    got = interleaved({"wfspec": wfspec, "cjs": cjs}, repeats)
    for name, (_, status) in got.items():
        if status != 0:
            raise SystemExit(f"{label}: {name} exited {status}")
    return Row(f"{label} ({len(files)} files)", got["wfspec"][0], got["cjs"][0], target)


ROWS: list[Callable[[argparse.Namespace, Path], list[Row]]] = []
"""Row makers: each takes the arguments and a temp folder. ``benchmarks/bench_watch.py`` (issue
12a) can add its rows here, e.g. ``ROWS.append(bench_watch.rows)``."""


def _check_rows(args: argparse.Namespace, tmp: Path) -> list[Row]:
    shipped = tmp / "shipped"
    shipped.mkdir()
    shipped_files = split_shipped(shipped)
    generated = tmp / "generated"
    generated.mkdir()
    generated_files = generate(generated, args.count)
    wfspec = str(BIN / "wfspec")
    return [
        help_row(args.repeats),
        compare(
            "wfspec check specs (shipped set)",
            [wfspec, "check", "specs"],
            shipped_files,
            args.repeats,
            1.0,
        ),
        compare(  # for reference: the issue's target is on ``wfspec check specs``
            "  (reference) same, one document per file",
            [wfspec, "check", str(shipped)],
            shipped_files,
            args.repeats,
            math.inf,
        ),
        compare(
            "wfspec check, generated set",
            [wfspec, "check", str(generated)],
            generated_files,
            max(3, args.repeats // 2),
            0.5,
        ),
    ]


ROWS.append(_check_rows)


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
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--loader", action="store_true", help="also print the load-stage figures")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="wfspec-bench-") as tmp:
        for index, make in enumerate(ROWS):
            folder = Path(tmp) / f"rows_{index}"
            folder.mkdir()
            rows.extend(make(args, folder))
        print_rows(rows)
        if args.loader:
            generated = Path(tmp) / "loader"
            generated.mkdir()
            loader_figures(generate(generated, args.count), args.repeats)
    targeted = [row for row in rows if math.isfinite(row.target)]
    missed = [row.measure.strip() for row in targeted if not row.met]
    print(
        f"\ntargets: {len(targeted) - len(missed)} of {len(targeted)} met"
        + (f"; MISSED: {', '.join(missed)}" if missed else "")
    )
    if args.check and missed:
        sys.exit(1)


if __name__ == "__main__":
    main()
