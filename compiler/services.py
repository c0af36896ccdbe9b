"""The services that run workflows: a workflow's ``service`` (or its group) must name one.

A workflow is sent to the backend service named by its ``service``, else its ``group``
(``WorkflowSpec.service_name``). A name no service answers to means the workflow is never run,
so ``wfspec check`` warns (R019, with a did-you-mean; ``--strict`` fails). Known are the ESS
livedata backend's services, the service names of the runtime's in-process executors, and the
services an Instrument declares (``services:``) for instrument-specific deployments.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["BACKEND_SERVICES", "EXECUTOR_SERVICES", "known_services"]

BACKEND_SERVICES: tuple[str, ...] = (
    "monitor_data",
    "detector_data",
    "data_reduction",
    "timeseries",
)
"""The ESS livedata backend's services (one process type each)."""

EXECUTOR_SERVICES: dict[str, str] = {"correlation_histogram": "correlation"}
"""In-process executor -> the service (group) name its workflows carry."""


def known_services(declared: Iterable[str] = ()) -> list[str]:
    """Every service name a workflow may be sent to, with an instrument's ``declared`` ones."""
    names = [*BACKEND_SERVICES, *EXECUTOR_SERVICES.values()]
    names += [name for name in declared if name not in names]
    return names
