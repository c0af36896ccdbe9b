"""Heartbeats through Kafka into per-job state: latency at a paced rate, and sustained rate.

Prints, on loopback against the embedded Tansu broker with the runtime's own client settings:
- latency from ``produce()`` to the moment the router has put the heartbeat into per-job state
  (p50/p95/p99/max) at a paced rate (target: p99 <= 20 ms at 1,000 heartbeats/s);
- the sustained heartbeats/s from the first ``produce()`` until the last one is routed, next to
  the in-process decode + route rate of the same messages (target: >= 80 % of it).

The runtime is the real one (``Runtime``: consumer thread, StatusRouter, JobService,
orchestrator) on the shipped specs plus generated ``dummy`` monitor workflows (2 sources each),
every one committed: 2,000 running jobs by default (``--jobs``), which beat 1,000 times a second
at the backend's 2 s interval, so heartbeats hit registered jobs. Nobody
answers the commands; the heartbeats are produced here. "In per-job state" is the moment the
heartbeat topic's handler (``route_batch``) returns: the probe wraps it. The heartbeats are
backend-shaped and distinct (``backend_beats.py``: the real captures' shape, every job's
``end_time`` moving each round, as production sends them; never the same bytes twice, also not
between the Kafka and the in-process runs), so the probe matches each by its bytes. The paced
latency run produces from this process (one clock for produce and routed times); the sustained
run produces from a separate process, as the backend does: 100,000 ``produce()`` calls on this
process's GIL would be the benchmark's own cost, not the runtime's. As ``wfspec run`` does, the
start-up heap is frozen once the runtime started (``runtime/heap.py``), before the jobs are
committed; the garbage collections during the paced run are printed next to the latencies (a
full one stops every thread), like the host's scheduling noise.

Targets: p99 <= 20 ms at 1,000/s; sustained >= 80 % of in-process; no heartbeat lost (every one
produced reaches the state, or is counted lost in the verdict). ``--check`` exits 1 on a miss.

    .venv/bin/python benchmarks/bench_kafka.py [--quick] [--rate 1000] [--seconds 5]
        [--messages 100000] [--repeat 3] [--check] [--set fetch.wait.max.ms=10 ...]
"""

from __future__ import annotations

import argparse
import gc
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from confluent_kafka import Producer

from wfspec.compiler import compile_paths, load_bundle
from wfspec.runtime.app import Runtime
from wfspec.runtime.broker import EmbeddedBroker
from wfspec.runtime.heap import freeze_startup_heap
from wfspec.runtime.kafka.config import CONSUMER_DEFAULTS, PRODUCER_DEFAULTS, producer_config

sys.path.insert(0, str(Path(__file__).parent))
from backend_beats import beat_rounds, commit_backend_jobs

SPECS = Path(__file__).resolve().parents[1] / "specs"
WARMUP_S = 1.0
IN_PROCESS_BATCH = 1000  # the consumer's batch_size
P99_TARGET_MS = 20.0
RATIO_TARGET = 0.8


class Probe:
    """Wraps the heartbeat handler: when ``route_batch`` returns, the batch is in per-job state.

    ``sent`` maps the bytes of a timed message to its produce time (filled by the producing
    thread before ``produce``); each one seen here becomes a latency sample.
    """

    def __init__(self, route: Any) -> None:
        self.route, self.routed, self.target, self.done_at = route, 0, 0, 0.0
        self.sent: dict[bytes, float] = {}
        self.latencies: list[float] = []

    def __call__(self, values: list[bytes]) -> Any:
        result = self.route(values)
        now = time.perf_counter()
        self.routed += len(values)
        if self.sent:
            for value in values:
                sent_at = self.sent.pop(value, None)
                if sent_at is not None:
                    self.latencies.append(now - sent_at)
        if self.target and self.routed >= self.target and not self.done_at:
            self.done_at = now
        return result


def generated_specs(folder: Path, jobs: int) -> Path:
    """The shipped specs plus ``jobs // 2`` generated monitor workflows of 2 sources each."""
    specs = folder / "specs"
    shutil.copytree(SPECS, specs)
    doc = (
        "kind: Workflow\ninstrument: dummy\nname: bench_{i}\nversion: 1\ngroup: monitor_data\n"
        "title: Bench {i}\ndescription: A generated monitor workflow.\n"
        "source_names: [monitor1, monitor2]\noutputs:\n  counts:\n    title: Counts\n"
        "    description: Counts.\n    unit: counts\n    temporality: window\n"
    )
    if jobs >= 2:
        text = "---\n".join(doc.format(i=i) for i in range(jobs // 2))
        (specs / "dummy" / "bench_generated.yaml").write_text(text, encoding="utf-8")
    return specs


def commit_all(runtime: Runtime) -> list[tuple[Any, str, Any]]:
    """Stage and commit every dummy workflow run by the backend; (wid, source, job_number)."""
    return commit_backend_jobs(runtime, skip=lambda wid: wid.instrument != runtime.instrument)


class Beats:
    """Distinct backend-shaped beats of the committed jobs, later rounds on every call."""

    def __init__(self, jobs: list) -> None:
        self.jobs, self.next_round = jobs, 0

    def take(self, count: int) -> list[bytes]:
        rounds = -(-count // len(self.jobs))
        messages = beat_rounds(self.jobs, rounds, first=self.next_round, services=False)
        self.next_round += rounds
        return messages[:count]


class Collections:
    """Records the collector's pauses per generation while installed (``gc.callbacks``)."""

    def __init__(self) -> None:
        self.pauses: dict[int, list[float]] = {0: [], 1: [], 2: []}
        self._started = 0.0

    def __enter__(self) -> Collections:
        gc.callbacks.append(self._on_gc)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self._on_gc)

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.pauses[info["generation"]].append(time.perf_counter() - self._started)

    def summary(self) -> str:
        return ", ".join(
            f"gen{g} {len(p)} x (longest {max(p, default=0) * 1e3:.1f} ms)"
            for g, p in self.pauses.items()
        )


def wait_until(condition: Any, timeout: float) -> bool:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            return False
        time.sleep(0.001)
    return True


def latency(
    producer: Producer, topic: str, probe: Probe, beats: Beats, rate: float, seconds: float
):
    """Paced produce (one message every 1/rate s); the first WARMUP_S are not timed."""
    warm = int(WARMUP_S * rate)
    total = warm + int(seconds * rate)
    messages = beats.take(total)
    probe.latencies.clear()
    late = []
    start = time.perf_counter()
    for i, raw in enumerate(messages):
        due = start + i / rate
        slept = due > time.perf_counter()
        if slept:
            time.sleep(max(due - time.perf_counter(), 0.0))
        if i >= warm:
            probe.sent[raw] = now = time.perf_counter()
            if slept:  # how late a sleep returned: the host's scheduling noise
                late.append(now - due)
        producer.produce(topic, raw)
        producer.poll(0)
    sent_rate = (total - 1) / (time.perf_counter() - start)
    producer.flush(10)
    wait_until(lambda: not probe.sent, 10)
    lost = len(probe.sent)
    probe.sent.clear()
    return sorted(probe.latencies), sorted(late), sent_rate, lost


def sustained(
    producer_settings: dict[str, Any], topic: str, probe: Probe, messages: list[bytes]
) -> tuple[float, int]:
    """Seconds from the first produce until the router has routed every message, and how many
    never arrived (within 120 s). Another process produces (see the module docstring): it loads
    the messages, says ready, and starts producing when told; the clock starts then."""
    with tempfile.NamedTemporaryFile(suffix=".beats") as batch:
        for raw in messages:
            batch.write(len(raw).to_bytes(4, "little") + raw)
        batch.flush()
        # the client settings as text (a logger object stays behind: the child logs its own way)
        plain = {k: v for k, v in producer_settings.items() if isinstance(v, str | int | float)}
        child = subprocess.Popen(
            [sys.executable, __file__, "--produce", json.dumps(plain), topic, batch.name],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert child.stdout is not None and child.stdin is not None
        assert child.stdout.readline().strip() == "ready", "the producing process failed"
        probe.routed, probe.done_at, probe.target = 0, 0.0, len(messages)
        start = time.perf_counter()
        child.stdin.write("go\n")
        child.stdin.flush()
        arrived = wait_until(lambda: probe.done_at, 120)
        child.stdin.close()
        child.wait(30)
    probe.target = 0
    if not arrived:
        return time.perf_counter() - start, len(messages) - probe.routed
    return probe.done_at - start, 0


def produce_from_file(settings: str, topic: str, path: str) -> None:
    """The producing process of :func:`sustained` (``bench_kafka.py --produce ...``)."""
    data = Path(path).read_bytes()
    messages, offset = [], 0
    while offset < len(data):
        size = int.from_bytes(data[offset : offset + 4], "little")
        messages.append(data[offset + 4 : offset + 4 + size])
        offset += 4 + size
    producer = Producer(json.loads(settings))
    print("ready", flush=True)
    sys.stdin.readline()
    for raw in messages:
        while True:
            try:
                producer.produce(topic, raw)
                break
            except BufferError:  # librdkafka's queue is full: let it send
                producer.poll(0.001)
    producer.flush(30)


def in_process(router: Any, messages: list[bytes]) -> float:
    """Seconds to decode + route ``messages`` in consumer-sized batches on this thread, no Kafka
    (same router and messages; the consumer idles: all that was sent has been routed)."""
    start = time.perf_counter()
    for i in range(0, len(messages), IN_PROCESS_BATCH):
        router.route_batch(messages[i : i + IN_PROCESS_BATCH])
    return time.perf_counter() - start


def quantiles(seconds: list[float]) -> list[float]:
    """p50, p95, p99 and max in ms of sorted samples."""
    n = len(seconds) - 1
    return [seconds[int(q * n)] * 1e3 for q in (0.5, 0.95, 0.99, 1.0)]


def cpu_steal() -> tuple[float, float]:
    """(steal, all) jiffies of the machine from /proc/stat; (0, 0) where there is none.

    Time stolen by the hypervisor, or a paced sender that wakes late, is the machine stalling,
    not Kafka: both are printed next to the latencies so a FAIL can be told from a busy host.
    """
    try:
        with open("/proc/stat") as stat:
            fields = [float(x) for x in stat.readline().split()[1:]]
        return fields[7], sum(fields)
    except (OSError, ValueError, IndexError):
        return 0.0, 0.0


def parse_setting(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    return key, value


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short run (smoke test)")
    parser.add_argument("--rate", type=float, default=1000.0, help="paced heartbeats/s")
    parser.add_argument("--seconds", type=float, help="timed seconds at --rate (5; quick 2)")
    parser.add_argument("--messages", type=int, help="sustained run size (100,000; quick 20,000)")
    parser.add_argument("--repeat", type=int, help="sustained runs, best kept (3; quick 1)")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    parser.add_argument("--jobs", type=int, default=2000, help="generated running jobs (2,000)")
    parser.add_argument(
        "--set", type=parse_setting, action="append", default=[], metavar="KEY=VALUE",
        help="extra client setting passed through to confluent-kafka (to try alternatives)",
    )  # fmt: skip
    args = parser.parse_args()
    seconds = args.seconds or (2.0 if args.quick else 5.0)
    n_messages = args.messages or (20_000 if args.quick else 100_000)
    repeat = args.repeat or (1 if args.quick else 3)

    with tempfile.TemporaryDirectory() as tmp, EmbeddedBroker() as broker:
        bundle_path = Path(tmp) / "bundle.json"
        bundle_path.write_bytes(compile_paths([generated_specs(Path(tmp), args.jobs)]).data)
        kafka = {"bootstrap.servers": broker.bootstrap_servers, **dict(args.set)}
        runtime = Runtime(
            load_bundle(bundle_path), "dummy", kafka=kafka, state_dir=tmp, correlation=False
        )
        consumer = runtime._status_consumer
        topic = runtime.topics.heartbeat
        probe = Probe(consumer._handlers[topic])
        consumer._handlers[topic] = probe
        config = consumer._config  # defaults + user settings: what librdkafka gets
        print(f"broker: embedded Tansu at {broker.bootstrap_servers} (loopback)")
        print(
            "consumer: "
            + " ".join(f"{k}={config[k]}" for k in CONSUMER_DEFAULTS)
            + f" batch_size={consumer._batch} poll_timeout_s={consumer._timeout}"
        )
        produced = producer_config(kafka)
        print("producer: " + " ".join(f"{k}={produced[k]}" for k in PRODUCER_DEFAULTS))
        if args.set:
            print("overrides (--set): " + " ".join(f"{k}={v}" for k, v in args.set))
        with runtime:
            frozen = freeze_startup_heap()  # what wfspec run does once its runtimes started
            jobs = commit_all(runtime)
            # Time a running runtime, not its start: the setup (compile, 1,000 commits) leaves
            # garbage whose full collection (~0.1 s here) would otherwise land in the timed run.
            gc.collect()
            beats = Beats(jobs)
            producer = Producer(produced)
            before = cpu_steal()
            with Collections() as collections:
                lat, late, sent_rate, lost = latency(
                    producer, topic, probe, beats, args.rate, seconds
                )
            after = cpu_steal()
            kafka_s = local_s = float("inf")
            sustained_lost = 0
            for _ in range(repeat):  # interleaved, so both see the same moods of a shared host
                took, missing = sustained(produced, topic, probe, beats.take(n_messages))
                sustained_lost += missing
                if not missing:
                    kafka_s = min(kafka_s, took)
                local_s = min(local_s, in_process(runtime.router, beats.take(n_messages)))
            counters = runtime.counters

    p99 = quantiles(lat)[2]
    print(
        f"\nlatency, {len(jobs)} jobs, {args.rate:,.0f}/s paced (sent {sent_rate:,.0f}/s), "
        f"{seconds:g} s after {WARMUP_S:g} s warm-up, {len(lat):,} samples, {lost} lost:"
    )
    print(f"{'':<28} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for label, values in (("produce -> per-job state", lat), ("sender oversleep (host)", late)):
        print(f"{label:<28} " + " ".join(f"{q:>8.2f}" for q in quantiles(values)))
    if after[1] > before[1]:
        steal = (after[0] - before[0]) / (after[1] - before[1])
        print(f"CPU steal (hypervisor) during the paced run: {steal:.0%} of the machine")
    print(f"garbage collections during the paced run: {collections.summary()}")
    print(f"(start-up heap frozen: {frozen:,} objects)")
    latency_ok = p99 <= P99_TARGET_MS and lost == 0
    print(
        f"p99 {p99:.2f} ms (target <= {P99_TARGET_MS:g} ms), {lost} lost (target 0): "
        f"{'PASS' if latency_ok else 'FAIL'}"
    )

    kafka_rate, local_rate = n_messages / kafka_s, n_messages / local_s
    ratio = kafka_rate / local_rate
    print(f"\nsustained, {n_messages:,} heartbeats, best of {repeat}:")
    print(f"{'path':<28} {'msg/s':>10} {'seconds':>8}")
    print(f"{'Kafka -> per-job state':<28} {kafka_rate:>10,.0f} {kafka_s:>8.3f}")
    print(f"{'in-process decode + route':<28} {local_rate:>10,.0f} {local_s:>8.3f}")
    sustained_ok = ratio >= RATIO_TARGET and sustained_lost == 0
    print(
        f"ratio {ratio:.1%} (target >= {RATIO_TARGET:.0%}), {sustained_lost} lost (target 0): "
        f"{'PASS' if sustained_ok else 'FAIL'}"
    )
    print(
        f"router: jobs={counters['router.jobs']:,} rejected={counters['router.rejected']} "
        f"sink_errors={counters['router.sink_errors']}"
    )
    return 1 if args.check and not (latency_ok and sustained_ok) else 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--produce"]:
        produce_from_file(*sys.argv[2:5])
        sys.exit(0)
    sys.exit(main())
