"""The ``wfspec`` command: one click group that gathers the compiler's and the runtime's commands.

The entry point lives on the runtime side because the dependency arrow points runtime -> compiler:
the compiler's commands (check, compile, render, diff, ...) are defined in ``wfspec.compiler.cli``
and added here next to the runtime's (instances, heartbeats, run, demo). Heavy imports (scipp,
confluent_kafka) stay inside the command bodies so that ``wfspec check`` starts fast.
"""

from __future__ import annotations

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="wfspec")
def main() -> None:
    """wfspec: declarative workflow specs for live neutron data reduction.

    \b
    Example:
      wfspec check specs/
    """


def _register_commands() -> None:
    """Attach every sub-command. Each module exports click commands; import order is irrelevant."""
    try:
        from wfspec.compiler import cli as compiler_cli
    except ImportError:  # pragma: no cover - during bootstrap only
        compiler_cli = None
    if compiler_cli is not None:
        for command in getattr(compiler_cli, "COMMANDS", []):
            main.add_command(command)
    from wfspec.runtime.cli import commands as runtime_cli

    for command in getattr(runtime_cli, "COMMANDS", []):
        main.add_command(command)


_register_commands()


if __name__ == "__main__":
    main()
