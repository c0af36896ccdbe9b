"""``wfspec serve SPECS --preview --port 0``: picks a free port, prints the URL, serves the API."""

from __future__ import annotations

import re
import subprocess
import sys

import httpx

from .conftest import REPO_SPECS


def test_serve_preview_prints_the_url_it_serves_on() -> None:
    command = [sys.executable, "-m", "wfspec.runtime.cli.main", "serve", str(REPO_SPECS)]
    process = subprocess.Popen(
        [*command, "--preview", "--port", "0"], stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert match, line
        info = httpx.get(f"{match.group(0)}api/info", timeout=10).json()
        assert info["mode"] == "preview" and info["ok"] is True
    finally:
        process.terminate()
        process.wait(10)
