"""``load_bundle``: every bad file is one clear BundleError, and loading compiles no Jinja."""

from __future__ import annotations

import copy
import json

import pytest

from wfspec.compiler import BundleError, load_bundle, templating


@pytest.fixture
def document(shipped_bytes):
    return json.loads(shipped_bytes)


def _write(tmp_path, document) -> str:
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_a_missing_bundle_says_how_to_build_one(tmp_path):
    with pytest.raises(BundleError) as info:
        load_bundle(tmp_path / "nope" / "bundle.json")
    assert "nope/bundle.json: no such file" in str(info.value)
    assert "wfspec compile" in str(info.value)


def test_a_folder_is_read_as_its_bundle_json(compiled_dir):
    assert len(load_bundle(compiled_dir).workflows) == 9


def test_invalid_json_names_line_and_column(tmp_path):
    path = tmp_path / "bundle.json"
    path.write_text('{\n "format_version": 1,\n "instruments": {,\n}\n', encoding="utf-8")
    with pytest.raises(BundleError) as info:
        load_bundle(path)
    assert f"{path}:3:18:" in str(info.value)
    assert "invalid JSON" in str(info.value)


def test_another_format_version_is_refused_with_both_versions(tmp_path, document):
    document["format_version"] = 2
    with pytest.raises(BundleError) as info:
        load_bundle(_write(tmp_path, document))
    message = str(info.value)
    assert "format_version 2" in message and "format_version 1" in message
    assert "wfspec compile" in message


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (lambda d: d.pop("workflows"), "lacks workflows"),
        (lambda d: d.__setitem__("workflows", []), "workflows is not an object"),
        (lambda d: d["workflows"].__setitem__("not-an-id", {}), "invalid workflow id 'not-an-id'"),
        (lambda d: d["timeseries"].__setitem__("dummy", ["x"]), "invalid timeseries reference"),
        (lambda d: d.__setitem__("format_version", None), "format_version None"),
        (lambda d: d.clear(), "no format_version"),
    ],
)
def test_a_corrupt_bundle_is_one_clear_error(tmp_path, document, damage, expected):
    damage(document)
    with pytest.raises(BundleError) as info:
        load_bundle(_write(tmp_path, document))
    assert expected in str(info.value)
    assert "Traceback" not in str(info.value)


WID = "dummy/monitor_histogram/1"


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (lambda e: e.pop("spec"), "missing 'spec'"),
        (lambda e: e.__setitem__("spec", []), "corrupt"),
        (lambda e: e["spec"].__setitem__("outputs", 3), "outputs"),
        (lambda e: e["spec"]["params"]["toa_edges"].__setitem__("type", "bogus"), "toa_edges"),
        (lambda e: e["spec"]["params"].__setitem__("toa_edges", 7), "toa_edges"),
    ],
)
def test_a_corrupt_workflow_entry_is_a_bundle_error_naming_it(tmp_path, document, damage, expected):
    damage(document["workflows"][WID])
    bundle = load_bundle(_write(tmp_path, document))  # entries are read on first lookup
    with pytest.raises(BundleError) as info:
        bundle.workflows[WID]
    assert f"workflow {WID} is corrupt" in str(info.value)
    assert expected in str(info.value)
    # the other workflows are still usable
    assert bundle.workflows["dummy/total_counts/1"].title


def test_an_unknown_workflow_is_a_key_error(bundle):
    with pytest.raises(KeyError):
        bundle.workflows["dummy/no_such_workflow/1"]
    assert "dummy/no_such_workflow/1" not in bundle.workflows


def test_loading_compiles_no_jinja_until_a_template_is_instantiated(bundle_file):
    templating._compile.cache_clear()
    bundle = load_bundle(bundle_file)
    assert templating._compile.cache_info().currsize == 0
    for name in bundle.templates:
        assert bundle.template(name).config_model  # building models is not Jinja work
    assert templating._compile.cache_info().currsize == 0
    example = bundle.templates["correlation_histogram_1d"].examples[0]
    bundle.instantiate("correlation_histogram_1d", example["config"])
    assert templating._compile.cache_info().currsize > 0


def test_a_loaded_bundle_round_trips_its_document(bundle, document):
    assert bundle.document() == document
    assert bundle.format_version == 1
    assert bundle.digest == document["sources_digest"]
    assert copy.deepcopy(bundle.instruments["dummy"].sources[0].name) == "monitor1"


TEMPLATE = "correlation_histogram_1d"


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (lambda e: e.pop("body"), "missing 'body'"),
        (lambda e: e.__setitem__("config", [1]), "corrupt"),
        (lambda e: e["config"].__setitem__("x_axis", {"type": "bogus"}), "x_axis"),
    ],
)
def test_a_corrupt_template_entry_is_a_bundle_error_naming_it(tmp_path, document, damage, expected):
    damage(document["templates"][TEMPLATE])
    bundle = load_bundle(_write(tmp_path, document))  # entries are read on first lookup
    assert TEMPLATE in bundle.templates
    with pytest.raises(BundleError) as info:
        bundle.template(TEMPLATE)
    assert f"template {TEMPLATE} is corrupt" in str(info.value)
    assert expected in str(info.value)
    others = [name for name in bundle.templates if name != TEMPLATE]
    assert others and all(bundle.template(name).title for name in others)


def test_a_missing_form_part_is_a_bundle_error_naming_the_entry(tmp_path, document):
    del document["workflows"][WID]["ui_schema"]
    del document["templates"][TEMPLATE]["config_schema"]
    bundle = load_bundle(_write(tmp_path, document))
    with pytest.raises(BundleError, match=f"form of {WID} is corrupt .*'ui_schema'"):
        bundle.params_form(WID)
    with pytest.raises(BundleError, match=f"form of {TEMPLATE} is corrupt .*'config_schema'"):
        bundle.template_form(TEMPLATE)


def test_invalid_json_inside_an_entry_is_refused_at_load_with_its_place(tmp_path, document):
    text = json.dumps(document, indent=1)
    marker = f'"{WID}": {{'
    broken = text.replace(marker, marker + "\n  ,", 1)  # a stray comma deep in the workflows
    path = tmp_path / "bundle.json"
    path.write_text(broken, encoding="utf-8")
    line = broken[: broken.index(marker)].count("\n") + 2
    with pytest.raises(BundleError) as info:
        load_bundle(path)
    assert f"{path}:{line}:3:" in str(info.value)
    assert "invalid JSON" in str(info.value)


def test_entries_read_lazily_are_the_documents_entries(bundle, document):
    assert bundle.params_form(WID) == {
        key: document["workflows"][WID][key] for key in ("params_schema", "ui_schema", "defaults")
    }
    assert bundle.template_form(TEMPLATE) == {
        key: document["templates"][TEMPLATE][key] for key in ("config_schema", "ui_schema")
    }
    assert bundle.template(TEMPLATE).examples == document["templates"][TEMPLATE]["examples"]
