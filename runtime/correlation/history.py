"""Bounded timeseries history, one per stable key (workflow, source, output).

A :class:`SeriesBuffer` keeps the points of one timeseries sorted by time in preallocated numpy
arrays (amortised O(1) per appended point; a concat per message would be O(history)). Bounds are
a maximum number of points and a maximum age measured against the newest point (never the wall
clock: a motor that stands still keeps its last reading). Age trimming keeps one *anchor*, the
last point at or before the cutoff, so a "previous reading" lookup stays defined for every point
that is still young enough.

Listeners (the histograms) are told before and after every change, with a :class:`SeriesChange`
describing it, so they can retract what is about to change and add it back afterwards: that is
what makes histogram updates O(k) for k new points.

The :class:`HistoryStore` maps keys to buffers. The job_number of a ResultKey is only a generation
filter: data of a superseded job of the same workflow and source is dropped, and the first record
of a new job clears that job's series (a restarted job starts a fresh history).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol
from uuid import UUID

import numpy as np

from wfspec.compiler import TimeseriesReference, WorkflowId

if TYPE_CHECKING:
    import scipp as sc

    from .result_key import ResultKey

__all__ = [
    "AddOutcome",
    "HistoryBounds",
    "HistoryError",
    "HistoryStore",
    "SeriesBuffer",
    "SeriesChange",
    "SeriesListener",
    "timeseries_points",
]

_NS_PER_S = 1_000_000_000


class HistoryError(ValueError):
    """A record that cannot join a history (not a timeseries, incompatible unit, ...)."""


@dataclass(frozen=True)
class HistoryBounds:
    """How much history a series keeps: at most ``max_points``, at most ``max_age_s`` old."""

    max_points: int = 100_000
    max_age_s: float | None = None

    def __post_init__(self) -> None:
        if self.max_points < 1:
            raise ValueError(f"max_points must be at least 1, got {self.max_points}")
        if self.max_age_s is not None and self.max_age_s <= 0:
            raise ValueError(f"max_age_s must be positive, got {self.max_age_s}")


@dataclass(frozen=True)
class SeriesChange:
    """What an update does to a buffer, known before it happens.

    ``in_order``: every new point is later than the newest old one (an append); otherwise the
    points are merged in. ``reset``: the buffer was cleared. ``trimmed`` points are removed from
    the front after the new points went in, leaving ``first_kept_time`` as the oldest time.
    """

    old_size: int
    added: int
    first_new_time: int | None
    trimmed: int
    first_kept_time: int | None = None
    in_order: bool = True
    reset: bool = False

    @property
    def new_size(self) -> int:
        return self.old_size + self.added - self.trimmed


class SeriesListener(Protocol):
    """Told about every change of a series it watches, before and after."""

    def series_will_change(self, series: SeriesBuffer, change: SeriesChange) -> None: ...

    def series_changed(self, series: SeriesBuffer, change: SeriesChange) -> None: ...


class SeriesBuffer:
    """Time-sorted points (int64 ns, float64 value, optional float64 variance) with bounds."""

    def __init__(self, bounds: HistoryBounds | None = None, *, capacity: int = 256) -> None:
        self.bounds = bounds or HistoryBounds()
        self.unit: str | None = None
        self._capacity = max(1, min(capacity, 2 * self.bounds.max_points))
        self._times = np.empty(self._capacity, dtype=np.int64)
        self._values = np.empty(self._capacity, dtype=np.float64)
        self._variances: np.ndarray | None = None
        self._start = 0
        self._stop = 0
        self._listeners: list[SeriesListener] = []
        self.version = 0

    # -- views
    def __len__(self) -> int:
        return self._stop - self._start

    @property
    def times(self) -> np.ndarray:
        """int64 ns since the epoch, ascending, unique (a read-only view; do not keep it)."""
        return self._times[self._start : self._stop]

    @property
    def values(self) -> np.ndarray:
        return self._values[self._start : self._stop]

    @property
    def variances(self) -> np.ndarray | None:
        """None until a point with a variance arrived (then 0 for points without one)."""
        if self._variances is None:
            return None
        return self._variances[self._start : self._stop]

    @property
    def nbytes(self) -> int:
        """Bytes held by the buffers (capacity, not just the live points)."""
        extra = 0 if self._variances is None else self._variances.nbytes
        return self._times.nbytes + self._values.nbytes + extra

    # -- listeners
    def add_listener(self, listener: SeriesListener) -> None:
        if listener not in self._listeners:
            self._listeners.append(listener)

    def remove_listener(self, listener: SeriesListener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    # -- updates
    def clear(self) -> None:
        """Drop every point (a new generation); listeners recompute."""
        n = len(self)
        change = SeriesChange(old_size=n, added=0, first_new_time=None, trimmed=n, reset=True)
        self._notify_before(change)
        self._start = self._stop = 0
        self._variances = None
        self.unit = None
        self.version += 1
        self._notify_after(change)

    def extend(
        self, times: np.ndarray, values: np.ndarray, variances: np.ndarray | None = None
    ) -> SeriesChange | None:
        """Add points; a time already present is a duplicate (Kafka redelivery) and is dropped.

        Returns the change, or None when nothing was new.
        """
        times = np.asarray(times, dtype=np.int64).ravel()
        values = np.asarray(values, dtype=np.float64).ravel()
        if variances is not None:
            variances = np.asarray(variances, dtype=np.float64).ravel()
        if times.size > 1 and np.any(times[1:] <= times[:-1]):
            times, values, variances = _sort_unique(times, values, variances)
        n = len(self)
        if n and times.size and times[0] <= self._times[self._stop - 1]:
            keep = ~_present(self.times, times)
            times, values = times[keep], values[keep]
            variances = None if variances is None else variances[keep]
        if times.size == 0:
            return None
        in_order = n == 0 or times[0] > self._times[self._stop - 1]
        trimmed = self._trim_count(times)
        if in_order:
            first_kept = self._kept_time(times, trimmed)
        else:
            all_times = np.concatenate([self.times, times])
            order = np.argsort(all_times, kind="stable")
            first_kept = int(all_times[order[trimmed]])
        change = SeriesChange(
            old_size=n,
            added=int(times.size),
            first_new_time=int(times[0]),
            trimmed=trimmed,
            first_kept_time=first_kept,
            in_order=in_order,
        )
        self._notify_before(change)
        if in_order:
            self._append(times, values, variances)
        else:
            self._merge(all_times, order, values, variances)
        self._start += change.trimmed
        self.version += 1
        self._notify_after(change)
        return change

    # -- internals
    def _trim_count(self, new_times: np.ndarray) -> int:
        total = len(self) + new_times.size
        by_points = total - self.bounds.max_points
        by_age = 0
        if self.bounds.max_age_s is not None:
            newest = int(new_times[-1])
            if len(self):
                newest = max(newest, int(self._times[self._stop - 1]))
            cutoff = newest - int(self.bounds.max_age_s * _NS_PER_S)
            at_or_before = int(np.searchsorted(self.times, cutoff, side="right")) + int(
                np.searchsorted(new_times, cutoff, side="right")
            )
            by_age = at_or_before - 1  # keep the anchor
        return max(0, min(max(by_points, by_age), total - 1))

    def _kept_time(self, new_times: np.ndarray, trimmed: int) -> int:
        """The first time left after an in-order append and trimming ``trimmed`` points."""
        n = len(self)
        if trimmed < n:
            return int(self._times[self._start + trimmed])
        return int(new_times[trimmed - n])

    def _append(self, times: np.ndarray, values: np.ndarray, variances: np.ndarray | None) -> None:
        k = times.size
        self._reserve(k, with_variances=variances is not None)
        stop = self._stop
        self._times[stop : stop + k] = times
        self._values[stop : stop + k] = values
        if self._variances is not None:
            self._variances[stop : stop + k] = 0.0 if variances is None else variances
        self._stop = stop + k

    def _merge(
        self,
        all_times: np.ndarray,
        order: np.ndarray,
        values: np.ndarray,
        variances: np.ndarray | None,
    ) -> None:
        """Install old + new points in time order (``order`` sorts ``all_times``)."""
        old_var = self.variances
        times = all_times[len(self) :]
        merged_values = np.concatenate([self.values, values])[order]
        merged_var = None
        if old_var is not None or variances is not None:
            old_var = np.zeros(len(self)) if old_var is None else old_var
            new_var = np.zeros(times.size) if variances is None else variances
            merged_var = np.concatenate([old_var, new_var])[order]
        self._start = self._stop = 0
        self._variances = None
        self._append(all_times[order], merged_values, merged_var)

    def _reserve(self, k: int, *, with_variances: bool) -> None:
        n = len(self)
        if with_variances and self._variances is None:
            self._variances = np.zeros(self._capacity, dtype=np.float64)
        if self._stop + k <= self._capacity:
            return
        if n + k <= self._capacity // 2:
            capacity = self._capacity  # compact in place: plenty of room after the move
        else:
            capacity = max(2 * (n + k), self._capacity)
        arrays = [self._times, self._values]
        if self._variances is not None:
            arrays.append(self._variances)
        moved = []
        for array in arrays:
            target = array if capacity == self._capacity else np.empty(capacity, array.dtype)
            target[:n] = array[self._start : self._stop]
            moved.append(target)
        self._times, self._values = moved[0], moved[1]
        if self._variances is not None:
            self._variances = moved[2]
        self._capacity = capacity
        self._start, self._stop = 0, n

    def _notify_before(self, change: SeriesChange) -> None:
        for listener in list(self._listeners):
            listener.series_will_change(self, change)

    def _notify_after(self, change: SeriesChange) -> None:
        for listener in list(self._listeners):
            listener.series_changed(self, change)


def _sort_unique(
    times: np.ndarray, values: np.ndarray, variances: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Sort a batch by time and keep the first point of each timestamp."""
    order = np.argsort(times, kind="stable")
    times = times[order]
    keep = np.ones(times.size, dtype=bool)
    keep[1:] = times[1:] != times[:-1]
    idx = order[keep]
    return times[keep], values[idx], None if variances is None else variances[idx]


def _present(existing: np.ndarray, times: np.ndarray) -> np.ndarray:
    """Which of ``times`` already occur in the sorted ``existing``."""
    pos = np.searchsorted(existing, times)
    pos = np.minimum(pos, existing.size - 1)
    return existing[pos] == times


def timeseries_points(
    data: sc.DataArray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, str | None]:
    """Times (int64 ns), values, variances and unit of a 0-d or ``time``-batch DataArray."""
    import scipp as sc

    if "time" not in data.coords:
        raise HistoryError("no 'time' coordinate: not a timeseries")
    if data.ndim > 1 or (data.ndim == 1 and data.dims != ("time",)):
        raise HistoryError(f"dims {data.dims}: a timeseries is 0-d or a batch along 'time'")
    time = data.coords["time"]
    if time.dims != data.dims:
        raise HistoryError(f"'time' has dims {time.dims}, data has {data.dims}")
    if time.dtype == sc.DType.datetime64:
        time = time - sc.epoch(unit=time.unit)
    try:
        ns = time.to(unit="ns", dtype="int64")
    except Exception as exc:
        raise HistoryError(f"'time' is not a time ({exc})") from None
    if data.dtype not in (sc.DType.float64, sc.DType.float32, sc.DType.int64, sc.DType.int32):
        raise HistoryError(f"data of dtype {data.dtype} is not numeric")
    values = np.atleast_1d(np.asarray(data.values, dtype=np.float64))
    variances = data.variances
    if variances is not None:
        variances = np.atleast_1d(np.asarray(variances, dtype=np.float64))
    unit = None if data.unit is None else str(data.unit)
    return np.atleast_1d(np.asarray(ns.values, dtype=np.int64)), values, variances, unit


@dataclass(frozen=True)
class AddOutcome:
    """What :meth:`HistoryStore.add` did with a record."""

    accepted: bool
    reason: str = ""
    new_generation: bool = False
    change: SeriesChange | None = None


@dataclass
class _Generation:
    current: UUID
    superseded: deque[UUID] = field(default_factory=lambda: deque(maxlen=32))


class HistoryStore:
    """Timeseries histories by stable key, filtered by job generation.

    ``accept`` decides which references are kept at all (the executor passes "is a timeseries
    output of a registered workflow"), so images on the data topic never fill memory.
    """

    def __init__(
        self,
        bounds: HistoryBounds | None = None,
        *,
        accept: Callable[[TimeseriesReference], bool] | None = None,
    ) -> None:
        self.bounds = bounds or HistoryBounds()
        self._accept = accept
        self._series: dict[TimeseriesReference, SeriesBuffer] = {}
        self._by_job: dict[tuple[WorkflowId, str], list[TimeseriesReference]] = {}
        self._generations: dict[tuple[WorkflowId, str], _Generation] = {}
        self.dropped: dict[str, int] = {}

    def series(self, ref: TimeseriesReference) -> SeriesBuffer:
        """The buffer of ``ref`` (created empty, so listeners can attach before data comes)."""
        buffer = self._series.get(ref)
        if buffer is None:
            buffer = self._series[ref] = SeriesBuffer(self.bounds)
            self._by_job.setdefault((ref.workflow_id, ref.source_name), []).append(ref)
        return buffer

    def generation(self, workflow_id: WorkflowId, source_name: str) -> UUID | None:
        """The job_number whose data the histories of this workflow and source hold."""
        gen = self._generations.get((workflow_id, source_name))
        return None if gen is None else gen.current

    def references(self) -> list[TimeseriesReference]:
        return list(self._series)

    @property
    def nbytes(self) -> int:
        return sum(buffer.nbytes for buffer in self._series.values())

    def add(self, key: ResultKey, data: sc.DataArray) -> AddOutcome:
        """Route one result into its history; never raises for bad input (see ``reason``)."""
        ref = key.reference
        if self._accept is not None and not self._accept(ref):
            return self._drop("not a wanted timeseries")
        try:
            times, values, variances, unit = timeseries_points(data)
        except HistoryError as exc:
            return self._drop(str(exc))
        job = (ref.workflow_id, ref.source_name)
        new_generation = False
        gen = self._generations.get(job)
        number = key.job_id.job_number
        if gen is None:
            self._generations[job] = _Generation(current=number)
        elif number != gen.current:
            if number in gen.superseded:
                return self._drop("superseded job")
            gen.superseded.append(gen.current)
            gen.current = number
            new_generation = True
            for other in self._by_job.get(job, []):
                self._series[other].clear()
        buffer = self.series(ref)
        try:
            values, variances, unit = _convert_unit(buffer.unit, values, variances, unit)
        except HistoryError as exc:
            return self._drop(str(exc), new_generation)
        if buffer.unit is None:
            buffer.unit = unit
        change = buffer.extend(times, values, variances)
        return AddOutcome(accepted=True, new_generation=new_generation, change=change)

    def _drop(self, reason: str, new_generation: bool = False) -> AddOutcome:
        self.dropped[reason] = self.dropped.get(reason, 0) + 1
        return AddOutcome(accepted=False, reason=reason, new_generation=new_generation)


def _convert_unit(
    target: str | None, values: np.ndarray, variances: np.ndarray | None, unit: str | None
) -> tuple[np.ndarray, np.ndarray | None, str | None]:
    """Express new points in the unit the series already has (a log may switch mm -> m)."""
    if target is None or unit == target:
        return values, variances, unit
    import scipp as sc

    try:
        var = sc.array(dims=["t"], values=values, variances=variances, unit=unit)
        var = var.to(unit=target)
    except Exception as exc:
        raise HistoryError(
            f"unit {unit!r} does not convert to the series' unit {target!r}: {exc}"
        ) from None
    return var.values, var.variances, target
