"""Plain YAML documents built straight from a composed node graph, when nothing is unusual.

Why: after libyaml has composed the nodes, ruamel's generic constructor spent about half of the
load time on per-node bookkeeping a plain spec document never needs (alias memo, recursion
guard, generator-based mappings, string tag lookups). A spec document is nearly always plain:
mappings of plain keys, sequences and scalars of the YAML core schema. :func:`plain_document`
builds exactly what ruamel builds for such a document (non-string scalars go through the very
constructor functions ruamel uses), in one recursive pass, and gives up -- returning
:data:`NOT_PLAIN` -- on the first node that is not plain: an explicit or unknown tag, a merge or
``=`` key, a complex or duplicate key, deep nesting. The caller then constructs the document
ruamel's way, which records the problems as diagnostics, so results and diagnostics never differ.
Aliases are the caller's business: a text with any ``*`` takes ruamel's way from the start
(shared nodes must stay shared).

The end marks of the nodes are dropped on the way: documents keep their nodes for positions,
which only read start marks, and the end marks were a fifth of the objects the cyclic
collector walks once after a load.
"""

from __future__ import annotations

from typing import Any

from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

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


class _NotPlain(Exception):
    """A node :func:`plain_document` leaves to ruamel's constructor."""


def plain_document(root: Any, constructor: Any) -> Any:
    """The data of the document ``root``, or :data:`NOT_PLAIN` (see the module docstring).

    ``constructor`` is the loader (a ruamel ``SafeConstructor``): its class's constructor table
    turns non-string scalars into values, exactly as its ``construct_document`` would.
    """
    try:
        return _build(root, type(constructor).yaml_constructors, constructor)
    except (_NotPlain, RecursionError):
        return NOT_PLAIN


def _build(node: Any, table: dict[Any, Any], constructor: Any) -> Any:
    """One node's data (a module function: a recursive closure would be a reference cycle)."""
    kind = node.__class__
    tag = node.ctag
    node.end_mark = None
    if tag.handle is not None:
        raise _NotPlain
    suffix = tag.suffix
    if kind is ScalarNode:
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
    if kind is MappingNode:
        if suffix != _MAP:
            raise _NotPlain
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.__class__ is not ScalarNode:
                raise _NotPlain
            key_tag = key_node.ctag
            key_node.end_mark = None
            if key_tag.handle is not None or key_tag.suffix not in _KEYS:
                raise _NotPlain  # also merge ("<<") and value ("=") keys
            name = key_node.value
            if name in result:
                raise _NotPlain  # a duplicate key: ruamel's way reports it
            result[name] = _build(value_node, table, constructor)
        return result
    if kind is SequenceNode:
        if suffix != _SEQ:
            raise _NotPlain
        return [_build(child, table, constructor) for child in node.value]
    raise _NotPlain
