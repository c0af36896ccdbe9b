"""``wfspec list`` and ``wfspec show ID``: what a spec set (or bundle) offers, for authors.

Both read a spec folder (compiled in memory, as ``render`` does) or a ``bundle.json``.
``list`` gives instruments with their sources, static workflows, templates and timeseries
references; ``show`` prints one workflow -- static, or a template instance from the instance
store -- as its WorkflowSpec, defaults and params form (the JSON Schema and uiSchema a dashboard
renders). ``show``'s ID completes in the shell (TAB) from the same source and stores.
"""

from __future__ import annotations

import contextlib
import io
import json
from typing import Any

import click

from wfspec.compiler import WfspecError

from .options import format_option, store_option

__all__ = ["list_command", "show_command"]

_SPECS_HELP = "Spec folder, or a bundle.json, to read."


def _specs_option(command: Any) -> Any:
    return click.option(
        "--specs",
        "source",
        default="specs",
        show_default=True,
        type=click.Path(exists=True),
        help=_SPECS_HELP,
    )(command)


def _bundle(source: str) -> Any:
    from wfspec.compiler import bundle_or_specs

    try:
        return bundle_or_specs(source)
    except WfspecError as exc:
        raise click.ClickException(" ".join(str(exc).split())) from None


def catalogue(bundle: Any) -> dict[str, Any]:
    """The JSON of ``wfspec list``: instruments, workflows, templates, timeseries (sorted)."""
    instruments = [
        {
            "name": info.name,
            "title": info.title,
            "sources": [{"name": s.name, "kind": s.kind, "unit": s.unit} for s in info.sources],
        }
        for _, info in sorted(bundle.instruments.items())
    ]
    workflows = []
    for wid in sorted(bundle.workflows, key=str):
        spec = bundle.workflows[wid]
        workflows.append(
            {
                "id": str(wid),
                "title": spec.title,
                "sources": list(spec.source_names),
                "outputs": list(spec.outputs),
            }
        )
    templates = [
        {"name": name, "title": template.title}
        for name, template in sorted(bundle.templates.items())
    ]
    return {
        "instruments": instruments,
        "workflows": workflows,
        "templates": templates,
        "timeseries": [str(ref) for ref in bundle.timeseries()],
    }


@click.command("list")
@_specs_option
@format_option()
def list_command(source: str, fmt: str) -> None:
    """List instruments (with sources), workflows, templates and timeseries references.

    \b
    Examples:
      wfspec list
      wfspec list --specs build/bundle.json --format json
    """
    data = catalogue(_bundle(source))
    if fmt == "json":
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    from rich.table import Table

    from wfspec.compiler import table_console

    console = table_console()
    sections: list[tuple[str, list[str], list[list[str]]]] = [
        (
            "Instruments",
            ["instrument", "title", "sources"],
            [
                [i["name"], i["title"], ", ".join(s["name"] for s in i["sources"])]
                for i in data["instruments"]
            ],
        ),
        (
            "Workflows",
            ["id", "title", "sources", "outputs"],
            [
                [w["id"], w["title"], ", ".join(w["sources"]), ", ".join(w["outputs"])]
                for w in data["workflows"]
            ],
        ),
        ("Templates", ["template", "title"], [[t["name"], t["title"]] for t in data["templates"]]),
        ("Timeseries references", ["reference"], [[ref] for ref in data["timeseries"]]),
    ]
    for title, columns, rows in sections:
        table = Table(title=title, title_justify="left")
        for index, column in enumerate(columns):
            table.add_column(column, no_wrap=index == 0)  # ids are never split
        for row in rows:
            table.add_row(*row)
        console.print(table)


def workflow_ids(source: str, store_path: str | None = None) -> dict[str, str]:
    """Every workflow id ``show`` accepts for ``source`` -> its title: static workflows, then
    the template instances in the instruments' stores (or ``store_path``), sorted."""
    from wfspec.runtime.instance_store import InstanceStore
    from wfspec.runtime.registry import WorkflowRegistry

    bundle = _bundle(source)
    ids = {str(wid): spec.title for wid, spec in sorted(bundle.workflows.items(), key=str)}
    stores = (
        [InstanceStore(store_path)]
        if store_path is not None
        else [InstanceStore.for_instrument(name) for name in sorted(bundle.instruments)]
    )
    for store in stores:
        registry = WorkflowRegistry(bundle, store)
        for wid in sorted(registry.instance_ids(), key=str):
            spec = registry.get(wid)
            ids.setdefault(str(wid), spec.title if spec is not None else "")
    return ids


def _complete_workflow_ids(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[Any]:
    """TAB on ``wfspec show``: the ids of the ``--specs`` source and stores, with titles.

    A completion must never print into the shell: a source that does not compile, a broken
    store or any other failure completes nothing, and whatever the compile reports is dropped.
    """
    from click.shell_completion import CompletionItem

    source = ctx.params.get("source") or "specs"
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            ids = workflow_ids(source, ctx.params.get("store_path"))
    except (Exception, SystemExit):
        return []
    return [
        CompletionItem(wid, help=title) for wid, title in ids.items() if wid.startswith(incomplete)
    ]


@click.command("show")
@click.argument("workflow_id", metavar="ID", shell_complete=_complete_workflow_ids)
@_specs_option
@store_option()
@click.option(
    "--format", "fmt", type=click.Choice(["yaml", "json"]), default="yaml", show_default=True
)
def show_command(workflow_id: str, source: str, store_path: str | None, fmt: str) -> None:
    """Show a workflow -- static, or a template instance -- as spec, defaults and form.

    ID is instrument/name/version. Template instances are looked up in the instrument's
    instance store (or --store). The output is what `wfspec render` prints for a template.

    \b
    Examples:
      wfspec show dummy/monitor_histogram/1
      wfspec show dummy/motion1_correlation_histogram_1d/1 --format json
    """
    from wfspec.compiler import WorkflowId, did_you_mean

    try:
        wid = WorkflowId.parse(workflow_id)
    except (ValueError, WfspecError) as exc:
        raise click.BadParameter(f"{workflow_id!r}: {exc}", param_hint="ID") from None
    bundle = _bundle(source)
    spec = bundle.workflows.get(wid)
    origin = "static"
    if spec is None:
        spec = _instance(bundle, wid, store_path)
        origin = "template instance"
    if spec is None:
        known = [str(w) for w in bundle.workflows]
        close = did_you_mean(workflow_id, known)
        hint = f" (did you mean {close}?)" if close else " ('wfspec list' shows every workflow)"
        raise click.ClickException(f"no workflow {workflow_id}{hint}")
    form = spec.form()
    document = {
        "origin": origin,
        "spec": spec.to_json(),
        "defaults": spec.params().model_dump(mode="json"),
        "params_schema": form.json_schema,
        "ui_schema": form.ui_schema,
    }
    from wfspec.compiler import echo_document

    echo_document(document, fmt)


def _instance(bundle: Any, wid: Any, store_path: str | None) -> Any:
    """The spec of a template instance in the store of ``wid``'s instrument, or None."""
    from wfspec.runtime.instance_store import InstanceStore
    from wfspec.runtime.registry import WorkflowRegistry

    if wid.instrument not in bundle.instruments and store_path is None:
        return None
    try:
        store = (
            InstanceStore(store_path)
            if store_path is not None
            else InstanceStore.for_instrument(wid.instrument)
        )
        registry = WorkflowRegistry(bundle, store)
    except WfspecError as exc:
        raise click.ClickException(" ".join(str(exc).split())) from None
    return registry.get(wid) if registry.is_template_instance(wid) else None
