"""Registry + instances.yaml: register latency with 10/100/1,000 stored instances, restore time.

Prints:
- ``register_from_template`` latency (p50, p99, ms) of a *new* instance with 10, 100 and 1,000
  instances already in the store: validate + render + lock + re-read + write (fsync'd, atomic).
  Each registration is followed by an (unmeasured) unregister so the store size stays constant;
- the time to restore 1,000 instances: ``WorkflowRegistry(bundle, store)`` in a process that has
  never seen them (fresh bundle: no template memo), median of several runs, and the part of it
  that is reading + validating the file.

The shipped specs are compiled once into a temp folder (or pass ``--bundle``). The machine may
be shared: figures are medians / percentiles over many samples.

    .venv/bin/python benchmarks/bench_registry.py [--bundle build/bundle.json] [--samples 40]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from axes_specs import specs_with_axes

from wfspec.compiler import compile_paths, load_bundle
from wfspec.runtime.instance_store import InstanceStore
from wfspec.runtime.registry import WorkflowRegistry

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = "correlation_histogram_1d"


def config(source: str) -> dict[str, Any]:
    axis = {"workflow_id": "dummy/timeseries_data/1", "source_name": source, "output_name": "delta"}
    return {"x_axis": axis, "x_unit": "mm"}


def fill(bundle: Any, path: Path, n: int) -> None:
    """A store holding ``n`` instances, written in one edit (what n registrations leave)."""
    template = bundle.template(TEMPLATE)
    store = InstanceStore(path, instrument="dummy")
    with store.edit() as edit:
        for i in range(n):
            normalized = template.validate_config(config(f"pre{i}"))
            edit.put(str(template.instance_id(normalized)), TEMPLATE, normalized)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def bench_register(bundle: Any, folder: Path, n: int, samples: int) -> tuple[float, float]:
    path = folder / f"register_{n}.yaml"
    fill(bundle, path, n)
    registry = WorkflowRegistry(bundle, InstanceStore(path))
    assert len(registry.instance_ids()) == n
    registry.unregister(registry.register_from_template(TEMPLATE, config("warmup")))
    times = []
    for i in range(samples):
        start = time.perf_counter()
        wid = registry.register_from_template(TEMPLATE, config(f"new{i}"))
        times.append(time.perf_counter() - start)
        registry.unregister(wid)
    return percentile(times, 50) * 1e3, percentile(times, 99) * 1e3


def bench_restore(bundle_path: Path, folder: Path, n: int, repeat: int) -> tuple[float, float]:
    path = folder / f"restore_{n}.yaml"
    fill(load_bundle(bundle_path), path, n)
    totals, reads = [], []
    for _ in range(repeat):
        bundle = load_bundle(bundle_path)  # fresh templates: nothing memoized
        start = time.perf_counter()
        InstanceStore(path).load()
        reads.append(time.perf_counter() - start)
        start = time.perf_counter()
        registry = WorkflowRegistry(bundle, InstanceStore(path))
        totals.append(time.perf_counter() - start)
        assert len(registry.instance_ids()) == n and not registry.stale()
    return statistics.median(totals) * 1e3, statistics.median(reads) * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--bundle",
        type=Path,
        default=None,
        help="default: specs/ + the axes the runs use (axes_specs.py)",
    )
    parser.add_argument("--samples", type=int, default=40, help="registrations per store size")
    parser.add_argument("--repeat", type=int, default=3, help="restore runs (median)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wfspec-bench-registry-") as tmp:
        folder = Path(tmp)
        bundle_path = args.bundle
        if bundle_path is None:
            names = ["warmup", *(f"pre{i}" for i in range(1000))]
            names += [f"new{i}" for i in range(args.samples)]
            result = compile_paths([specs_with_axes(folder, names)])
            assert result.ok and result.data is not None, "specs/ does not compile"
            bundle_path = folder / "bundle.json"
            bundle_path.write_bytes(result.data)
        bundle = load_bundle(bundle_path)
        print("register_from_template of a new instance (ms), store size before:")
        for n in (10, 100, 1000):
            p50, p99 = bench_register(bundle, folder, n, args.samples)
            print(f"  {n:>5} instances: p50 {p50:8.2f}  p99 {p99:8.2f}  ({args.samples} samples)")
        total, read = bench_restore(bundle_path, folder, 1000, args.repeat)
        print(
            f"restore 1000 instances: {total:.0f} ms "
            f"(of which reading + validating the file: {read:.0f} ms)"
        )


if __name__ == "__main__":
    main()
