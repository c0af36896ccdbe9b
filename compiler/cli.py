"""Compiler sub-commands of ``wfspec`` (check, compile, render, diff, schemas, docs)."""

from __future__ import annotations

import click

from .cli_check import check_command
from .schema_gen import schemas_command

COMMANDS: list[click.Command] = [check_command, schemas_command]
