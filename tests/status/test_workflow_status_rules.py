"""Workflow-level status: the documented aggregation, staleness and summary rules."""

from __future__ import annotations

import itertools
import uuid

import pytest

from wfspec.compiler.ids import WorkflowId
from wfspec.runtime.orchestrator import JobConfig, JobSet
from wfspec.runtime.status import JobId, JobState, JobStatus
from wfspec.runtime.workflow_status import SEVERITY, AggregateState, aggregate, headline, summarize

WID = WorkflowId.parse("dummy/monitor_histogram/1")
NUMBER = uuid.UUID(int=7)
NOW = 5000.0


def status(source: str, state: JobState, **kw) -> JobStatus:
    return JobStatus(
        job_id=JobId(source_name=source, job_number=NUMBER), workflow_id=WID, state=state, **kw
    )


def jobset(**sources) -> JobSet:
    """sources: name -> None (never reported) or (state, age_s, fields)."""
    jobs = {}
    for name, spec in sources.items():
        if spec is None:
            jobs[name] = JobConfig({}, {})
        else:
            state, age, fields = spec
            jobs[name] = JobConfig({}, {}, status(name, state, **fields), NOW - age)
    return JobSet(NUMBER, jobs)


def test_no_current_jobset_is_stopped():
    result = aggregate(WID, None, NOW, 60)
    assert result.state is AggregateState.STOPPED and result.job_number is None


def test_current_without_any_status_is_pending():
    result = aggregate(WID, jobset(monitor1=None, monitor2=None), NOW, 60)
    assert result.state is AggregateState.PENDING
    assert [s.fresh for s in result.sources] == [False, False]


def test_only_stale_statuses_is_pending():
    result = aggregate(WID, jobset(monitor1=(JobState.ERROR, 61, {"error": "x"})), NOW, 60)
    assert result.state is AggregateState.PENDING
    assert result.summary is None
    assert result.sources[0].state is JobState.ERROR and not result.sources[0].fresh


def test_staleness_threshold_is_configurable():
    js = jobset(monitor1=(JobState.ACTIVE, 20, {}))
    assert aggregate(WID, js, NOW, 60, missed_beats=None).state is AggregateState.ACTIVE
    assert aggregate(WID, js, NOW, 10, missed_beats=None).state is AggregateState.PENDING
    assert aggregate(WID, js, NOW, 60, missed_beats=11).state is AggregateState.ACTIVE


def test_staleness_follows_the_beat_interval():
    job = JobConfig({}, {}, status("monitor1", JobState.ACTIVE), NOW - 3.5, beat_s=1.0)
    late = JobSet(NUMBER, {"monitor1": job})
    assert aggregate(WID, late, NOW, 60).state is AggregateState.PENDING
    job = JobConfig({}, {}, status("monitor1", JobState.ACTIVE), NOW - 2.5, beat_s=1.0)
    result = aggregate(WID, JobSet(NUMBER, {"monitor1": job}), NOW, 60)
    assert result.state is AggregateState.ACTIVE
    assert result.sources[0].stale_at == NOW - 2.5 + 3.0


@pytest.mark.parametrize(("worse", "better"), list(itertools.combinations(SEVERITY, 2)))
def test_worst_fresh_state_wins(worse, better):
    js = jobset(a=(better, 1, {}), b=(worse, 1, {}), c=(JobState.ERROR, 100, {}))
    assert aggregate(WID, js, NOW, 60).state.value == worse.value


def test_order_is_the_documented_one():
    assert [s.value for s in SEVERITY] == [
        "error",
        "warning",
        "pending_context",
        "scheduled",
        "stopped",
        "finishing",
        "active",
    ]


def test_per_source_states_are_available():
    js = jobset(monitor1=(JobState.ACTIVE, 1, {}), monitor2=(JobState.WARNING, 2, {"warning": "w"}))
    result = aggregate(WID, js, NOW, 60)
    assert {s.source_name: s.state for s in result.sources} == {
        "monitor1": JobState.ACTIVE,
        "monitor2": JobState.WARNING,
    }
    assert result.sources[1].age_s == 2


def test_summary_errors_first_grouped_and_capped():
    errors = [("b", "boom"), ("a", "boom"), ("c", "disk full")]
    warnings = [("d", "slow"), ("e", "late"), ("f", "odd")]
    text = summarize(errors, warnings)
    assert text == "a, b: boom; c: disk full; d: slow; ... and 2 more"


def test_summary_of_nothing_is_none():
    assert summarize([], []) is None


def test_traceback_is_summarised_by_its_exception_line():
    tb = 'Traceback (most recent call last):\n  File "x.py", line 1\nValueError: bad pixel'
    assert headline(tb) == "ValueError: bad pixel"
    assert headline("first line\nsecond") == "first line"
    js = jobset(panel_0=(JobState.ERROR, 1, {"error": tb}))
    result = aggregate(WID, js, NOW, 60)
    assert result.summary == "panel_0: ValueError: bad pixel"
    assert result.sources[0].error == tb


def test_summary_comes_from_fresh_statuses_only():
    js = jobset(
        a=(JobState.ERROR, 100, {"error": "old"}), b=(JobState.WARNING, 1, {"warning": "w"})
    )
    result = aggregate(WID, js, NOW, 60)
    assert result.state is AggregateState.WARNING
    assert result.summary == "b: w"


def test_the_real_backends_error_heartbeat_is_summarised_by_its_exception():
    """Issue 13: the summary read "panel_0: Job failed to compute result." and hid the error.

    The fixture is a real error heartbeat of the ESS livedata backend (26.8.0), re-encoded and
    decoded through the codec as the runtime does.
    """
    import json
    from pathlib import Path

    from streaming_data_types import serialise_x5f2

    from wfspec.runtime.x5f2 import X5f2Decoder

    capture = Path(__file__).parents[1] / "data" / "heartbeats" / "real_job_error.json"
    fields = json.loads(capture.read_text())["x5f2"]
    decoded = X5f2Decoder().decode(serialise_x5f2(**fields))
    job = decoded.status
    assert job.error.startswith("Job failed to compute result.")
    wid = job.workflow_id
    current = JobSet(job.job_id.job_number, {"panel_0": JobConfig({}, {}, job, NOW)})
    result = aggregate(wid, current, NOW, 60)
    assert result.state is AggregateState.ERROR
    assert result.summary == (
        "panel_0: ValueError: No value was fed for "
        "'ess.livedata.workflows.detector_view.types.ROIPolygonRequest'"
    )
    assert result.sources[0].error == job.error  # the full text, per source


def test_chained_tracebacks_show_the_last_exception():
    text = (
        "Traceback (most recent call last):\n  File 'a', line 1\nKeyError: 'x'\n\n"
        "During handling of the above exception, another exception occurred:\n\n"
        "Traceback (most recent call last):\n  File 'b', line 2\n"
        "RuntimeError: could not load\nnote: some note\n"
    )
    assert headline(text) == "RuntimeError: could not load"
