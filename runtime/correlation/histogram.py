"""The correlation histogram: a timeseries histogrammed over the readings of one or two axes.

Rules (those of the ESS livedata reference, see ``docs/adr/0009-correlation-executor.md``):

- each data point at time t takes, per axis, the most recent reading at or before t
  (``scipp.lookup(scipp.values(axis), mode='previous')``); a point earlier than the first reading
  of any axis is excluded (it is never correlated with a reading taken later);
- the looked-up axis values are converted to the unit of the edges (an inconvertible unit is the
  job's error, never a crash) and the data values are histogrammed over the edges, summed per bin;
- with ``per_second`` each value (and variance) is first divided by its time-bin width in seconds
  (the gap to the next point; the last point repeats the last width), and each bin holds the mean
  instead of the sum (scipp's ``bins.mean()``: variance = sum of variances / count**2; empty bins
  are NaN). With fewer than two points there is no width and nothing is histogrammed.

Incremental updates: the histogram listens to its series (:mod:`.history`). Before a change it
retracts the contributions that the change will alter, afterwards it adds them back, all through
``scipp.DataArray.hist`` on just those points. New data later than the newest data point costs
O(k); an axis reading affects only the data points at or after its time (usually none or a few);
trimming the history retracts the trimmed points. Out-of-order data points, a reset, or a change
touching more than half of the history recompute from scratch.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from .history import SeriesBuffer, SeriesChange

if TYPE_CHECKING:
    import scipp as sc

__all__ = ["CorrelationHistogram", "HistogramError", "make_edges"]

_NS_PER_S = 1e9


class HistogramError(ValueError):
    """The histogram cannot be computed (the text is the job's error message)."""


def make_edges(dim: str, params: Mapping[str, Any]) -> sc.Variable:
    """Bin edges from an ``edges`` param ``{start, stop, num_bins, scale, unit}``.

    ``scale: log`` gives geometrically spaced edges (``scipp.geomspace``), else linear.
    """
    import scipp as sc

    try:
        start, stop = float(params["start"]), float(params["stop"])
        num = int(params["num_bins"]) + 1
        unit = params.get("unit")
        scale = params.get("scale") or "linear"
    except (KeyError, TypeError, ValueError) as exc:
        raise HistogramError(f"{dim} edges: expected start, stop, num_bins, unit ({exc})") from None
    try:
        if scale == "log":
            return sc.geomspace(dim, start, stop, num=num, unit=unit)
        return sc.linspace(dim, start, stop, num=num, unit=unit)
    except Exception as exc:
        raise HistogramError(f"{dim} edges: {exc}") from None


class CorrelationHistogram:
    """Histogram of ``data`` over ``axes`` (dim -> series), kept up to date as series change.

    ``version`` increases with every change of the result; ``error`` holds the reason when the
    histogram cannot be computed (cleared by the next successful update).
    """

    def __init__(
        self,
        data: SeriesBuffer,
        axes: Mapping[str, SeriesBuffer],
        edges: Mapping[str, sc.Variable],
        *,
        per_second: bool = False,
        name: str = "",
    ) -> None:
        if list(axes) != list(edges) or not 1 <= len(axes) <= 2:
            raise ValueError(f"axes {list(axes)} and edges {list(edges)} must name 1 or 2 dims")
        self._data = data
        self._axes = dict(axes)
        self._edges = dict(edges)
        self._per_second = per_second
        self.name = name
        self._shape = tuple(int(e.shape[0]) - 1 for e in self._edges.values())
        self._size = int(np.prod(self._shape))
        self._sum = np.zeros(self._size)
        self._var: np.ndarray | None = None
        self._count = np.zeros(self._size)
        self._pending: list[tuple[int, int]] = []
        self._dirty = True
        self.version = 0
        self.error: str | None = None
        self._watched = [data, *[s for s in self._axes.values() if s is not data]]
        for series in dict.fromkeys(self._watched):
            series.add_listener(self)
        self._refresh()

    # -- public
    @property
    def ready(self) -> bool:
        """Every axis has at least one reading (until then the job is ``scheduled``)."""
        return all(len(axis) > 0 for axis in self._axes.values())

    @property
    def dims(self) -> list[str]:
        return list(self._edges)

    def close(self) -> None:
        """Stop listening (the job stopped)."""
        for series in dict.fromkeys(self._watched):
            series.remove_listener(self)

    def recompute(self) -> None:
        """Rebuild from the whole history (also clears a previous error when it succeeds)."""
        self._dirty = True
        self._refresh()

    def result(self) -> sc.DataArray:
        """The current histogram as a DataArray with bin-edge coordinates and a 0-d ``time``."""
        import scipp as sc

        unit = self._data.unit
        if self._per_second:
            # counts are exact integers; sums may keep a rounding residue after retractions
            empty = self._count <= 0.5
            count = np.where(empty, 1.0, self._count)
            values = np.where(empty, np.nan, self._sum / count)
            variances = None
            if self._var is not None:
                variances = np.where(empty, np.nan, self._var / count**2)
            unit = str(sc.Unit(unit or "dimensionless") / sc.Unit("s"))
        else:
            values, variances = self._sum.copy(), None if self._var is None else self._var.copy()
        dims = self.dims
        data = sc.array(
            dims=dims,
            values=values.reshape(self._shape),
            variances=None if variances is None else variances.reshape(self._shape),
            unit=unit,
        )
        coords = {dim: edges.copy() for dim, edges in self._edges.items()}
        if len(self._data):
            coords["time"] = sc.scalar(int(self._data.times[-1]), unit="ns", dtype="int64")
        return sc.DataArray(data, coords=coords, name=self.name)

    # -- listener
    def series_will_change(self, series: SeriesBuffer, change: SeriesChange) -> None:
        if self._dirty:
            return
        if change.reset or (series is self._data and not change.in_order):
            self._dirty = True  # an inserted data point shifts indices and widths: start over
            return
        ranges: list[tuple[int, int]] = []
        if series is self._data:
            last = 1 if self._per_second else 0
            if change.trimmed > change.old_size - last:
                self._dirty = True
                return
            ranges.append((0, change.trimmed))
            if last and change.old_size:
                ranges.append((change.old_size - 1, change.old_size))
        if any(axis is series for axis in self._axes.values()):
            times = self._data.times
            n = times.size
            ranges.append((int(np.searchsorted(times, change.first_new_time, side="left")), n))
            if change.trimmed:
                kept = int(np.searchsorted(times, change.first_kept_time, side="left"))
                ranges.append((0, kept))
        ranges = _merge(ranges)
        if sum(hi - lo for lo, hi in ranges) > max(len(self._data) // 2, 64):
            self._dirty = True
            return
        try:
            for lo, hi in ranges:
                self._contribute(lo, hi, -1.0)
        except HistogramError as exc:
            self._fail(str(exc))
            return
        self._pending = ranges

    def series_changed(self, series: SeriesBuffer, change: SeriesChange) -> None:
        if not self._dirty and series is self._data:
            last = 1 if self._per_second else 0
            start = max(0, change.old_size - change.trimmed - last)
            self._pending = _merge(
                [
                    (max(0, lo - change.trimmed), max(0, hi - change.trimmed))
                    for lo, hi in self._pending
                    if lo >= change.trimmed
                ]
                + [(start, len(series))]
            )
        self._refresh()

    # -- internals
    def _refresh(self) -> None:
        pending, self._pending = self._pending, []
        changed = bool(pending) or self._dirty or self.error is not None
        try:
            if self._dirty or self._has_variances() != (self._var is not None):
                self._sum[:] = 0.0
                self._count[:] = 0.0
                self._var = np.zeros(self._size) if self._has_variances() else None
                self._dirty = False
                pending = [(0, len(self._data))]
            for lo, hi in pending:
                self._contribute(lo, hi, 1.0)
        except HistogramError as exc:
            self._fail(str(exc))
            return
        self.error = None
        if changed:
            self.version += 1

    def _fail(self, message: str) -> None:
        self.error = message
        self._dirty = True
        self._pending = []
        self.version += 1

    def _has_variances(self) -> bool:
        return self._data.variances is not None

    def _contribute(self, lo: int, hi: int, sign: float) -> None:
        """Add (sign=1) or retract (sign=-1) the contributions of data points [lo, hi)."""
        import scipp as sc

        data = self._data
        n = len(data)
        hi = min(hi, n)
        if hi <= lo or (self._per_second and n < 2):
            return
        times = data.times[lo:hi]
        values = data.values[lo:hi]
        variances = None if data.variances is None else data.variances[lo:hi]
        if self._per_second:
            widths = _widths_s(data.times, lo, hi)
            values = values / widths
            variances = None if variances is None else variances / widths**2
        valid = np.ones(times.size, dtype=bool)
        lookups = {}
        for dim, axis in self._axes.items():
            if len(axis) == 0:
                return
            idx = np.searchsorted(axis.times, times, side="right") - 1
            valid &= idx >= 0
            lookups[dim] = (axis.values[np.maximum(idx, 0)], axis.unit)
        if not valid.any():
            return
        coords = {}
        for dim, (axis_values, axis_unit) in lookups.items():
            edges = self._edges[dim]
            coord = sc.array(dims=["point"], values=axis_values[valid], unit=axis_unit)
            try:
                coords[dim] = coord.to(unit=edges.unit, dtype="float64", copy=False)
            except Exception as exc:
                raise HistogramError(
                    f"axis {dim!r} is in {axis_unit!r}, which does not convert to the unit "
                    f"{str(edges.unit)!r} of its bin edges: {exc}"
                ) from None
        points = sc.DataArray(
            sc.array(
                dims=["point"],
                values=values[valid],
                variances=None if variances is None else variances[valid],
                unit=None,
            ),
            coords=coords,
        )
        hist = points.hist(self._edges)
        self._sum += sign * hist.values.ravel()
        if self._var is not None:
            self._var += sign * hist.variances.ravel()
        if self._per_second:
            points.data = sc.ones(dims=["point"], shape=[int(valid.sum())], unit=None)
            self._count += sign * points.hist(self._edges).values.ravel()


def _widths_s(times: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """Time-bin widths in seconds of points [lo, hi): gap to the next, the last one repeated."""
    n = times.size
    ext = times[lo : min(hi + 1, n)]
    widths = np.empty(hi - lo, dtype=np.float64)
    gaps = np.diff(ext)
    widths[: gaps.size] = gaps
    if gaps.size < hi - lo:  # hi == n: the last point repeats the last width
        widths[-1] = times[n - 1] - times[n - 2]
    return widths / _NS_PER_S


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, non-overlapping, non-empty ranges (a point is retracted once)."""
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(r for r in ranges if r[1] > r[0]):
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged
