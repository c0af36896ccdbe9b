"""Correlation histogram: update cost against history size, incremental vs full recompute.

Prints, for 10^4, 10^5 and 10^6 points of data history (plus an axis with one reading per 10
data points; the history is full, so each update also trims as many old points as it adds):

- incremental update of 1,000 new data points later than the newest axis reading (target:
  <= 5 ms at 10^6 history), sum and per_second modes;
- incremental update for one late, out-of-order axis reading that changes the lookup of the
  newest 10 points;
- full recompute from the history, and a direct scipp computation (lookup + hist) for comparison;
- memory of the history per 10^6 points.

Run: ``.venv/bin/python benchmarks/bench_correlation.py`` (about a minute).
"""

from __future__ import annotations

import statistics
import time

import numpy as np
import scipp as sc

from wfspec.runtime.correlation.histogram import CorrelationHistogram, make_edges
from wfspec.runtime.correlation.history import HistoryBounds, SeriesBuffer

S = 1_000_000_000
DT = S // 100  # data points 10 ms apart
EDGES = {"x": make_edges("x", {"start": 0, "stop": 1, "num_bins": 100, "unit": "mm"})}


def _setup(n: int, per_second: bool) -> tuple[SeriesBuffer, SeriesBuffer, CorrelationHistogram]:
    rng = np.random.default_rng(0)
    data = SeriesBuffer(HistoryBounds(max_points=n), capacity=n + 2000)
    axis = SeriesBuffer(HistoryBounds(max_points=n), capacity=n // 10 + 2000)
    data.unit, axis.unit = "counts", "mm"
    times = np.arange(n, dtype=np.int64) * DT
    axis.extend(times[::10], rng.uniform(0, 1, times[::10].size))
    data.extend(times, rng.uniform(0, 100, n), rng.uniform(0, 1, n))
    hist = CorrelationHistogram(data, {"x": axis}, EDGES, per_second=per_second)
    return data, axis, hist


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1e3


def bench_size(n: int, repeats: int) -> dict[str, float]:
    rng = np.random.default_rng(1)
    out: dict[str, float] = {}
    for per_second in (False, True):
        data, axis, hist = _setup(n, per_second)
        samples = []
        for _ in range(repeats):
            t0 = int(data.times[-1]) + DT
            times = t0 + np.arange(1000, dtype=np.int64) * DT
            axis.extend(times[:1] - DT // 2, rng.uniform(0, 1, 1))  # reading before the batch
            start = time.perf_counter()
            data.extend(times, rng.uniform(0, 100, 1000), rng.uniform(0, 1, 1000))
            samples.append(time.perf_counter() - start)
        out["append_ps" if per_second else "append"] = _median_ms(samples)
    data, axis, hist = _setup(n, False)
    samples = []
    for _ in range(repeats):
        t0 = int(data.times[-1]) + DT
        data.extend(t0 + np.arange(100, dtype=np.int64) * DT, rng.uniform(0, 100, 100))
        # a reading older than the newest reading, arriving late: the newest 10 points change
        late = int(data.times[-10]) - DT // 2
        start = time.perf_counter()
        axis.extend(np.array([late]), rng.uniform(0, 1, 1))
        samples.append(time.perf_counter() - start)
        axis.extend(np.array([int(data.times[-1]) + DT // 2]), rng.uniform(0, 1, 1))
    out["late_axis"] = _median_ms(samples)
    samples = []
    for _ in range(max(3, repeats // 5)):
        start = time.perf_counter()
        hist.recompute()
        samples.append(time.perf_counter() - start)
    out["recompute"] = _median_ms(samples)
    samples = []
    for _ in range(max(3, repeats // 5)):
        start = time.perf_counter()
        _direct(data, axis)
        samples.append(time.perf_counter() - start)
    out["direct"] = _median_ms(samples)
    return out


def _direct(data: SeriesBuffer, axis: SeriesBuffer) -> sc.DataArray:
    da = sc.DataArray(
        sc.array(dims=["time"], values=data.values, variances=data.variances, unit="counts"),
        coords={"time": sc.array(dims=["time"], values=data.times, unit="ns")},
    )
    ax = sc.DataArray(
        sc.array(dims=["time"], values=axis.values, unit="mm"),
        coords={"time": sc.array(dims=["time"], values=axis.times, unit="ns")},
    )
    da.coords["x"] = sc.lookup(ax, mode="previous")[da.coords["time"]]
    return da.hist(EDGES)


def main() -> None:
    print("correlation histogram update cost (median ms per update; history is full)")
    header = (
        f"{'history':>9}  {'+1000 pts':>10}  {'+1000 pts/s':>11}  {'late axis':>9}  "
        f"{'recompute':>9}  {'direct scipp':>12}"
    )
    print(header)
    for n, repeats in ((10_000, 50), (100_000, 30), (1_000_000, 20)):
        r = bench_size(n, repeats)
        print(
            f"{n:>9,}  {r['append']:>10.3f}  {r['append_ps']:>11.3f}  {r['late_axis']:>9.3f}  "
            f"{r['recompute']:>9.2f}  {r['direct']:>12.2f}"
        )
    data, _axis, _ = _setup(1_000_000, False)
    live = data.times.nbytes + data.values.nbytes + data.variances.nbytes
    print(
        f"memory per 10^6 points: {live / 2**20:.1f} MiB live (time, value, variance), "
        f"{data.nbytes / 2**20:.1f} MiB allocated"
    )
    target = bench_size(1_000_000, 20)["append"]
    verdict = "OK" if target <= 5.0 else "MISSED"
    print(f"target <= 5 ms per +1000 points at 10^6 history: {target:.3f} ms {verdict}")


if __name__ == "__main__":
    main()
