"""What a check loads and what it reports: the named files, inside their spec set.

``wfspec check specs/dummy/monitor_histogram.yaml`` names one file, but the file's references
(its instrument, its ParamSets) live in other files of the same spec set. :func:`plan_scope`
decides which spec-set folders to load as *context* (the explicit ``spec_root``, or each named
path's :func:`~.specroot.find_spec_root`), and :func:`cite_at_named` keeps only the diagnostics
of the named files afterwards (``docs/adr/0010-check-in-context.md``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from .diagnostics import Diagnostic, Location, Severity
from .loader import discover, display_name, resolved
from .specroot import find_spec_root

__all__ = ["Scope", "cite_at_named", "plan_scope"]


@dataclass(slots=True)
class Scope:
    """The named paths of a check and the spec-set folders loaded around them."""

    paths: list[Path]
    roots: list[Path] = field(default_factory=list)
    explicit_root: bool = False

    def discover(
        self, overlays: Mapping[Path, str]
    ) -> tuple[list[Path], list[Diagnostic], set[str]]:
        """Files to load (context first, then named), problems of the named paths, and the
        display names of the named files."""
        context, root_problems = discover(self.roots, overlays)
        roots = {resolved(root) for root in self.roots}
        if self.paths and all(resolved(path) in roots for path in self.paths):
            named_files, problems = context, root_problems  # the spec sets themselves: one walk
        else:
            named_files, problems = discover(self.paths, overlays)
            if self.explicit_root:  # a spec root the caller named: its problems are theirs
                problems = [*root_problems, *problems]
        seen = {resolved(path) for path in context}
        files = list(context)
        named_keys = {resolved(path) for path in named_files}
        for path in named_files:
            if resolved(path) not in seen:
                seen.add(resolved(path))
                files.append(path)
        named = {display_name(path) for path in files if resolved(path) in named_keys}
        named |= {d.file for d in problems}  # a missing path is named too
        return files, problems, named


def plan_scope(
    paths: Sequence[str | Path], spec_root: Path | None = None, *, in_context: bool = True
) -> Scope:
    """The scope of a check of ``paths``: ``spec_root`` when given, else each path's spec set.

    A path outside every spec set adds no context: it is checked on its own, as are all paths
    when ``in_context`` is False.
    """
    named = [Path(path) for path in paths]
    if spec_root is not None:
        return Scope(named, [Path(spec_root)], explicit_root=True)
    if not in_context:
        return Scope(named)
    roots: list[Path] = []
    for path in named:
        root = find_spec_root(path)
        if root is not None and root not in roots:
            roots.append(root)
    return Scope(named, roots)


def cite_at_named(
    diagnostics: Iterable[Diagnostic], named: set[str], keep: Iterable[str] = ()
) -> tuple[list[Diagnostic], int]:
    """The diagnostics to report for the ``named`` files, and how many others were left out.

    A diagnostic of a named file is kept as is. One of another file that names a place in a
    named file in ``related`` (a duplicate, a reference to it) is cited at that place, naming
    its own place in ``related`` -- unless the named file already has that diagnostic there.
    Diagnostics whose file is in ``keep`` (e.g. internal errors of whole-set stages) always
    stay. Everything else only counts.
    """
    kept_files = set(keep)
    shown: list[Diagnostic] = []
    moved: list[Diagnostic] = []
    hidden = 0
    for diagnostic in diagnostics:
        if diagnostic.file in named or diagnostic.file in kept_files:
            shown.append(diagnostic)
            continue
        places = [loc for loc in diagnostic.related if loc.file in named]
        if not places:
            hidden += diagnostic.severity != Severity.INFO
            continue
        moved.extend(_cited_at(diagnostic, place) for place in places)
    present = {(d.code, d.location) for d in shown}
    for diagnostic in moved:
        if (diagnostic.code, diagnostic.location) not in present:
            present.add((diagnostic.code, diagnostic.location))
            shown.append(diagnostic)
    return shown, hidden


def _cited_at(diagnostic: Diagnostic, place: Location) -> Diagnostic:
    others = tuple(loc for loc in diagnostic.related if loc != place)
    return replace(
        diagnostic,
        message=f"{diagnostic.message} (reported at {diagnostic.location})",
        location=place,
        path=(),
        related=(diagnostic.location, *others),
    )
