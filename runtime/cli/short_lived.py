"""The process policy of a short-lived ``wfspec`` command: collect rarely, leave without teardown.

A short-lived command (``check``, ``compile``, ``list`` ...) builds a heap that is almost all
long-lived -- imported modules, pydantic models with their validators, jinja2 environments,
loaded documents -- and then ends. Two defaults of the interpreter cost it time for nothing:

* **The collector's young-generation threshold (700 allocations).** Start-up alone triggers
  dozens of collections that rescan the same long-lived objects. :func:`relax_collector` raises
  the threshold to 200,000 (as mypy does for its runs), so collections still happen -- memory
  stays bounded in a ``check --watch`` session -- but rarely. ~11 ms of ``wfspec check specs``.
  A long-running command gets the saved thresholds back (:func:`restore_collector`) as soon as
  it is known, before it runs.
* **Teardown at exit.** CPython frees every object one by one and then collects once more:
  ~40 ms, and nobody can observe it -- the operating system reclaims the memory at once.
  :func:`leave` ends the process as ``mypy.util.hard_exit`` does. What a user *can* observe is
  kept: buffered output is flushed, the exit status is the command's, ``atexit`` handlers run
  (logging's flush, coverage.py's data file, ``tempfile`` clean-ups), and the shortcut is only
  taken when no other thread is alive (a normal exit would wait for it).
  ``WFSPEC_FULL_EXIT=1`` turns it off (for leak checkers that inspect the teardown).
"""

from __future__ import annotations

import atexit
import gc
import os
import sys
import threading

__all__ = ["exit_status", "leave", "relax_collector", "restore_collector"]

RELAXED_THRESHOLD = 200_000
"""Allocations between young-generation collections while a short-lived command runs."""

_saved: tuple[int, int, int] | None = None


def relax_collector() -> None:
    """Collect the young generation every :data:`RELAXED_THRESHOLD` allocations, not 700."""
    global _saved
    if _saved is None:
        _saved = gc.get_threshold()
    gc.set_threshold(RELAXED_THRESHOLD)


def restore_collector() -> None:
    """Give the collector back the thresholds it had before :func:`relax_collector`."""
    global _saved
    if _saved is not None:
        gc.set_threshold(*_saved)
        _saved = None


def exit_status(code: object) -> int:
    """The status ``sys.exit(code)`` would end the process with (``None`` 0, text 1, int as is).

    Like the interpreter, a message (a non-integer code) is printed to stderr.
    """
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF if code >= 0 else code % 256
    print(code, file=sys.stderr)
    return 1


def leave(code: object) -> None:
    """End the process now with ``code`` (as ``sys.exit`` takes it), when that is safe.

    Returns without doing anything when it is not safe (another thread is alive, the escape
    hatch is set, or this interpreter has no way to run ``atexit`` handlers); the caller then
    exits normally.
    """
    run_exit_handlers = getattr(atexit, "_run_exitfuncs", None)
    if (
        run_exit_handlers is None
        or threading.active_count() > 1
        or os.environ.get("WFSPEC_FULL_EXIT", "") not in ("", "0")
    ):
        return
    status = exit_status(code)
    run_exit_handlers()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            # A closed pipe (``wfspec check | head -1``): a normal exit would report it and end
            # with 120; the output that could be written was written.
            status = status or 120
    os._exit(status)
