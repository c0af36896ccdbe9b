"""Writing a WorkflowTemplate in the editor: ``config.`` chains, filters, example configs and
timeseries references -- completed, hovered and followed as the author sees them."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from .conftest import (
    change,
    completion_at,
    definition_at,
    hover_at,
    open_file,
    position_of,
    published,
)

pytestmark = pytest.mark.asyncio(loop_scope="function")

TEMPLATES = "specs/common/correlation_templates.yaml"
SHAPED = "specs/common/shaped_template.yaml"
SHAPED_TEXT = """\
kind: WorkflowTemplate
name: shaped_histogram
title: Shaped Histogram
description: A template whose config has every shape of field.
config:
  axis:
    type: timeseries
    title: Axis
    description: The timeseries to histogram against.
    default: {workflow_id: dummy/timeseries_data/1, source_name: motion2, output_name: delta}
  binning:
    type: edges
    title: Binning
    units: [mm, cm]
    default: {start: 0.0, stop: 10.0, num_bins: 20, unit: mm}
    fields: {offset: {type: float, title: Offset, default: 0.0}}
  window: {type: range, title: Window, unit: s, default: {start: 0.0, stop: 5.0}}
  options:
    type: group
    title: Options
    fields:
      label: {type: string, title: Label, default: counts}
      limits:
        type: group
        title: Limits
        fields:
          low: {type: float, title: Low limit, description: Counts below are dropped., default: 0}
  threshold: {type: float, title: Threshold, units: [mm, cm], default: 1.0}
workflow:
  instrument: "{{ config.axis.workflow_id.instrument }}"
  name: "{{ config.axis.source_name | slug }}_shaped_histogram"
  version: 1
  group: correlation
  title: "{{ config.axis.source_name | title }} {{ config.options.label }}"
  description: >-
    {{ config.binning.num_bins }} bins from {{ config.binning.start }}, window
    {{ config.window.start }}, above {{ config.threshold.value }}
    (low {{ config.options.limits.low }})
  source_names:
    from: timeseries
    except: [axis]
  executor: correlation_histogram
  outputs:
    histogram: {title: Shaped Histogram, temporality: cumulative}
examples:
  - config:
      axis: dummy/timeseries_data/1/delta@motion1
    expect: {id: dummy/motion1_shaped_histogram/1, title: Motion1 counts}
"""


async def open_shaped(client: LanguageClient, workspace: Path) -> tuple[Path, str]:
    path = workspace / SHAPED
    path.write_text(SHAPED_TEXT)
    text = open_file(client, path)
    assert await published(client, path.as_uri(), 1) == []  # a clean template to start from
    return path, text


async def test_config_chains_complete_their_parts_with_type_and_title(
    client: LanguageClient, workspace: Path
) -> None:
    path, text = await open_shaped(client, workspace)
    versions = iter(range(2, 100))

    async def parts(chain: str) -> dict[str, types.CompletionItem]:
        body = text.replace("{{ config.options.label }}", "{{ " + chain + " }}")
        change(client, path, body, next(versions))
        items = await completion_at(client, path, body, "{{ " + chain + " }}", 3 + len(chain))
        return {item.label: item for item in items}

    axis = await parts("config.axis.")
    assert list(axis) == ["workflow_id", "source_name", "output_name"]
    assert axis["source_name"].detail == "string"
    assert axis["source_name"].documentation == "The stream the workflow runs on, e.g. motion1."
    assert list(await parts("config.axis.workflow_id.")) == ["instrument", "name", "version"]
    binning = await parts("config.binning.")
    assert list(binning) == ["start", "stop", "num_bins", "scale", "unit", "offset"]
    assert binning["num_bins"].detail == "int — Number of bins"
    assert set(await parts("config.window.")) == {"start", "stop", "enabled", "unit"}
    assert list(await parts("config.threshold.")) == ["value", "unit"]
    options = await parts("config.options.")
    assert list(options) == ["label", "limits"]
    assert options["limits"].detail == "group — Limits"
    low = (await parts("config['options'].limits."))["low"]
    assert (low.detail, low.documentation) == ("float — Low limit", "Counts below are dropped.")
    assert await parts("config.options.label.") == {}  # a string has no parts to offer
    top = await parts("config.")
    assert list(top) == ["axis", "binning", "window", "options", "threshold"]
    assert top["axis"].detail == "timeseries — Axis"
    assert top["axis"].documentation == "The timeseries to histogram against."


async def test_every_part_offered_passes_the_checker(
    client: LanguageClient, workspace: Path
) -> None:
    """What completion offers, the checker accepts (T007/T009 read the same config shape)."""
    path, text = await open_shaped(client, workspace)
    chains = [
        "config.axis",
        "config.axis.workflow_id",
        "config.binning",
        "config.window",
        "config.threshold",
        "config.options",
        "config.options.limits",
    ]
    used: list[str] = []
    version = 1
    for chain in chains:
        version += 1
        typed = text.replace("{{ config.options.label }}", "{{ " + chain + ". }}")
        change(client, path, typed, version)
        needle = "{{ " + chain + ". }}"
        items = await completion_at(client, path, typed, needle, len(needle) - 3)
        assert items, chain
        used += [f"{chain}.{item.label}" for item in items]
    expressions = " ".join("{{ " + chain + " }}" for chain in used)
    body = text.replace("{{ config.options.label }}", expressions)
    assert body != text
    change(client, path, body, version + 1)
    diagnostics = await published(client, path.as_uri(), version + 1)
    assert not [d for d in diagnostics if d.code in ("T007", "T009")], diagnostics
    wrong = body.replace("config.axis.source_name }}", "config.axis.source_nam }}", 1)
    change(client, path, wrong, version + 2)
    codes = [d.code for d in await published(client, path.as_uri(), version + 2)]
    assert "T009" in codes  # the check did look at the parts


async def test_completion_while_the_yaml_is_broken(client: LanguageClient, workspace: Path):
    path = workspace / TEMPLATES
    text = open_file(client, path)
    await published(client, path.as_uri(), 1)
    typed = text.replace(
        '  description: "Counts against {{ config.x_axis.source_name }}"',
        '  description: "Counts against {{ config.x_axis.workflow_id.',
        1,
    )  # an unclosed quote: the document does not parse while this is typed
    change(client, path, typed, 2)
    needle = "{{ config.x_axis.workflow_id."
    labels = [i.label for i in await completion_at(client, path, typed, needle, len(needle))]
    assert labels == ["instrument", "name", "version"]


async def test_filters_names_and_example_config_keys(
    client: LanguageClient, workspace: Path
) -> None:
    path = workspace / TEMPLATES
    text = open_file(client, path)
    await published(client, path.as_uri(), 1)
    typed = text.replace("{{ config.x_axis.source_name | slug }}", "{{ config.x_axis | sl }}", 1)
    typed = typed.replace('"{{ config.x_unit }}"', '"{{ co }}"', 1)
    typed = typed.replace("      x_unit: mm\n", "      x_unit: mm\n      x_\n", 1)
    change(client, path, typed, 2)
    filters = {i.label: i for i in await completion_at(client, path, typed, "| sl }}", 4)}
    assert {"slug", "title", "upper"} <= set(filters) and filters["slug"].detail == "Jinja filter"
    names = {i.label for i in await completion_at(client, path, typed, '"{{ co }}"', 6)}
    assert {"config", "range"} <= names and "mm" not in names  # not the YAML key's units
    keys = await completion_at(client, path, typed, "      x_\n", 8)
    assert [i.label for i in keys] == ["x_start", "x_stop"]  # x_axis, x_unit are set already
    assert keys[0].detail == "float"


async def test_hover_and_definition_of_config_chains(
    client: LanguageClient, workspace: Path
) -> None:
    path, text = await open_shaped(client, workspace)
    line_of = text.split("\n").index

    hover = await hover_at(client, path, text, "{{ config.options.limits.low }}", 20)
    assert hover.startswith("**config.options.limits**: `group` — Limits")
    assert "- parts: `low`" in hover
    hover = await hover_at(client, path, text, "{{ config.axis.source_name | slug }}", 18)
    assert hover.startswith("**config.axis.source_name**: `string`")
    assert "The stream the workflow runs on" in hover
    assert "renders to `'motion1_shaped_histogram'`" in hover  # the string's value follows
    hover = await hover_at(client, path, text, "{{ config.axis.source_name | slug }}", 11)
    assert hover.startswith("**config.axis**: `timeseries` param — Axis")
    assert "The timeseries to histogram against." in hover
    assert "- parts: `workflow_id`, `source_name`, `output_name`" in hover
    hover = await hover_at(client, path, text, "except: [axis]", 10)
    assert hover.startswith("**config.axis**: `timeseries` param")
    hover = await hover_at(client, path, text, "      axis: dummy/timeseries_data", 7)
    assert hover.startswith("**config.axis**")

    found = await definition_at(client, path, text, "{{ config.options.limits.low }}", 27)
    assert found.range.start == position_of(text, "low: {type: float")
    found = await definition_at(client, path, text, "{{ config.axis.source_name | slug }}", 18)
    assert (found.uri, found.range.start) == (path.as_uri(), types.Position(line_of("  axis:"), 2))
    found = await definition_at(client, path, text, "except: [axis]", 10)
    assert found.range.start.line == line_of("  axis:")
    found = await definition_at(client, path, text, "{{ config.binning.num_bins }}", 20)
    assert found.range.start.line == line_of("  binning:")  # a built-in part: the field


async def test_hover_on_a_timeseries_reference(client: LanguageClient, workspace: Path) -> None:
    path, text = await open_shaped(client, workspace)
    expected = [
        "**dummy/timeseries_data/1/delta@motion1**: timeseries",
        "- workflow: Readings (`dummy/timeseries_data/1`)",
        "- output: Readings (`delta`), series, no unit declared",
        "- source: Motion 1 (`motion1`), `log` source of `dummy`, unit `mm`",
        "The log's values over time, in the log's own unit.",
    ]
    string_form = await hover_at(client, path, text, "dummy/timeseries_data/1/delta@motion1", 5)
    assert all(line in string_form for line in expected), string_form
    default = await hover_at(client, path, text, "source_name: motion2", 15)  # the config default
    assert "**dummy/timeseries_data/1/delta@motion2**: timeseries" in default
    assert "- source: Motion 2 (`motion2`), `log` source of `dummy`, unit `deg`" in default
    templates = workspace / TEMPLATES
    body = open_file(client, templates)
    await published(client, templates.as_uri(), 1)
    mapping = await hover_at(client, templates, body, "workflow_id: dummy/timeseries_data/1", 14)
    assert all(line in mapping for line in expected), mapping

    unknown = text.replace("delta@motion1", "delta@motion9")
    change(client, path, unknown, 2)
    diagnostics = await published(client, path.as_uri(), 2)
    assert diagnostics  # the checker says what is wrong; the hover claims nothing
    result = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=path.as_uri()),
            position=position_of(unknown, "delta@motion9", 8),
        )
    )
    assert result is None
