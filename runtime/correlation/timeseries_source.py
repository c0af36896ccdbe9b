"""Simulated timeseries results, in the exact format the livedata backend publishes them.

The simulated backend (``runtime/simulator.py``) uses :class:`TimeseriesSource` so the correlation
templates have data to work on:

- a ``timeseries_data`` job (motion1, motion2) publishes its ``delta`` output as batches along
  ``time``: the log readings since the previous batch (a random walk; motion1 in mm within
  [0, 1], motion2 in deg within [0, 360));
- a ``monitor_histogram`` job publishes its 0-d ``counts_total`` window output with a scalar
  ``time`` (end of the window) and ``start_time`` coordinate, errors = sqrt(counts).

Every record is a da00 flatbuffer whose source_name is the ResultKey JSON of the job. The
functions :func:`series_record` and :func:`window_record` build single records (tests use them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from uuid import UUID

import numpy as np

from wfspec.compiler import WorkflowId

from .da00 import encode_da00
from .result_key import ResultJobId, ResultKey

__all__ = ["TimeseriesSource", "series_record", "window_record"]

DEFAULT_UNITS = {"motion1": "mm", "motion2": "deg"}
_RANGES = {"mm": (0.0, 1.0), "deg": (0.0, 360.0)}


def _key(workflow_id: WorkflowId, source_name: str, job_number: UUID, output: str) -> str:
    return ResultKey(
        workflow_id=workflow_id,
        job_id=ResultJobId(source_name=source_name, job_number=job_number),
        output_name=output,
    ).to_json()


def series_record(
    workflow_id: WorkflowId,
    source_name: str,
    job_number: UUID,
    output_name: str,
    times_ns: np.ndarray,
    values: np.ndarray,
    unit: str | None,
) -> bytes:
    """A batch of readings along ``time`` (int64 ns since the epoch)."""
    import scipp as sc

    times = np.asarray(times_ns, dtype=np.int64)
    data = sc.DataArray(
        sc.array(dims=["time"], values=np.asarray(values, dtype=np.float64), unit=unit),
        coords={"time": sc.array(dims=["time"], values=times, unit="ns")},
    )
    key = _key(workflow_id, source_name, job_number, output_name)
    return encode_da00(key, data, int(times[-1]) if times.size else 0)


def window_record(
    workflow_id: WorkflowId,
    source_name: str,
    job_number: UUID,
    output_name: str,
    value: float,
    unit: str | None,
    start_ns: int,
    end_ns: int,
    variance: float | None = None,
) -> bytes:
    """A 0-d window result stamped with ``time`` = end and ``start_time`` = start of the window."""
    import scipp as sc

    data = sc.DataArray(
        sc.scalar(float(value), variance=variance, unit=unit),
        coords={
            "time": sc.scalar(int(end_ns), unit="ns", dtype="int64"),
            "start_time": sc.scalar(int(start_ns), unit="ns", dtype="int64"),
        },
    )
    return encode_da00(_key(workflow_id, source_name, job_number, output_name), data, end_ns)


@dataclass
class _Running:
    workflow_id: WorkflowId
    source_name: str
    job_number: UUID
    last_ns: int | None = None
    position: float | None = None


class TimeseriesSource:
    """Produces the timeseries records of running simulated jobs; call :meth:`tick` regularly.

    ``job_started``/``job_stopped`` mirror the commands the simulator receives; jobs of other
    workflows are ignored. ``tick(now_ns)`` returns the da00 records covering the time since the
    previous tick of each job (nothing on a job's first tick: it only starts its window).
    """

    def __init__(
        self,
        *,
        seed: int | None = None,
        units: Mapping[str, str] | None = None,
        readings_per_tick: int = 5,
        count_rate_hz: float = 1000.0,
    ) -> None:
        self._rng = np.random.default_rng(seed)
        self._units = {**DEFAULT_UNITS, **(units or {})}
        self._readings = readings_per_tick
        self._rate = count_rate_hz
        self._jobs: dict[tuple[WorkflowId, str], _Running] = {}

    @staticmethod
    def produces(workflow_id: WorkflowId) -> bool:
        """True for the workflows whose timeseries this source simulates."""
        return workflow_id.name in ("timeseries_data", "monitor_histogram")

    def job_started(
        self, workflow_id: WorkflowId | str, source_name: str, job_number: UUID | str
    ) -> None:
        workflow_id = WorkflowId.of(workflow_id)
        if self.produces(workflow_id):
            self._jobs[(workflow_id, source_name)] = _Running(
                workflow_id, source_name, UUID(str(job_number))
            )

    def job_stopped(
        self,
        workflow_id: WorkflowId | str | None,
        source_name: str | None = None,
        job_number: UUID | str | None = None,
    ) -> None:
        wid = None if workflow_id is None else WorkflowId.of(workflow_id)
        number = None if job_number is None else UUID(str(job_number))
        for key, job in list(self._jobs.items()):
            if (
                (wid is None or job.workflow_id == wid)
                and (source_name is None or job.source_name == source_name)
                and (number is None or job.job_number == number)
            ):
                del self._jobs[key]

    def tick(self, now_ns: int) -> list[bytes]:
        records = []
        for job in self._jobs.values():
            if job.last_ns is not None and now_ns > job.last_ns:
                if job.workflow_id.name == "timeseries_data":
                    records.append(self._readings_record(job, now_ns))
                else:
                    records.append(self._counts_record(job, now_ns))
            job.last_ns = now_ns if job.last_ns is None else max(job.last_ns, now_ns)
        return records

    def _readings_record(self, job: _Running, now_ns: int) -> bytes:
        unit = self._units.get(job.source_name, "mm")
        low, high = _RANGES.get(unit, (0.0, 1.0))
        span = high - low
        if job.position is None:
            job.position = low + span * self._rng.uniform(0.2, 0.8)
        offsets = np.sort(self._rng.integers(1, now_ns - job.last_ns + 1, size=self._readings))
        times = np.unique(job.last_ns + offsets)
        steps = self._rng.normal(0.0, 0.05 * span, times.size)
        values = np.empty(times.size)
        for i, step in enumerate(steps):  # a random walk reflected into the range
            position = low + (job.position + step - low) % (2 * span)
            job.position = 2 * high - position if position > high else position
            values[i] = job.position
        return series_record(
            job.workflow_id, job.source_name, job.job_number, "delta", times, values, unit
        )

    def _counts_record(self, job: _Running, now_ns: int) -> bytes:
        seconds = (now_ns - job.last_ns) / 1e9
        counts = float(self._rng.poisson(self._rate * seconds))
        return window_record(
            job.workflow_id,
            job.source_name,
            job.job_number,
            "counts_total",
            counts,
            "counts",
            start_ns=job.last_ns,
            end_ns=now_ns,
            variance=counts,
        )
