"""``wfspec compile``, ``wfspec render`` and ``wfspec diff``: the bundle commands.

Exit status of all three: 0 success, 1 problems in the specs (the same diagnostics as
``wfspec check``), an out-of-date bundle (``compile --check``) or breaking changes
(``diff --fail-on-breaking``), 2 usage errors or a bad bundle/config file. Never a traceback.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import click

from .cli_check import _progress
from .errors import WfspecError

__all__ = ["compile_command", "diff_command", "render_command"]

_FORMATS = click.Choice(["text", "json", "github", "sarif"])


def _fail(message: str, code: int = 2) -> None:
    """Print ``Error: message`` (click's own prefix, the one every command uses) and exit."""
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


def _compile_or_report(paths: Sequence[str], output_format: str, strict: bool = False) -> Any:
    """Compile ``paths``; on problems print the diagnostics and exit 1 (2 on internal errors)."""
    from .compile import compile_paths
    from .reporters import get_reporter

    with _progress(sys.stderr.isatty()) as progress:
        result = compile_paths(paths, strict=strict, progress=progress)
    if result.check.diagnostics and (not result.ok or output_format == "text"):
        stream = sys.stdout if output_format != "text" or not result.ok else sys.stderr
        get_reporter(output_format)(result.check, stream, color=stream.isatty())
    if any(d.code.startswith("I") for d in result.check.diagnostics):
        sys.exit(2)
    if not result.ok:
        sys.exit(1)
    return result


# -- compile ------------------------------------------------------------------------------------


@click.command("compile")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option(
    "-o",
    "--output",
    "output_dir",
    default="build",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder to write bundle.json into.",
)
@click.option(
    "--check",
    "check_only",
    is_flag=True,
    help="Write nothing; exit 1 when OUTPUT/bundle.json is out of date with the specs.",
)
@click.option("--strict", is_flag=True, help="Warnings also prevent the build.")
@click.option(
    "--format",
    "output_format",
    type=_FORMATS,
    default="text",
    show_default=True,
    help="How diagnostics are printed (as for 'wfspec check').",
)
def compile_command(
    paths: tuple[str, ...], output_dir: str, check_only: bool, strict: bool, output_format: str
) -> None:
    """Compile specs into one deterministic bundle (OUTPUT/bundle.json).

    The bundle holds every concrete WorkflowSpec with its params form schema, uiSchema and
    defaults, and every template with its config form and body (docs/adr/0004-bundle-format.md).
    The same sources always give the same bytes. On any error nothing is written.

    \b
    Examples:
      wfspec compile specs/ -o build/
      wfspec compile specs/ -o build/ --check     # CI: is the committed bundle up to date?
    """
    from .emit import BUNDLE_FILE

    result = _compile_or_report(paths, output_format, strict)
    target = Path(output_dir) / BUNDLE_FILE
    document = result.document
    counts = f"{len(document['workflows'])} workflows, {len(document['templates'])} templates"
    if check_only:
        try:
            current = target.read_bytes()
        except OSError:
            _fail(
                f"{target} does not exist: run 'wfspec compile {' '.join(paths)} -o {output_dir}'",
                1,
            )
        if current != result.data:
            click.echo(f"{target} is out of date with {' '.join(paths)}:", err=True)
            _print_stale_changes(current, document)
            _fail(f"rebuild it with 'wfspec compile {' '.join(paths)} -o {output_dir}'", 1)
        click.echo(f"{target} is up to date ({counts})")
        return
    try:
        result.write(target)  # streamed into a temp file, then renamed over the target
    except OSError as exc:
        _fail(f"cannot write {target}: {exc.strerror}")
    click.echo(f"wrote {target} ({counts}, {result.size:,} bytes)")


def _print_stale_changes(current: bytes, document: Mapping[str, Any]) -> None:
    from .diff import diff_documents

    try:
        old = json.loads(current)
    except ValueError:
        click.echo("  (the existing file is not valid JSON)", err=True)
        return
    changes = diff_documents(old, document)
    for change in changes[:20]:
        click.echo(f"  {change.kind:<12} {change.name}: {change.detail}", err=True)
    if not changes:
        click.echo("  (no semantic change: formatting, digest or wfspec version)", err=True)


# -- render -------------------------------------------------------------------------------------


def bundle_or_specs(source: str) -> Any:
    """A Bundle of a bundle file/folder, or of a spec folder compiled in memory."""
    from .bundle import bundle_from_document, load_bundle

    path = Path(source)
    if path.suffix == ".json" or (path / "bundle.json").is_file():
        return load_bundle(path)
    result = _compile_or_report([source], "text")
    return bundle_from_document(json.loads(result.data), where=source)


def _quietly_loaded(ctx: click.Context) -> Any:
    """The Bundle of the command line's ``--specs`` source for a completion, or None.

    A completion must never print into the shell: a source that does not compile or any other
    failure gives None, and whatever the compile reports is dropped.
    """
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            return bundle_or_specs(ctx.params.get("source") or "specs")
    except (Exception, SystemExit):
        return None


def _complete_templates(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    """TAB on ``wfspec render``: the templates of the ``--specs`` source, with their titles."""
    from click.shell_completion import CompletionItem

    bundle = _quietly_loaded(ctx)
    if bundle is None:
        return []
    try:
        titles = {name: bundle.template(name).title for name in sorted(bundle.templates)}
    except WfspecError:
        return []
    return [CompletionItem(n, help=t) for n, t in titles.items() if n.startswith(incomplete)]


def _complete_config_keys(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    """TAB on ``--set``: ``KEY=`` for each config field of the template typed before it (with
    its title) that is not set yet; after ``KEY=`` of a timeseries field, the source's
    timeseries references (``--set x_axis=dummy/<TAB>``)."""
    from click.shell_completion import CompletionItem

    # While the option awaits its value, click leaves the positional TEMPLATE unparsed in args.
    template = ctx.params.get("template") or next(iter(ctx.args), None)
    bundle = _quietly_loaded(ctx) if template else None
    if bundle is None or template not in bundle.templates:
        return []
    try:
        defs = bundle.template(template).config_defs
    except WfspecError:
        return []
    key, equals, value = incomplete.partition("=")
    if equals:
        if _attribute(defs.get(key), "type") != "timeseries":
            return []
        references = [str(ref) for ref in bundle.timeseries()]
        return [CompletionItem(f"{key}={ref}") for ref in references if ref.startswith(value)]
    given = {item.partition("=")[0] for item in ctx.params.get("sets") or ()}
    return [
        CompletionItem(f"{key}=", help=_attribute(definition, "title"))
        for key, definition in defs.items()
        if key.startswith(incomplete) and key not in given
    ]


def _attribute(definition: Any, name: str) -> Any:
    """An attribute of a ParamDef (``title``, ``type``), whether it is a model or its JSON."""
    if isinstance(definition, Mapping):
        return definition.get(name)
    return getattr(definition, name, None)


@click.command("render")
@click.argument("template", shell_complete=_complete_templates)
@click.option(
    "--specs",
    "source",
    default="specs",
    show_default=True,
    type=click.Path(exists=True),
    help="Spec folder, or a bundle.json, that defines the template.",
)
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--set",
    "sets",
    multiple=True,
    metavar="KEY=VALUE",
    help="A config value (repeat).",
    shell_complete=_complete_config_keys,
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["yaml", "json"]),
    default="yaml",
    show_default=True,
)
def render_command(
    template: str, source: str, config_file: str | None, sets: tuple[str, ...], output_format: str
) -> None:
    """Preview the WorkflowSpec and params form a template gives for one config.

    Values given with --set are read as YAML scalars (1.5 is a float); they override the
    --config file. A timeseries is written in its canonical form
    instrument/name/version/output@source.

    \b
    Examples:
      wfspec render correlation_histogram_1d \\
          --set x_axis=dummy/timeseries_data/1/delta@motion1 --set x_unit=mm
      wfspec render correlation_histogram_1d --config temperature.yaml --format json
    """
    from .config_input import ConfigInputError, config_from

    try:
        config = config_from(config_file, sets)
        bundle = bundle_or_specs(source)
        spec = bundle.instantiate(template, config)
    except ConfigInputError as exc:
        if exc.option == "--set":
            raise click.BadParameter(str(exc), param_hint="--set") from None
        _fail(str(exc), 1)
    except WfspecError as exc:
        _fail(str(exc), 1)
    from .params_model import default_values

    form = spec.form()
    document = {
        "spec": spec.to_json(),
        "defaults": default_values(spec.params),
        "params_schema": form.json_schema,
        "ui_schema": form.ui_schema,
    }
    from .document_echo import echo_document

    echo_document(document, output_format)


# -- diff ---------------------------------------------------------------------------------------


def _document(source: str) -> Mapping[str, Any]:
    """The plain document of ``source``, every entry checked (a corrupt one is a BundleError)."""
    bundle = bundle_or_specs(source)
    bundle.verify()
    return bundle.document()


@click.command("diff")
@click.argument("old", type=click.Path(exists=True))
@click.argument("new", type=click.Path(exists=True))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)
@click.option("--fail-on-breaking", is_flag=True, help="Exit 1 when a change is breaking.")
def diff_command(old: str, new: str, output_format: str, fail_on_breaking: bool) -> None:
    """Semantic diff of two bundles (or two spec folders) by WorkflowId.

    Lists added, removed and changed workflows and templates and flags breaking changes made
    without a version bump: a param removed, retyped or narrowed, an output or source removed.

    \b
    Examples:
      wfspec diff build/bundle.json specs/
      git show main:build/bundle.json > old.json
      wfspec diff old.json build/ --fail-on-breaking
    """
    from .diff import diff_documents

    try:
        changes = diff_documents(_document(old), _document(new))
    except WfspecError as exc:
        _fail(str(exc))
    breaking = [c for c in changes if c.breaking]
    if output_format == "json":
        payload = {
            "changes": [c.to_json() for c in changes],
            "summary": {"changes": len(changes), "breaking": len(breaking)},
        }
        click.echo(json.dumps(payload, indent=2))
    elif not changes:
        click.echo("no changes")
    else:
        from rich.table import Table

        from .console import table_console

        table = Table(box=None, show_edge=False, pad_edge=False)
        for column in ("change", "what", "id / name", "detail", ""):
            table.add_column(column)
        for c in changes:
            table.add_row(c.kind, c.what, c.name, c.detail, "BREAKING" if c.breaking else "")
        console = table_console()
        console.print(table)
        console.print(f"{len(changes)} changes, {len(breaking)} breaking")
    sys.exit(1 if fail_on_breaking and breaking else 0)
