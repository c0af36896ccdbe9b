"""Salvage stage: a document with structural errors still gets its meaning checked.

ADR 0002 promises every problem in one run. Without this stage, one misspelled key (``titel:``)
took the whole document out of the later stages, hiding the unit and bounds errors of its
params. Here a structurally broken document is *repaired for checking only*: the nodes the
schema rejected are removed, and the rest is validated again. When what is left is structurally
sound, it goes on to the parse, resolve and template stages like any valid document; the
structural (S) errors are still reported, so the run fails as before.

Repairs, in order (each followed by re-validation):

1. remove every rejected node: an unknown key, a wrong value (a list item takes its whole list
   with it, so later positions do not shift);
2. for a required key that is now missing: a ``title`` becomes empty; inside one param, config
   field or output, that whole entry is removed;
3. anything still wrong means the document is not salvageable: it stays out, as before.

A repaired document never changes what is *reported* at the nodes that remain (positions are
those of the original text: only keys are removed). The template stage skips templates whose
``config`` lost fields (every use would be reported again: one mistake, one diagnostic) and does
not report unused config fields of a template whose ``workflow`` lost nodes.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from .diagnostics import Diagnostic, JsonPath
from .source import SourceDocument
from .validate import validate_document

__all__ = ["salvage"]

_ENTRY_MAPPINGS = {("params",), ("config",), ("outputs",), ("workflow", "params")}
"""Mappings whose entries (one param, config field or output) may be removed as a whole."""


def _removal(path: JsonPath) -> JsonPath:
    """The node to remove for an error at ``path``: a list item takes its whole list."""
    for index, part in enumerate(path):
        if isinstance(part, int):
            return path[:index]
    return path


def _entry(path: JsonPath) -> JsonPath | None:
    """The param / config field / output entry that contains ``path``, if any."""
    for mapping in sorted(_ENTRY_MAPPINGS, key=len, reverse=True):
        size = len(mapping)
        if path[:size] == mapping and len(path) > size:
            return path[: size + 1]
    return None


def _delete(data: Any, path: JsonPath) -> bool:
    node = data
    for part in path[:-1]:
        if isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return False
    if isinstance(node, dict) and path and path[-1] in node:
        del node[path[-1]]
        return True
    return False


def _revalidate(doc: SourceDocument, data: Any) -> tuple[SourceDocument, list[Diagnostic]]:
    repaired = SourceDocument(
        file=doc.file, index=doc.index, data=data, start=doc.start, locator=doc.locator
    )
    return repaired, validate_document(repaired)


def salvage(
    doc: SourceDocument, problems: Iterable[Diagnostic]
) -> tuple[SourceDocument, list[JsonPath]] | None:
    """The document with its rejected nodes removed, and the removed paths; None if it cannot be
    repaired into a structurally sound one (see the module docstring)."""
    if not isinstance(doc.data, dict) or doc.kind is None:
        return None
    data = copy.deepcopy(doc.data)
    removed: list[JsonPath] = []
    for problem in problems:
        if problem.code == "S001" or not problem.path:
            return None  # no kind, or the document as a whole is wrong
        if problem.code == "S003":
            continue  # handled after the removals
        target = _removal(problem.path)
        if not target or target in (("kind",), ("name",)):
            return None
        if _delete(data, target):
            removed.append(target)
    repaired, left = _revalidate(doc, data)
    if left:
        for problem in left:
            if problem.code != "S003":
                return None
            entry = _entry((*problem.path, "?"))
            missing = problem.message.split("'")[1] if "'" in problem.message else ""
            if missing == "title" and isinstance(_node(data, problem.path), dict):
                _node(data, problem.path)["title"] = ""
            elif entry is not None and _delete(data, entry):
                removed.append(entry)
            else:
                return None
        repaired, left = _revalidate(doc, data)
        if left:
            return None
    return repaired, removed


def _node(data: Any, path: JsonPath) -> Any:
    node = data
    for part in path:
        node = node[part]
    return node
