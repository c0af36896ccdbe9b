"""The incremental correlation histogram equals a direct scipp computation of the same history."""

from __future__ import annotations

import uuid

import numpy as np
import pytest
import scipp as sc

from wfspec.compiler.ids import WorkflowId
from wfspec.runtime.correlation.histogram import CorrelationHistogram, make_edges
from wfspec.runtime.correlation.history import HistoryBounds, HistoryStore, SeriesBuffer
from wfspec.runtime.correlation.result_key import ResultJobId, ResultKey

S = 1_000_000_000
TS = WorkflowId.parse("dummy/timeseries_data/1")
MON = WorkflowId.parse("dummy/monitor_histogram/1")


def key(workflow: WorkflowId, source: str, output: str, job: uuid.UUID) -> ResultKey:
    return ResultKey(
        workflow_id=workflow,
        job_id=ResultJobId(source_name=source, job_number=job),
        output_name=output,
    )


class Feed:
    """A store with one data series and up to two axes, fed like the data topic would."""

    def __init__(self, bounds: HistoryBounds | None = None) -> None:
        self.store = HistoryStore(bounds)
        self.jobs = {"monitor1": uuid.uuid4(), "motion1": uuid.uuid4(), "motion2": uuid.uuid4()}
        self.keys = {
            "data": key(MON, "monitor1", "counts_total", self.jobs["monitor1"]),
            "x": key(TS, "motion1", "delta", self.jobs["motion1"]),
            "y": key(TS, "motion2", "delta", self.jobs["motion2"]),
        }

    def buffer(self, role: str) -> SeriesBuffer:
        return self.store.series(self.keys[role].reference)

    def send(self, role: str, data: sc.DataArray) -> None:
        outcome = self.store.add(self.keys[role], data)
        assert outcome.accepted, outcome.reason


def random_batches(rng, role, n, unit, t0, t1, with_variances=False):
    times = np.unique(rng.integers(t0, t1, size=2 * n))[:n]
    times = np.sort(rng.permutation(times)[:n])
    n = times.size
    values = rng.uniform(0.0, 10.0, n) if role == "data" else rng.uniform(-0.1, 1.1, n)
    variances = rng.uniform(0.1, 2.0, n) if with_variances else None
    cuts = np.sort(rng.choice(np.arange(1, n), size=min(n - 1, max(1, n // 7)), replace=False))
    out = []
    for lo, hi in zip([0, *cuts], [*cuts, n], strict=True):
        out.append(
            (
                role,
                times[lo:hi],
                values[lo:hi],
                None if variances is None else variances[lo:hi],
                unit,
            )
        )
    return out


def interleave(rng, *streams):
    """Merge message streams in a random order, keeping each stream's own order."""
    queues = [list(s) for s in streams]
    out = []
    while any(queues):
        choices = [i for i, q in enumerate(queues) if q]
        out.append(queues[rng.choice(choices)].pop(0))
    return out


def edges_x():
    return make_edges(
        "motion1", {"start": 0.0, "stop": 1.0, "num_bins": 20, "scale": "linear", "unit": "mm"}
    )


def assert_matches_direct(ref, feed, hist, per_second):
    """The 1-D histogram over motion1 equals the direct scipp computation of the whole feed."""
    expected = ref.direct_histogram(
        ref.buffer_as_dataarray(feed.buffer("data")),
        {"motion1": ref.buffer_as_dataarray(feed.buffer("x"))},
        {"motion1": edges_x()},
        per_second=per_second,
    )
    ref.assert_same_histogram(hist.result(), expected)


def edges_y():
    return make_edges(
        "motion2", {"start": 0.01, "stop": 1.0, "num_bins": 7, "scale": "log", "unit": "mm"}
    )


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("per_second", [False, True])
def test_1d_matches_direct_scipp_after_every_message(ref, seed, per_second):
    rng = np.random.default_rng(seed)
    feed = Feed()
    hist = CorrelationHistogram(
        feed.buffer("data"),
        {"motion1": feed.buffer("x")},
        {"motion1": edges_x()},
        per_second=per_second,
    )
    messages = interleave(
        rng,
        random_batches(rng, "data", 300, "counts", 0, 100 * S, with_variances=True),
        random_batches(rng, "x", 40, "mm", 5 * S, 100 * S),
    )
    for role, times, values, variances, unit in messages:
        feed.send(role, ref.series(times, values, unit, variances))
        if len(feed.buffer("x")) and len(feed.buffer("data")) > 1:
            assert_matches_direct(ref, feed, hist, per_second)
    assert hist.error is None


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("per_second", [False, True])
def test_2d_matches_direct_scipp_with_late_and_out_of_order_readings(ref, seed, per_second):
    rng = np.random.default_rng(seed)
    feed = Feed()
    edges = {"motion1": edges_x(), "motion2": edges_y()}
    hist = CorrelationHistogram(
        feed.buffer("data"),
        {"motion1": feed.buffer("x"), "motion2": feed.buffer("y")},
        edges,
        per_second=per_second,
    )
    x_msgs = random_batches(rng, "x", 30, "mm", 0, 60 * S)
    rng.shuffle(x_msgs)  # axis readings arrive out of order
    # y readings in metres: converted to the edges' unit (mm)
    y_msgs = [
        (r, t, v / 1000.0, var, "m")
        for r, t, v, var, _ in random_batches(rng, "y", 25, "mm", 10 * S, 60 * S)
    ]
    messages = interleave(
        rng,
        random_batches(rng, "data", 200, "counts", 0, 60 * S, with_variances=True),
        x_msgs,
        y_msgs,
    )
    for role, times, values, variances, unit in messages:
        feed.send(role, ref.series(times, values, unit, variances))
    expected = ref.direct_histogram(
        ref.buffer_as_dataarray(feed.buffer("data")),
        {
            "motion1": ref.buffer_as_dataarray(feed.buffer("x")),
            "motion2": ref.buffer_as_dataarray(feed.buffer("y")),
        },
        edges,
        per_second=per_second,
    )
    result = hist.result()
    assert result.dims == ("motion1", "motion2")
    ref.assert_same_histogram(result, expected)


def test_points_before_first_axis_reading_are_excluded(ref):
    feed = Feed()
    hist = CorrelationHistogram(
        feed.buffer("data"), {"motion1": feed.buffer("x")}, {"motion1": edges_x()}
    )
    feed.send("data", ref.series([1 * S, 2 * S], [100.0, 200.0], "counts"))
    assert not hist.ready
    feed.send("x", ref.series([3 * S], [0.5], "mm"))  # later than both data points
    assert hist.ready
    feed.send("data", ref.series([4 * S], [7.0], "counts"))
    result = hist.result()
    assert result.sum().value == 7.0  # 100 and 200 were measured before any reading
    assert result["motion1", 10].value == 7.0  # 0.5 mm is in bin [0.5, 0.55)


def test_per_second_gives_mean_of_rates(ref):
    feed = Feed()
    hist = CorrelationHistogram(
        feed.buffer("data"),
        {"motion1": feed.buffer("x")},
        {"motion1": edges_x()},
        per_second=True,
    )
    feed.send("x", ref.series([0], [0.12], "mm"))
    # 10 counts over 1 s, 40 counts over 2 s, last point repeats the 2 s width: 60/2
    feed.send("data", ref.series([1 * S, 2 * S, 4 * S], [10.0, 40.0, 60.0], "counts"))
    result = hist.result()
    assert result.unit == sc.Unit("counts/s")
    assert result["motion1", 2].value == pytest.approx((10.0 + 20.0 + 30.0) / 3)
    assert np.isnan(result["motion1", 0].value)  # empty bins have no mean


def test_unit_that_does_not_convert_is_an_error_not_a_crash(ref):
    feed = Feed()
    hist = CorrelationHistogram(
        feed.buffer("data"), {"motion1": feed.buffer("x")}, {"motion1": edges_x()}
    )
    feed.send("x", ref.series([0], [10.0], "deg"))
    feed.send("data", ref.series([1 * S], [1.0], "counts"))
    assert hist.error is not None
    assert "'deg'" in hist.error and "'mm'" in hist.error


def test_new_job_number_starts_a_fresh_history(ref):
    feed = Feed()
    hist = CorrelationHistogram(
        feed.buffer("data"), {"motion1": feed.buffer("x")}, {"motion1": edges_x()}
    )
    feed.send("x", ref.series([0], [0.5], "mm"))
    feed.send("data", ref.series([1 * S, 2 * S], [5.0, 6.0], "counts"))
    old_job = feed.jobs["monitor1"]
    feed.keys["data"] = key(MON, "monitor1", "counts_total", uuid.uuid4())  # restarted job
    feed.send("data", ref.series([3 * S], [1.0], "counts"))
    assert hist.result().sum().value == 1.0
    # a late record of the superseded job is dropped
    outcome = feed.store.add(
        key(MON, "monitor1", "counts_total", old_job), ref.series([4 * S], [100.0], "counts")
    )
    assert not outcome.accepted and outcome.reason == "superseded job"
    assert hist.result().sum().value == 1.0


@pytest.mark.parametrize("per_second", [False, True])
def test_bounded_history_histograms_what_is_kept(ref, per_second):
    rng = np.random.default_rng(7)
    feed = Feed(HistoryBounds(max_points=50, max_age_s=30.0))
    hist = CorrelationHistogram(
        feed.buffer("data"),
        {"motion1": feed.buffer("x")},
        {"motion1": edges_x()},
        per_second=per_second,
    )
    messages = interleave(
        rng,
        random_batches(rng, "data", 400, "counts", 0, 200 * S, with_variances=True),
        random_batches(rng, "x", 60, "mm", 0, 200 * S),
    )
    for role, times, values, variances, unit in messages:
        feed.send(role, ref.series(times, values, unit, variances))
        assert len(feed.buffer("data")) <= 50
    assert_matches_direct(ref, feed, hist, per_second)


def test_redelivered_records_are_not_counted_twice(ref):
    feed = Feed()
    hist = CorrelationHistogram(
        feed.buffer("data"), {"motion1": feed.buffer("x")}, {"motion1": edges_x()}
    )
    feed.send("x", ref.series([0], [0.5], "mm"))
    batch = ref.series([1 * S, 2 * S], [5.0, 6.0], "counts")
    feed.send("data", batch)
    feed.send("data", batch)
    assert hist.result().sum().value == 11.0


def test_log_edges_are_geometric():
    edges = make_edges(
        "t", {"start": 1.0, "stop": 100.0, "num_bins": 2, "scale": "log", "unit": "K"}
    )
    assert sc.identical(edges, sc.array(dims=["t"], values=[1.0, 10.0, 100.0], unit="K"))


class ContributionSpy:
    """Wraps ``CorrelationHistogram._contribute``: counts the data points added and retracted."""

    def __init__(self, monkeypatch) -> None:
        self.calls: list[tuple[int, int, float]] = []
        original = CorrelationHistogram._contribute
        spy = self

        def contribute(hist, lo, hi, sign):
            spy.calls.append((lo, min(hi, len(hist._data)), sign))
            return original(hist, lo, hi, sign)

        monkeypatch.setattr(CorrelationHistogram, "_contribute", contribute)

    def points(self, sign: float) -> int:
        return sum(max(0, hi - lo) for lo, hi, s in self.calls if s == sign)

    def reset(self) -> None:
        self.calls.clear()


def _long_history(ref, monkeypatch, per_second, n=2000):
    feed = Feed()
    spy = ContributionSpy(monkeypatch)
    hist = CorrelationHistogram(
        feed.buffer("data"),
        {"motion1": feed.buffer("x")},
        {"motion1": edges_x()},
        per_second=per_second,
    )
    rng = np.random.default_rng(7)
    feed.send("x", ref.series([0], [0.5], "mm"))
    times = np.arange(1, n + 1) * S
    feed.send("data", ref.series(times, rng.uniform(0.0, 10.0, n), "counts"))
    assert spy.points(1.0) >= n  # the first build histograms the whole history once
    spy.reset()
    return feed, hist, spy, rng


@pytest.mark.parametrize("per_second", [False, True])
def test_appending_in_order_points_histograms_only_the_new_ones(ref, monkeypatch, per_second):
    n, k = 2000, 5
    feed, hist, spy, rng = _long_history(ref, monkeypatch, per_second, n)
    version = hist.version
    times = (n + np.arange(1, k + 1)) * S
    feed.send("data", ref.series(times, rng.uniform(0.0, 10.0, k), "counts"))
    # per second: the old last point's width changes, so it is retracted and added back too
    extra = 1 if per_second else 0
    assert spy.points(1.0) == k + extra
    assert spy.points(-1.0) == extra
    assert hist.version == version + 1
    assert_matches_direct(ref, feed, hist, per_second)


@pytest.mark.parametrize("per_second", [False, True])
def test_late_axis_reading_rehistograms_only_points_from_its_time(ref, monkeypatch, per_second):
    n = 2000
    feed, hist, spy, _ = _long_history(ref, monkeypatch, per_second, n)
    feed.send("x", ref.series([n * S - 2 * S], [0.2], "mm"))  # newer reading: 3 points follow
    assert spy.points(-1.0) == spy.points(1.0) == 3
    assert {(lo, hi) for lo, hi, _ in spy.calls} == {(n - 3, n)}
    assert_matches_direct(ref, feed, hist, per_second)
    spy.reset()
    # a reading that arrives late, older than the newest one: only [its time, end) changes
    feed.send("x", ref.series([n * S - 10 * S + S // 2], [0.9], "mm"))
    assert spy.points(-1.0) == spy.points(1.0) == 10
    assert {(lo, hi) for lo, hi, _ in spy.calls} == {(n - 10, n)}
    assert_matches_direct(ref, feed, hist, per_second)
