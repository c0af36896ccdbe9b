"""Runtime sub-commands of ``wfspec`` (instances, heartbeats, run, demo, list, show).

One module each."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []

from wfspec.runtime.cli.heartbeats import heartbeats  # noqa: E402

COMMANDS.append(heartbeats)

from wfspec.runtime.cli.instances import instances  # noqa: E402

COMMANDS.append(instances)

from wfspec.runtime.cli.run import run_command  # noqa: E402

COMMANDS.append(run_command)

from wfspec.runtime.cli.demo import demo_command  # noqa: E402

COMMANDS.append(demo_command)

from wfspec.runtime.cli.orphans import orphans_command  # noqa: E402

COMMANDS.append(orphans_command)
from wfspec.runtime.cli.authoring import list_command, show_command  # noqa: E402

COMMANDS.extend([list_command, show_command])

from wfspec.runtime.cli.serve import serve_command  # noqa: E402

COMMANDS.append(serve_command)
