"""The checker, run for an editor: the open files inside their spec set, unsaved text included.

This module holds no checking rules and no discovery of its own: it calls the compiler's
``check_paths`` -- the function ``wfspec check`` calls -- with the open files as the named
paths, their buffers as ``overlays`` and the spec root, so codes, messages, hints, positions and
the "only the named files' problems, cross-file ones cited at the named file" rule are the
CLI's (ADR 0010). What it adds is what an editor needs and a one-shot CLI does not:

- **Only what changed is re-read.** One :class:`~wfspec.compiler.check_cache.CheckCache` is
  kept for the server's lifetime: a keystroke re-reads one buffer; unchanged files are reused by
  their ``stat`` or content hash, and the cross-file stages run over the cached documents
  (``benchmarks/bench_lsp.py`` prints the figures).
- **Every open file of the set is named** on each run, so a ParamSet edited in ``common/``
  updates the workflows that use it.
- **Which spec set.** :func:`spec_root_for`: the editor's explicit ``spec_root`` option, else the
  compiler's :func:`~wfspec.compiler.find_spec_root` (``specs/`` at the top of a git
  repository), else -- an editor opens any folder, git or not -- the nearest folder named
  ``specs`` above the file; a spec document outside all of these is checked on its own, and a
  YAML file that is no spec (a CI workflow, a docker-compose file) is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from ..check_cache import CheckCache
from ..checker import CheckResult, check_paths
from ..specroot import find_spec_root, is_within

__all__ = ["SpecSetChecker", "looks_like_spec", "spec_root_for"]

_SPEC_KIND = re.compile(r"^kind:\s*['\"]?(Workflow|WorkflowTemplate|ParamSet|Instrument)\b", re.M)


def looks_like_spec(text: str) -> bool:
    """A buffer that is a wfspec document (a top-level ``kind:`` of one of the four kinds)."""
    return _SPEC_KIND.search(text[:100_000]) is not None


def spec_root_for(path: Path, text: str = "", explicit: Path | None = None) -> Path | None:
    """The spec set a file belongs to; the file itself for a loose spec; None for no spec."""
    path = path.resolve()
    if explicit is not None and is_within(path, explicit.resolve()):
        return explicit.resolve()
    root = find_spec_root(path)
    if root is not None:
        return root
    for parent in path.parents:
        if parent.name == "specs":
            return parent
    return path if looks_like_spec(text) else None


class SpecSetChecker:
    """Checks open files inside their spec set; one instance per server, cache kept across runs."""

    def __init__(self) -> None:
        self.caches: dict[Path, CheckCache] = {}
        """One cache per spec set: a check forgets the files it did not load."""

    def check(self, root: Path, named: Sequence[Path], overlays: Mapping[Path, str]) -> CheckResult:
        """The diagnostics of the ``named`` files (resolved paths) checked inside ``root``.

        ``root`` is a spec-set folder, or a loose spec file checked on its own. ``overlays``
        (resolved path -> text) are the unsaved buffers. A diagnostic's ``file`` is the
        compiler's display name (relative to the current folder when below it).
        """
        cache = self.caches.setdefault(root, CheckCache())
        if root.is_dir():
            return check_paths(named, spec_root=root, overlays=overlays, cache=cache)
        return check_paths(named, overlays=overlays, cache=cache, in_context=False)
