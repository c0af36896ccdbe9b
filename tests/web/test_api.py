"""The JSON API of ``wfspec serve`` on a real uvicorn, runtime, broker and simulated backend:
every endpoint and error code, the token, and two event streams seeing one change."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import TOKEN, Stack, start_stack

pytestmark = pytest.mark.kafka

MONITORS = "dummy/monitor_histogram/1"
INSTANCE_CONFIG = {
    "x_axis": {
        "workflow_id": "dummy/timeseries_data/1",
        "source_name": "motion2",
        "output_name": "delta",
    },
    "x_unit": "deg",
}


@pytest.fixture(scope="module")
def stack(shipped_bundle_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    yield from start_stack(shipped_bundle_path, tmp_path_factory.mktemp("state"), token=TOKEN)


def test_workflow_list_has_every_registered_workflow_with_its_state(stack: Stack) -> None:
    items = stack.client().get("/api/workflows").json()
    by_id = {item["id"]: item for item in items}
    assert set(by_id) == {str(wid) for wid in stack.runtime.registry}
    monitors = by_id[MONITORS]
    assert monitors["title"] == "Beam monitor" and monitors["group"] == "monitor_data"
    assert monitors["template"] is None and monitors["source_names"] == ["monitor1", "monitor2"]
    assert {"state", "badge", "sources", "reporting", "last_heartbeat_at"} <= set(monitors)


def test_templates_and_timeseries(stack: Stack) -> None:
    client = stack.client()
    templates = {t["name"]: t for t in client.get("/api/templates").json()}
    assert "correlation_histogram_1d" in templates
    assert templates["correlation_histogram_1d"]["config_schema"]["required"] == [
        "x_axis",
        "x_unit",
    ]
    labels = [ref["label"] for ref in client.get("/api/timeseries").json()]
    assert "dummy/timeseries_data/1/delta@motion1" in labels
    assert not any(label.startswith("minidiff/") for label in labels)  # one instrument


def test_mutations_need_the_token(stack: Stack) -> None:
    for client in (stack.client(), stack.client("wrong")):
        response = client.post(f"/api/workflows/{MONITORS}/stop")
        assert response.status_code == 401
        assert "Bearer" in response.json()["error"]
        assert client.post("/api/instances", json={}).status_code == 401
        assert client.delete("/api/instances/dummy/x/1").status_code == 401
    assert stack.client().get("/api/workflows").status_code == 200  # reading needs none


def test_start_with_defaults_acks_and_turns_active_then_stop(stack: Stack, wait_for: Any) -> None:
    client = stack.client(TOKEN)
    response = client.post(f"/api/workflows/{MONITORS}/start", json={})
    assert response.status_code == 200
    body = response.json()
    assert body["errors"] == [] and body["command"]["outcome"] == "ok"
    assert {r["source"] for r in body["command"]["replies"]} == {"monitor1", "monitor2"}

    def badge() -> str:
        return client.get(f"/api/workflows/{MONITORS}").json()["badge"]

    assert wait_for(lambda: badge() == "active")
    item = client.get(f"/api/workflows/{MONITORS}").json()
    assert item["reporting"] == 2 and item["last_heartbeat_at"] is not None
    assert client.post(f"/api/workflows/{MONITORS}/stop").status_code == 200
    assert wait_for(lambda: badge() == "not running")
    assert not any(wid == MONITORS for wid, _ in stack.simulator.running_jobs())


def test_partial_params_are_merged_over_the_defaults(stack: Stack) -> None:
    client = stack.client(TOKEN)
    wid = "dummy/timeseries_data/1"
    response = client.post(f"/api/workflows/{wid}/start", json={"sources": ["motion1"]})
    assert response.status_code == 200
    response = client.post(
        f"/api/workflows/{MONITORS}/start",
        json={"sources": ["monitor1"], "params": {"toa_edges": {"num_bins": 7}}},
    )
    assert response.status_code == 200, response.text
    staged = stack.runtime.states()[stack.runtime.registry.get(MONITORS).id].current
    params = staged.jobs["monitor1"].params
    assert params["toa_edges"]["num_bins"] == 7 and params["toa_edges"]["stop"] == 71.43
    form = client.get(f"/api/workflows/{MONITORS}/form").json()
    assert form["defaults"]["toa_edges"]["num_bins"] == 100
    assert form["current"]["sources"] == ["monitor1"]  # a reconfigure starts from what runs
    assert form["current"]["params"]["toa_edges"]["num_bins"] == 7
    client.post(f"/api/workflows/{MONITORS}/stop")
    client.post(f"/api/workflows/{wid}/stop")


def test_invalid_params_are_refused_naming_the_field_and_nothing_is_sent(stack: Stack) -> None:
    client = stack.client(TOKEN)
    before = stack.runtime.last_command(stack.runtime.registry.get(MONITORS).id)
    response = client.post(
        f"/api/workflows/{MONITORS}/start",
        json={"params": {"toa_edges": {"start": 50, "stop": 10}, "bogus": 1}},
    )
    assert response.status_code == 422
    fields = {f["field"]: f["message"] for f in response.json()["fields"]}
    assert fields["toa_edges.stop"] == "stop must be greater than start"
    assert "bogus" in fields
    response = client.post(f"/api/workflows/{MONITORS}/start", json={"sources": ["nope"]})
    assert response.status_code == 422 and response.json()["fields"][0]["field"] == "sources"
    assert stack.runtime.last_command(stack.runtime.registry.get(MONITORS).id) == before


def test_unknown_workflow_is_404(stack: Stack) -> None:
    client = stack.client(TOKEN)
    assert client.post("/api/workflows/dummy/nope/1/start", json={}).status_code == 404
    assert client.post("/api/workflows/not-an-id/stop").status_code == 404
    assert client.get("/api/workflows/dummy/nope/1").status_code == 404
    assert client.get("/api/nothing-here").status_code == 404


def test_add_then_delete_an_instance(stack: Stack, wait_for: Any) -> None:
    client = stack.client(TOKEN)
    response = client.post(
        "/api/instances", json={"template": "correlation_histogram_1d", "config": INSTANCE_CONFIG}
    )
    assert response.status_code == 201, response.text
    wid = response.json()["id"]
    assert response.json()["title"] == "Motion2 Correlation Histogram"
    item = client.get(f"/api/workflows/{wid}").json()
    assert item["template"] == "correlation_histogram_1d"
    instances = (stack.state_dir / "instances.yaml").read_text()
    assert wid in instances
    ref = "dummy/monitor_histogram/1/counts_total@monitor1"
    assert client.post(f"/api/workflows/{wid}/start", json={"sources": [ref]}).status_code == 200
    assert wait_for(lambda: client.get(f"/api/workflows/{wid}").json()["badge"] != "not running")
    assert [job for job in stack.runtime.executor.jobs() if str(job.workflow_id) == wid]

    assert client.delete(f"/api/instances/{wid}").status_code == 200
    assert client.get(f"/api/workflows/{wid}").status_code == 404
    assert wid not in (stack.state_dir / "instances.yaml").read_text()
    assert not [job for job in stack.runtime.executor.jobs() if str(job.workflow_id) == wid]
    assert client.delete(f"/api/instances/{wid}").status_code == 404


def test_refused_config_is_422_naming_the_field(stack: Stack) -> None:
    client = stack.client(TOKEN)
    bad = {"template": "correlation_histogram_1d", "config": {"x_axis": INSTANCE_CONFIG["x_axis"]}}
    response = client.post("/api/instances", json=bad)
    assert response.status_code == 422
    assert response.json()["fields"] == [{"field": "x_unit", "message": "Field required"}]
    response = client.post(
        "/api/instances", json={"template": "corelation_histogram_1d", "config": {}}
    )
    assert response.status_code == 422 and response.json()["fields"][0]["field"] == "template"
    assert "correlation_histogram_1d" in response.json()["error"]  # did you mean


def test_deleting_a_static_workflow_is_409(stack: Stack) -> None:
    response = stack.client(TOKEN).delete(f"/api/instances/{MONITORS}")
    assert response.status_code == 409
    assert MONITORS in response.json()["error"]


def test_bodies_are_limited_and_must_be_json_objects(stack: Stack) -> None:
    client = stack.client(TOKEN)
    huge = json.dumps({"config": {"x": "y" * 300_000}, "template": "t"})
    response = client.post(
        "/api/instances", content=huge, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    response = client.post(
        "/api/instances", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert client.post("/api/instances", json=[1, 2]).status_code == 422


def _read_events(url: str, want: int, out: list[dict[str, Any]], ready: threading.Event) -> None:
    import httpx

    with httpx.stream("GET", f"{url}/api/events", timeout=30) as response:
        event = None
        for line in response.iter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:"):
                out.append({"event": event, "data": json.loads(line[5:])})
                if event == "snapshot":
                    ready.set()
                if len(out) >= want:
                    return


def test_two_event_streams_see_the_same_change_and_start_from_a_snapshot(
    stack: Stack, wait_for: Any
) -> None:
    wid = "dummy/panel_0_xy/1"
    streams: list[list[dict[str, Any]]] = [[], []]
    readies = [threading.Event(), threading.Event()]
    threads = []
    for out, ready in zip(streams, readies, strict=True):
        thread = threading.Thread(
            target=_read_events, args=(stack.url, 30, out, ready), daemon=True
        )
        thread.start()
        threads.append(thread)
    assert all(ready.wait(20) for ready in readies)
    for out in streams:
        assert out[0]["event"] == "snapshot"
        assert any(w["id"] == wid for w in out[0]["data"]["workflows"])
    stack.client(TOKEN).post(f"/api/workflows/{wid}/start", json={})

    def saw_active(out: list[dict[str, Any]]) -> bool:
        return any(
            w["id"] == wid and w["badge"] == "active"
            for e in list(out)
            if e["event"] == "workflows"
            for w in e["data"]["changed"]
        )

    assert wait_for(lambda: all(saw_active(out) for out in streams))
    stack.client(TOKEN).post(f"/api/workflows/{wid}/stop")


def test_an_unknown_timeseries_reference_is_422_on_its_field(stack: Stack) -> None:
    config = {
        **INSTANCE_CONFIG,
        "x_axis": {**INSTANCE_CONFIG["x_axis"], "workflow_id": "dummy/nope/1"},
    }
    response = stack.client(TOKEN).post(
        "/api/instances", json={"template": "correlation_histogram_1d", "config": config}
    )
    assert response.status_code == 422
    [field] = response.json()["fields"]
    assert field["field"] == "x_axis" and "not a timeseries" in field["message"]
    assert "nope" not in (stack.state_dir / "instances.yaml").read_text()


def test_a_config_that_renders_invalid_params_is_422_on_the_field_behind_them(
    stack: Stack,
) -> None:
    config = {**INSTANCE_CONFIG, "x_start": 5.0, "x_stop": 1.0}
    response = stack.client(TOKEN).post(
        "/api/instances", json={"template": "correlation_histogram_1d", "config": config}
    )
    assert response.status_code == 422
    [field] = response.json()["fields"]
    assert field["field"] == "x_stop"
    assert "stop must be greater than start" in field["message"]
