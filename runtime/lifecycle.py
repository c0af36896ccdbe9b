"""``with thing: ...`` for everything the runtime starts and stops (broker, runtime, simulator).

One definition of the context-manager protocol over ``start()`` / ``stop()``, so that every
long-lived part is stopped on the way out, also on an exception or Ctrl-C.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any, Self

__all__ = ["StartStop"]


class StartStop:
    """Mixin: ``__enter__`` calls ``start()``, ``__exit__`` calls ``stop()``."""

    def start(self) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError

    def stop(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
