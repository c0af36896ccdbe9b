"""Server-sent events: one broadcaster, fed from the runtime's change subscription.

``publish`` is called on the runtime's feed thread; it serializes the event once and hands it
to the event loop (``call_soon_threadsafe``), which puts it on every connected client's queue.
A client that connects first gets a ``snapshot`` event with the full current list (taken after
its queue is registered, so no change falls between the two), then every change. Nothing here
asks the runtime for news: the runtime calls us. A client too slow to keep up (its queue full)
is disconnected; its page reconnects and starts again from a snapshot.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

__all__ = ["Broadcaster", "sse"]

KEEPALIVE_S = 15.0
MAX_QUEUED = 2000
_CLOSE = object()


def sse(event: str, data: Any) -> str:
    """One event in the text/event-stream format."""
    return f"event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


class Broadcaster:
    """Fans events out to the connected SSE clients (see the module docstring)."""

    def __init__(self, max_queued: int = MAX_QUEUED) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._clients: set[asyncio.Queue[Any]] = set()
        self._max = max_queued
        self.published = 0

    @property
    def clients(self) -> int:
        return len(self._clients)

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def publish(self, event: str, data: Any) -> None:
        """Thread-safe: queue ``event`` for every client."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        text = sse(event, data)
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile (shutdown)
            loop.call_soon_threadsafe(self._fanout, text)

    def close(self) -> None:
        """End every stream (server shutdown). Call on the loop's thread."""
        for queue in list(self._clients):
            queue.put_nowait(_CLOSE)

    def _fanout(self, text: Any) -> None:
        self.published += 1
        for queue in list(self._clients):
            if queue.qsize() >= self._max:
                self._clients.discard(queue)
                queue.put_nowait(_CLOSE)
            else:
                queue.put_nowait(text)

    async def stream(self, snapshot: Callable[[], Awaitable[str]]) -> AsyncIterator[str]:
        """A client's event stream: the snapshot, then every change, with keep-alives."""
        queue: asyncio.Queue[Any] = asyncio.Queue()
        self._clients.add(queue)
        try:
            yield "retry: 1000\n\n"
            yield await snapshot()
            while True:
                try:
                    item = await asyncio.wait_for(queue.get(), KEEPALIVE_S)
                except TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                if item is _CLOSE:
                    return
                yield item
        finally:
            self._clients.discard(queue)
