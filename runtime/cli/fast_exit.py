"""Leave the process without the interpreter's teardown, once a short-lived command is done.

Why: at exit CPython frees every object one by one -- for ``wfspec check specs`` that is the
pydantic document models with their Rust validators, the jinja2 environment, the loaded YAML
trees -- and then runs a last garbage collection. That costs ~40 ms, a sixth of the whole
command, and nobody can observe it: the operating system reclaims the memory at once. mypy ends
its runs the same way (``mypy.util.hard_exit``).

What a user *can* observe is kept: buffered output is flushed, the exit status is the command's,
``atexit`` handlers run (logging's flush, coverage.py's data file, ``tempfile`` clean-ups), and
the shortcut is only taken when no other thread is alive -- a normal exit would wait for a
non-daemon thread, so then the process exits normally. ``WFSPEC_FULL_EXIT=1`` turns it off (for
leak checkers that inspect the teardown).
"""

from __future__ import annotations

import atexit
import os
import sys
import threading

__all__ = ["exit_status", "leave"]


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
