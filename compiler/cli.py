"""Compiler sub-commands of ``wfspec`` (check, compile, render, diff, schemas, docs)."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
