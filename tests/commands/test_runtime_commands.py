"""The runtime commands as a user runs them: `wfspec demo`, `wfspec run`, `heartbeats watch`.

Each runs wfspec in a subprocess against a real embedded broker.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.kafka

REPO = Path(__file__).resolve().parents[2]
WFSPEC = [sys.executable, "-m", "wfspec.runtime.cli.main"]


def wfspec(*args: str, timeout: float = 60, **kwargs) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "140"}
    return subprocess.run(
        [*WFSPEC, *args], capture_output=True, text=True, timeout=timeout, env=env, **kwargs
    )


def test_demo_exits_0_with_every_workflow_active(tmp_path: Path) -> None:
    result = wfspec(
        "demo",
        "--specs",
        str(REPO / "specs"),
        "--build",
        str(tmp_path / "build"),
        "--duration",
        "8",
        "--heartbeat-interval",
        "0.5",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert (tmp_path / "build" / "bundle.json").is_file()  # compiled because it was missing
    for wid in (
        "dummy/timeseries_data/1",
        "dummy/monitor_histogram/1",
        "dummy/motion1_correlation_histogram_1d/1",
    ):
        row = next(line for line in out.splitlines() if wid in line and "│" in line)
        assert "active" in row, out
    assert "every committed workflow went active" in out
    assert "Traceback" not in result.stderr


def test_demo_reuses_an_up_to_date_bundle(tmp_path: Path, shipped_bundle_path: Path) -> None:
    build = tmp_path / "build"
    build.mkdir()
    (build / "bundle.json").write_bytes(shipped_bundle_path.read_bytes())
    result = wfspec(
        "demo", "--specs", str(REPO / "specs"), "--build", str(build), "--duration", "1"
    )
    assert "is up to date" in result.stdout, result.stdout + result.stderr


def test_run_logs_structured_lines_and_stops_on_sigterm(
    kafka_broker, shipped_bundle_path: Path, tmp_path: Path
) -> None:
    process = subprocess.Popen(
        [
            *WFSPEC,
            "run",
            "--bundle",
            str(shipped_bundle_path),
            "--bootstrap-servers",
            kafka_broker.bootstrap_servers,
            "--instrument",
            "dummy",
            "--state-dir",
            str(tmp_path),
            "--log-format",
            "json",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[dict] = []
    deadline = time.monotonic() + 30
    assert process.stderr is not None
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line:
            break
        lines.append(json.loads(line))  # every line is one JSON object
        if lines[-1]["msg"].startswith("running instruments=dummy"):
            break
    process.send_signal(signal.SIGTERM)
    _, rest = process.communicate(timeout=20)
    lines += [json.loads(line) for line in rest.splitlines() if line.strip()]
    assert process.returncode == 0
    messages = [entry["msg"] for entry in lines]
    assert any(m.startswith("runtime started instrument=dummy") for m in messages), messages
    assert "received SIGTERM: stopping" in messages
    assert messages[-1] == "stopped"
    assert {"ts", "level", "logger", "msg"} <= set(lines[0])


@pytest.mark.parametrize("command", ["run", "serve"])
@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("nosuch", "instrument 'nosuch' is not in the bundle; it has: dummy, minidiff"),
        ("dumy", "instrument 'dumy' is not in the bundle (did you mean 'dummy'?); it has: dummy"),
    ],
)
def test_run_and_serve_refuse_an_unknown_instrument_alike(
    shipped_bundle_path: Path, command: str, name: str, said: str
) -> None:
    result = wfspec(
        command,
        "--bundle",
        str(shipped_bundle_path),
        "--bootstrap-servers",
        "127.0.0.1:1",
        "--instrument",
        name,
    )
    assert result.returncode == 2
    assert said in result.stderr
    assert "Traceback" not in result.stderr


def test_run_without_servers_says_what_to_give(shipped_bundle_path: Path) -> None:
    result = wfspec("run", "--bundle", str(shipped_bundle_path), "--instrument", "dummy")
    assert result.returncode == 2
    assert "--bootstrap-servers HOST:PORT" in result.stderr


def test_run_with_a_broken_kafka_config_names_the_position(
    shipped_bundle_path: Path, tmp_path: Path
) -> None:
    config = tmp_path / "cluster.yaml"
    config.write_text("bootstrap.servers: a:1\nsasl.username: [unclosed\n")
    result = wfspec(
        "run", "--bundle", str(shipped_bundle_path), "--kafka-config", str(config),
        "--instrument", "dummy",
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert f"{config}:3:1: not a valid Kafka config file" in result.stderr
    assert "Traceback" not in result.stderr


def test_watch_an_unreachable_cluster_is_a_clear_error() -> None:
    result = wfspec(
        "heartbeats", "watch", "--bootstrap-servers", "127.0.0.1:1", "--instrument", "dummy"
    )
    assert result.returncode == 1
    assert "cannot reach Kafka at 127.0.0.1:1" in result.stderr
    assert "Traceback" not in result.stderr


def test_watch_shows_what_the_backend_reports(
    kafka_broker, shipped_bundle_path: Path, tmp_path: Path
) -> None:
    from wfspec.compiler import load_bundle
    from wfspec.runtime.app import Runtime
    from wfspec.runtime.simulator import SimulatedBackend

    kafka = {"bootstrap.servers": kafka_broker.bootstrap_servers}
    bundle = load_bundle(shipped_bundle_path)
    with (
        Runtime(bundle, "dummy", kafka=kafka, state_dir=tmp_path, correlation=False) as runtime,
        SimulatedBackend(
            kafka,
            "dummy",
            runtime.registry.get,
            services=["monitor_data"],
            heartbeat_interval_s=0.3,
            publish_data=False,
        ),
    ):
        runtime.stage("dummy/monitor_histogram/1", "monitor1")
        assert runtime.commit("dummy/monitor_histogram/1").wait(10)
        result = wfspec(
            "heartbeats",
            "watch",
            "--bootstrap-servers",
            kafka_broker.bootstrap_servers,
            "--instrument",
            "dummy",
            "--bundle",
            str(shipped_bundle_path),
            "--duration",
            "3",
            "--format",
            "json",
        )
    assert result.returncode == 0, result.stderr
    view = json.loads(result.stdout)
    workflows = {w["workflow_id"]: w for w in view["workflows"]}
    monitor = workflows["dummy/monitor_histogram/1"]
    assert monitor["state"] == "active"
    assert monitor["config_known"] is False  # watch adopts: it never committed anything
    assert [j["source_name"] for j in view["jobs"]] == ["monitor1"]
    assert view["services"][0]["service_name"] == "monitor_data"
    assert view["services"][0]["fresh"] is True


def test_run_follows_several_instruments(
    kafka_broker, shipped_bundle_path: Path, tmp_path: Path
) -> None:
    result = wfspec(
        "run",
        "--bundle",
        str(shipped_bundle_path),
        "--bootstrap-servers",
        kafka_broker.bootstrap_servers,
        "--instrument",
        "dummy",
        "--instrument",
        "minidiff",
        "--state-dir",
        str(tmp_path),
        "--duration",
        "1",
    )
    assert result.returncode == 0, result.stderr
    assert "runtime started instrument=dummy" in result.stderr
    assert "runtime started instrument=minidiff" in result.stderr
    assert "running instruments=dummy,minidiff" in result.stderr
    # each runtime created its instrument's topics (one partition: commands stay in order)
    from confluent_kafka.admin import AdminClient

    topics = AdminClient({"bootstrap.servers": kafka_broker.bootstrap_servers}).list_topics(
        timeout=10
    )
    for instrument in ("dummy", "minidiff"):
        for kind in ("commands", "responses", "heartbeat", "data"):
            assert len(topics.topics[f"{instrument}_livedata_{kind}"].partitions) == 1
