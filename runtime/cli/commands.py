"""Runtime sub-commands of ``wfspec`` (instances, heartbeats, run, demo); each lives in its own module."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
