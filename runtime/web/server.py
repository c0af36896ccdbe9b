"""uvicorn around the app: bind first (so ``--port 0`` can print the port it got), then serve.

:class:`WebServer` runs it on a thread (tests, benchmarks, ``wfspec serve`` itself); stopping
ends the open event streams first so shutdown never waits for a page that stays connected.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from typing import Any

from wfspec.runtime.lifecycle import StartStop

__all__ = ["WebServer"]


class WebServer(StartStop):
    """Serve ``app`` on ``host:port`` (0: a free port) in a thread; ``url`` once started."""

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 8600) -> None:
        import uvicorn

        self.app = app
        self._socket = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((host, port))
        self._socket.listen(2048)  # connections wait in the backlog until uvicorn serves them
        self.host = host
        self.port = self._socket.getsockname()[1]
        config = uvicorn.Config(
            app,
            log_level="warning",
            timeout_graceful_shutdown=2,
            access_log=False,
            lifespan="on",
        )
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    def start(self, wait_s: float = 10.0) -> WebServer:
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, name="web", daemon=True
        )
        self._thread.start()
        stop_at = threading.Event()
        for _ in range(int(wait_s / 0.02)):
            if self._server.started or not self._thread.is_alive():
                break
            stop_at.wait(0.02)
        if not self._server.started:
            raise RuntimeError(f"the web server did not start on {self.url}")
        return self

    def run(self) -> None:
        """Serve in this thread until Ctrl-C / SIGTERM (uvicorn's own signal handling)."""
        self._server.run(sockets=[self._socket])

    def stop(self) -> None:
        self._server.should_exit = True
        broadcaster = getattr(self.app.state, "broadcaster", None)
        loop = getattr(broadcaster, "_loop", None)
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(broadcaster.close)
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None
        self._socket.close()
