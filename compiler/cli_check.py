"""``wfspec check PATH...``: every problem of a spec set, in one run, for authors and CI.

Exit status: 0 clean, 1 when there are errors (or warnings with ``--strict``), 2 on a usage
error or an internal error (an I001 diagnostic: a bug in wfspec, not in the specs).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import click

__all__ = ["check_command"]

PROGRESS_MIN_DOCUMENTS = 200
"""Show a progress bar (terminal only) when at least this many documents are validated."""


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[str, int, int], None] | None]:
    """A progress callback drawing a transient rich bar on stderr, or None when disabled."""
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress

    bar = Progress(console=Console(stderr=True), transient=True)
    tasks: dict[str, Any] = {}

    def update(stage: str, done: int, total: int) -> None:
        if stage != "validate" or total < PROGRESS_MIN_DOCUMENTS:
            return
        if stage not in tasks:
            bar.start()
            tasks[stage] = bar.add_task("checking", total=total)
        bar.update(tasks[stage], completed=done)

    try:
        yield update
    finally:
        if tasks:
            bar.stop()


def _exit_code(result: Any, strict: bool) -> int:
    """0 clean, 1 problems (warnings too when strict), 2 internal error (a bug in wfspec)."""
    if any(d.code.startswith("I") for d in result.diagnostics):
        return 2
    return 1 if result.failed(strict=strict) else 0


def _report(result: Any, output_format: str, quiet: bool) -> None:
    from .reporters import get_reporter

    if not (quiet and not result.diagnostics):
        stream = sys.stdout
        color = output_format == "text" and stream.isatty()
        get_reporter(output_format)(result, stream, color=color)
        stream.flush()


@click.command("check")
@click.argument(
    "paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=True, file_okay=True)
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "github", "sarif"]),
    default="text",
    show_default=True,
    help="Output: text for people, json for tools, github for Actions annotations, sarif for "
    "code scanning.",
)
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing when there is no problem.")
@click.option(
    "--spec-root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    envvar="WFSPEC_SPEC_ROOT",
    help="The folder of the spec set the named files belong to (default: specs/ at the top of "
    "their git repository). Env: WFSPEC_SPEC_ROOT.",
)
@click.option(
    "--watch",
    is_flag=True,
    help="Check again after every save (Ctrl-C stops); only changed files are re-read.",
)
def check_command(
    paths: tuple[str, ...],
    output_format: str,
    strict: bool,
    quiet: bool,
    spec_root: Path | None,
    watch: bool,
) -> None:
    """Check spec files and folders (recursive *.yaml / *.yml) and report every problem.

    Structural problems (JSON Schema, with "did you mean"), cross-file problems (duplicate ids,
    unknown instruments, sources and units) and template examples are all reported in one run.

    A named file is checked inside its spec set -- specs/ at the top of its git repository, or
    --spec-root -- and only the named files' problems are reported (a duplicate or broken
    reference involving a named file is cited there). A folder names every file below it.
    Exit status: 0 clean, 1 on errors (and warnings with --strict), 2 on usage or internal error.

    \b
    Examples:
      wfspec check specs/
      wfspec check specs/dummy/monitor_histogram.yaml --strict
      wfspec check conf/x.yaml --spec-root conf/     # a layout without specs/
      wfspec check specs/ --watch                    # re-check on every save
      wfspec check specs/ --format github      # annotations in GitHub Actions
      wfspec check specs/ --format sarif > wfspec.sarif
    """
    from .checker import check_paths

    if watch:
        _watch(paths, spec_root, output_format, strict, quiet)
        return
    interactive = sys.stderr.isatty() and not quiet
    try:
        with _progress(interactive) as progress:
            result = check_paths(paths, spec_root=spec_root, progress=progress)
    except Exception as error:  # check_paths reports problems as data; this is a bug
        click.echo(f"Error: internal error: {type(error).__name__}: {error}", err=True)
        sys.exit(2)
    _report(result, output_format, quiet)
    sys.exit(_exit_code(result, strict))


def _watch(
    paths: tuple[str, ...], spec_root: Path | None, output_format: str, strict: bool, quiet: bool
) -> None:
    """Report after the first check and after every change, until Ctrl-C."""
    import time

    from .watch import watch

    last: list[Any] = []

    def show(result: Any, changed: list[str], seconds: float) -> None:
        last[:] = [result]
        if changed:
            what = ", ".join(changed[:3]) + (
                f" and {len(changed) - 3} more" if len(changed) > 3 else ""
            )
            stamp = time.strftime("%H:%M:%S")
            click.echo(
                f"\n-- {stamp} {what} changed: checked in {seconds * 1000:.0f} ms --", err=True
            )
        _report(result, output_format, quiet)

    click.echo("watching for changes (Ctrl-C stops)", err=True)
    with suppress(KeyboardInterrupt):
        watch(paths, show, spec_root=spec_root)
    sys.exit(_exit_code(last[0], strict) if last else 0)
