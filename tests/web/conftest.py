"""The page's stack for the web tests: embedded broker, runtime, simulated backend, and
``wfspec serve``'s app on a real uvicorn on a free loopback port. Nothing is mocked.

``live_stack`` is shared by a module's tests (starting a runtime costs seconds on a shared
machine); each test uses workflows of its own or restores what it changed.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO_SPECS = Path(__file__).resolve().parents[2] / "specs"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = os.environ.get("WFSPEC_CHROMIUM", "/usr/bin/chromium")
TOKEN = "s3cret"


@dataclass
class Stack:
    runtime: Any
    simulator: Any
    server: Any
    state_dir: Path
    url: str

    def client(self, token: str | None = None) -> Any:
        import httpx

        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=20)


def start_stack(
    bundle_path: Path,
    folder: Path,
    token: str | None = None,
    backend_knows: Callable[[Any, Any], Any] | None = None,
) -> Iterator[Stack]:
    """The stack; ``backend_knows(bundle, wid)`` replaces the spec the simulated backend runs
    (default: the registry's), e.g. an older version that lacks a source."""
    import contextlib

    from wfspec.compiler import load_bundle
    from wfspec.runtime.app import Runtime
    from wfspec.runtime.broker import EmbeddedBroker
    from wfspec.runtime.simulator import SimulatedBackend
    from wfspec.runtime.web import create_app
    from wfspec.runtime.web.backend import LiveBackend
    from wfspec.runtime.web.server import WebServer

    bundle = load_bundle(bundle_path)
    with contextlib.ExitStack() as stack:
        broker = stack.enter_context(EmbeddedBroker())
        kafka = {"bootstrap.servers": broker.bootstrap_servers}
        runtime = stack.enter_context(
            Runtime(bundle, "dummy", kafka=kafka, state_dir=folder, tick_interval_s=0.2)
        )
        simulator = stack.enter_context(
            SimulatedBackend(
                kafka,
                "dummy",
                runtime.registry.get
                if backend_knows is None
                else (lambda wid: backend_knows(bundle, wid)),
                heartbeat_interval_s=0.5,
            )
        )
        server = stack.enter_context(
            WebServer(create_app(LiveBackend(runtime), token=token), "127.0.0.1", 0)
        )
        yield Stack(runtime, simulator, server, folder / "dummy", server.url.rstrip("/"))


@pytest.fixture(scope="module")
def live_stack(
    shipped_bundle_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    yield from start_stack(shipped_bundle_path, tmp_path_factory.mktemp("state"))


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright (its own download is not used)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh page; its final state is saved as ``artifacts/<test>.png`` (git-ignored)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
