"""``wfspec explain [CODE]``: what a diagnostic code means, an example and its fix."""

from __future__ import annotations

import json

import click

__all__ = ["explain_command"]


def _complete_codes(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    """Shell completion of CODE: the codes that start with what is typed."""
    from .diagnostics import CODES

    return [code for code in sorted(CODES) if code.startswith(incomplete.upper())]


@click.command("explain")
@click.argument("code", required=False, shell_complete=_complete_codes)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)
def explain_command(code: str | None, output_format: str) -> None:
    """Explain a diagnostic code (S002, R004 ...): its meaning, an example and the fix.

    Without CODE, list every code with its one-line meaning.

    \b
    Examples:
      wfspec explain R004
      wfspec explain                 # every code
      wfspec explain U101 --format json
    """
    from .diagnostics import CODES
    from .explain import explain, explained_codes, suggestion

    if code is None:
        codes = explained_codes()
        if output_format == "json":
            click.echo(json.dumps([explain(c).to_json() for c in codes], indent=2))  # type: ignore[union-attr]
        else:
            for c in codes:
                click.echo(f"{c}  {CODES[c]}")
        return
    found = explain(code)
    if found is None:
        close = suggestion(code)
        hint = f"; did you mean {close}?" if close else "; 'wfspec explain' lists every code"
        raise click.BadParameter(f"no diagnostic code {code!r}{hint}", param_hint="CODE")
    if output_format == "json":
        click.echo(json.dumps(found.to_json(), indent=2, ensure_ascii=False))
    else:
        click.echo(found.text(), nl=False)
