"""Injectable clocks: monotonic seconds for staleness, wall-clock nanoseconds for display.

Staleness is always measured on the *local* monotonic clock (the time a heartbeat was received),
never on times carried by messages: backends' clocks drift and a wall clock can jump. Tests use
:class:`FakeClock` so that staleness and rate limits are checked without sleeping.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol, runtime_checkable


@runtime_checkable
class Clock(Protocol):
    """What the runtime needs from a clock."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes backwards (for ages and timeouts)."""
        ...

    def wall_ns(self) -> int:
        """Nanoseconds since the epoch (for display and for message times)."""
        ...


class SystemClock:
    """The real clocks: :func:`time.monotonic` and :func:`time.time_ns`."""

    def monotonic(self) -> float:
        return time.monotonic()

    def wall_ns(self) -> int:
        return time.time_ns()


class FakeClock:
    """A clock that moves only when told to (``advance``); thread-safe."""

    def __init__(self, monotonic: float = 1000.0, wall_ns: int = 1_795_000_000_000_000_000) -> None:
        self._lock = threading.Lock()
        self._monotonic = float(monotonic)
        self._wall_ns = int(wall_ns)

    def monotonic(self) -> float:
        with self._lock:
            return self._monotonic

    def wall_ns(self) -> int:
        with self._lock:
            return self._wall_ns

    def advance(self, seconds: float) -> None:
        """Move both clocks forward by ``seconds`` (negative values are refused)."""
        if seconds < 0:
            raise ValueError(f"a clock never goes backwards (advance by {seconds})")
        with self._lock:
            self._monotonic += seconds
            self._wall_ns += int(seconds * 1e9)
