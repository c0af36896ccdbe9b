"""``wfspec check PATH...``: every problem of a spec set, in one run, for authors and CI.

Exit status: 0 clean, 1 when there are errors (or warnings with ``--strict``), 2 on a usage
error or an internal error (an I001 diagnostic: a bug in wfspec, not in the specs).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
def check_command(paths: tuple[str, ...], output_format: str, strict: bool, quiet: bool) -> None:
    """Check spec files and folders (recursive *.yaml / *.yml) and report every problem.

    Structural problems (JSON Schema, with "did you mean"), cross-file problems (duplicate ids,
    unknown instruments, sources and units) and template examples are all reported in one run.
    Exit status: 0 clean, 1 on errors (and warnings with --strict), 2 on usage or internal error.

    \b
    Examples:
      wfspec check specs/
      wfspec check specs/dummy/monitor_histogram.yaml --strict
      wfspec check specs/ --format github      # annotations in GitHub Actions
      wfspec check specs/ --format sarif > wfspec.sarif
    """
    from .checker import check_paths
    from .reporters import get_reporter

    interactive = sys.stderr.isatty() and not quiet
    try:
        with _progress(interactive) as progress:
            result = check_paths(paths, progress=progress)
    except Exception as error:  # check_paths reports problems as data; this is a bug
        click.echo(f"wfspec check: internal error: {type(error).__name__}: {error}", err=True)
        sys.exit(2)
    if not (quiet and not result.diagnostics):
        stream = sys.stdout
        color = output_format == "text" and stream.isatty()
        get_reporter(output_format)(result, stream, color=color)
    if any(d.code.startswith("I") for d in result.diagnostics):
        sys.exit(2)
    sys.exit(1 if result.failed(strict=strict) else 0)
