"""`wfspec lsp` as an editor uses it: open, type, hover, jump, complete, fix — over stdio."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from wfspec.compiler.checker import check_paths

from .conftest import change, definition_at, hover_at, open_file, position_of, published

pytestmark = pytest.mark.asyncio(loop_scope="function")

MONITOR = "specs/dummy/monitor_histogram.yaml"
TEMPLATES = "specs/common/correlation_templates.yaml"
PARAMS = "specs/common/params.yaml"


async def test_mistake_is_reported_at_its_range_and_fixing_clears_it(
    client: LanguageClient, workspace: Path
) -> None:
    path = workspace / MONITOR
    good = open_file(client, path, version=1)
    assert await published(client, path.as_uri(), 1) == []
    bad = good.replace(
        "params_from: [monitor_coordinate_mode", "params_from: [monitor_cordinate_mode"
    )
    change(client, path, bad, 2)  # unsaved: only the editor's text has the mistake
    diagnostics = await published(client, path.as_uri(), 2)
    assert [d.code for d in diagnostics] == ["R007"]
    (found,) = diagnostics
    start = position_of(bad, "monitor_cordinate_mode")
    assert found.range.start == start
    assert found.range.end == types.Position(line=start.line, character=start.character + 22)
    assert found.severity == types.DiagnosticSeverity.Error
    assert found.source == "wfspec"
    assert "did you mean 'monitor_coordinate_mode'?" in found.message
    change(client, path, good, 3)
    assert await published(client, path.as_uri(), 3) == []


async def test_diagnostics_are_those_of_wfspec_check(client: LanguageClient, workspace: Path):
    path = workspace / MONITOR
    text = path.read_text().replace("title: Beam monitor", "titel: Beam monitor")
    text = text.replace("unit: counts", "unit: countz", 1)
    path.write_text(text)  # saved, so `wfspec check` sees it too
    open_file(client, path)
    diagnostics = await published(client, path.as_uri(), 1)
    expected = [d for d in check_paths([workspace / "specs"]).diagnostics if Path(d.file) == path]
    assert len(expected) >= 2
    assert [(d.code, d.range.start.line + 1, d.range.start.character + 1) for d in diagnostics] == [
        (d.code, d.line, d.col) for d in expected
    ] or sorted(d.code for d in diagnostics) == sorted(d.code for d in expected)
    for lsp, cli in zip(
        sorted(diagnostics, key=lambda d: d.code),
        sorted(expected, key=lambda d: d.code),
        strict=True,
    ):
        assert lsp.code == cli.code
        assert lsp.message == f"{cli.message}\nhint: {cli.hint}" if cli.hint else cli.message
    unknown_key = next(d for d in diagnostics if d.code == "S002")
    key = position_of(text, "titel")
    assert (unknown_key.range.start, unknown_key.range.end.character) == (key, key.character + 5)


async def test_change_in_a_param_set_rechecks_the_open_workflow(
    client: LanguageClient, workspace: Path
) -> None:
    workflow, params = workspace / MONITOR, workspace / PARAMS
    open_file(client, workflow)
    assert await published(client, workflow.as_uri(), 1) == []
    text = open_file(client, params)
    await published(client, params.as_uri(), 1)  # published after the workflow's, same run
    client.published.clear()
    change(client, params, text.replace("name: toa_histogram", "name: toa_histogramm"), 2)
    diagnostics = await published(client, workflow.as_uri(), 1)
    assert [d.code for d in diagnostics] == ["R007"]
    await published(client, params.as_uri(), 2)
    client.published.clear()
    change(client, params, text, 3)
    assert await published(client, workflow.as_uri(), 1) == []


async def test_hover(client: LanguageClient, workspace: Path) -> None:
    path = workspace / MONITOR
    text = open_file(client, path)
    await published(client, path.as_uri(), 1)

    async def hover(needle: str, offset: int = 0) -> str:
        return await hover_at(client, path, text, needle, offset)

    assert "ParamSets whose params come first" in await hover("params_from:")
    assert "`monitor` source of instrument `dummy`" in await hover("monitor2")
    assert "Monitor 2" in await hover("monitor2")
    assert "ParamSet" in await hover("toa_histogram")

    templates = workspace / TEMPLATES
    body = open_file(client, templates)
    await published(client, templates.as_uri(), 1)
    value = await hover_at(
        client, templates, body, "{{ config.x_axis.source_name | title }} Correlation"
    )
    assert "'Motion1 Correlation Histogram'" in value
    params = workspace / PARAMS
    ptext = open_file(client, params)
    await published(client, params.as_uri(), 1)
    value = await hover_at(client, params, ptext, "toa_edges:")
    assert "`edges` param" in value and "units:" in value and "default:" in value


async def test_go_to_definition(client: LanguageClient, workspace: Path) -> None:
    path = workspace / MONITOR
    text = open_file(client, path)
    await published(client, path.as_uri(), 1)

    async def definition(needle: str) -> types.Location:
        return await definition_at(client, path, text, needle, 1)

    def line_at(location: types.Location) -> str:
        target = Path(location.uri.removeprefix("file://"))
        return target.read_text().split("\n")[location.range.start.line]

    found = await definition("toa_histogram")
    assert found.uri.endswith("common/params.yaml")
    assert line_at(found).strip() == "name: toa_histogram"
    found = await definition("monitor2")
    assert found.uri.endswith("dummy/instrument.yaml") and "name: monitor2" in line_at(found)
    found = await definition("dummy")
    assert found.uri.endswith("dummy/instrument.yaml") and line_at(found) == "name: dummy"

    templates = workspace / TEMPLATES
    body = open_file(client, templates)
    await published(client, templates.as_uri(), 1)
    result = await definition_at(client, templates, body, "output_name: delta", 14)
    assert result.uri.endswith("dummy/reduction.yaml") or result.uri.endswith(".yaml")
    assert line_at(result).strip().startswith("delta:")


async def test_completion(client: LanguageClient, workspace: Path) -> None:
    path = workspace / MONITOR
    text = open_file(client, path)
    await published(client, path.as_uri(), 1)
    typed = text.replace("source_names: [monitor1, monitor2]", "source_names: [monitor1, mo")
    typed = typed.replace("group: monitor_data", "group: ")
    change(client, path, typed, 2)

    async def labels(needle: str, offset: int, uri: str = path.as_uri()) -> set[str]:
        source = typed if uri == path.as_uri() else body
        result = await client.text_document_completion_async(
            types.CompletionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                position=position_of(source, needle, offset),
            )
        )
        items = result.items if isinstance(result, types.CompletionList) else result
        return {item.label for item in items}

    assert {"monitor1", "monitor2", "panel_0", "motion1"} <= await labels("[monitor1, mo", 13)
    assert {"monitor_data", "detector_data"} <= await labels("group: ", 7)
    assert {"toa_histogram", "monitor_coordinate_mode", "detector_view"} <= await labels(
        "params_from: [", 14
    )
    body = ""
    templates = workspace / TEMPLATES
    body = open_file(client, templates).replace(
        '"{{ config.x_axis.source_name }} bins"', '"{{ config. }} bins"', 1
    )
    change(client, templates, body, 2)
    fields = await labels("{{ config. }} bins", 10, templates.as_uri())
    assert {"x_axis", "x_unit", "x_start", "x_stop"} <= fields
    assert "y_axis" not in fields
    body = body.replace("x_unit: mm", "x_unit: ", 1)
    change(client, templates, body, 3)
    refs = await labels("workflow_id: dummy/timeseries_data/1", 13, templates.as_uri())
    assert "dummy/timeseries_data/1" in refs
    assert "x_axis" in await labels("except: [x_axis]", 9, templates.as_uri())


async def test_units_of_the_right_dimension(client: LanguageClient, workspace: Path) -> None:
    path = workspace / PARAMS
    text = open_file(client, path)
    await published(client, path.as_uri(), 1)
    start = text.index("units: [ns, us, μs, ms, s]")
    typed = text[:start] + "units: [ns, " + text[start + len("units: [ns, us, μs, ms, s]") :]
    change(client, path, typed, 2)
    result = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=path.as_uri()),
            position=position_of(typed, "units: [ns, ", 12),
        )
    )
    labels = {item.label for item in result.items}
    assert {"ms", "us", "s"} <= labels
    assert "mm" not in labels and "Å" not in labels


async def test_quick_fix_replaces_with_the_suggestion(
    client: LanguageClient, workspace: Path
) -> None:
    path = workspace / MONITOR
    on_disk = path.read_text()
    text = on_disk.replace("title: Beam monitor", "titel: Beam monitor")
    open_file(client, path, text)  # unsaved
    diagnostics = await published(client, path.as_uri(), 1)
    unknown = [d for d in diagnostics if d.code == "S002"]
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=path.as_uri()),
            range=unknown[0].range,
            context=types.CodeActionContext(diagnostics=unknown),
        )
    )
    (action,) = actions
    assert action.title == "Replace with 'title'"
    (edit,) = action.edit.changes[path.as_uri()]
    assert edit.new_text == "title"
    assert edit.range == unknown[0].range
    assert path.read_text() == on_disk  # the server wrote nothing


@pytest.mark.parametrize(
    "text",
    [
        "kind: Workflow\nname: [unclosed\n  - : :\n",
        "\x00\x01\x02binary\xff\ufffd" * 50,
        "kind: Workflow\n" + "x" * 5_000_000 + "\n",
        "a: " + "[" * 20000 + "\n",
    ],
    ids=["invalid-yaml", "binary", "5MB", "deep"],
)
async def test_malformed_documents_never_crash_the_server(
    client: LanguageClient, workspace: Path, text: str
) -> None:
    path = workspace / "specs" / "dummy" / "broken.yaml"
    open_file(client, path, text)
    diagnostics = await published(client, path.as_uri(), 1, timeout=60)
    assert diagnostics and all(d.source == "wfspec" for d in diagnostics)
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=path.as_uri()),
            position=types.Position(line=0, character=3),
        )
    )
    assert hover is None or hover.contents
    await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=path.as_uri()),
            position=types.Position(line=1, character=2),
        )
    )
    # still alive and checking: a good file opened afterwards gets its (empty) diagnostics
    good = workspace / MONITOR
    open_file(client, good)
    assert [d.code for d in await published(client, good.as_uri(), 1)] == []


async def test_yaml_that_is_no_spec_is_left_alone(client: LanguageClient, workspace: Path) -> None:
    compose = workspace / "docker-compose.yaml"
    compose.write_text("services:\n  web:\n    image: nginx\n")
    open_file(client, compose)
    loose = workspace / "loose.yaml"  # a spec outside specs/: checked on its own
    open_file(client, loose, "kind: Workflow\ninstrument: dummy\n")
    diagnostics = await published(client, loose.as_uri(), 1)
    assert {d.code for d in diagnostics} == {"S003"}  # missing keys; specs/ was not walked
    good = workspace / MONITOR
    open_file(client, good)
    assert await published(client, good.as_uri(), 1) == []
    assert not [p for p in client.published if p.uri == compose.as_uri()]
    assert compose.as_uri() not in client.diagnostics


async def test_a_file_changed_on_disk_rechecks_the_open_files(
    client: LanguageClient, workspace: Path
) -> None:
    workflow = workspace / MONITOR
    open_file(client, workflow)
    assert await published(client, workflow.as_uri(), 1) == []
    assert [r.method for r in client.registrations] == ["workspace/didChangeWatchedFiles"]
    params = workspace / PARAMS  # not open: changed by another tool (git checkout, say)
    params.write_text(params.read_text().replace("name: toa_histogram", "name: renamed"))
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=params.as_uri(), type=types.FileChangeType.Changed)]
        )
    )
    assert [d.code for d in await published(client, workflow.as_uri(), 1)] == ["R007"]


async def test_second_document_of_a_file(client: LanguageClient, workspace: Path) -> None:
    """Hover and definition in the second YAML document of a multi-document file."""
    path = workspace / "specs" / "minidiff" / "workflows.yaml"
    text = open_file(client, path)
    assert await published(client, path.as_uri(), 1) == []
    uri = types.TextDocumentIdentifier(uri=path.as_uri())
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=uri, position=position_of(text, "dspacing_edges:"))
    )
    assert "**dspacing_edges**: `edges` param" in hover.contents.value
    assert "units: `Å`, `nm`" in hover.contents.value
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=uri, position=position_of(text, "min_counts: {type", 14))
    )
    assert "**type**" in hover.contents.value  # a key inside a group field: the schema's words
    found = await client.text_document_definition_async(
        types.DefinitionParams(text_document=uri, position=position_of(text, "bank_right", 2))
    )
    assert found.uri.endswith("minidiff/instrument.yaml")
    target = Path(found.uri.removeprefix("file://")).read_text().split("\n")
    assert "bank_right" in target[found.range.start.line]
    result = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=uri, position=position_of(text, "fields: [focussed_cumulative", 9)
        )
    )
    labels = {item.label for item in result.items}
    assert labels == {"focussed_cumulative", "focussed_current"}  # this document's outputs
