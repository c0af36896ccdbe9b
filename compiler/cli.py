"""Compiler sub-commands of ``wfspec`` (check, compile, render, diff, schemas, explain, lsp)."""

from __future__ import annotations

import click

from .cli_build import compile_command, diff_command, render_command
from .cli_check import check_command
from .cli_explain import explain_command
from .cli_lsp import lsp_command
from .schema_gen import schemas_command

COMMANDS: list[click.Command] = [
    check_command,
    compile_command,
    render_command,
    diff_command,
    schemas_command,
    explain_command,
    lsp_command,
]
