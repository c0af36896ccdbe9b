"""``wfspec instances``: list, add and remove the template instances kept in ``instances.yaml``.

The same registry the dashboard uses does the work (validation, idempotency, conflicts, stale
entries, locking), so what the command accepts is exactly what the dashboard accepts. Without
``--store`` each instrument's store is at its default path
(``$XDG_STATE_HOME/wfspec/<instrument>/instances.yaml``). Every error is one line on stderr and
exit status 1 (2 for a bundle path that does not exist: a usage error, as in every command).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import click

from wfspec.compiler import WfspecError

from .options import bundle_option, format_option, store_option


def _common(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options every sub-command shares."""
    command = format_option()(command)
    command = store_option()(command)
    return bundle_option()(command)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def instances() -> None:
    """List, add and remove template instances (persisted in instances.yaml).

    \b
    Examples:
      wfspec instances list --bundle build/bundle.json
      wfspec instances add correlation_histogram_1d --config motion1.yaml
      wfspec instances remove dummy/motion1_correlation_histogram_1d/1
    """


def _fail(message: str) -> None:
    raise click.ClickException(" ".join(str(message).split()))


class _UsageProblem(click.ClickException):
    """A one-line ``Error:`` that exits 2: the command was given a path that does not exist."""

    exit_code = 2


def _load_bundle(path: str) -> Any:
    from wfspec.compiler import load_bundle

    target = Path(path)
    if not target.exists() or (target.is_dir() and not (target / "bundle.json").exists()):
        shown = target / "bundle.json" if target.is_dir() else target
        raise _UsageProblem(f"{shown}: no such file; build it with 'wfspec compile'")
    return load_bundle(path)


def _store(store_path: str | None, instrument: str) -> Any:
    from wfspec.runtime.instance_store import InstanceStore

    if store_path is not None:
        return InstanceStore(store_path)
    return InstanceStore.for_instrument(instrument)


def _registry(bundle: Any, store: Any) -> Any:
    from wfspec.runtime.registry import WorkflowRegistry

    registry = WorkflowRegistry(bundle, store)
    if registry.problems:
        _fail(registry.problems[0])
    return registry


# -- list ---------------------------------------------------------------------------------------


@instances.command("list")
@_common
@click.option("--instrument", default=None, help="Only this instrument's instances.")
def list_command(
    bundle_path: str, store_path: str | None, fmt: str, instrument: str | None
) -> None:
    """Show every template instance: id, template, status (ok, or stale and why).

    Stale instances (template gone, config no longer valid, id changed) stay in the file until
    removed. Exits 1 if a store cannot be read.

    \b
    Examples:
      wfspec instances list --bundle build/bundle.json
      wfspec instances list --instrument dummy --format json
    """
    try:
        bundle = _load_bundle(bundle_path)
        if instrument is not None and instrument not in bundle.instruments:
            known = ", ".join(bundle.instruments) or "none"
            _fail(f"unknown instrument {instrument!r} (the bundle has: {known})")
        rows, problems = _collect(bundle, store_path, instrument)
    except WfspecError as exc:
        _fail(str(exc))
    if fmt == "json":
        click.echo(json.dumps({"instances": rows, "problems": problems}, indent=2))
    elif rows or not problems:
        _render_list(rows)
    for problem in problems:
        click.echo(f"Error: {' '.join(problem.split())}", err=True)
    sys.exit(1 if problems else 0)


def _collect(
    bundle: Any, store_path: str | None, instrument: str | None
) -> tuple[list[dict[str, Any]], list[str]]:
    """Rows of every instance of the relevant stores, and the stores' problems."""
    from wfspec.runtime.registry import WorkflowRegistry

    if store_path is not None:
        stores = [_store(store_path, "")]
    else:
        names = [instrument] if instrument is not None else list(bundle.instruments)
        stores = [_store(None, name) for name in names]
    rows: list[dict[str, Any]] = []
    problems: list[str] = []
    for store in stores:
        registry = WorkflowRegistry(bundle, store)
        problems.extend(registry.problems)
        for wid in registry.instance_ids():
            template, _ = registry.template_instance(wid)
            rows.append(_row(str(wid), template, "ok", None, store.path))
        for stale in registry.stale():
            rows.append(_row(stale.workflow_id, stale.template, "stale", stale.reason, store.path))
    if instrument is not None:
        rows = [r for r in rows if r["id"].split("/", 1)[0] == instrument]
    return rows, problems


def _row(wid: str, template: str, status: str, reason: str | None, path: Path) -> dict[str, Any]:
    return {"id": wid, "template": template, "status": status, "reason": reason, "store": str(path)}


def _render_list(rows: Sequence[Mapping[str, Any]]) -> None:
    from rich.table import Table

    from wfspec.compiler import table_console

    table = Table(title="Template instances", title_justify="left")
    table.add_column("id", no_wrap=True)  # an id is never split: it is copied into commands
    for column in ("template", "status"):
        table.add_column(column, overflow="fold")
    for row in rows:
        status = "ok" if row["status"] == "ok" else f"[yellow]stale[/]: {row['reason']}"
        table.add_row(row["id"], row["template"], status)
    console = table_console()
    console.print(table)
    stores = sorted({row["store"] for row in rows})
    if stores:
        console.print("store: " + ", ".join(stores), highlight=False, soft_wrap=True)
    elif not rows:
        console.print("no template instances")


# -- add ----------------------------------------------------------------------------------------


@instances.command("add")
@_common
@click.argument("template")
@click.option(
    "--config",
    "config_path",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="A YAML or JSON file holding the config (a mapping).",
)
@click.option(
    "--set",
    "settings",
    multiple=True,
    metavar="KEY=VALUE",
    help="Set one config field; dotted keys reach into mappings; values are YAML.",
)
def add_command(
    bundle_path: str,
    store_path: str | None,
    fmt: str,
    template: str,
    config_path: str | None,
    settings: tuple[str, ...],
) -> None:
    """Register the instance of TEMPLATE with a config (idempotent: the same config again
    changes nothing). A different config for an existing id is refused.

    \b
    Examples:
      wfspec instances add correlation_histogram_1d --config motion1.yaml
      wfspec instances add correlation_histogram_1d \\
          --set x_axis=dummy/timeseries_data/1/delta@motion1 --set x_unit=mm
    """
    if config_path is None and not settings:
        _fail("give the config with --config FILE or --set key=value (see --help)")
    from wfspec.compiler import config_from

    try:
        config = config_from(config_path, settings)
        bundle = _load_bundle(bundle_path)
        wid = bundle.template(template).instance_id(config)
        store = _store(store_path, wid.instrument)
        registry = _registry(bundle, store)
        existed = wid in registry
        registry.register_from_template(template, config)
    except WfspecError as exc:
        _fail(str(exc))
    if fmt == "json":
        result = {"id": str(wid), "template": template, "created": not existed}
        click.echo(json.dumps({**result, "store": str(store.path)}))
    elif existed:
        click.echo(f"{wid} is already registered with this config (nothing written)")
    else:
        click.echo(f"registered {wid} in {store.path}")


# -- remove -------------------------------------------------------------------------------------


@instances.command("remove")
@_common
@click.argument("workflow_id")
def remove_command(bundle_path: str, store_path: str | None, fmt: str, workflow_id: str) -> None:
    """Remove the template instance WORKFLOW_ID (stale ones too). Static workflows cannot be
    removed.

    \b
    Example:
      wfspec instances remove dummy/motion1_correlation_histogram_1d/1
    """
    from wfspec.compiler import WorkflowId

    try:
        wid = WorkflowId.parse(workflow_id)
    except ValueError as exc:
        _fail(str(exc))
    try:
        bundle = _load_bundle(bundle_path)
        store = _store(store_path, wid.instrument)
        _registry(bundle, store).unregister(wid)
    except WfspecError as exc:
        _fail(str(exc))
    if fmt == "json":
        click.echo(json.dumps({"id": str(wid), "removed": True, "store": str(store.path)}))
    else:
        click.echo(f"removed {wid} from {store.path}")
