"""The router: job statuses to JobService and orchestrator independently, services to the
ServiceRegistry; captures decode -> route -> re-encode byte-identically."""

from __future__ import annotations

import uuid

from wfspec.compiler.ids import WorkflowId
from wfspec.runtime.job_service import JobService
from wfspec.runtime.service_registry import ServiceRegistry
from wfspec.runtime.status import JobState, ServiceStatus
from wfspec.runtime.status_router import StatusRouter
from wfspec.runtime.workflow_status import AggregateState
from wfspec.runtime.x5f2 import Decoded, encode, encode_status

MONITOR = WorkflowId.parse("dummy/monitor_histogram/1")
TOTAL = WorkflowId.parse("dummy/total_counts/1")


def test_captures_route_into_state_and_reencode_identically(orchestrator, clock, captures):
    router = StatusRouter.for_runtime(orchestrator, clock=clock)
    for name, raw in captures.items():
        result = router.route(raw)
        assert isinstance(result, Decoded), name
        assert encode(result) == raw, name
    assert router.counters["rejected"] == 0
    assert router.counters["jobs"] == 6 and router.counters["services"] == 2
    # adopted from the heartbeats (no commit here): monitor_histogram reports a warning
    monitor = orchestrator.workflow_status(MONITOR)
    assert monitor.state is AggregateState.WARNING and not monitor.config_known
    assert monitor.summary == "monitor2: Monitor rate low: 3 events in the last 2 s"
    # total_counts: the error then the (older-code) stopped heartbeat of the same job
    total = orchestrator.workflow_status(TOTAL)
    assert total.state is AggregateState.STOPPED
    services = router.service_registry.snapshot()
    assert set(services) == {("dummy", "monitor_data"), ("dummy", "detector_data")}
    assert len(router.job_service) == 5


def test_each_job_sink_gets_every_status_even_if_another_fails(clock, job_status):
    seen = []

    def broken(statuses, received_at):
        raise RuntimeError("boom")

    job_service = JobService(clock)
    router = StatusRouter(
        job_sinks=[broken, lambda batch, t: seen.extend((s, t) for s in batch)],
        job_service=job_service,
        clock=clock,
    )
    status = job_status(MONITOR, "monitor1", uuid.uuid4(), update_interval_ms=1000)
    router.route(encode_status(status))
    assert [s for s, _ in seen] == [status]
    assert seen[0][1] == clock.monotonic()
    assert job_service.get(status.job_id).status == status
    assert router.counters["sink_errors"] == 1


def test_rejected_messages_change_no_state(orchestrator, clock, job_status):
    router = StatusRouter.for_runtime(orchestrator, clock=clock)
    router.route(encode_status(job_status(TOTAL, "panel_0", uuid.uuid4())))
    before = (orchestrator.states(), router.job_service.snapshot(), orchestrator.version)
    assert router.route_batch([b"junk", b"\x00" * 40, "text"]) == 0
    assert (orchestrator.states(), router.job_service.snapshot(), orchestrator.version) == before
    assert router.counters["rejected"] == 3
    assert router.counters["rejected.too_short"] == 1


def test_route_batch_uses_one_receive_time(orchestrator, clock, job_status):
    router = StatusRouter.for_runtime(orchestrator, clock=clock)
    number = uuid.uuid4()
    raws = [encode_status(job_status(MONITOR, s, number)) for s in ("monitor1", "monitor2")]
    assert router.route_batch(raws, received_at=42.0) == 2
    jobs = orchestrator.state(MONITOR).current.jobs
    assert {j.received_at for j in jobs.values()} == {42.0}


def service(worker: str, state: str = "running") -> ServiceStatus:
    return ServiceStatus(
        instrument="dummy",
        service_name="monitor_data",
        worker_id=worker,
        state=state,
        started_at=1,
        active_job_count=0,
    )


def test_service_staleness_after_30_s_and_configurable(clock):
    registry = ServiceRegistry(clock)
    registry.update(service("w1"))
    clock.advance(30)
    (worker,) = registry.workers()
    assert worker.is_fresh(clock.monotonic(), registry.stale_after_s)
    clock.advance(1)
    assert not worker.is_fresh(clock.monotonic(), registry.stale_after_s)
    assert ServiceRegistry(clock, stale_after_s=5).stale_after_s == 5


def test_stopped_and_stale_workers_are_capped_per_service(clock):
    registry = ServiceRegistry(clock, max_inactive_per_service=3)
    registry.update(service("alive"))
    for i in range(50):  # restarts: each worker says stopped, a new one comes up
        registry.update(service(f"w{i}", "stopped"))
        clock.advance(2)
        registry.update(service("alive"))
    workers = registry.snapshot()[("dummy", "monitor_data")]
    assert "alive" in workers
    assert len(workers) == 4
    assert {"w47", "w48", "w49"} <= set(workers)


def test_job_service_is_bounded_and_prunes_silent_jobs(clock, job_status):
    jobs = JobService(clock, retention_s=100, max_jobs=10)
    for _ in range(25):
        jobs.update(job_status(MONITOR, "monitor1", uuid.uuid4()))
        clock.advance(1)
    assert len(jobs) <= 10
    clock.advance(101)
    jobs.prune()
    assert len(jobs) == 0


def test_job_service_staleness_60_s(clock, job_status):
    jobs = JobService(clock)
    status = job_status(MONITOR, "monitor1", uuid.uuid4(), "warning", warning="w")
    jobs.update(status)
    clock.advance(60)
    assert list(jobs.fresh()) == [status.job_id]
    clock.advance(1)
    assert jobs.fresh() == {}
    assert jobs.snapshot()[status.job_id].status.state is JobState.WARNING


def test_constant_load_does_not_grow_memory(orchestrator, clock, job_status):
    """Hours of heartbeats and recommits at constant load: every map stays the same size."""
    router = StatusRouter.for_runtime(orchestrator, clock=clock)
    sizes = []
    for cycle in range(30):
        orchestrator.stage(MONITOR, "monitor1")
        jobset = orchestrator.commit(MONITOR)
        for _ in range(20):
            clock.advance(2)
            router.route_status(job_status(MONITOR, "monitor1", jobset.job_number))
            router.route_status(service(f"worker{cycle}"))
        clock.advance(700)
        router.prune()
        sizes.append(
            (
                len(orchestrator._index),
                len(router.job_service),
                sum(map(len, router.service_registry.snapshot().values())),
            )
        )
    assert sizes[-1] == sizes[10]
