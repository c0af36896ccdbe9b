"""The rich Console every table-printing command uses: never wraps or splits ids in a pipe.

On a terminal a table fits the window (rich wraps long cells). When stdout is a pipe or a file
(``wfspec instances list | cat``, a CI log) rich would assume 80 columns and fold an id such as
``dummy/motion1_correlation_histogram_1d/1`` across two lines, breaking ``grep`` and ``cut``.
There the width is unbounded and colour is off, so every row is one line.
"""

from __future__ import annotations

import sys
from typing import Any, TextIO

__all__ = ["PIPE_WIDTH", "table_console"]

PIPE_WIDTH = 100_000
"""Console width when the output is not a terminal: wide enough that no table ever wraps."""


def table_console(stream: TextIO | None = None) -> Any:
    """A ``rich.console.Console`` on ``stream`` (stdout): the terminal's width, or unbounded."""
    from rich.console import Console

    file = stream if stream is not None else sys.stdout
    if file.isatty():
        return Console(file=file, highlight=False)
    return Console(file=file, highlight=False, width=PIPE_WIDTH, color_system=None)
