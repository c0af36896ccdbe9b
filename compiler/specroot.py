"""Where the spec set of a file lives: the rule that lets ``wfspec check FILE`` see its context.

A workflow file refers to instruments and ParamSets defined in other files, so a file checked on
its own would report every such reference as unknown. ``wfspec check specs/x.yaml`` (and the
pre-commit hook, which passes changed file names) therefore loads the file's whole *spec set*
and reports only the named files' problems (``docs/adr/0010-check-in-context.md``).

The rule, without flags: walk up from the file to the top of its git repository (the first
folder holding ``.git`` — a folder, or a file in worktrees and submodules); the spec set is the
``specs/`` folder at that top, if the file lies inside it. Other layouts name the folder
explicitly (``--spec-root``, or ``WFSPEC_SPEC_ROOT``).
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["SPECS_FOLDER", "find_spec_root", "is_within"]

SPECS_FOLDER = "specs"
"""The folder, at the top of a git repository, that holds the spec set."""


def is_within(path: Path, folder: Path) -> bool:
    """True when ``path`` is ``folder`` or lies below it (both already resolved)."""
    return path == folder or folder in path.parents


def find_spec_root(path: str | Path) -> Path | None:
    """The resolved ``specs/`` folder of the git repository holding ``path``, or None.

    ``path`` may be a file or a folder, relative (to the current directory) or absolute, and need
    not exist (an unsaved editor buffer). None when ``path`` is in no git repository, the
    repository has no ``specs/`` folder at its top, or ``path`` lies outside that folder.
    """
    target = Path(path).resolve()
    for folder in (target, *target.parents):
        if (folder / ".git").exists():
            root = folder / SPECS_FOLDER
            if root.is_dir() and is_within(target, root):
                return root
            return None
    return None
