"""A template config as a user types it: ``--config FILE`` and ``--set KEY=VALUE`` -> a mapping.

One reader for every command that takes a config (``wfspec render``, ``wfspec instances add``):
both go through the spec loader, so a config gets the same protection and messages as a spec
(an alias bomb, deep nesting, a tag, a 5,000-digit number, bad UTF-8 or a named pipe is a
located refusal, never a hang or a traceback). Errors are :class:`ConfigInputError`, which says
which option was wrong, so a command can report ``--set`` as a usage error.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .errors import WfspecError
from .loader import load_file, load_text

__all__ = ["ConfigInputError", "config_from", "parse_sets", "read_config_file"]


class ConfigInputError(WfspecError):
    """A ``--config`` file or ``--set`` value that cannot be read; ``option`` names which."""

    def __init__(self, option: str, message: str) -> None:
        self.option = option
        super().__init__(message)


def config_from(config_file: str | None, sets: Sequence[str]) -> dict[str, Any]:
    """The config of ``config_file`` (if any) with every ``--set`` applied over it."""
    config = read_config_file(config_file) if config_file else {}
    _merge(config, parse_sets(sets))
    return config


def parse_sets(pairs: Sequence[str]) -> dict[str, Any]:
    """``key=value`` pairs -> a config; values are YAML scalars, dotted keys nest."""
    config: dict[str, Any] = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ConfigInputError(
                "--set", f"{pair!r} is not KEY=VALUE (expected KEY=VALUE, e.g. x_unit=mm)"
            )
        value: Any = ""
        if text:
            # Read as the value of a one-line mapping, so an alias bomb, a tag or a
            # 5,000-digit number is refused with its reason, never a traceback.
            result = load_text(f"value: {text}\n", "--set")
            if result.diagnostics or len(result.documents) != 1:
                why = f" ({result.diagnostics[0].message})" if result.diagnostics else ""
                raise ConfigInputError(
                    "--set",
                    f"{pair!r}: the value is not a YAML scalar{why}; quote it, "
                    f"e.g. {key}='\"{text}\"'",
                )
            value = result.documents[0].data["value"]
        node = config
        *parents, leaf = key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ConfigInputError("--set", f"{key!r} sets inside a value")
        node[leaf] = value
    return config


def read_config_file(path: str) -> dict[str, Any]:
    """A template config from a YAML or JSON file; ConfigInputError with line:col when bad."""
    result = load_file(Path(path), path)
    wrong_shape = {"L005", "L007"}  # empty, or not a mapping: said in a config's own words
    problems = [d for d in result.diagnostics if d.code not in wrong_shape]
    if problems:
        first = problems[0]
        where = f"{path}:{first.line}:{first.col}" if first.line else path
        hint = f" ({first.hint})" if first.hint else ""
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        raise ConfigInputError(
            "--config", f"{where}: cannot read the config: {first.message}{hint}{more}"
        )
    if len(result.documents) > 1:
        raise ConfigInputError(
            "--config", f"{path}: a config is one YAML document, not {len(result.documents)}"
        )
    if len(result.documents) != 1 or result.diagnostics:
        raise ConfigInputError("--config", f"{path}: a config is a mapping of field: value")
    return result.documents[0].data


def _merge(base: dict[str, Any], over: dict[str, Any]) -> None:
    """``over`` into ``base``; nested mappings merge (``--set x_axis.source_name=...`` keeps
    the file's other parts of ``x_axis``)."""
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = value
