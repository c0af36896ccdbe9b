"""``wfspec serve``: heartbeat -> page latency, the workflow list with 1,000 workflows, page load.

Prints, on loopback (embedded Tansu broker, the real Runtime, the app on uvicorn):
- heartbeat ``produce()`` -> the change delivered on ``GET /api/events`` (p50/p99) while
  1,000 heartbeats/s are produced (target p99 <= 250 ms). Every heartbeat is unique (its warning
  text carries a sequence number, as real heartbeats never repeat); the feed coalesces changes
  (at most one round per 50 ms), so a sample is taken for each heartbeat that is the latest of
  its source when an event leaves -- the ones a page can show;
- ``GET /api/workflows`` with 1,000 workflows registered (the shipped ones committed;
  target p50 <= 50 ms);
- first page load in Debian's headless Chromium until the list is drawn (target <= 1 s).

    .venv/bin/python benchmarks/bench_serve.py [--check] [--rate 1000] [--seconds 5]
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from confluent_kafka import Producer

from wfspec.compiler import Bundle, compile_paths
from wfspec.runtime.app import Runtime
from wfspec.runtime.broker import EmbeddedBroker
from wfspec.runtime.kafka.config import producer_config
from wfspec.runtime.status import JobId, JobStatus
from wfspec.runtime.web import create_app
from wfspec.runtime.web.backend import LiveBackend
from wfspec.runtime.web.server import WebServer
from wfspec.runtime.x5f2 import encode_status

sys.path.insert(0, str(Path(__file__).parent))
from backend_beats import commit_backend_jobs

SPECS = Path(__file__).resolve().parents[1] / "specs"
P99_TARGET_MS = 250.0
LIST_TARGET_MS = 50.0
LOAD_TARGET_MS = 1000.0


def bundle_with(extra: int) -> Any:
    """The shipped bundle plus ``extra`` copies of dummy/monitor_histogram/1 (new names)."""
    document = copy.deepcopy(compile_paths([SPECS]).document)
    base = document["workflows"]["dummy/monitor_histogram/1"]
    for i in range(extra):
        entry = copy.deepcopy(base)
        entry["spec"]["name"] = name = f"monitor_histogram_{i:04d}"
        entry["spec"]["id"] = f"dummy/{name}/1"
        document["workflows"][f"dummy/{name}/1"] = entry
    return Bundle(document, where="<bench bundle>")


def commit_shipped(runtime: Runtime) -> list[tuple[Any, str, Any]]:
    """Commit the shipped dummy workflows run by the backend (the copies stay registered but
    stopped: committing 1,000 would only measure jobs.yaml writes); (wid, source, job)."""
    return commit_backend_jobs(runtime, skip=lambda wid: wid.name.startswith("monitor_histogram_"))


def heartbeat(job: tuple[Any, str, Any], seq: int) -> bytes:
    wid, source, job_number = job
    status = JobStatus(
        job_id=JobId(source_name=source, job_number=job_number),
        workflow_id=wid,
        state="active",
        warning=f"seq {seq}",
        start_time=1_700_000_000_000_000_000,
    )
    return encode_status(status, host_name="bench-worker", process_id=seq)


def sse_latency(url: str, kafka: dict, topic: str, jobs: list, rate: float, seconds: float):
    sent: dict[int, float] = {}
    samples: list[float] = []
    ready = threading.Event()
    done = threading.Event()

    def listen() -> None:
        with httpx.stream("GET", f"{url}/api/events", timeout=60) as response:
            event = None
            for line in response.iter_lines():
                if line.startswith("event:"):
                    event = line[6:].strip()
                    ready.set()
                elif line.startswith("data:") and event == "workflows":
                    now = time.perf_counter()
                    for item in json.loads(line[5:])["changed"]:
                        for source in item["sources"]:
                            text = source.get("warning") or ""
                            if text.startswith("seq "):
                                at = sent.pop(int(text[4:]), None)
                                if at is not None:
                                    samples.append(now - at)
                if done.is_set():
                    return

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    ready.wait(10)
    producer = Producer(producer_config(kafka))
    total = int(rate * seconds)
    start = time.perf_counter()
    for seq in range(total):
        due = start + seq / rate
        delay = due - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        raw = heartbeat(jobs[seq % len(jobs)], seq)
        sent[seq] = time.perf_counter()
        producer.produce(topic, raw)
        producer.poll(0)
    producer.flush(10)
    time.sleep(1.0)
    done.set()
    return sorted(samples), total


def quantile(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def page_load(url: str) -> float:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page()
        page.goto(url)  # warm the browser itself once
        page.goto("about:blank")
        start = time.perf_counter()
        page.goto(url)
        page.locator("[data-testid=workflow]").first.wait_for()
        elapsed = time.perf_counter() - start
        browser.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--rate", type=float, default=1000.0)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--workflows", type=int, default=1000)
    args = parser.parse_args()
    misses = []
    with tempfile.TemporaryDirectory() as folder, EmbeddedBroker() as broker:
        kafka = {"bootstrap.servers": broker.bootstrap_servers}
        bundle = bundle_with(args.workflows - 6)
        with Runtime(bundle, "dummy", kafka=kafka, state_dir=folder) as runtime:
            jobs = commit_shipped(runtime)
            with WebServer(create_app(LiveBackend(runtime)), "127.0.0.1", 0) as server:
                url = server.url.rstrip("/")
                client = httpx.Client(base_url=url)
                count = len(client.get("/api/workflows").json())
                times = []
                for _ in range(30):
                    t0 = time.perf_counter()
                    client.get("/api/workflows").raise_for_status()
                    times.append(time.perf_counter() - t0)
                times.sort()
                p50 = quantile(times, 0.5) * 1e3
                print(
                    f"GET /api/workflows, {count} workflows: p50 {p50:.1f} ms "
                    f"p99 {quantile(times, 0.99) * 1e3:.1f} ms "
                    f"(target p50 <= {LIST_TARGET_MS:.0f} ms)"
                )
                if p50 > LIST_TARGET_MS:
                    misses.append("workflow list")
                load = page_load(url + "/") * 1e3
                print(
                    f"first page load (list drawn): {load:.0f} ms "
                    f"(target <= {LOAD_TARGET_MS:.0f} ms)"
                )
                if load > LOAD_TARGET_MS:
                    misses.append("page load")
                lat, total = sse_latency(
                    url, kafka, runtime.topics.heartbeat, jobs[:20], args.rate, args.seconds
                )
                p50, p99 = quantile(lat, 0.5) * 1e3, quantile(lat, 0.99) * 1e3
                print(
                    f"heartbeat -> SSE at {args.rate:.0f}/s: p50 {p50:.0f} ms p99 {p99:.0f} ms "
                    f"({len(lat)} of {total} heartbeats were the latest of their source when an "
                    f"event left; target p99 <= {P99_TARGET_MS:.0f} ms)"
                )
                if not lat or p99 > P99_TARGET_MS:
                    misses.append("heartbeat latency")
    if misses:
        print("missed:", ", ".join(misses))
        if args.check:
            sys.exit(1)


if __name__ == "__main__":
    main()
