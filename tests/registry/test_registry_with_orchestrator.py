"""Real registry, job-records store and orchestrator together: unregistering stops jobs first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from wfspec.runtime.clock import FakeClock
from wfspec.runtime.commands import JobAction, JobCommand
from wfspec.runtime.instance_store import InstanceStore
from wfspec.runtime.job_records import JobRecordsStore
from wfspec.runtime.orchestrator import JobOrchestrator
from wfspec.runtime.registry import WorkflowRegistry

TEMPLATE = "correlation_histogram_1d"


class WatchingSink:
    """Records each batch together with whether the instance was still registered then."""

    def __init__(self, registry: WorkflowRegistry) -> None:
        self.registry = registry
        self.batches: list[tuple[list[Any], bool]] = []
        self.watch: Any = None

    def send(self, batch: Any) -> None:
        self.batches.append((list(batch), self.watch in self.registry))


def test_unregistering_an_instance_stops_its_jobs_before_it_disappears(
    registry: WorkflowRegistry, tmp_path: Path, config_for: Any
) -> None:
    jobs_path = tmp_path / "jobs.yaml"
    sink = WatchingSink(registry)
    orchestrator = JobOrchestrator(registry, JobRecordsStore(jobs_path), sink, FakeClock())
    wid = registry.register_from_template(TEMPLATE, config_for())
    sink.watch = wid
    source = registry[wid].source_names[0]
    orchestrator.stage(wid, source)
    job_set = orchestrator.commit(wid)
    assert wid in JobRecordsStore(jobs_path).load()

    registry.unregister(wid)

    stops, still_registered = sink.batches[-1]
    assert still_registered
    assert [(c.action, c.job_id.job_number) for c in stops if isinstance(c, JobCommand)] == [
        (JobAction.STOP, job_set.job_number)
    ]
    assert wid not in registry
    assert orchestrator.state(wid).current is None
    assert wid not in JobRecordsStore(jobs_path).load()


def test_an_instance_removed_by_another_process_is_stopped_on_refresh(
    bundle: Any, store_path: Path, tmp_path: Path, config_for: Any
) -> None:
    mine = WorkflowRegistry(bundle, InstanceStore(store_path))
    sink = WatchingSink(mine)
    orchestrator = JobOrchestrator(mine, JobRecordsStore(tmp_path / "jobs.yaml"), sink)
    wid = mine.register_from_template(TEMPLATE, config_for())
    orchestrator.stage(wid, mine[wid].source_names[0])
    orchestrator.commit(wid)

    other = WorkflowRegistry(bundle, InstanceStore(store_path))  # as another process would
    other.unregister(wid)
    assert mine.refresh()

    assert [c.action for c in sink.batches[-1][0]] == [JobAction.STOP]
    assert orchestrator.state(wid).current is None
