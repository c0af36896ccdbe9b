"""The thread checks run on: one at a time, in order, and never keeping the process alive.

A check runs off the event loop so the editor's other requests are answered meanwhile, and on a
single thread so two checks never overlap. The standard ``ThreadPoolExecutor`` fits but for one
thing: Python waits for its threads at exit, so an ``exit`` that arrives during a cold check
of a large spec set left the server running (measured: ~50 s) until the check ended, and an
editor waiting for it to quit hung. This executor's thread is a daemon: ``exit`` ends the
process at once, a check in progress is dropped (its result was for a session that is over).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any

__all__ = ["DaemonWorker"]


class DaemonWorker(Executor):
    """An executor with one daemon thread, started on first use (``loop.run_in_executor``)."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._jobs: queue.SimpleQueue[tuple[Future[Any], Callable[..., Any], tuple] | None] = (
            queue.SimpleQueue()
        )
        self._thread: threading.Thread | None = None
        self._closed = False
        self._lock = threading.Lock()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        with self._lock:
            if self._closed:
                raise RuntimeError("cannot schedule new work after shutdown")
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()
            self._jobs.put((future, fn, (args, kwargs)))
        return future

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            future, fn, (args, kwargs) = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn(*args, **kwargs))
            except BaseException as error:  # handed to the awaiting coroutine, as any executor
                future.set_exception(error)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._lock:
            self._closed = True
            if cancel_futures:
                while True:
                    try:
                        job = self._jobs.get_nowait()
                    except queue.Empty:
                        break
                    if job is not None:
                        job[0].cancel()
            self._jobs.put(None)
            thread = self._thread
        if wait and thread is not None:
            thread.join()
