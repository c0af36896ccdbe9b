"""Plain YAML documents and their positions, built in one pass over a composed node graph.

Why: after libyaml has composed the nodes, ruamel's generic constructor spent about half of the
load time on per-node bookkeeping a plain spec document never needs (alias memo, recursion
guard, generator-based mappings, string tag lookups); and keeping the node graph for positions
kept about half a million small objects alive per 2,000 documents (nodes, marks, key/value
pairs), which the cyclic collector then walked once after every load -- a cost that grew faster
than the spec set, as a bigger heap misses the CPU caches more.

A spec document is nearly always plain: mappings of plain keys, sequences and scalars of the
YAML core schema. :func:`plain_document` builds exactly what ruamel builds for such a document
(non-string scalars go through the very constructor functions ruamel uses) and, in the same
walk, records every node's start position in one flat integer array (:class:`_Positions`); the
nodes are then free to go. It gives up -- returning :data:`NOT_PLAIN` -- on the first node that
is not plain: an explicit or unknown tag, a merge or ``=`` key, a complex or duplicate key, deep
nesting. The caller then constructs the document ruamel's way, which records the problems as
diagnostics, and keeps its nodes for positions, so results and diagnostics never differ.
Aliases are the caller's business: a text with any ``*`` takes ruamel's way from the start
(shared nodes must stay shared).

The positions come from the very parse the data came from, as before, and are looked up the
same way: a path is followed from the root, each key compared as text, a missing step stopping
at the nearest existing ancestor (a mapping value that is not a scalar is located at its key).
"""

from __future__ import annotations

from array import array
from typing import Any

from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

from .diagnostics import JsonPath, Location

__all__ = ["NOT_PLAIN", "plain_document"]

_CORE = "tag:yaml.org,2002:"
_STR, _MAP, _SEQ = _CORE + "str", _CORE + "map", _CORE + "seq"
_SCALARS = frozenset(_CORE + name for name in ("null", "bool", "int", "float", "timestamp"))
_KEYS = _SCALARS | {_STR}
_CACHED_VALUE_LENGTH = 40
_CACHE_SIZE = 20_000

NOT_PLAIN: Any = object()
"""Returned by :func:`plain_document` for a document it does not build."""

_SCALAR_CACHE: dict[tuple[str, str], Any] = {}
_MISSING = object()

# Node records in the position array: a scalar is [_SCALAR, line, col]; a mapping is
# [_MAPPING, line, col, length, pairs] followed by each pair as [key line, key col, key index]
# and the value's record; a sequence is [_SEQUENCE, line, col, length, items] and the items'
# records. ``length`` is the whole record's, so a lookup skips a subtree in one step.
_SCALAR, _MAPPING, _SEQUENCE = 0, 1, 2
_INDEXED_LENGTH = 32  # a mapping or sequence this long gets its entries indexed on first lookup


class _NotPlain(Exception):
    """A node :func:`plain_document` leaves to ruamel's constructor."""


def plain_document(root: Any, constructor: Any, file: str) -> Any:
    """``(data, locate)`` of the document ``root``, or :data:`NOT_PLAIN` (see the module
    docstring); ``locate(path)`` is the :class:`Location` in ``file`` of the node at ``path``.

    ``constructor`` is the loader (a ruamel ``SafeConstructor``): its class's constructor table
    turns non-string scalars into values, exactly as its ``construct_document`` would.
    """
    positions: list[int] = []
    keys: list[str] = []
    try:
        data = _build(root, type(constructor).yaml_constructors, constructor, positions, keys)
    except (_NotPlain, RecursionError):
        return NOT_PLAIN
    return data, _Positions(file, array("q", positions), keys).locate


def _build(
    node: Any, table: dict[Any, Any], constructor: Any, out: list[int], keys: list[str]
) -> Any:
    """One node's data, its record appended to ``out`` (a module function: a recursive closure
    would be a reference cycle)."""
    kind = node.__class__
    tag = node.ctag
    if tag.handle is not None:
        raise _NotPlain
    suffix = tag.suffix
    mark = node.start_mark
    if kind is ScalarNode:
        out.extend((_SCALAR, mark.line, mark.column))
        if suffix == _STR:
            return node.value
        if suffix not in _SCALARS:
            raise _NotPlain
        text = node.value
        key = (suffix, text)
        value = _SCALAR_CACHE.get(key, _MISSING)
        if value is not _MISSING:  # ints, floats, booleans, null: immutable, shared safely
            return value
        try:
            value = table[suffix](constructor, node)
        except Exception:  # e.g. ``!!int abc``: ruamel's way raises it, in its own order
            raise _NotPlain from None
        if len(text) <= _CACHED_VALUE_LENGTH and len(_SCALAR_CACHE) < _CACHE_SIZE:
            _SCALAR_CACHE[key] = value
        return value
    head = len(out)
    if kind is MappingNode:
        if suffix != _MAP:
            raise _NotPlain
        pairs = node.value
        out.extend((_MAPPING, mark.line, mark.column, 0, len(pairs)))
        result: dict[str, Any] = {}
        for key_node, value_node in pairs:
            if key_node.__class__ is not ScalarNode:
                raise _NotPlain
            key_tag = key_node.ctag
            if key_tag.handle is not None or key_tag.suffix not in _KEYS:
                raise _NotPlain  # also merge ("<<") and value ("=") keys
            name = key_node.value
            if name in result:
                raise _NotPlain  # a duplicate key: ruamel's way reports it
            key_mark = key_node.start_mark
            out.extend((key_mark.line, key_mark.column, len(keys)))
            keys.append(name)
            result[name] = _build(value_node, table, constructor, out, keys)
        out[head + 3] = len(out) - head
        return result
    if kind is SequenceNode:
        if suffix != _SEQ:
            raise _NotPlain
        items = node.value
        out.extend((_SEQUENCE, mark.line, mark.column, 0, len(items)))
        built = [_build(child, table, constructor, out, keys) for child in items]
        out[head + 3] = len(out) - head
        return built
    raise _NotPlain


class _Positions:
    """The start positions of one plain document's nodes (see the record layout above)."""

    __slots__ = ("file", "keys", "records", "starts")

    def __init__(self, file: str, records: array[int], keys: list[str]) -> None:
        self.file, self.records, self.keys = file, records, keys
        self.starts: dict[int, Any] = {}
        """Per long mapping or sequence (record offset), its entries' offsets, built on its
        first lookup: without them every lookup walks the entries before it, and a document
        with thousands of problems in one list (20,000 repeated sources) took minutes."""

    def _entries(self, at: int) -> Any:
        """The offsets of the mapping (``{key: pair offset}``, first key wins) or sequence
        (``[item offset]``) at ``at``, or None when it is short enough to walk."""
        records = self.records
        count = records[at + 4]
        if count < _INDEXED_LENGTH:
            return None
        found = self.starts.get(at)
        if found is None:
            mapping = records[at] == _MAPPING
            offsets = []
            index = at + 5
            for _ in range(count):
                offsets.append(index)
                value = index + 3 if mapping else index
                index = value + (3 if records[value] == _SCALAR else records[value + 3])
            if mapping:
                found = {}
                for offset in offsets:
                    found.setdefault(self.keys[records[offset + 2]], offset)
            else:
                found = offsets
            self.starts[at] = found
        return found

    def locate(self, path: JsonPath) -> Location:
        """The node at ``path``, else its nearest existing ancestor (as ``loader`` always did)."""
        records, keys = self.records, self.keys
        at = 0
        line, col = records[1], records[2]
        for part in path:
            kind = records[at]
            if kind == _MAPPING:
                text = str(part)
                entries = self._entries(at)
                if entries is not None:
                    index = entries.get(text, -1)
                    if index < 0:
                        break
                else:
                    index = at + 5
                    for _ in range(records[at + 4]):
                        if keys[records[index + 2]] == text:
                            break
                        value = index + 3
                        index = value + (3 if records[value] == _SCALAR else records[value + 3])
                    else:
                        break
                value = at = index + 3
                if records[value] == _SCALAR:
                    line, col = records[value + 1], records[value + 2]
                else:  # a mapping or sequence value is shown at its key
                    line, col = records[index], records[index + 1]
            elif kind == _SEQUENCE and isinstance(part, int):
                if not 0 <= part < records[at + 4]:
                    break
                entries = self._entries(at)
                if entries is not None:
                    index = entries[part]
                else:
                    index = at + 5
                    for _ in range(part):
                        index += 3 if records[index] == _SCALAR else records[index + 3]
                at = index
                line, col = records[index + 1], records[index + 2]
            else:
                break
        return Location(self.file, line + 1, col + 1)
