"""The server process ends cleanly when the client says shutdown, then exit."""

from __future__ import annotations

from pathlib import Path

from .conftest import bare_session, initialize_message


def test_exits_on_shutdown_and_exit(tmp_path: Path) -> None:
    """A bare JSON-RPC session on the process's pipes: initialize, shutdown, exit -> code 0."""
    messages = [
        initialize_message(tmp_path),
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {"jsonrpc": "2.0", "id": 2, "method": "shutdown"},
        {"jsonrpc": "2.0", "method": "exit"},
    ]
    done = bare_session(messages)
    assert done.returncode == 0, done.stderr.decode()
    assert b'"id": 2' in done.stdout or b'"id":2' in done.stdout
