"""``wfspec serve SPECS --preview --port 0``: picks a free port, prints the URL, serves the API."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

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


@pytest.mark.kafka
def test_serve_demo_runs_the_demo_behind_the_page(tmp_path: Path, wait_for: Any, page: Any) -> None:
    """``wfspec serve --demo``: the demo's broker, simulator and scenario, served as the page."""
    command = [sys.executable, "-m", "wfspec.runtime.cli.main", "serve", str(REPO_SPECS), "--demo"]
    process = subprocess.Popen(
        [*command, "--port", "0"],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        cwd=tmp_path,
    )
    try:
        assert process.stderr is not None
        url = None
        for line in process.stderr:
            match = re.search(r"http://127\.0\.0\.1:\d+/", line)
            if match:
                url = match.group(0)
                break
        assert url, "no URL printed"
        info = httpx.get(f"{url}api/info", timeout=10).json()
        chart = info["demo"]["chart"]
        assert chart == "dummy/motion1_correlation_histogram_1d/1"

        def active() -> set[str]:
            items = httpx.get(f"{url}api/workflows", timeout=10).json()
            return {item["id"] for item in items if item["badge"] == "active"}

        assert wait_for(lambda: {chart, "dummy/monitor_histogram/1"} <= active(), timeout=30)
        assert wait_for(
            lambda: httpx.get(f"{url}api/workflows/{chart}/data", timeout=10).json()["series"],
            timeout=30,
        )
        # the page draws it: the axis named with its unit, its ends labelled with their values
        page.goto(url)
        drawn = page.locator("[data-testid=chart] svg")
        drawn.wait_for()
        assert "motion1 [mm]" in (drawn.text_content() or "")
        start = float(drawn.locator("[data-testid=x-start]").text_content() or "")
        stop = float(drawn.locator("[data-testid=x-stop]").text_content() or "")
        assert start < stop
    finally:
        process.terminate()
        process.wait(20)


def test_serve_refuses_a_port_out_of_range_as_a_usage_error() -> None:
    command = [sys.executable, "-m", "wfspec.runtime.cli.main", "serve", str(REPO_SPECS)]
    done = subprocess.run(
        [*command, "--preview", "--port", "99999"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert "Invalid value for '--port': 99999 is not in the range 0<=x<=65535" in done.stderr
    assert "Traceback" not in done.stderr
