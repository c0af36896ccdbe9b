"""The ``wfspec`` command: a click group that knows its sub-commands by name, loads them lazily.

Why lazily: every sub-command pulls in heavy libraries (pydantic models, jsonschema, jinja2,
scipp, confluent_kafka, rich). Importing all of them up front made ``wfspec --help`` cost 0.2-0.6 s
and added that much to every ``wfspec check``. So :data:`COMMANDS` maps each name to the
``"module:attribute"`` of its click command plus its one-line help, and :class:`LazyGroup` (click's
documented lazy-group pattern) imports a command's module only when that command runs, or when
its own ``--help`` is asked for. ``wfspec --help`` and shell completion of command names read the
table and import nothing beyond click.

A module that fails to import is never hidden: the command still appears in ``wfspec --help``, and
using it prints ``wfspec <name>: cannot load ...`` with the import error and a fix (exit 2).

To add a command: define it in its own module and add one row to :data:`COMMANDS` (a test checks
that each row's help is the command's own first docstring line, and that every command listed in
``wfspec.compiler.cli.COMMANDS`` / ``wfspec.runtime.cli.commands.COMMANDS`` has a row).

The console script is :func:`console_main`, not the group: a short-lived command
(``CommandEntry.short_lived``) runs with a relaxed garbage collector and leaves without the
interpreter's teardown (:mod:`wfspec.runtime.cli.short_lived`: together ~50 ms, a fifth of
``wfspec check specs``). ``main`` stays a plain click group, so ``CliRunner`` and other in-process
callers get ordinary behaviour and an ordinary ``SystemExit``.
"""

from __future__ import annotations

import difflib
import importlib
import sys
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, NoReturn

import click

__all__ = ["COMMANDS", "CommandEntry", "LazyGroup", "console_main", "main"]


class CommandEntry(NamedTuple):
    """Where a sub-command lives (``"package.module:attribute"``) and its one-line help.

    ``short_lived``: the command only reads and writes files (every file it writes is closed
    before it returns) and starts no thread, broker or server: the console script may relax the
    collector for it and end it without teardown (see :mod:`wfspec.runtime.cli.short_lived`).
    """

    target: str
    help: str
    short_lived: bool = False


COMMANDS: dict[str, CommandEntry] = {
    "check": CommandEntry(
        "wfspec.compiler.cli_check:check_command",
        "Check spec files and folders (recursive *.yaml / *.yml) and report every problem.",
        short_lived=True,
    ),
    "compile": CommandEntry(
        "wfspec.compiler.cli_build:compile_command",
        "Compile specs into one deterministic bundle (OUTPUT/bundle.json).",
        short_lived=True,
    ),
    "render": CommandEntry(
        "wfspec.compiler.cli_build:render_command",
        "Preview the WorkflowSpec and params form a template gives for one config.",
        short_lived=True,
    ),
    "diff": CommandEntry(
        "wfspec.compiler.cli_build:diff_command",
        "Semantic diff of two bundles (or two spec folders) by WorkflowId.",
        short_lived=True,
    ),
    "schemas": CommandEntry(
        "wfspec.compiler.schema_gen:schemas_command",
        "Regenerate schemas/*.json and docs/spec-language.md from the document models.",
        short_lived=True,
    ),
    "heartbeats": CommandEntry(
        "wfspec.runtime.cli.heartbeats:heartbeats",
        "Decode, replay or watch x5f2 heartbeats (files hold one raw Kafka record value each).",
    ),
    "instances": CommandEntry(
        "wfspec.runtime.cli.instances:instances",
        "List, add and remove template instances (persisted in instances.yaml).",
    ),
    "run": CommandEntry(
        "wfspec.runtime.cli.run:run_command",
        "Run the runtime: route heartbeats and acks into per-job state until SIGINT/SIGTERM.",
    ),
    "demo": CommandEntry(
        "wfspec.runtime.cli.demo:demo_command",
        "Run the demo: embedded broker, simulated backend and the runtime, with a live table.",
    ),
    "explain": CommandEntry(
        "wfspec.compiler.cli_explain:explain_command",
        "Explain a diagnostic code (S002, R004 ...): its meaning, an example and the fix.",
        short_lived=True,
    ),
    "list": CommandEntry(
        "wfspec.runtime.cli.authoring:list_command",
        "List instruments (with sources), workflows, templates and timeseries references.",
        short_lived=True,
    ),
    "show": CommandEntry(
        "wfspec.runtime.cli.authoring:show_command",
        "Show a workflow -- static, or a template instance -- as spec, defaults and form.",
        short_lived=True,
    ),
    "orphans": CommandEntry(
        "wfspec.runtime.cli.orphans:orphans_command",
        "List running jobs that no job record claims; --stop stops them.",
    ),
    "serve": CommandEntry(
        "wfspec.runtime.cli.serve:serve_command",
        "Serve the workflow page: live status, start/stop, add and delete template instances.",
    ),
    "lsp": CommandEntry(
        "wfspec.compiler.cli_lsp:lsp_command",
        "Run the wfspec language server on stdin/stdout (started by the editor, not by hand).",
    ),
}
"""Sub-command name -> where it lives and its one-line help (the order of ``wfspec --help``
is alphabetical, as click's)."""


class CommandLoadError(click.ClickException):
    """A sub-command whose module cannot be imported (a broken install or a bug): exit 2."""

    exit_code = 2


class LazyGroup(click.Group):
    """A click group whose sub-commands are imported on first use (see the module docstring)."""

    def __init__(self, *args: Any, lazy_commands: dict[str, CommandEntry], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands = lazy_commands
        self.resolved: str | None = None
        """The sub-command name this process ran (None for ``--help``, ``--version``...)."""
        self.on_resolve: Callable[[str], None] | None = None
        """Called with the sub-command's name before it runs (the console script's hook)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None or cmd_name not in self.lazy_commands:
            return command
        command = self._load(cmd_name)
        self.add_command(command, cmd_name)  # imported once per process
        return command

    def _load(self, cmd_name: str) -> click.Command:
        target = self.lazy_commands[cmd_name].target
        module_name, _, attribute = target.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ImportError as error:
            raise CommandLoadError(
                f"cannot load the {cmd_name!r} command: importing {module_name} failed: "
                f"{type(error).__name__}: {error}\n"
                "  hint: reinstall wfspec with its dependencies (pip install -e . or "
                "pip install wfspec), then run the command again"
            ) from error
        command = getattr(module, attribute, None)
        if not isinstance(command, click.Command):
            raise CommandLoadError(
                f"cannot load the {cmd_name!r} command: {target} is not a click command\n"
                "  hint: this is a bug in wfspec; please report it"
            )
        return command

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        # click suggests names from the eagerly added commands only; suggest from every name.
        name = args[0] if args else ""
        self.resolved = name
        names = self.list_commands(ctx)
        if name and not name.startswith("-") and name not in names and not ctx.resilient_parsing:
            close = difflib.get_close_matches(name, names, n=1)
            ctx.fail(
                f"No such command {name!r}." + (f" Did you mean {close[0]!r}?" if close else "")
            )
        resolved = super().resolve_command(ctx, args)
        if self.on_resolve is not None:
            self.on_resolve(name)
        return resolved

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; a :class:`WfspecError` it did not turn into its own message (say,
        a damaged bundle entry met on first lookup) ends as ``Error: ...``, exit 1, never as a
        traceback."""
        from wfspec.compiler import WfspecError

        try:
            return super().invoke(ctx)
        except WfspecError as exc:
            raise click.ClickException(str(exc)) from None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list from the table: ``wfspec --help`` imports no command module."""
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = [(name, self._short_help(ctx, name, limit)) for name in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def _short_help(self, ctx: click.Context, name: str, limit: int) -> str:
        entry = self.lazy_commands.get(name)
        if entry is not None and name not in self.commands:
            # A stand-in command shortens the help exactly as click would for the real one.
            return click.Command(name, help=entry.help).get_short_help_str(limit)
        command = super().get_command(ctx, name)
        return command.get_short_help_str(limit) if command is not None else ""

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[Any]:
        """Complete command names from the table (no command module imported)."""
        from click.shell_completion import CompletionItem

        items = [
            CompletionItem(name, help=self._short_help(ctx, name, 45))
            for name in self.list_commands(ctx)
            if name.startswith(incomplete)
        ]
        # Options of the group itself (click's Command.shell_complete), not its commands.
        items.extend(click.Command.shell_complete(self, ctx, incomplete))
        return items


@click.group(
    cls=LazyGroup,
    lazy_commands=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(package_name="wfspec")
def main() -> None:
    """wfspec: declarative workflow specs for live neutron data reduction.

    \b
    Example:
      wfspec check specs/
    """


def console_main(args: Sequence[str] | None = None) -> NoReturn:
    """The ``wfspec`` console script: the group, with the short-lived process policy.

    Start-up runs with a relaxed collector; once the sub-command is known, a long-running one
    gets the usual collector back, and a short-lived one (or ``--help``) ends without teardown
    when that is safe (:mod:`wfspec.runtime.cli.short_lived`).
    """
    from . import short_lived

    def settle(name: str) -> None:
        entry = COMMANDS.get(name)
        if entry is None or not entry.short_lived:
            short_lived.restore_collector()

    short_lived.relax_collector()
    main.on_resolve = settle
    try:
        main.main(args=args, prog_name="wfspec")
    except SystemExit as stop:
        status = stop.code
    else:  # pragma: no cover - click's standalone mode always raises SystemExit
        status = 0
    entry = COMMANDS.get(main.resolved or "")
    if main.resolved is None or (entry is not None and entry.short_lived):
        short_lived.leave(status)
    sys.exit(status)


if __name__ == "__main__":
    console_main()
