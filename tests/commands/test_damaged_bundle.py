"""A damaged bundle entry, met by any command: one clear error naming file and entry.

Bundle entries are read on first lookup (ADR 0004), so a command that meets a damaged one late
must still end with ``Error: <file>: template X is corrupt ...`` and never a traceback; the
long-running commands (``run``, ``serve``) check every entry at start, before any Kafka work.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from wfspec.compiler import BundleError, load_bundle

TEMPLATE = "correlation_histogram_1d"
WORKFLOW = "dummy/monitor_histogram/1"
UNREACHABLE = "127.0.0.1:1"


def wfspec(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "wfspec.runtime.cli.main", *args]
    env = {**os.environ, "COLUMNS": "140"}
    return subprocess.run(command, capture_output=True, text=True, timeout=60, env=env)


@pytest.fixture
def damaged(shipped_bundle_path: Path, tmp_path: Path) -> Path:
    """The shipped bundle with one template entry lacking its body."""
    document = json.loads(shipped_bundle_path.read_bytes())
    del document["templates"][TEMPLATE]["body"]
    path = tmp_path / "damaged" / "bundle.json"
    path.parent.mkdir()
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _started(
    command: str, bundle: Path, tmp_path: Path, *more: str
) -> subprocess.CompletedProcess[str]:
    """``wfspec run|serve`` on the dummy instrument of ``bundle`` against an unreachable cluster."""
    state = str(tmp_path / "state")
    options = ["--instrument", "dummy", "--bootstrap-servers", UNREACHABLE, "--state-dir", state]
    return wfspec(command, "--bundle", str(bundle), *options, *more)


def _names_the_entry(result: subprocess.CompletedProcess[str], path: Path) -> None:
    assert "Traceback" not in result.stderr, result.stderr
    assert f"Error: {path}: template {TEMPLATE} is corrupt (missing 'body')" in result.stderr
    assert "wfspec compile" in result.stderr


def test_verify_names_the_first_damaged_entry(damaged: Path, shipped_bundle_path: Path) -> None:
    load_bundle(shipped_bundle_path).verify()  # a sound bundle: nothing to say
    bundle = load_bundle(damaged)  # loading reads no entry
    with pytest.raises(BundleError, match=f"template {TEMPLATE} is corrupt"):
        bundle.verify("dummy")

    document = json.loads(shipped_bundle_path.read_bytes())
    document["workflows"][WORKFLOW]["spec"]["outputs"] = 3
    damaged.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(BundleError, match=f"workflow {WORKFLOW} is corrupt"):
        load_bundle(damaged).verify("dummy")
    load_bundle(damaged).verify("no_such_instrument")  # other instruments' entries: not read


def test_list_and_diff_name_the_damaged_entry(damaged: Path, shipped_bundle_path: Path) -> None:
    listed = wfspec("list", "--specs", str(damaged))
    assert listed.returncode == 1
    _names_the_entry(listed, damaged)

    compared = wfspec("diff", str(shipped_bundle_path), str(damaged))
    assert compared.returncode == 2  # a bad bundle file, as for any unreadable bundle
    _names_the_entry(compared, damaged)


@pytest.mark.parametrize("command", ["run", "serve"])
def test_long_running_commands_refuse_a_damaged_bundle_at_start(
    damaged: Path, tmp_path: Path, command: str
) -> None:
    """Checked before Kafka is contacted: the unreachable servers are never tried."""
    result = _started(command, damaged, tmp_path)
    assert result.returncode == 1
    _names_the_entry(result, damaged)
    assert "cannot reach Kafka" not in result.stderr


def test_serve_with_an_unreachable_cluster_is_one_clear_error(
    shipped_bundle_path: Path, tmp_path: Path
) -> None:
    result = _started("serve", shipped_bundle_path, tmp_path, "--port", "0")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr, result.stderr
    assert f"Error: cannot reach Kafka at {UNREACHABLE}" in result.stderr
    assert "--bootstrap-servers" in result.stderr  # what to check
