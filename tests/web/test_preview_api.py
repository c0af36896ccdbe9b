"""Preview mode's API (no Kafka): every workflow and template of a folder, the server's verdict
on a form, nothing registered or sent, and the diagnostics of a broken folder."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from wfspec.runtime.web import create_app
from wfspec.runtime.web.preview import PreviewBackend
from wfspec.runtime.web.server import WebServer

from .conftest import REPO_SPECS

AXIS = {"workflow_id": "dummy/timeseries_data/1", "source_name": "motion1", "output_name": "delta"}


@pytest.fixture
def specs(tmp_path: Path) -> Path:
    folder = tmp_path / "specs"
    shutil.copytree(REPO_SPECS, folder)
    return folder


@contextlib.contextmanager
def serving(specs: Path) -> Iterator[httpx.Client]:
    """The preview app on a real uvicorn (free port) and a client for it."""
    app = create_app(PreviewBackend(specs, interval_s=60))
    with WebServer(app, "127.0.0.1", 0) as server, httpx.Client(base_url=server.url) as client:
        yield client


@pytest.fixture
def client(specs: Path) -> Iterator[Any]:
    with serving(specs) as client:
        yield client


def test_every_instrument_and_template_of_the_folder(client: Any) -> None:
    ids = {item["id"] for item in client.get("/api/workflows").json()}
    assert {"dummy/monitor_histogram/1", "minidiff/powder_focus/1"} <= ids
    assert {t["name"] for t in client.get("/api/templates").json()} == {
        "correlation_histogram_1d",
        "correlation_histogram_2d",
    }
    info = client.get("/api/info").json()
    assert info["mode"] == "preview" and info["ok"] and info["diagnostics"] == []


def test_start_answers_the_verdict_and_sends_nothing(client: Any) -> None:
    url = "/api/workflows/dummy/monitor_histogram/1/start"
    ok = client.post(url, json={"params": {"toa_edges": {"num_bins": 5}}})
    assert ok.status_code == 200 and ok.json()["verdict"] == "ok"
    assert ok.json()["params"]["toa_edges"]["num_bins"] == 5
    bad = client.post(url, json={"params": {"toa_edges": {"start": 9, "stop": 1}}})
    assert bad.status_code == 422
    assert bad.json()["fields"] == [
        {"field": "toa_edges.stop", "message": "stop must be greater than start"}
    ]
    assert client.post("/api/workflows/dummy/monitor_histogram/1/stop").status_code == 409


def test_add_answers_the_instance_it_would_make_and_registers_nothing(client: Any) -> None:
    config = {"x_axis": AXIS, "x_unit": "mm"}
    response = client.post(
        "/api/instances", json={"template": "correlation_histogram_1d", "config": config}
    )
    assert response.status_code == 200
    assert response.json()["title"] == "Motion1 Correlation Histogram"
    ids = {item["id"] for item in client.get("/api/workflows").json()}
    assert response.json()["id"] not in ids
    assert client.delete(f"/api/instances/{response.json()['id']}").status_code == 409


def test_template_syntax_in_a_config_is_refused_not_evaluated(client: Any) -> None:
    config = {"x_axis": AXIS, "x_unit": "{{ 7*7 }}"}
    response = client.post(
        "/api/instances", json={"template": "correlation_histogram_1d", "config": config}
    )
    assert response.status_code == 422
    assert "template syntax" in response.json()["error"] and "49" not in response.json()["error"]


def test_a_broken_folder_shows_its_diagnostics_with_positions(specs: Path) -> None:
    target = specs / "dummy" / "monitor_histogram.yaml"
    target.write_text(target.read_text().replace("version: 1", "version: one", 1))
    with serving(specs) as client:
        info = client.get("/api/info").json()
        assert info["ok"] is False
        [first, *_] = [
            d for d in info["diagnostics"] if d["file"].endswith("monitor_histogram.yaml")
        ]
        assert first["line"] > 0 and first["col"] > 0 and first["severity"] == "error"
        assert client.get("/api/workflows").json() == []
        assert (
            client.post("/api/workflows/dummy/monitor_histogram/1/start", json={}).status_code
            == 409
        )
