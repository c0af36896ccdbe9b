"""The start-up heap of a long-running process is frozen once; nothing made later ever is.

Run in a fresh interpreter: freezing is process-wide, and the test process is not one that
should keep its heap (runtime/heap.py says who calls it).
"""

from __future__ import annotations

import json
import subprocess
import sys

PROGRAM = r"""
import gc, json
from wfspec.runtime.heap import freeze_startup_heap

class Node:
    pass

startup = Node()
first = freeze_startup_heap()
second = freeze_startup_heap()

later = Node()           # made after start-up: a cycle that becomes garbage ...
later.me = later
del later
collected = gc.collect()  # ... is collected as always

tracked = gc.get_objects()
scanned = any(o is startup for o in tracked)
del tracked
before = gc.get_freeze_count()
del startup              # a frozen object nothing refers to is freed at once, as ever
print(json.dumps({
    "freed_frozen": before - gc.get_freeze_count(),
    "first": first,
    "second": second,
    "frozen": gc.get_freeze_count(),
    "startup_scanned": scanned,
    "collected": collected,
}))
"""


def test_only_the_first_call_freezes_and_garbage_is_still_freed():
    out = subprocess.run(
        [sys.executable, "-c", PROGRAM], capture_output=True, text=True, check=True, timeout=60
    )
    result = json.loads(out.stdout)
    assert result["first"] > 1000 and result["frozen"] > 1000
    assert result["second"] == 0  # job states, statuses, commands: never frozen
    assert not result["startup_scanned"]  # full collections no longer walk the start-up heap
    assert result["collected"] >= 1
    assert result["freed_frozen"] >= 1  # freezing never keeps an object alive
