"""Reporters: the only code that turns a :class:`~wfspec.compiler.checker.CheckResult` into text.

One module per output format, each exposing ``report(result, stream, *, color=False)``. The
registry maps a ``--format`` name to its module, imported only when chosen (``rich`` costs
start-up time and is needed by the text reporter on a terminal only).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from ..checker import CheckResult

__all__ = ["FORMATS", "Reporter", "get_reporter"]

Reporter = Callable[..., None]
"""``report(result: CheckResult, stream: TextIO, *, color: bool = False) -> None``."""

FORMATS: dict[str, str] = {
    "text": "text",
    "json": "json_reporter",
    "github": "github",
    "sarif": "sarif",
}
"""``--format`` name -> module of this package."""


def get_reporter(name: str) -> Reporter:
    """The ``report`` function of the format ``name`` (``KeyError`` for an unknown one)."""
    module = importlib.import_module(f"{__name__}.{FORMATS[name]}")
    return module.report


def render(name: str, result: CheckResult, stream: TextIO, **options: Any) -> None:
    """Write ``result`` to ``stream`` in the format ``name``."""
    get_reporter(name)(result, stream, **options)
