"""``wfspec lsp``: the checker live in the editor, as a Language Server over stdio.

pygls is imported inside the command, so other ``wfspec`` commands never pay for it.
"""

from __future__ import annotations

import click

__all__ = ["lsp_command"]


@click.command("lsp")
def lsp_command() -> None:
    """Run the wfspec language server on stdin/stdout (started by the editor, not by hand).

    Diagnostics as you type (the same codes, messages and hints as `wfspec check`), hover,
    go to definition, completion of names from the spec set, and quick fixes for
    "did you mean". It never writes files.

    \b
    Examples (the editor runs it; see the README for VS Code and Neovim):
      wfspec lsp
    """
    try:
        from .lsp.server import main
    except ImportError as error:  # pygls missing from a minimal install
        raise click.ClickException(
            f"the language server needs pygls ({error}); install it with: pip install pygls"
        ) from None
    main()
