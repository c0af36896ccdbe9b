"""Heartbeat decode + route throughput, next to a bare ``deserialise_x5f2`` loop.

Prints:
- messages/s of a bare ``deserialise_x5f2`` loop and of decode + route (codec, JobService,
  JobOrchestrator) over the same messages, and the routing overhead (target: <= 25 %);
- the per-message cost with 10 and with 10,000 registered workflows (target: within 10 %).

Steady state as on a live system: every job heartbeats with an unchanged payload, messages come
in batches of 500 (a Kafka ``consume``). Best of several runs (the machine is shared).

    .venv/bin/python benchmarks/bench_status.py [--messages 40000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from pydantic import BaseModel
from streaming_data_types import deserialise_x5f2

from wfspec.compiler.ids import WorkflowId
from wfspec.compiler.spec import WorkflowSpec
from wfspec.runtime.clock import SystemClock
from wfspec.runtime.commands import RecordingSink
from wfspec.runtime.orchestrator import JobOrchestrator
from wfspec.runtime.status import JobId, JobStatus
from wfspec.runtime.status_router import StatusRouter
from wfspec.runtime.x5f2 import encode_status

BATCH = 500


class Params(BaseModel):
    bins: int = 100


class Lookup:
    """The registry's read side (WorkflowLookup protocol) over N generated workflows."""

    def __init__(self, specs: dict[WorkflowId, WorkflowSpec]) -> None:
        self.specs = specs

    def get(self, workflow_id: WorkflowId) -> WorkflowSpec | None:
        return self.specs.get(workflow_id)


class Records:
    def load(self) -> dict[WorkflowId, dict[str, Any]]:
        return {}

    def put(self, workflow_id: WorkflowId, record: dict[str, Any]) -> None:
        pass

    def remove(self, workflow_id: WorkflowId) -> None:
        pass


def runtime(n_workflows: int) -> tuple[StatusRouter, list[bytes]]:
    specs = {}
    for i in range(n_workflows):
        wid = WorkflowId(instrument="dummy", name=f"workflow_{i}", version=1)
        specs[wid] = WorkflowSpec(
            id=wid, group="g", title=f"w{i}", source_names=["monitor1"], params=Params, outputs={}
        )
    clock = SystemClock()
    orchestrator = JobOrchestrator(Lookup(specs), Records(), RecordingSink(), clock=clock)
    messages = []
    for wid in specs:
        orchestrator.stage(wid, "monitor1")
        jobset = orchestrator.commit(wid)
        status = JobStatus(
            job_id=JobId(source_name="monitor1", job_number=jobset.job_number),
            workflow_id=wid,
            state="active",
            start_time=time.time_ns(),
        )
        messages.append(encode_status(status, host_name="worker-01", process_id=4242))
    return StatusRouter.for_runtime(orchestrator, clock=clock), messages


def cycle(messages: list[bytes], total: int) -> list[bytes]:
    return [messages[i % len(messages)] for i in range(total)]


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def bare(messages: list[bytes]) -> None:
    for raw in messages:
        deserialise_x5f2(raw)


def routed(router: StatusRouter, messages: list[bytes]) -> None:
    for i in range(0, len(messages), BATCH):
        router.route_batch(messages[i : i + BATCH])


def measure(sizes: tuple[int, ...], total: int, repeat: int) -> dict[int, tuple[float, float]]:
    """Best per-message seconds (bare, routed) per size; runs interleaved to share the noise."""
    setups = {}
    for n in sizes:
        router, distinct = runtime(n)
        messages = cycle(distinct, total)
        routed(router, messages)  # warm up: first sight of every payload, like the first 2 s
        setups[n] = (router, messages)
    best_times = {n: [float("inf"), float("inf")] for n in sizes}
    for _ in range(repeat):
        for n, (router, messages) in setups.items():
            t_bare = timed(lambda m=messages: bare(m))
            t_routed = timed(lambda r=router, m=messages: routed(r, m))
            best_times[n][0] = min(best_times[n][0], t_bare)
            best_times[n][1] = min(best_times[n][1], t_routed)
    for router, _ in setups.values():
        assert router.counters["rejected"] == 0
        assert router.counters["jobs"] == total * (repeat + 1)
    return {n: (b / total, r / total) for n, (b, r) in best_times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=40_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    results = measure((10, 10_000), args.messages, args.repeat)
    print(
        f"{'workflows':>10} {'bare msg/s':>12} {'routed msg/s':>13} {'bare us':>8} "
        f"{'routed us':>10} {'overhead':>9}"
    )
    for n, (bare_s, routed_s) in results.items():
        print(
            f"{n:>10} {1 / bare_s:>12,.0f} {1 / routed_s:>13,.0f} {bare_s * 1e6:>8.2f} "
            f"{routed_s * 1e6:>10.2f} {routed_s / bare_s - 1:>9.1%}"
        )
    small, large = results[10][1], results[10_000][1]
    print(
        f"per-message cost 10 vs 10,000 workflows: {small * 1e6:.2f} us vs {large * 1e6:.2f} us "
        f"({large / small - 1:+.1%}; target within 10%)"
    )
    overhead = max(r / b - 1 for b, r in results.values())
    print(f"routing overhead on top of decoding: {overhead:.1%} (target <= 25%)")


if __name__ == "__main__":
    main()
