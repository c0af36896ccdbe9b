"""``wfspec compile``: the shipped specs compile; a broken spec set writes nothing; ``--check``."""

from __future__ import annotations

import json
import os
import stat

import pytest

from wfspec.compiler import WorkflowId
from wfspec.compiler.cli_build import compile_command
from wfspec.compiler.cli_check import check_command


def test_the_shipped_specs_compile_to_a_bundle_of_every_workflow_and_template(
    compiled_dir, bundle, cli, repo
):
    document = json.loads((compiled_dir / "bundle.json").read_text(encoding="utf-8"))
    assert document["format_version"] == 1
    assert set(document["instruments"]) == {"dummy", "minidiff"}
    assert {str(w) for w in bundle.workflows} == set(document["workflows"])
    assert WorkflowId.parse("dummy/monitor_histogram/1") in bundle.workflows
    assert set(bundle.templates) == {"correlation_histogram_1d", "correlation_histogram_2d"}
    # the command says what it wrote
    again = cli(compile_command, [repo / "specs", "-o", compiled_dir / "again"])
    assert again.exit_code == 0
    assert "9 workflows, 2 templates" in again.stdout


def test_a_new_bundle_is_readable_by_others_not_only_its_owner(compiled_dir):
    """A bundle is read by the dashboard, often another user: honour the umask, not 0o600."""
    mode = stat.S_IMODE(os.stat(compiled_dir / "bundle.json").st_mode)
    umask = os.umask(0)
    os.umask(umask)
    assert mode == 0o666 & ~umask


BROKEN = {
    "structure": ("dummy/zz_broken.yaml", "kind: Workflow\ninstrument: dummy\n"),
    "reference": (
        "minidiff/zz_broken.yaml",
        "kind: Workflow\ninstrument: minidiff\nname: ghost\nversion: 1\ngroup: g\n"
        "title: Ghost\nsource_names: [no_such_stream]\noutputs: {n: {title: N}}\n",
    ),
}


@pytest.mark.parametrize("fmt", ["text", "json"])
@pytest.mark.parametrize("broken", sorted(BROKEN))
def test_a_broken_spec_gives_the_check_diagnostics_exit_1_and_no_bundle(
    spec_copy, tmp_path, cli, broken, fmt
):
    specs = spec_copy()
    name, text = BROKEN[broken]
    (specs / name).write_text(text, encoding="utf-8")
    out = tmp_path / "out"

    compiled = cli(compile_command, [specs, "-o", out, "--format", fmt])
    checked = cli(check_command, [specs, "--format", fmt])

    assert compiled.exit_code == checked.exit_code == 1
    assert "zz_broken.yaml" in compiled.stdout
    assert compiled.stdout == checked.stdout
    assert not out.exists() or list(out.iterdir()) == []


def test_a_failed_compile_leaves_an_older_bundle_byte_identical(
    spec_copy, tmp_path, cli, edit_spec
):
    specs = spec_copy()
    out = tmp_path / "out"
    assert cli(compile_command, [specs, "-o", out]).exit_code == 0
    before = (out / "bundle.json").read_bytes()
    edit_spec(
        specs / "minidiff" / "workflows.yaml", "source_names: [cbm1, cbm2]", "source_names: ["
    )

    result = cli(compile_command, [specs, "-o", out])

    assert result.exit_code == 1
    assert "workflows.yaml" in result.stdout
    assert (out / "bundle.json").read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == ["bundle.json"]  # no temp file left over


def test_compile_check_passes_on_an_up_to_date_bundle_and_writes_nothing(compiled_dir, cli, repo):
    before = os.stat(compiled_dir / "bundle.json").st_mtime_ns
    result = cli(compile_command, [repo / "specs", "-o", compiled_dir, "--check"])
    assert result.exit_code == 0, result.output
    assert "up to date" in result.stdout
    assert os.stat(compiled_dir / "bundle.json").st_mtime_ns == before


def test_compile_check_catches_a_one_character_change_and_names_it(
    spec_copy, tmp_path, cli, edit_spec
):
    specs = spec_copy()
    out = tmp_path / "out"
    assert cli(compile_command, [specs, "-o", out]).exit_code == 0
    before = (out / "bundle.json").read_bytes()
    edit_spec(specs / "minidiff" / "workflows.yaml", "title: Beam monitor", "title: Beam monitoR")

    result = cli(compile_command, [specs, "-o", out, "--check"])

    assert result.exit_code == 1
    assert "out of date" in result.stderr
    assert "minidiff/monitor_histogram/1: title changed" in result.stderr
    assert (out / "bundle.json").read_bytes() == before  # --check never writes


def test_compile_check_fails_when_there_is_no_bundle_yet(tmp_path, cli, repo):
    result = cli(compile_command, [repo / "specs", "-o", tmp_path / "none", "--check"])
    assert result.exit_code == 1
    assert "does not exist" in result.stderr
    assert not (tmp_path / "none").exists()
