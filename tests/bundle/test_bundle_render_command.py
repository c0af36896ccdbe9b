"""``wfspec render``: an author's preview of the spec and form one template config gives."""

from __future__ import annotations

import io
import json

import pytest
from ruamel.yaml import YAML

from wfspec.compiler.cli_build import render_command

T1D = "correlation_histogram_1d"
AXIS = "dummy/timeseries_data/1/delta@motion1"


def _yaml(text: str):
    return YAML(typ="safe").load(io.StringIO(text))


def test_set_values_render_the_spec_as_yaml_by_default(cli, bundle_file):
    result = cli(
        render_command,
        [
            T1D,
            "--specs",
            bundle_file,
            "--set",
            f"x_axis={AXIS}",
            "--set",
            "x_unit=mm",
            "--set",
            "x_stop=2.5",
        ],
    )
    assert result.exit_code == 0, result.output
    document = _yaml(result.stdout)
    assert document["spec"]["id"] == "dummy/motion1_correlation_histogram_1d/1"
    assert document["spec"]["title"] == "Motion1 Correlation Histogram"
    assert document["defaults"]["x_edges"] == {
        "start": 0.0,
        "stop": 2.5,
        "num_bins": 50,
        "scale": "linear",
        "unit": "mm",
    }
    assert document["params_schema"]["$schema"].startswith("http://json-schema.org/draft-07")
    assert document["ui_schema"]["ui:order"] == ["x_edges", "normalization"]


@pytest.mark.parametrize("kind", ["yaml", "json"])
def test_a_config_file_in_yaml_or_json_renders_and_set_overrides_it(
    cli, bundle_file, tmp_path, kind
):
    config = {"x_axis": AXIS, "x_unit": "deg", "x_start": 1.0, "x_stop": 9.0}
    path = tmp_path / f"config.{kind}"
    if kind == "json":
        path.write_text(json.dumps(config), encoding="utf-8")
    else:
        path.write_text("".join(f"{k}: {v}\n" for k, v in config.items()), encoding="utf-8")

    result = cli(
        render_command,
        [T1D, "--specs", bundle_file, "--config", path, "--set", "x_stop=5", "--format", "json"],
    )

    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["spec"]["origin"]["config"]["x_unit"] == "deg"
    assert document["defaults"]["x_edges"]["start"] == 1.0
    assert document["defaults"]["x_edges"]["stop"] == 5.0  # --set wins over the file


def test_render_from_a_spec_folder_compiles_it_in_memory(cli, repo):
    result = cli(
        render_command,
        [
            T1D,
            "--specs",
            repo / "specs",
            "--set",
            f"x_axis={AXIS}",
            "--set",
            "x_unit=mm",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["spec"]["id"] == "dummy/motion1_correlation_histogram_1d/1"


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--set", "x_start=abc"], "x_start"),
        (["--set", "x_unit=3"], "x_unit"),
        (["--set", "x_stopp=2"], "x_stopp"),
        ([], "x_axis"),
    ],
)
def test_a_bad_config_exits_1_with_one_line_naming_the_field(cli, bundle_file, args, field):
    base = ["--set", f"x_axis={AXIS}", "--set", "x_unit=mm"] if field != "x_axis" else []
    result = cli(render_command, [T1D, "--specs", bundle_file, *base, *args])
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and field in lines[0]
    assert "Traceback" not in result.stderr


def test_a_bad_config_file_names_its_line(cli, bundle_file, tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("x_unit: mm\nx_axis: [unclosed\n", encoding="utf-8")
    result = cli(render_command, [T1D, "--specs", bundle_file, "--config", path])
    assert result.exit_code == 1
    assert f"{path}:" in result.stderr and "Traceback" not in result.stderr


def test_a_set_value_that_is_not_yaml_is_a_usage_error_not_a_traceback(cli, bundle_file):
    result = cli(render_command, [T1D, "--specs", bundle_file, "--set", "x_unit=[1"])
    assert result.exit_code == 2
    assert "x_unit" in result.stderr and "Traceback" not in result.stderr


def test_an_unknown_template_suggests_the_close_name(cli, bundle_file):
    result = cli(render_command, ["correlation_histogram1d", "--specs", bundle_file])
    assert result.exit_code == 1
    assert "did you mean 'correlation_histogram_1d'" in result.stderr


@pytest.mark.parametrize("value", ["!!int", "!!bool maybe", "9" * 5000, "&a [*a]"])
def test_a_set_value_yaml_cannot_read_is_a_usage_error_not_a_traceback(cli, bundle_file, value):
    """Tags, 5,000-digit numbers and aliases in --set used to raise out of the YAML reader."""
    result = cli(render_command, [T1D, "--specs", bundle_file, "--set", f"x_start={value}"])
    assert result.exit_code == 2
    assert "x_start" in result.stderr and "not a YAML scalar" in result.stderr


def test_a_hostile_config_file_is_refused_at_its_line(cli, bundle_file, hostile_config):
    """The config file is read by the spec loader: the same located refusals as a spec."""
    path, where, words = hostile_config
    result = cli(render_command, [T1D, "--specs", bundle_file, "--config", path])
    assert result.exit_code == 1
    assert f"{path}{where}" in result.stderr and words in result.stderr
