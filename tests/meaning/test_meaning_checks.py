"""Meaning checks (ADR 0011): each fixture gives exactly its diagnostics, at line:col.

Every fixture of ``tests/corpus/broken`` named here is checked together with the shipped specs,
as ``wfspec check specs FIXTURE`` does, and the *whole* result must be exactly the listed
``(code, line, col)`` set: a missing diagnostic and an extra one (a cascade) both fail.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from wfspec.compiler.checker import check_paths
from wfspec.compiler.cli import COMMANDS
from wfspec.compiler.diagnostics import CODE_HELP, CODES

REPO = Path(__file__).resolve().parents[2]
SPECS = REPO / "specs"
CORPUS = REPO / "tests" / "corpus" / "broken"

EXPECTED: dict[str, set[tuple[str, int, int]]] = {
    "p117_int_bound_not_whole.yaml": {("P117", 13, 10), ("P117", 14, 10)},
    "p118_float_bound_infinite.yaml": {("P118", 12, 10)},
    "p119_frozen_without_default.yaml": {("P119", 10, 49)},
    "u103_units_do_not_convert.yaml": {("U103", 12, 17)},
    "u104_unit_typo.yaml": {("U104", 13, 11), ("U104", 16, 31)},
    "r017_except_not_timeseries.yaml": {("R017", 16, 22)},
    "r019_unknown_service.yaml": {("R019", 6, 8)},
    "r020_dim_label.yaml": {("R020", 12, 28), ("R020", 13, 32)},
    "t002_undefined_name.yaml": {("T002", 13, 10)},
    "t003_sandbox_escape.yaml": {("T003", 13, 10)},
    "t007_unknown_config_field.yaml": {("T007", 14, 16)},
    "t008_unknown_filter.yaml": {("T008", 9, 9)},
    "t009_field_of_wrong_type.yaml": {("T009", 13, 10)},
    "t010_t011_no_example_unused_field.yaml": {("T010", 4, 7), ("T011", 9, 3)},
    "t012_timeseries_reference.yaml": {("T012", 8, 30), ("T012", 24, 22), ("T012", 25, 22)},
    "t013_defaults_render_invalid.yaml": {("T013", 3, 7)},
}


def found(*paths: Path) -> set[tuple[str, int, int]]:
    return {(d.code, d.line, d.col) for d in check_paths([SPECS, *paths]).diagnostics}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_gives_exactly_its_diagnostics_each_once(name: str) -> None:
    diagnostics = check_paths([SPECS, CORPUS / name]).diagnostics
    assert sorted((d.code, d.line, d.col) for d in diagnostics) == sorted(EXPECTED[name])


def test_every_new_code_is_catalogued_with_an_example_and_a_fix() -> None:
    new = {code for codes in EXPECTED.values() for code, _, _ in codes} - {"R017", "T002", "T003"}
    assert new <= set(CODE_HELP) <= set(CODES)
    assert all(CODE_HELP[c].example and CODE_HELP[c].fix for c in CODE_HELP)


def corpus_edited(name: str, *edits: tuple[str, str]) -> str:
    """The text of corpus file ``name`` with each ``(old, new)`` of ``edits`` replaced in turn
    (every ``old`` must be there: an edit that matches nothing would test the unedited file)."""
    text = (CORPUS / name).read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text, (name, old)
        text = text.replace(old, new)
    return text


def write(tmp_path: Path, text: str, name: str = "spec.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# -- every problem in one run (part 4) ------------------------------------------------------------

MISSPELLED = """\
kind: Workflow
instrument: dummy
name: one_run
version: 1
group: monitor_data
titel: Fixture
title: Fixture
source_names: [monitor1]
params:
  toa:
    type: float
    units: [ns, mm, msek]
    min: 5
    default: 1.0
  bad: {type: flaot}
outputs:
  total: {title: Total, unit: countz, temporality: windw}
"""


def test_a_misspelled_key_does_not_hide_unit_and_bounds_errors(tmp_path: Path) -> None:
    assert found(write(tmp_path, MISSPELLED)) == {
        ("S002", 6, 8),  # titel
        ("U103", 12, 17),  # mm is not a time
        ("U101", 12, 21),  # msek
        ("P108", 14, 14),  # default below min
        ("S005", 15, 15),  # flaot
        ("U202", 17, 31),  # countz
        ("S005", 17, 52),  # windw
    }


def test_a_broken_template_config_field_does_not_cascade_into_usage_checks(
    tmp_path: Path,
) -> None:
    text = corpus_edited(
        "t010_t011_no_example_unused_field.yaml",
        ("x_start: {type: float, default: 0.0}", "x_start: {type: flaot}"),
        ("x_unit: {type: string, default: mm}", "x_unit: {type: string, unit: mmm}"),
    )
    # the S errors only: no T007 for the removed x_start, no T010/T011 for a half template
    assert found(write(tmp_path, text)) == {("S005", 8, 19), ("S002", 9, 32)}


def test_a_document_without_a_usable_skeleton_is_still_left_out(tmp_path: Path) -> None:
    text = MISSPELLED.replace("source_names: [monitor1]\n", "")
    assert found(write(tmp_path, text)) == {
        ("S002", 6, 8),
        ("S003", 1, 1),
        ("S005", 14, 15),
        ("S005", 16, 52),
    }


# -- bounds that compile (part 2) -------------------------------------------------------------


def test_an_int_bound_that_is_a_whole_float_within_range_is_fine(tmp_path: Path) -> None:
    text = corpus_edited(
        "p117_int_bound_not_whole.yaml", ("max: 16.5", "max: 16.0"), ("min: 1e20", "min: -9.0e18")
    )
    assert found(write(tmp_path, text)) == set()


# -- units, services, dims (part 5) ---------------------------------------------------------------


def test_known_unit_dimensions_agree_with_scipp() -> None:
    import scipp as sc

    from wfspec.compiler.units import KNOWN_DIMENSIONS, KNOWN_UNITS

    assert set(KNOWN_DIMENSIONS) == set(KNOWN_UNITS)
    for first, dim in KNOWN_DIMENSIONS.items():
        for second, other in KNOWN_DIMENSIONS.items():
            try:
                sc.scalar(1.0, unit=first).to(unit=second)
                converts = True
            except sc.UnitError:
                converts = False
            assert converts == (dim == other), (first, second)


@pytest.mark.parametrize(
    ("unit", "typo"),
    [("mmm", "mm"), ("MS", "ms"), ("Mm", "mm"), ("mm", None), ("mHz", None), ("kHz", None)],
)
def test_likely_unit_typos(unit: str, typo: str | None) -> None:
    from wfspec.compiler.units import likely_typo

    got = likely_typo(unit)
    assert (got[0] if got else None) == typo


def test_a_service_the_instrument_declares_is_known(tmp_path: Path) -> None:
    instrument = (SPECS / "dummy" / "instrument.yaml").read_text(encoding="utf-8")
    specs = tmp_path / "specs"
    for path in SPECS.rglob("*.yaml"):
        target = specs / path.relative_to(SPECS)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    (specs / "dummy" / "instrument.yaml").write_text(
        instrument.replace("sources:\n", "services: [monitor_dat]\nsources:\n", 1),
        encoding="utf-8",
    )
    fixture = CORPUS / "r019_unknown_service.yaml"
    diagnostics = check_paths([specs, fixture]).diagnostics
    assert [d.code for d in diagnostics] == []


def test_unknown_service_fails_only_with_strict() -> None:
    check = next(c for c in COMMANDS if c.name == "check")
    fixture = str(CORPUS / "r019_unknown_service.yaml")
    runner = CliRunner()
    assert runner.invoke(check, [str(SPECS), fixture]).exit_code == 0
    strict = runner.invoke(check, [str(SPECS), fixture, "--strict"])
    assert strict.exit_code == 1
    assert "did you mean 'monitor_data'?" in strict.output


def test_scipp_dim_labels_and_the_runtime_placeholder_reach_the_bundle_as_written(
    tmp_path: Path,
) -> None:
    from wfspec.compiler import compile_paths

    text = corpus_edited("r020_dim_label.yaml")
    kept = [line for line in text.splitlines() if not line.startswith(("  bad", "  blank", "#"))]
    text = "\n".join(kept)
    result = compile_paths([SPECS, write(tmp_path, text + "\n")])
    assert result.ok, [str(d) for d in result.check.diagnostics]
    bundle = json.loads(result.data)
    spec = bundle["workflows"]["dummy/fixture_r020/1"]
    assert spec["spec"]["outputs"]["iq"]["dims"] == ["Q", "Qx", "two_theta", "<spectral_coord>"]


# -- templates in the author's words (part 3) -------------------------------------------------


def test_template_messages_speak_of_the_config() -> None:
    result = check_paths([SPECS, CORPUS / "t007_unknown_config_field.yaml"])
    (diagnostic,) = result.diagnostics
    assert diagnostic.message == (
        "config has no field 'numerater' (fields: numerator, x_axis); did you mean 'numerator'?"
    )
    result = check_paths([SPECS, CORPUS / "t008_unknown_filter.yaml"])
    assert "did you mean 'slug'?" in result.diagnostics[0].message


def test_a_template_without_examples_is_rendered_with_its_defaults(tmp_path: Path) -> None:
    text = corpus_edited(
        "t010_t011_no_example_unused_field.yaml",
        ("version: 1", 'version: "{{ config.x_start | int }}"'),
    )
    assert found(write(tmp_path, text)) == {("T010", 4, 7), ("T011", 9, 3), ("T013", 4, 7)}


TEMPLATE_REFS = """\
kind: WorkflowTemplate
name: refs
title: T
config:
  x_axis: {type: timeseries}
workflow:
  instrument: "{{ config.x_axis.workflow_id.instrument }}x"
  name: "{{ config.x_axis.source_name | slug }}_refs"
  version: 1
  group: correlation
  title: T
  source_names: [motion9]
  executor: correlation_histogram
  outputs:
    histogram: {title: Histogram}
---
kind: WorkflowTemplate
name: refs2
title: T
config:
  x_axis: {type: timeseries}
workflow:
  instrument: dummy
  name: "{{ config.x_axis.source_name | slug }}_refs2"
  version: 1
  group: monitor_dat
  title: T
  source_names: [motion9]
  outputs:
    histogram: {title: Histogram}
"""


def test_a_template_without_examples_gets_its_instrument_sources_and_service_checked(
    tmp_path: Path,
) -> None:
    assert found(write(tmp_path, TEMPLATE_REFS)) == {
        ("T010", 2, 7),
        ("R003", 7, 15),  # rendered with the defaults: dummyx
        ("T010", 18, 7),
        ("R019", 26, 10),  # a static group in the body
        ("R004", 28, 18),
    }


def test_a_param_without_a_default_compiles_and_is_left_out_of_the_defaults(
    tmp_path: Path,
) -> None:
    from wfspec.compiler import compile_paths

    text = corpus_edited(
        "p119_frozen_without_default.yaml",
        (", frozen: true}", "}\n  flag: {type: bool}\n  n: {type: int, default: 2}"),
    )
    result = compile_paths([SPECS, write(tmp_path, text)])
    assert result.ok, [str(d) for d in result.check.diagnostics]
    entry = json.loads(result.data)["workflows"]["dummy/fixture_p119/1"]
    assert entry["defaults"] == {"n": 2}
    assert set(entry["params_schema"]["required"]) == {"mode", "flag"}


def test_a_misspelled_key_in_a_template_body_does_not_hide_its_template_checks(
    tmp_path: Path,
) -> None:
    text = corpus_edited(
        "t007_unknown_config_field.yaml", ("  version: 1\n", "  version: 1\n  titel: x\n")
    )
    assert found(write(tmp_path, text)) == {("S002", 12, 10), ("T007", 15, 16)}


def test_a_template_config_bound_that_cannot_build_is_reported_not_an_internal_error(
    tmp_path: Path,
) -> None:
    text = corpus_edited(
        "t009_field_of_wrong_type.yaml",
        ("{type: float, default: 0.0}", "{type: int, exclusive_min: 1.5}"),
        ("config.x_start.source_name", "config.x_start"),
    )
    assert found(write(tmp_path, text)) == {("P117", 7, 39)}


def test_a_static_unknown_group_in_a_template_body_is_reported_once(tmp_path: Path) -> None:
    text = corpus_edited(
        "t007_unknown_config_field.yaml",
        ("numerater", "numerator"),
        ("  executor: correlation_histogram\n", ""),
        ("group: correlation", "group: monitor_dat"),
    )
    diagnostics = check_paths([SPECS, write(tmp_path, text)]).diagnostics
    assert [(d.code, d.line, d.col) for d in diagnostics] == [("R019", 12, 10)]


RENDERED_ONCE = """\
kind: Instrument
name: inst
title: Instrument
sources:
  - {name: bank_0, kind: detector}
  - {name: bank_1, kind: detector}
---
kind: Workflow
instrument: inst
name: counts
version: 1
group: detector_data
title: Counts
source_names: [bank_0, bank_1]
outputs:
  total: {title: Total, unit: counts, temporality: window}
---
kind: WorkflowTemplate
name: hist
title: Histogram
config:
  axis: {type: timeseries, title: Axis}
workflow:
  instrument: "{{ config.axis.workflow_id.instrument }}"
  name: "h_{{ config.axis.source_name | slug }}"
  version: "{{ config.axis.source_name }}"
  group: correlation
  title: Histogram
  source_names: {from: timeseries, except: [axis]}
  executor: correlation_histogram
  outputs:
    histogram: {title: Histogram}
examples:
  - config:
      axis: {workflow_id: inst/counts/1, source_name: BANK, output_name: total}
    expect: {id: inst/h_bank_0/1}
"""


@pytest.mark.parametrize(("example_source", "renders"), [("bank_0", 1), ("bank_1", 2)])
def test_configs_that_normalize_alike_are_rendered_once_with_the_same_diagnostics(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, example_source: str, renders: int
) -> None:
    """The default axis is the set's first timeseries (bank_0): an example naming it (in its
    object form, not the string form of the defaults) renders the same body, so it is rendered
    once; the diagnostics of the defaults and of the example are reported all the same."""
    from wfspec.compiler.instantiate import Template

    calls = []
    original = Template.render_validated
    monkeypatch.setattr(
        Template, "render_validated", lambda self, model: calls.append(1) or original(self, model)
    )
    folder = tmp_path / "set"
    folder.mkdir()
    write(folder, RENDERED_ONCE.replace("BANK", example_source))
    diagnostics = check_paths([folder]).diagnostics
    assert len(calls) == renders
    invalid = "invalid Workflow: version: Input should be a valid integer, unable to parse string"
    assert [(d.code, d.message) for d in diagnostics] == [
        ("T013", f"the config defaults render to an {invalid} as an integer"),
        ("T004", f"example 1 renders to an {invalid} as an integer"),
    ]
