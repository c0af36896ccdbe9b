"""WorkflowId and TimeseriesReference: the wire identity and its string forms."""

import pytest

from wfspec.compiler.ids import TimeseriesReference, WorkflowId


def test_workflow_id_string_and_json_forms_round_trip():
    wid = WorkflowId.parse("dummy/monitor_histogram/1")
    assert str(wid) == "dummy/monitor_histogram/1"
    assert wid.model_dump(mode="json") == {
        "instrument": "dummy",
        "name": "monitor_histogram",
        "version": 1,
    }
    assert WorkflowId.model_validate("dummy/monitor_histogram/1") == wid
    assert WorkflowId.model_validate(wid.model_dump()) == wid


@pytest.mark.parametrize("bad", ["dummy/monitor_histogram", "a/b/c", "a/b/0", "a/b/1/2", ""])
def test_workflow_id_parse_rejects_with_the_expected_format(bad):
    with pytest.raises(ValueError, match="instrument/name/version"):
        WorkflowId.parse(bad)


def test_timeseries_reference_splits_at_first_at_sign():
    ref = TimeseriesReference.parse("dummy/monitor_histogram/1/counts_total@bwc/de:lay@x")
    assert ref.source_name == "bwc/de:lay@x"
    assert ref.output_name == "counts_total"
    assert str(ref) == "dummy/monitor_histogram/1/counts_total@bwc/de:lay@x"


@pytest.mark.parametrize(
    ("bad", "part"),
    [
        ("/x/1", "instrument is empty"),
        ("dummy//1", "name is empty"),
        ("Dummy X/y/1", "instrument 'Dummy X' is not a slug"),
        ("dummy/Monitor-Histogram/1", "name 'Monitor-Histogram' is not a slug"),
        ("1dummy/x/1", "instrument '1dummy' is not a slug"),
    ],
)
def test_workflow_id_string_form_rejects_empty_or_non_slug_parts(bad, part):
    for parse in (WorkflowId.parse, WorkflowId.model_validate):
        with pytest.raises(ValueError, match="instrument/name/version") as info:
            parse(bad)
        assert part in str(info.value)


def test_a_timeseries_reference_with_a_bad_workflow_id_names_the_bad_part():
    with pytest.raises(ValueError, match="instrument is empty"):
        TimeseriesReference.parse("/x/1/delta@motion1")


@pytest.mark.parametrize("good", ["dummy/monitor_histogram/1", "minidiff/a_b_c1/12"])
def test_workflow_id_accepts_slug_instruments_and_names(good):
    assert str(WorkflowId.parse(good)) == good


def test_workflow_id_of_accepts_what_an_api_caller_passes():
    wid = WorkflowId.parse("dummy/monitor_histogram/1")
    assert WorkflowId.of(wid) is wid
    assert WorkflowId.of("dummy/monitor_histogram/1") == wid

    class BackendId:  # the backend's own id type, read by attributes
        instrument, name, version = "dummy", "monitor_histogram", 1

    assert WorkflowId.of(BackendId()) == wid
    with pytest.raises(ValueError, match="invalid workflow id 'dummy/x'"):
        WorkflowId.of("dummy/x")
