"""Two runtimes on one instrument never stop each other's jobs (issue 13, the serious one).

At a facility several dashboards -- and ``wfspec run`` next to them -- follow one instrument and
share its state folder. Reproduced here as it happened against the real backend: a ``wfspec
run`` process starts with a recorded job set; a Python ``Runtime`` in this test, on the same
state folder, re-commits the workflow. The first runtime used to treat the new job as an orphan
and stop it after 1.5 s; now it re-reads ``jobs.yaml`` and follows the new job set, and a job no
record claims is left running.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from wfspec.compiler import Bundle, WorkflowId
from wfspec.runtime.app import Runtime
from wfspec.runtime.commands import WorkflowConfigCommand
from wfspec.runtime.kafka.producer import KafkaCommandSink
from wfspec.runtime.simulator import SimulatedBackend
from wfspec.runtime.status import JobId
from wfspec.runtime.workflow_status import AggregateState

pytestmark = pytest.mark.kafka

MONITORS = WorkflowId.parse("dummy/monitor_histogram/1")
TIMESERIES = WorkflowId.parse("dummy/timeseries_data/1")
WFSPEC = [sys.executable, "-m", "wfspec.runtime.cli.main"]


@pytest.fixture
def simulated(kafka: dict[str, str], bundle: Bundle) -> Iterator[SimulatedBackend]:
    """The simulated backend on the test's broker, beating every 0.5 s."""
    with SimulatedBackend(
        kafka, "dummy", bundle.workflows.get, heartbeat_interval_s=0.5, publish_data=False
    ) as backend:
        yield backend


def _start_stray_job(kafka: dict[str, str], bundle: Bundle) -> uuid.UUID:
    """Start ``TIMESERIES`` on motion2 with a job number no record claims (as a runtime on
    another state folder would); return that job number."""
    stray = uuid.uuid4()
    sink = KafkaCommandSink(kafka, "dummy")
    sink.send(
        [
            WorkflowConfigCommand(
                identifier=TIMESERIES,
                message_id=uuid.uuid4(),
                job_id=JobId(source_name="motion2", job_number=stray),
                params=bundle.workflows[TIMESERIES].params().model_dump(mode="json"),
            )
        ]
    )
    sink.close()
    return stray


class RunProcess:
    """``wfspec run`` in a subprocess; its JSON log lines collected by a reader thread."""

    def __init__(self, bundle: Path, servers: str, state_dir: Path) -> None:
        self.process = subprocess.Popen(
            [
                *WFSPEC,
                "run",
                "--bundle",
                str(bundle),
                "--bootstrap-servers",
                servers,
                "--instrument",
                "dummy",
                "--state-dir",
                str(state_dir),
                "--log-format",
                "json",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            try:
                self.lines.append(json.loads(line)["msg"])
            except ValueError:
                self.lines.append(line.rstrip())

    def saw(self, prefix: str) -> bool:
        return any(line.startswith(prefix) for line in list(self.lines))

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(20)
        self._reader.join(5)


def test_a_runtime_never_stops_the_jobs_another_runtime_started(
    wait_for,
    kafka: dict[str, str],
    bundle: Bundle,
    simulated: SimulatedBackend,
    shipped_bundle_path: Path,
    tmp_path: Path,
) -> None:
    servers = kafka["bootstrap.servers"]
    with Runtime(bundle, "dummy", kafka=kafka, state_dir=tmp_path, tick_interval_s=0.2) as ours:
        for source in ("monitor1", "monitor2"):
            ours.stage(MONITORS, source)
        first = ours.commit(MONITORS)
        ours.stage(TIMESERIES, "motion1")
        assert first.wait(10) and ours.commit(TIMESERIES).wait(10)
        # the other runtime starts now: it loads the recorded job set as its current one
        other = RunProcess(shipped_bundle_path, servers, tmp_path)
        try:
            assert wait_for(lambda: other.saw("running instruments=dummy"), timeout=30)
            assert wait_for(
                lambda: other.saw("workflow state workflow=dummy/monitor_histogram/1 state=active")
            )
            for source in ("monitor1", "monitor2"):
                ours.stage(MONITORS, source)
            second = ours.commit(MONITORS)
            assert second.wait(10) and second.errors == []
            # a job no record claims (started by a runtime on another state folder) as well
            stray = _start_stray_job(kafka, bundle)
            time.sleep(4.0)  # 8 beats; the old runtime stopped the new job after 1.5 s
            assert set(simulated.running_jobs()) == {
                (MONITORS, "monitor1"),
                (MONITORS, "monitor2"),
                (TIMESERIES, "motion1"),
                (TIMESERIES, "motion2"),
            }
            assert not other.saw("re-sending stop"), other.lines
            status = ours.workflow_statuses([MONITORS])[MONITORS]
            assert status.state is AggregateState.ACTIVE
            assert status.job_number == second.job_set.job_number
            (orphan,) = ours.orphans()
            assert (orphan.workflow_id, orphan.job_number) == (TIMESERIES, stray)
            # the other runtime re-reads the shared records: it follows a stop made here
            assert ours.stop_workflow(MONITORS).wait(10)
            assert wait_for(
                lambda: other.saw("workflow state workflow=dummy/monitor_histogram/1 state=stopped")
            )
        finally:
            other.stop()
        assert other.process.returncode == 0
        # only a person's explicit clean-up stops the orphan
        stopped = ours.stop_orphans()
        assert stopped.wait(10)
        assert wait_for(lambda: (TIMESERIES, "motion2") not in simulated.running_jobs())
        assert (TIMESERIES, "motion1") in simulated.running_jobs()


def test_wfspec_orphans_lists_and_on_request_stops_only_unclaimed_jobs(
    wait_for,
    kafka: dict[str, str],
    bundle: Bundle,
    simulated: SimulatedBackend,
    shipped_bundle_path: Path,
    tmp_path: Path,
) -> None:
    servers = kafka["bootstrap.servers"]
    with Runtime(bundle, "dummy", kafka=kafka, state_dir=tmp_path) as ours:
        ours.stage(TIMESERIES, "motion1")
        claimed = ours.commit(TIMESERIES)
        assert claimed.wait(10)
        stray = _start_stray_job(kafka, bundle)
        assert wait_for(lambda: (TIMESERIES, "motion2") in simulated.running_jobs())
        command = [
            *WFSPEC,
            "orphans",
            "--bundle",
            str(shipped_bundle_path),
            "--bootstrap-servers",
            servers,
            "--instrument",
            "dummy",
            "--state-dir",
            str(tmp_path),
            "--listen",
            "3",
        ]
        listed = subprocess.run(command, capture_output=True, text=True, timeout=60)
        assert listed.returncode == 0, listed.stderr
        assert f"dummy/timeseries_data/1  job {stray}  motion2  active" in listed.stdout
        assert str(claimed.job_set.job_number) not in listed.stdout
        assert "1 orphan job(s); stop them with --stop" in listed.stdout
        assert (TIMESERIES, "motion2") in simulated.running_jobs()  # listing stops nothing
        stopped = subprocess.run([*command, "--stop"], capture_output=True, text=True, timeout=60)
        assert stopped.returncode == 0, stopped.stderr
        assert "stopped 1 orphan job(s)" in stopped.stdout
        assert wait_for(lambda: (TIMESERIES, "motion2") not in simulated.running_jobs())
        assert (TIMESERIES, "motion1") in simulated.running_jobs()  # the recorded job runs on
