"""Fixtures of the status/orchestration tests: a fake clock, specs, a recording command sink.

``SpecLookup`` and ``MemoryRecords`` are small in-process implementations of the two protocols
the orchestrator consumes (``WorkflowLookup``, ``RecordsStore``); the registry and job-records
store of the registry issue implement the same protocols on disk.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field

from wfspec.compiler.ids import WorkflowId
from wfspec.compiler.spec import AuxSourceSpec, WorkflowSpec
from wfspec.runtime.clock import FakeClock
from wfspec.runtime.commands import RecordingSink
from wfspec.runtime.orchestrator import JobOrchestrator

CAPTURES = Path(__file__).parent.parent / "data" / "heartbeats"

MONITOR = WorkflowId.parse("dummy/monitor_histogram/1")
TOTAL = WorkflowId.parse("dummy/total_counts/1")
CORRELATION = WorkflowId.parse("dummy/motion1_correlation_histogram_1d/1")


class HistogramParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    bins: int = Field(100, ge=1)
    mode: Literal["toa", "wavelength"] = "toa"


class NoParams(BaseModel):
    model_config = ConfigDict(extra="forbid")


def make_spec(workflow_id: WorkflowId, sources: list[str], **extra: Any) -> WorkflowSpec:
    return WorkflowSpec(
        id=workflow_id,
        group="monitor_data",
        title=workflow_id.name,
        source_names=sources,
        params=extra.pop("params", HistogramParams),
        outputs={},
        **extra,
    )


class SpecLookup:
    """Workflows by id, with change listeners told before an instance is removed."""

    def __init__(self, specs: list[WorkflowSpec]) -> None:
        self.specs = {s.id: s for s in specs}
        self.listeners: list[Any] = []

    def get(self, workflow_id: WorkflowId) -> WorkflowSpec | None:
        return self.specs.get(workflow_id)

    def subscribe(self, callback: Any) -> None:
        self.listeners.append(callback)

    def unregister(self, workflow_id: WorkflowId) -> None:
        for listener in self.listeners:
            listener("unregistering", workflow_id)
        del self.specs[workflow_id]


class MemoryRecords:
    """Job records kept in a dict (shared by two orchestrators to model a restart)."""

    def __init__(self) -> None:
        self.records: dict[WorkflowId, dict[str, Any]] = {}
        self.puts = 0

    def load(self) -> dict[WorkflowId, dict[str, Any]]:
        return {k: dict(v) for k, v in self.records.items()}

    def put(self, workflow_id: WorkflowId, record: dict[str, Any]) -> None:
        self.puts += 1
        self.records[workflow_id] = dict(record)

    def remove(self, workflow_id: WorkflowId) -> None:
        self.records.pop(workflow_id, None)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def registry() -> SpecLookup:
    return SpecLookup(
        [
            make_spec(MONITOR, ["monitor1", "monitor2"]),
            make_spec(TOTAL, ["panel_0"], params=NoParams),
            make_spec(
                CORRELATION,
                ["motion1"],
                params=NoParams,
                aux_sources={
                    "x_axis": AuxSourceSpec(title="X", choices=["motion1", "motion2"]),
                    "roi": AuxSourceSpec(title="ROI", choices=["roi0"], default="roi0"),
                },
            ),
        ]
    )


@pytest.fixture
def records() -> MemoryRecords:
    return MemoryRecords()


@pytest.fixture
def sink() -> RecordingSink:
    return RecordingSink()


@pytest.fixture
def orchestrator(registry, records, sink, clock) -> JobOrchestrator:
    return JobOrchestrator(registry, records, sink, clock=clock)


def _job_status(
    workflow_id: WorkflowId | str,
    source: str,
    job_number: Any,
    state: str = "active",
    **fields: Any,
) -> Any:
    from wfspec.runtime.status import JobId, JobStatus

    wid = workflow_id if isinstance(workflow_id, WorkflowId) else WorkflowId.parse(workflow_id)
    return JobStatus(
        job_id=JobId(source_name=source, job_number=job_number),
        workflow_id=wid,
        state=state,
        start_time=fields.pop("start_time", 1_795_000_000_000_000_000),
        **fields,
    )


@pytest.fixture
def job_status():
    """Factory: job_status(workflow_id, source, job_number, state='active', **fields)."""
    return _job_status


@pytest.fixture
def captures() -> dict[str, bytes]:
    return {p.stem: p.read_bytes() for p in sorted(CAPTURES.glob("*.x5f2"))}
