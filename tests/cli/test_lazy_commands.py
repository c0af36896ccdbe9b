"""``wfspec`` loads its sub-commands lazily: help and completion are cheap, nothing vanishes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from wfspec.runtime.cli.main import COMMANDS, CommandEntry, LazyGroup, main

HEAVY = ("pydantic", "scipp", "jsonschema", "jinja2", "confluent_kafka", "rich", "ruamel")

PROBE = textwrap.dedent(
    """
    import atexit, json, sys
    heavy = {heavy!r}
    def report():
        loaded = sorted(m for m in heavy if m in sys.modules)
        commands = sorted(m for m in sys.modules if m.startswith("wfspec.compiler."))
        print(json.dumps({{"heavy": loaded, "compiler": commands}}), file=sys.stderr)
    atexit.register(report)
    from wfspec.runtime.cli.main import main
    main(prog_name="wfspec")
    """
)


def _imports_of(args: list[str], env: dict[str, str] | None = None) -> dict[str, list[str]]:
    """Run ``wfspec ARGS`` in a fresh interpreter; the heavy and compiler modules it imported."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stderr.strip().splitlines()[-1])


def test_top_level_help_imports_nothing_heavy() -> None:
    imported = _imports_of(["--help"])
    assert imported == {"heavy": [], "compiler": []}


def test_completing_command_names_imports_nothing_heavy() -> None:
    env = {"_WFSPEC_COMPLETE": "bash_complete", "COMP_WORDS": "wfspec c", "COMP_CWORD": "1"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **env},
    )
    assert "plain,check" in done.stdout and "plain,compile" in done.stdout
    assert "plain,run" not in done.stdout
    assert json.loads(done.stderr.strip().splitlines()[-1]) == {"heavy": [], "compiler": []}


def test_help_lists_every_command_with_its_help() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0, result.output
    listed = result.output.split("Commands:")[1].splitlines()[1:]
    assert [line.split()[0] for line in listed] == sorted(COMMANDS)
    for line in listed:
        name, shown = line.split(maxsplit=1)
        assert COMMANDS[name].help.startswith(shown.removesuffix("..."))


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_help_works(name: str) -> None:
    result = CliRunner().invoke(main, [name, "--help"], prog_name="wfspec")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Usage: wfspec {name} ")


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_table_help_is_the_commands_own_first_line(name: str) -> None:
    command = main.get_command(click.Context(main), name)
    assert command is not None and command.name == name
    first_line = (command.help or "").strip().splitlines()[0]
    assert COMMANDS[name].help == first_line, f"update the {name!r} row of COMMANDS in main.py"


def test_every_exported_command_has_a_row() -> None:
    """Commands listed in the compiler's and runtime's ``COMMANDS`` must be in the table."""
    from wfspec.compiler import cli as compiler_cli
    from wfspec.runtime.cli import commands as runtime_cli

    context = click.Context(main)
    for command in [*compiler_cli.COMMANDS, *runtime_cli.COMMANDS]:
        assert command.name in COMMANDS, f"add a row for {command.name!r} to COMMANDS in main.py"
        assert main.get_command(context, command.name) is command


def test_a_mistyped_command_gets_a_suggestion() -> None:
    result = CliRunner().invoke(main, ["chek", "specs"])
    assert result.exit_code == 2
    assert "No such command 'chek'. Did you mean 'check'?" in result.output


def _group(target: str) -> click.Group:
    @click.group(cls=LazyGroup, lazy_commands={"broken": CommandEntry(target, "A broken one.")})
    def group() -> None:
        """A group."""

    return group


def test_a_command_whose_module_fails_to_import_is_listed_and_reports_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "wfspec_broken_plugin.py").write_text(
        "import wfspec_dependency_that_is_not_installed\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    group = _group("wfspec_broken_plugin:command")
    listed = CliRunner().invoke(group, ["--help"])
    assert listed.exit_code == 0 and "broken  A broken one." in listed.output

    used = CliRunner().invoke(group, ["broken"])
    assert used.exit_code == 2
    assert "cannot load the 'broken' command: importing wfspec_broken_plugin failed" in (
        used.output
    )
    assert "No module named 'wfspec_dependency_that_is_not_installed'" in used.output
    assert "hint: reinstall wfspec" in used.output
    assert "Traceback" not in used.output


def test_a_target_that_is_not_a_command_is_reported() -> None:
    used = CliRunner().invoke(_group("wfspec.runtime.cli.main:COMMANDS"), ["broken"])
    assert used.exit_code == 2
    assert "wfspec.runtime.cli.main:COMMANDS is not a click command" in used.output


def test_check_imports_only_what_the_documents_need(tmp_path: Path) -> None:
    """jinja2 comes with templates, jsonschema with a structural error, scipp with odd units."""
    specs = tmp_path / "specs"
    specs.mkdir()
    shipped = Path(__file__).resolve().parents[2] / "specs"
    (specs / "instrument.yaml").write_text(
        (shipped / "dummy" / "instrument.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    plain = _imports_of(["check", str(specs)])
    assert plain["heavy"] == ["pydantic", "ruamel"]

    with_templates = _imports_of(["check", str(shipped)])
    assert "jinja2" in with_templates["heavy"]
