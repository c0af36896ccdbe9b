"""Runtime sub-commands of ``wfspec`` (instances, heartbeats, run, demo), one module each."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
