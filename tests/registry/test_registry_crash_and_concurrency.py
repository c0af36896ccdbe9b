"""Nothing is lost: SIGKILL at random moments, and two processes registering at the same time.

The crash test forks children from this (already warmed-up) process so that 200+ kills fit in a
few seconds: each child restores a registry from the file and registers and unregisters in a
loop, reporting on a pipe after each call *returned*; the parent kills it after a random number
of returned calls (0-3) plus a random 0-15 ms (so the kill lands anywhere inside a call, whatever
the machine's load), then checks, with a fresh parse of the file, that every returned
registration is there. Counting returned calls rather than only waiting keeps the test from
turning vacuous on a slow machine, where a fixed delay would end most children before any call
returned.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

from wfspec.runtime.instance_store import InstanceStore
from wfspec.runtime.registry import WorkflowRegistry

TEMPLATE = "correlation_histogram_1d"
KILLS = 200
NAMES_PER_KILL = 5
"""Child ``k`` registers axes ``s{k * 5}`` onwards: the test bundle has s0 .. s999
(``conftest.AXES``); a child is killed long before it has registered 5 (then it only
unregisters, or waits)."""


def _child_loop(bundle: Any, path: Path, fd: int, base: int, seed: int, config_for: Any) -> None:
    """Register/unregister forever; ``R id`` after a register returned, ``u id`` before an
    unregister starts and ``U id`` after it returned (one ``os.write`` per line: atomic)."""
    rng = random.Random(seed)
    registry = WorkflowRegistry(bundle, InstanceStore(path))
    mine = list(registry.instance_ids())
    os.write(fd, b"S started\n")  # restored: the parent's random delay starts now
    count = 0
    while True:
        if count >= NAMES_PER_KILL and not mine:
            time.sleep(0.001)  # its axes are used up: wait for the kill
        elif mine and (len(mine) > 6 or rng.random() < 0.4 or count >= NAMES_PER_KILL):
            wid = mine.pop(rng.randrange(len(mine)))
            os.write(fd, f"u {wid}\n".encode())
            registry.unregister(wid)
            os.write(fd, f"U {wid}\n".encode())
        else:
            wid = registry.register_from_template(TEMPLATE, config_for(source=f"s{base + count}"))
            count += 1
            os.write(fd, f"R {wid}\n".encode())
            mine.append(wid)


def _run_child_and_kill(
    bundle: Any, path: Path, base: int, seed: int, after: int, delay: float, config_for: Any
) -> list[str]:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child never returns into pytest
        os.close(read_end)
        try:
            _child_loop(bundle, path, write_end, base, seed, config_for)
        finally:
            os._exit(1)
    os.close(write_end)
    received = b""
    while b"S started\n" not in received or _returned(received) < after:
        chunk = os.read(read_end, 65536)
        assert chunk, "the child died before it started its loop (see its stderr)"
        received += chunk
    time.sleep(delay)
    os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status), "the child stopped before it was killed (see its stderr)"
    while chunk := os.read(read_end, 65536):
        received += chunk
    os.close(read_end)
    lines = received.decode().split("\n")
    return [line for line in lines if line and not line.startswith("S ")]


def _returned(received: bytes) -> int:
    """How many calls the child reported as returned so far."""
    return received.count(b"\nR ") + received.count(b"\nU ")


def test_sigkill_at_random_moments_never_loses_a_returned_registration(
    bundle: Any, tmp_path: Path, config_for: Any
) -> None:
    path = tmp_path / "instances.yaml"
    rng = random.Random(20261123)
    # first use (config model, Jinja, the bundle's axes) once here, not in each short-lived child
    bundle.template(TEMPLATE).instantiate(config_for())
    must_have: set[str] = set()  # registration returned, no unregister started since
    must_not_have: set[str] = set()  # unregister returned (ids are never reused)
    returned = {"R": 0, "U": 0}
    for kill in range(KILLS):
        lines = _run_child_and_kill(
            bundle,
            path,
            kill * NAMES_PER_KILL,
            kill,
            rng.randint(0, 3),
            rng.uniform(0.0, 0.015),
            config_for,
        )
        for line in lines:
            kind, wid = line.split(" ", 1)
            if kind == "R":
                must_have.add(wid)
                returned["R"] += 1
            elif kind == "u":
                must_have.discard(wid)
            else:
                must_not_have.add(wid)
                returned["U"] += 1
        on_disk = set(InstanceStore(path).load())  # a fresh parse + schema check
        assert must_have <= on_disk, f"kill {kill}: lost {sorted(must_have - on_disk)}"
        assert not (must_not_have & on_disk), f"kill {kill}: came back {must_not_have & on_disk}"
    # not vacuous: both operations returned many times between the kills
    assert returned["R"] >= KILLS // 2 and returned["U"] >= KILLS // 4, returned
    print(f"{KILLS} kills; calls that returned between them: {returned}")
    registry = WorkflowRegistry(bundle, InstanceStore(path))
    assert registry.stale() == [] and registry.problems == ()
    registry.register_from_template(TEMPLATE, config_for(source="after_the_crashes"))
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


CONCURRENT_WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from wfspec.compiler import load_bundle
    from wfspec.runtime.instance_store import InstanceStore
    from wfspec.runtime.registry import WorkflowRegistry
    bundle_path, store_path, prefix, go = sys.argv[1:5]
    registry = WorkflowRegistry(load_bundle(bundle_path), InstanceStore(store_path))
    Path(go + "." + prefix).touch()
    while not Path(go).exists():
        time.sleep(0.001)
    for n in range(100):
        axis = {"workflow_id": "dummy/timeseries_data/1", "source_name": f"{prefix}{n}",
                "output_name": "delta"}
        config = {"x_axis": axis, "x_unit": "mm"}
        registry.register_from_template("correlation_histogram_1d", config)
    """
)


def test_two_processes_registering_100_each_keep_all_200(bundle_path: Path, tmp_path: Path) -> None:
    store_path = tmp_path / "instances.yaml"
    go = tmp_path / "go"
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", CONCURRENT_WRITER, str(bundle_path), str(store_path), p, str(go)]
        )
        for p in ("a", "b")
    ]
    deadline = time.monotonic() + 60
    while not all((tmp_path / f"go.{p}").exists() for p in ("a", "b")):
        assert time.monotonic() < deadline, "the writers did not start"
        assert all(w.poll() is None for w in writers), "a writer died while starting"
        time.sleep(0.01)
    go.touch()  # both start registering at the same moment
    assert [w.wait(timeout=120) for w in writers] == [0, 0]
    stored = InstanceStore(store_path).load()
    expected = {f"dummy/{p}{n}_correlation_histogram_1d/1" for p in ("a", "b") for n in range(100)}
    assert set(stored) == expected
