"""The executor in-process: records of simulated jobs in, job states and histograms out."""

from __future__ import annotations

import uuid
from types import SimpleNamespace

import scipp as sc

from wfspec.compiler import load_bundle
from wfspec.compiler.ids import WorkflowId
from wfspec.runtime.clock import FakeClock
from wfspec.runtime.commands import RecordingSink
from wfspec.runtime.correlation.da00 import decode_da00
from wfspec.runtime.correlation.executor import CorrelationExecutor
from wfspec.runtime.correlation.result_key import ResultKey
from wfspec.runtime.correlation.routing import RoutingCommandSink
from wfspec.runtime.correlation.timeseries_source import TimeseriesSource
from wfspec.runtime.instance_store import InstanceStore
from wfspec.runtime.job_records import JobRecordsStore
from wfspec.runtime.orchestrator import JobOrchestrator
from wfspec.runtime.registry import WorkflowRegistry
from wfspec.runtime.status import JobState
from wfspec.runtime.status_router import StatusRouter

S = 1_000_000_000
T0 = 1_800_000_000 * S
TS = WorkflowId.parse("dummy/timeseries_data/1")
MON = WorkflowId.parse("dummy/monitor_histogram/1")
H1 = WorkflowId.parse("dummy/motion1_correlation_histogram_1d/1")
H2 = WorkflowId.parse("dummy/motion1_vs_motion2_correlation_histogram_2d/1")
COUNTS = "dummy/monitor_histogram/1/counts_total@monitor1"


class ListPublisher:
    def __init__(self) -> None:
        self.records: list[bytes] = []

    def publish(self, value: bytes) -> None:
        self.records.append(value)


class Backend:
    """Simulated jobs whose records are kept (decoded) to recompute the histogram directly."""

    def __init__(self, executor: CorrelationExecutor) -> None:
        self.executor = executor
        self.source = TimeseriesSource(seed=3)
        self.inputs: dict[str, list[sc.DataArray]] = {}
        self.now = T0

    def start(self, workflow_id, source_name, job_number=None):
        self.source.job_started(workflow_id, source_name, job_number or uuid.uuid4())

    def run(self, ticks: int, only=None):
        for _ in range(ticks):
            self.now += S
            for value in self.source.tick(self.now):
                record = decode_da00(value)
                key = ResultKey.from_json(record.source_name)
                if only is not None and key.job_id.source_name not in only:
                    continue
                self.inputs.setdefault(str(key.reference), []).append(record.data)
                self.executor.on_record(value)

    def series(self, ref: str) -> sc.DataArray:
        parts = [d if d.ndim else sc.concat([d], "time") for d in self.inputs[ref]]
        return sc.concat(parts, "time")


def setup(ref, publisher=None):
    specs = ref.make_specs()
    executor = CorrelationExecutor(specs.get, publisher=publisher)
    return executor, Backend(executor)


def test_1d_job_is_scheduled_until_the_axis_has_data_then_matches_scipp(ref):
    publisher = ListPublisher()
    executor, backend = setup(ref, publisher)
    number = uuid.uuid4()
    executor.start_job(H1, COUNTS, number, {"x_edges": ref.X_EDGES})
    backend.start(MON, "monitor1")
    backend.run(3)
    assert [j.state for j in executor.jobs()] == ["scheduled"]
    assert executor.latest(H1, COUNTS) is None
    backend.start(TS, "motion1")
    backend.run(20)
    assert [j.state for j in executor.jobs()] == ["active"]
    latest = executor.latest(H1, COUNTS)
    expected = ref.direct_histogram(
        backend.series(COUNTS),
        {"motion1": backend.series("dummy/timeseries_data/1/delta@motion1")},
        {"motion1": sc.linspace("motion1", 0.0, 1.0, 11, unit="mm")},
    )
    ref.assert_same_histogram(latest.data, expected)
    assert expected.sum().value > 0  # the data overlapped the axis readings
    # every update was published with the instance's ResultKey; the last one is `latest`
    assert latest.version == len(publisher.records) > 1
    record = decode_da00(publisher.records[-1])
    key = ResultKey.from_json(record.source_name)
    assert (key.workflow_id, key.job_id.source_name, key.job_id.job_number, key.output_name) == (
        H1,
        COUNTS,
        number,
        "histogram",
    )
    # da00 carries standard deviations: variances come back as errors**2, within an ulp or two
    assert sc.identical(sc.values(record.data), sc.values(latest.data))
    assert sc.allclose(
        sc.variances(record.data.data), sc.variances(latest.data.data), rtol=sc.scalar(1e-14)
    )


def test_2d_per_second_matches_scipp(ref):
    executor, backend = setup(ref)
    executor.start_job(
        H2,
        COUNTS,
        uuid.uuid4(),
        {"x_edges": ref.X_EDGES, "y_edges": ref.Y_EDGES, "normalization": {"per_second": True}},
    )
    for source in ("motion1", "motion2"):
        backend.start(TS, source)
    backend.start(MON, "monitor1")
    backend.run(30)
    edges = {
        "motion1": sc.linspace("motion1", 0.0, 1.0, 11, unit="mm"),
        "motion2": sc.geomspace("motion2", 1.0, 360.0, 7, unit="deg"),
    }
    expected = ref.direct_histogram(
        backend.series(COUNTS),
        {
            "motion1": backend.series("dummy/timeseries_data/1/delta@motion1"),
            "motion2": backend.series("dummy/timeseries_data/1/delta@motion2"),
        },
        edges,
        per_second=True,
    )
    ref.assert_same_histogram(executor.latest(H2, COUNTS).data, expected)


def test_unit_mismatch_is_the_jobs_error(ref, tmp_path):
    # The executor reports through the real status path: router -> JobService + orchestrator.
    specs = ref.make_specs()
    clock = FakeClock()
    orchestrator = JobOrchestrator(
        specs, JobRecordsStore(tmp_path / "jobs.yaml"), RecordingSink(), clock=clock
    )
    router = StatusRouter.for_runtime(orchestrator, clock=clock)
    executor = CorrelationExecutor(specs.get, report=router.route_status)
    backend = Backend(executor)
    number = uuid.uuid4()
    executor.start_job(H1, COUNTS, number, {"x_edges": {**ref.X_EDGES, "unit": "s"}})
    backend.start(TS, "motion1")
    backend.start(MON, "monitor1")
    backend.run(3)
    (job,) = executor.jobs()
    assert job.state == "error"
    assert "'mm'" in job.error and "'s'" in job.error
    # what the router's views show: the job's status and the workflow's aggregate
    (observed,) = router.job_service.snapshot().values()
    assert observed.status.state is JobState.ERROR
    assert observed.status.job_id.job_number == number
    assert observed.status.error == job.error
    status = orchestrator.workflow_statuses()[H1]
    assert status.state.value == "error"
    assert "'mm'" in status.summary and "'s'" in status.summary
    assert status.summary.startswith(COUNTS)


def test_stop_ends_the_job_and_its_updates(ref):
    executor, backend = setup(ref)
    executor.start_job(H1, COUNTS, uuid.uuid4(), {"x_edges": ref.X_EDGES})
    backend.start(TS, "motion1")
    backend.start(MON, "monitor1")
    backend.run(3)
    version = executor.latest(H1, COUNTS).version
    assert executor.stop_jobs(H1) == [(H1, COUNTS)]
    backend.run(3)
    assert executor.jobs() == []
    assert executor.latest(H1, COUNTS).version == version


def test_restarted_data_job_starts_a_fresh_histogram(ref):
    executor, backend = setup(ref)
    executor.start_job(H1, COUNTS, uuid.uuid4(), {"x_edges": ref.X_EDGES})
    backend.start(TS, "motion1")
    backend.start(MON, "monitor1")
    backend.run(10)
    before = executor.latest(H1, COUNTS).data.sum().value
    backend.source.job_stopped(MON, "monitor1")
    backend.start(MON, "monitor1", uuid.uuid4())  # the backend job restarted
    backend.run(2)  # first tick opens the window, the second publishes one window
    after = executor.latest(H1, COUNTS).data.sum().value
    assert 0 < after < before
    assert after == backend.series(COUNTS)[-1].value


def test_commands_start_and_stop_local_jobs_and_routing_splits_batches(ref):
    specs = ref.make_specs()
    executor = CorrelationExecutor(specs.get)
    backend_batches = []
    sink = RoutingCommandSink(
        executor.handles, executor, SimpleNamespace(send=backend_batches.append)
    )
    number = uuid.uuid4()
    start_local = SimpleNamespace(
        kind="workflow_config",
        identifier=H1,
        params={"x_edges": ref.X_EDGES},
        job_id=SimpleNamespace(source_name=COUNTS, job_number=number),
    )
    start_backend = SimpleNamespace(
        kind="workflow_config",
        identifier=MON,
        params={},
        job_id=SimpleNamespace(source_name="monitor1", job_number=number),
    )
    sink.send([start_backend, start_local])
    assert backend_batches == [[start_backend]]
    assert [(j.workflow_id, j.source_name, j.job_number) for j in executor.jobs()] == [
        (H1, COUNTS, number)
    ]
    stop = SimpleNamespace(
        kind="job_command",
        action="stop",
        workflow_id=H1,
        job_id=SimpleNamespace(source_name=COUNTS, job_number=number),
    )
    sink.send([stop])
    assert executor.jobs() == [] and len(backend_batches) == 1


def test_foreign_and_garbage_records_are_counted_not_raised(ref):
    executor, _ = setup(ref)
    assert not executor.on_record(b"not a flatbuffer at all")
    assert executor.rejected


def test_status_is_reported_on_every_change_and_on_heartbeat(ref):
    reports = []
    executor = CorrelationExecutor(
        ref.make_specs().get,
        report=reports.append,
        make_status=lambda job: (job.source_name, job.state, job.error),
    )
    backend = Backend(executor)
    executor.start_job(H1, COUNTS, uuid.uuid4(), {"x_edges": ref.X_EDGES})
    assert reports == [(COUNTS, "scheduled", None)]
    backend.start(MON, "monitor1")
    backend.run(3)
    assert reports == [(COUNTS, "scheduled", None)]  # no change, no report
    backend.start(TS, "motion1")
    backend.run(3)
    assert reports == [(COUNTS, "scheduled", None), (COUNTS, "active", None)]
    executor.heartbeat()
    assert reports[-1] == (COUNTS, "active", None) and len(reports) == 3
    executor.start_job(H1, COUNTS, uuid.uuid4(), {"x_edges": {**ref.X_EDGES, "unit": "s"}})
    assert reports[-1][1] == "error" and "does not convert" in reports[-1][2]


def test_orchestrator_stop_ends_the_local_job(shipped_bundle_path, tmp_path):
    registry = WorkflowRegistry(
        load_bundle(shipped_bundle_path), InstanceStore(tmp_path / "instances.yaml")
    )
    executor = CorrelationExecutor(registry.get)
    backend_batches: list = []
    sink = RoutingCommandSink(
        executor.handles, executor, SimpleNamespace(send=backend_batches.append)
    )
    orchestrator = JobOrchestrator(
        registry, JobRecordsStore(tmp_path / "jobs.yaml"), sink, clock=FakeClock()
    )
    wid = registry.register_from_template(
        "correlation_histogram_1d",
        {
            "x_axis": {
                "workflow_id": "dummy/timeseries_data/1",
                "source_name": "motion1",
                "output_name": "delta",
            },
            "x_unit": "mm",
        },
    )
    orchestrator.stage(wid, COUNTS)
    job_set = orchestrator.commit(wid)
    assert [(j.workflow_id, j.source_name, j.job_number, j.state) for j in executor.jobs()] == [
        (wid, COUNTS, job_set.job_number, "scheduled")
    ]
    assert backend_batches == []  # a local workflow's start never reaches the backend

    stops = orchestrator.stop(wid)
    assert len(stops) == 1 and stops[0].job_id.job_number == job_set.job_number
    assert executor.jobs() == []
    assert orchestrator.state(wid).current is None


def test_a_failure_is_the_jobs_error_never_a_misleading_one(ref):
    """Issue 13: any error in the defaults became ``{}`` and "params have no x_edges"."""
    from pydantic import BaseModel

    class Required(BaseModel):
        x_edges: dict  # no default: the spec's defaults do not validate

    from wfspec.compiler import WorkflowSpec

    specs = ref.make_specs()
    fields = {name: getattr(specs[H1], name) for name in WorkflowSpec.model_fields}
    broken = WorkflowSpec(params=Required, **fields)
    executor = CorrelationExecutor(lambda wid: broken if wid == H1 else specs.get(wid))
    executor.start_job(H1, COUNTS, uuid.uuid4(), {})
    (job,) = executor.jobs()
    assert job.state == "error"
    assert job.error.startswith(f"the default params of {H1} do not validate")
    assert "x_edges" in job.error and "Field required" in job.error

    def exploding(wid):
        if wid == H1:
            raise RuntimeError("registry is gone")
        return specs.get(wid)

    other = CorrelationExecutor(exploding)
    other.start_job(H1, COUNTS, uuid.uuid4(), {"x_edges": ref.X_EDGES})
    (job,) = other.jobs()
    assert job.error == "cannot start the job: RuntimeError: registry is gone"
