"""One way to pause the cyclic garbage collector around a stage that builds a large, live heap.

Loading a spec set, building a bundle or decoding one allocates hundreds of thousands of small
objects that all stay alive. Collections triggered meanwhile would scan them again and again for
nothing (about half the time of those stages), so the collector is paused; reference counting
still frees everything else.

Re-enabling is followed by one collection that walks the survivors once (~0.06 s after a
2,000-document compile; 0.25 s while documents kept their YAML nodes for positions, see
``plain_nodes.py``: fewer live objects is what makes it cheap). Promoting them unscanned
instead (``gc.freeze()`` + ``gc.unfreeze()``) was tried and rejected: cyclic garbage then waited
for rare full collections and a process compiling again and again (the language server, preview
mode) grew by ~13 MiB per compile.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic collector for the block (see the module docstring); nests safely."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
