"""What ``wfspec demo`` does once everything runs: register an instance, commit some workflows.

Kept apart from the process wiring (``cli/demo.py``) so a test can play the same scenario on a
runtime of its own. The scenario uses only the public runtime API -- the registry's
``register_from_template`` and the orchestrator's ``stage``/``commit`` -- exactly what a
dashboard would call.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from wfspec.compiler import TimeseriesReference, WorkflowId

__all__ = ["DEMO_INSTANCE", "DemoPlan", "play"]

DEMO_INSTANCE: dict[str, Any] = {
    "template": "correlation_histogram_1d",
    "config": {
        "x_axis": {
            "workflow_id": "dummy/timeseries_data/1",
            "source_name": "motion1",
            "output_name": "delta",
        },
        "x_unit": "mm",
        "x_start": -5.0,
        "x_stop": 5.0,
    },
}
"""Monitor counts against the position of motion1 (a "Motion1 Correlation Histogram")."""


@dataclass(frozen=True, slots=True)
class DemoPlan:
    """The workflows to commit, each with the sources it runs on, in commit order."""

    commits: tuple[tuple[WorkflowId, tuple[str, ...]], ...]
    instance: WorkflowId


def _plan(instance: WorkflowId) -> DemoPlan:
    monitor = WorkflowId.parse("dummy/monitor_histogram/1")
    counts = TimeseriesReference(
        workflow_id=monitor, source_name="monitor1", output_name="counts_total"
    )
    return DemoPlan(
        commits=(
            (WorkflowId.parse("dummy/timeseries_data/1"), ("motion1", "motion2")),
            (monitor, ("monitor1", "monitor2")),
            (instance, (str(counts),)),
        ),
        instance=instance,
    )


def play(registry: Any, orchestrator: Any, log: Any = print) -> DemoPlan:
    """Register the demo instance (idempotent) and commit the demo's workflows with defaults.

    ``orchestrator`` is a :class:`JobOrchestrator` or a :class:`~wfspec.runtime.app.Runtime`
    (both have ``stage`` and ``commit``; the runtime's commit also returns the ack tickets).
    """
    instance = registry.register_from_template(DEMO_INSTANCE["template"], DEMO_INSTANCE["config"])
    log(f"registered template instance {instance}")
    plan = _plan(instance)
    for workflow_id, sources in plan.commits:
        for source in sources:
            orchestrator.stage(workflow_id, source)
        outcome = orchestrator.commit(workflow_id)
        job_set = getattr(outcome, "job_set", outcome)
        log(f"committed {workflow_id} on {', '.join(sources)} (job {str(job_set.job_number)[:8]})")
    return plan


def committed_ids(plan: DemoPlan) -> Sequence[WorkflowId]:
    return [workflow_id for workflow_id, _ in plan.commits]
