"""The page in Debian's headless Chromium (Playwright), on the real stack (embedded broker,
runtime, simulated backend). Each test saves its final page to ``artifacts/`` (git-ignored)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from .conftest import REPO_SPECS, Stack

pytestmark = pytest.mark.kafka

MONITORS = "dummy/monitor_histogram/1"


def row(page: Any, wid: str) -> Any:
    return page.locator(f"[data-testid=workflow][data-id='{wid}']")


def test_add_instance_through_its_form_then_delete_it(
    live_stack: Stack, page: Any, wait_for: Any
) -> None:
    page.goto(live_stack.url + "/")
    toggle = page.locator("[data-testid=add-instance]")
    assert toggle.inner_text() == "+ new template instance"  # says what it does
    toggle.click()
    assert toggle.inner_text() == "× close" and toggle.get_attribute("aria-expanded") == "true"
    form = page.locator("[data-testid=add-form]")
    form.locator("select").nth(1).select_option("dummy/timeseries_data/1/delta@motion1")
    form.get_by_label("Axis unit").fill("mm")
    form.get_by_role("button", name="add").click()
    wid = "dummy/motion1_correlation_histogram_1d/1"
    item = row(page, wid)
    item.wait_for()
    assert "Motion1 Correlation Histogram" in item.inner_text()
    assert wid in (live_stack.state_dir / "instances.yaml").read_text()

    ref = "dummy/monitor_histogram/1/counts_total@monitor1"
    assert (
        live_stack.client().post(f"/api/workflows/{wid}/start", json={"sources": [ref]}).is_success
    )
    assert wait_for(
        lambda: any(str(j.workflow_id) == wid for j in live_stack.runtime.executor.jobs())
    )
    page.once("dialog", lambda dialog: dialog.accept())
    item.locator("[data-testid=delete]").click()
    item.wait_for(state="detached")
    assert wid not in (live_stack.state_dir / "instances.yaml").read_text()
    assert not any(str(j.workflow_id) == wid for j in live_stack.runtime.executor.jobs())


def test_start_with_the_form_defaults_turns_the_badge_active(live_stack: Stack, page: Any) -> None:
    page.goto(live_stack.url + "/")
    item = row(page, MONITORS)
    item.get_by_role("button", name="start").click()
    form = item.locator("[data-testid=start-form]")
    form.get_by_role("button", name="start").wait_for()
    # every field is rendered by rjsf: choices with labels are radios, none "unsupported"
    assert "Unsupported field schema" not in form.inner_text()
    assert form.get_by_label("Log").is_visible() and form.get_by_label("Linear").is_checked()
    assert form.get_by_label("monitor1").is_checked() and form.get_by_label("monitor2").is_checked()
    form.get_by_role("button", name="start").click()
    item.locator("[data-testid=badge]", has_text="active").wait_for()
    assert "2/2 reporting" in item.inner_text()
    assert "monitor1: ACK" in item.locator("[data-testid=last-command]").inner_text()


def test_an_invalid_value_shows_the_error_and_sends_nothing(live_stack: Stack, page: Any) -> None:
    wid = "dummy/panel_0_xy/1"
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.url) if r.method == "POST" else None)
    page.goto(live_stack.url + "/")
    item = row(page, wid)
    item.get_by_role("button", name="start").click()
    form = item.locator("[data-testid=start-form]")
    form.locator("input[id$='toa_range_start']").fill("9")
    form.locator("input[id$='toa_range_stop']").fill("1")
    form.get_by_role("button", name="start").click()
    form.get_by_text("stop must be greater than start").first.wait_for()
    assert sent == []
    assert live_stack.runtime.last_command(live_stack.runtime.registry.get(wid).id) is None


def test_an_injected_error_turns_the_badge_error_with_the_message(
    live_stack: Stack, page: Any, wait_for: Any
) -> None:
    wid = "dummy/timeseries_data/1"
    client = live_stack.client()
    assert client.post(f"/api/workflows/{wid}/start", json={"sources": ["motion2"]}).is_success
    page.goto(live_stack.url + "/")
    item = row(page, wid)
    item.locator("[data-testid=badge]", has_text="active").wait_for()
    live_stack.simulator.fail_job(wid, "motion2", "ValueError: motion2 drifted out of range")
    item.locator("[data-testid=badge]", has_text="error").wait_for()
    assert "motion2 drifted out of range" in item.locator("[data-testid=summary]").inner_text()
    client.post(f"/api/workflows/{wid}/stop")


def test_preview_shows_a_broken_specs_diagnostic(tmp_path: Path, page: Any) -> None:
    from wfspec.runtime.web import create_app
    from wfspec.runtime.web.preview import PreviewBackend
    from wfspec.runtime.web.server import WebServer

    specs = tmp_path / "specs"
    shutil.copytree(REPO_SPECS, specs)
    backend = PreviewBackend(specs, interval_s=0.2)
    with WebServer(create_app(backend), "127.0.0.1", 0) as server:
        page.goto(server.url)
        row(page, MONITORS).wait_for()
        target = next(specs.rglob("monitor_histogram*.yaml"))
        text = target.read_text()
        target.write_text(text.replace("title: Beam monitor", "title: [unclosed"))
        diagnostics = page.locator("[data-testid=diagnostics]")
        diagnostics.wait_for()
        assert f"{target.name}:" in diagnostics.inner_text()
        page.screenshot(path=str(Path(__file__).parent / "artifacts" / "preview_broken.png"))
        target.write_text(text)  # fixed again: the forms come back without a reload
        row(page, MONITORS).wait_for()


def test_two_tabs_see_the_same_change(live_stack: Stack, browser: Any, page: Any) -> None:
    wid = "dummy/area_panel_xy/1"
    other = browser.new_page()
    try:
        for tab in (page, other):
            tab.goto(live_stack.url + "/")
            row(tab, wid).locator("[data-testid=badge]", has_text="not running").wait_for()
        assert live_stack.client().post(f"/api/workflows/{wid}/start", json={}).is_success
        for tab in (page, other):
            row(tab, wid).locator("[data-testid=badge]", has_text="active").wait_for()
        assert live_stack.client().post(f"/api/workflows/{wid}/stop").is_success
        for tab in (page, other):
            row(tab, wid).locator("[data-testid=badge]", has_text="not running").wait_for()
    finally:
        other.close()


def test_the_backends_err_is_shown_on_the_workflow(
    shipped_bundle_path: Path, tmp_path: Path, page: Any
) -> None:
    """The backend runs an older monitor_histogram without monitor1: starting both sources
    from the form shows its ERR text for monitor1, and the badge turns error."""
    from wfspec.compiler import WorkflowId

    from .conftest import start_stack

    monitors = WorkflowId.parse(MONITORS)

    def older(bundle: Any, wid: Any) -> Any:
        spec = bundle.workflows.get(wid)
        if wid == monitors:
            return spec.model_copy(update={"source_names": ["monitor2"]})
        return spec

    stack = start_stack(shipped_bundle_path, tmp_path, backend_knows=older)
    live = next(stack)
    try:
        page.goto(live.url + "/")
        item = row(page, MONITORS)
        item.get_by_role("button", name="start").click()
        item.locator("[data-testid=start-form]").get_by_role("button", name="start").click()
        command = item.locator("[data-testid=last-command]")
        command.get_by_text("monitor1: ERR").wait_for()
        assert "monitor2: ACK" in command.inner_text()
        item.locator("[data-testid=badge]", has_text="error").wait_for()
        assert "monitor1" in item.locator("[data-testid=summary]").inner_text()
    finally:
        stack.close()


def test_the_servers_refusal_of_a_config_is_shown_in_the_form(live_stack: Stack, page: Any) -> None:
    """The form cannot know that x_start > x_stop renders invalid params; the server's 422
    names the config field whose value rendered the bad param (x_stop), the page shows it on
    that field, and nothing is registered."""
    page.goto(live_stack.url + "/")
    toggle = page.locator("[data-testid=add-instance]")
    assert toggle.inner_text() == "+ new template instance"  # says what it does
    toggle.click()
    assert toggle.inner_text() == "× close" and toggle.get_attribute("aria-expanded") == "true"
    form = page.locator("[data-testid=add-form]")
    form.locator("select").nth(1).select_option("dummy/timeseries_data/1/delta@motion2")
    form.get_by_label("Axis unit").fill("deg")
    form.get_by_label("X start").fill("5")
    form.get_by_label("X stop").fill("1")
    form.get_by_role("button", name="add").click()
    verdict = page.locator("[data-testid=add-verdict]")
    verdict.get_by_text("stop must be greater than start").wait_for()
    assert form.is_visible()
    at_stop = form.locator(".form-group:has(> #root_x_stop) .error-detail")
    assert "stop must be greater than start" in at_stop.inner_text()
    assert form.locator(".form-group:has(> #root_x_start) .error-detail").count() == 0
    ids = {item["id"] for item in live_stack.client().get("/api/workflows").json()}
    assert "dummy/motion2_correlation_histogram_1d/1" not in ids


def test_a_servers_field_error_is_shown_at_its_field(live_stack: Stack, page: Any) -> None:
    """The page's half of the 422 contract: ``fields[].field`` (a dotted path in the params)
    lands on that field as rjsf extraErrors. The server's half (which field it names) is in
    test_api; here the 422 is answered by the page's route so the form's own validation, which
    mirrors the server's, cannot pre-empt it."""
    wid = "dummy/panel_0_layers/1"
    body = {
        "error": "invalid params",
        "fields": [{"field": "toa_range.stop", "message": "server: too far"}],
    }

    def refuse(route: Any) -> None:
        route.fulfill(status=422, content_type="application/json", body=json.dumps(body))

    page.route("**/api/workflows/dummy/panel_0_layers/1/start", refuse)
    page.goto(live_stack.url + "/")
    item = row(page, wid)
    item.get_by_role("button", name="start").click()
    form = item.locator("[data-testid=start-form]")
    form.get_by_role("button", name="start").click()
    field = form.locator(".form-group", has=page.locator("input[id$='toa_range_stop']")).last
    field.get_by_text("server: too far").wait_for()
    assert "invalid params" in form.locator("[data-testid=verdict]").inner_text()
