"""The heap policy of a long-running runtime process: its start-up heap is frozen, once.

Why: CPython's collector is generational. A *full* collection walks every tracked container of
the process -- the imported modules, the loaded bundle and every model built from it, the
registry -- and it runs whenever the objects promoted into the oldest generation since the last
one reach a quarter of it. A runtime over 1,000 workflows with 2,008 running jobs holds
~175,000 containers, 116,000 of them there once it started; a full collection of all of them
took 40-70 ms on this project's machines, with the consumer thread (and every other one)
stopped meanwhile (``benchmarks/bench_kafka.py``). :func:`freeze_startup_heap` collects once
and moves every survivor into the collector's permanent generation (``gc.freeze()``, made for
long-lived servers), so later full collections walk only what the runtime built since: job
states, statuses, tickets -- 59,000 containers, 9-11 ms.

Why it is safe to freeze *this* heap -- it lives as long as the process:

- code: modules, classes, functions, compiled validators and templates;
- the bundle and the workflow specs and params models built from it, the registry, the
  runtimes' clients, threads and locks, created by ``Runtime(...).start()``.

Freezing never keeps an object alive: reference counting frees a frozen object as soon as
nothing refers to it, as usual. What the collector no longer does is find a frozen *cycle*
that became unreachable, so such a cycle stays until the process ends. At start-up these are
few and bounded: the params-model classes (cycles, as every class) of template instances that
are later removed or re-rendered, and state restored from ``jobs.yaml`` that a commit replaces
(acyclic: freed by reference counting). That is a one-time cost of at most the start-up heap,
never a growth: only the first call freezes, so nothing made after start-up -- every job state,
heartbeat and command -- is ever frozen, and cyclic garbage made later is collected as always.

Only a process that owns its heap and lives long calls this (``wfspec run``, ``wfspec serve``):
a ``Runtime`` never calls it itself, because a dashboard embedding the runtime decides for its
own process (it may call this once it finished starting, too).
"""

from __future__ import annotations

import gc
import threading

__all__ = ["freeze_startup_heap"]

_lock = threading.Lock()
_frozen = False


def freeze_startup_heap() -> int:
    """Collect, then freeze every surviving object (see the module docstring); only the first
    call of a process does anything. Returns how many objects were frozen (0 after the first)."""
    global _frozen
    with _lock:
        if _frozen:
            return 0
        _frozen = True
        gc.collect()
        gc.freeze()
        return gc.get_freeze_count()
