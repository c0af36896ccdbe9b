"""Compiler sub-commands of ``wfspec`` (check, compile, render, diff, schemas, docs)."""

from __future__ import annotations

import click

from .schema_gen import schemas_command

COMMANDS: list[click.Command] = [schemas_command]
