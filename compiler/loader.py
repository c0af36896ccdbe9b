"""Load stage: files and folders -> :class:`SourceDocument` objects plus load diagnostics (L codes).

Why it looks the way it does:

- **Fast path.** libyaml (``ruamel.yaml.clib``'s ``CParser``) scans, parses and composes the
  node graph in C; only the construction of plain Python values runs in Python. The round-trip
  loader, which records comments and positions on every value, is several times slower
  (``benchmarks/bench_check.py`` prints both figures).
- **Positions from the same parse, looked up lazily.** The composed nodes already carry their
  start marks; a plain document keeps them as a compact table (see below), any other keeps its
  node graph, and its ``locator`` walks that only when a diagnostic asks for a position. This
  is the very parse the data came from, so positions never disagree with the data (merge keys,
  duplicate keys and odd keys included) and no file is parsed twice.
  Without the C extension the same code runs on ruamel's pure-Python parser, only slower.
- **Never a traceback.** Every YAML problem becomes a diagnostic at ``file:line:col`` with a
  hint. Duplicate keys, unknown tags and complex keys are recorded while constructing and the
  document is still loaded (the first of two duplicate keys wins), so later stages can report
  further problems in the same run.
- **Bounded work.** Aliases are shared, not copied, by the constructor, but every later stage
  walks the data as a tree. Before constructing, the expanded size of the node graph is computed
  (memoised per node, iteratively, so it costs one pass over the *unique* nodes); a document
  whose expansion exceeds :data:`ALIAS_EXPANSION_FLOOR` and :data:`ALIAS_EXPANSION_FACTOR` times
  its own size is refused (billion laughs), as is a recursive alias.
- **Plain data.** Timestamps stay strings (YAML 1.2 core has no dates); non-string scalar keys
  become their spelling as written (``1:`` -> ``"1"``), so schema checks and models never meet a
  ``datetime`` or an ``int`` key. Mapping order is kept (``dict``).
- **Plain documents built directly.** A document without aliases, odd tags, merge keys or
  duplicate keys is built in one pass over its nodes that also records their positions in a
  flat array (``plain_nodes.py``), so its nodes are not kept; any other document takes
  ruamel's constructor, which records the problems, and keeps its nodes for positions.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml.composer import Composer
from ruamel.yaml.constructor import SafeConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import CollectionEndEvent, CollectionStartEvent
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.parser import Parser
from ruamel.yaml.reader import Reader, ReaderError
from ruamel.yaml.resolver import VersionedResolver, implicit_resolvers
from ruamel.yaml.scanner import Scanner
from ruamel.yaml.tag import Tag

from .diagnostics import Diagnostic, JsonPath, Location, Severity
from .plain_nodes import NOT_PLAIN, plain_document
from .source import SourceDocument

try:  # the C extension (ruamel.yaml.clib); a declared dependency, but degrade gracefully
    from ruamel.yaml.cyaml import CParser
except ImportError:  # pragma: no cover - only without ruamel.yaml.clib
    CParser = None

__all__ = [
    "ALIAS_EXPANSION_FACTOR",
    "ALIAS_EXPANSION_FLOOR",
    "LoadResult",
    "discover",
    "display_name",
    "load_file",
    "load_one",
    "load_paths",
    "load_text",
    "resolved",
]

ALIAS_EXPANSION_FLOOR = 100_000
"""A document may always expand to this many nodes, whatever its own size."""
ALIAS_EXPANSION_FACTOR = 10
"""...and to this many times its own (unique) node count; beyond both it is refused."""

YAML_SUFFIXES = (".yaml", ".yml")

MAX_DEPTH = 500
"""Deepest nesting of lists/mappings accepted (specs need about ten levels)."""

_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_STR_TAG = "tag:yaml.org,2002:str"
_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_SCALAR_KINDS = {_INT_TAG: "an integer", _FLOAT_TAG: "a number", _BOOL_TAG: "true or false"}
_NUMBER_TAGS = frozenset(_SCALAR_KINDS)  # scalars whose constructor may raise on bad text
_DIGITS = re.compile(r"[-+]?[0-9_]+")
_NULL_TAG = "tag:yaml.org,2002:null"
_SAFE_TAGS = {
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    _STR_TAG,
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:map",
    _TIMESTAMP_TAG,
    "tag:yaml.org,2002:merge",
    "tag:yaml.org,2002:value",
}


@dataclass(slots=True)
class LoadResult:
    """What the load stage hands on.

    ``documents`` holds every document that is a mapping, including those loaded despite a
    problem; those are also listed in ``flawed`` as ``(file, index)`` so the checker does not
    treat them as clean. ``files`` are the display names of every file read, in order.
    """

    documents: list[SourceDocument] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    flawed: set[tuple[str, int]] = field(default_factory=set)

    def extend(self, other: LoadResult) -> None:
        """Append another result (e.g. of one more file)."""
        self.documents.extend(other.documents)
        self.diagnostics.extend(other.diagnostics)
        self.files.extend(other.files)
        self.flawed |= other.flawed


class _Refused(Exception):
    """A document the loader will not construct (alias bomb, recursive alias)."""

    def __init__(self, code: str, message: str, hint: str, node: Node) -> None:
        super().__init__(message)
        self.code, self.message, self.hint, self.node = code, message, hint, node


@dataclass(slots=True)
class _Problem:
    """A problem noticed while constructing a document that is still loaded."""

    code: str
    message: str
    hint: str
    line: int  # 0-based, as in ruamel marks
    col: int
    related: tuple[tuple[int, int], ...] = ()


class _SpecConstructor(SafeConstructor):
    """Safe constructor that records problems instead of raising and yields plain values."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.problems: list[_Problem] = []
        self.allow_duplicate_keys = True  # our own check_mapping_key reports them

    def _problem(self, code: str, message: str, hint: str, node: Node, related=()) -> None:
        mark = node.start_mark
        self.problems.append(_Problem(code, message, hint, mark.line, mark.column, related))

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        if not isinstance(node, MappingNode):  # pragma: no cover - guarded by the tag tables
            return super().construct_mapping(node, deep=deep)
        self.flatten_mapping(node)
        merged = getattr(node, "merge", None) or []
        own = node.value[len(merged) :] if merged else node.value
        result: dict[Any, Any] = {}
        for key_node, value_node in merged:  # merged keys never clash: own keys override them
            key = self._key(key_node)
            if key is not None:
                result[key] = self.construct_object(value_node, deep=deep)
        seen: dict[str, Node] = {}
        for key_node, value_node in own:
            key = self._key(key_node)
            if key is None:  # a complex key: reported, left out
                continue
            if key in seen:
                first = seen[key].start_mark
                self._problem(
                    "L003",
                    f"duplicate key {key!r} (first defined at line {first.line + 1})",
                    "remove one of the two; YAML keys must be unique within a mapping "
                    "(wfspec keeps the first)",
                    key_node,
                    related=((first.line, first.column),),
                )
                continue
            seen[key] = key_node
            result[key] = self.construct_object(value_node, deep=deep)
        return result

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        """Plain strings straight from the node; everything else as ruamel constructs it.

        Why: most values of a spec are strings, and ruamel's generic path (recursion guards,
        alias memo, tag string, constructor lookup) costs several calls per scalar -- about a
        quarter of the load time. A string is immutable and cannot hold an alias, so reading
        ``node.value`` is what that path returns for it.
        """
        if node.__class__ is ScalarNode:
            ctag = node.ctag
            if ctag is not None and ctag.handle is None and ctag.suffix == _STR_TAG:
                return node.value
            if node.tag in _NUMBER_TAGS:  # an alias of it reuses the value, not the problem
                if node not in self.constructed_objects:
                    self.constructed_objects[node] = self.construct_yaml_number(node)
                return self.constructed_objects[node]
        return super().construct_object(node, deep=deep)

    def _key(self, key_node: Node) -> str | None:
        if isinstance(key_node, ScalarNode):
            if key_node.tag not in _SAFE_TAGS:
                self._unknown_tag(key_node)
            return str(key_node.value)  # the spelling as written: ``1:`` -> "1", ``true:``
        self._problem(
            "L009",
            "a mapping key must be a plain name, not a list or mapping",
            "write the key as a plain word; '? [a, b]' style complex keys are not supported",
            key_node,
        )
        return None

    def construct_yaml_number(self, node: Any) -> Any:
        """An int, float or bool as ruamel reads it; a value it cannot read is an L001, kept as
        text.

        Why: ``!!int abc``, ``!!float x``, ``!!bool maybe``, an empty ``!!int`` and an integer
        of more than Python's 4,300 digits (``sys.get_int_max_str_digits``, a guard against
        slow conversions) raise ``ValueError``, ``IndexError`` or ``KeyError`` in ruamel's
        constructor, which would end the load as an internal error. (The plain path of
        ``plain_nodes`` gives such a node up on that error, so it is built here.)
        """
        construct = SafeConstructor.yaml_constructors[node.tag]
        try:
            return construct(self, node)
        except (ValueError, IndexError, KeyError):
            text = str(node.value)
            if node.tag == _INT_TAG and _DIGITS.fullmatch(text):
                digits = sum(c.isdigit() for c in text)
                message = f"the number has {digits:,} digits, more than wfspec reads"
                hint = "no spec value needs that many digits: write a smaller number"
            else:
                kind = _SCALAR_KINDS[node.tag]
                shown = text if len(text) <= 40 else text[:37] + "..."
                tag = node.tag.rsplit(":", 1)[-1]
                message = f"{shown!r} is not {kind}, but its tag !!{tag} says so"
                hint = "remove the tag, or write the value as the tag's type"
            self._problem("L001", message, hint, node)
            return text

    def construct_yaml_timestamp(self, node: Any, values: Any = None) -> Any:
        return str(node.value)  # YAML 1.2 core has no dates: keep what the author wrote

    def _unknown_tag(self, node: Node) -> None:
        self._problem(
            "L008",
            f"unsupported YAML tag {node.tag!r}",
            "remove the tag; wfspec specs use plain YAML values only",
            node,
        )

    def construct_plain_tagged(self, node: Any) -> Any:
        """Any tag outside the YAML core schema: reported, then read as an untagged value."""
        self._unknown_tag(node)
        if isinstance(node, MappingNode):
            return self.construct_mapping(node)
        if isinstance(node, SequenceNode):
            return [self.construct_object(child) for child in node.value]
        return str(node.value)


for _tag in (
    "tag:yaml.org,2002:binary",
    "tag:yaml.org,2002:set",
    "tag:yaml.org,2002:omap",
    "tag:yaml.org,2002:pairs",
):
    _SpecConstructor.add_constructor(_tag, _SpecConstructor.construct_plain_tagged)
_SpecConstructor.add_constructor(None, _SpecConstructor.construct_plain_tagged)
_SpecConstructor.add_constructor(_TIMESTAMP_TAG, _SpecConstructor.construct_yaml_timestamp)


_RESOLVED: dict[tuple[Any, str, Any], Any] = {}
_IMPLICIT_12: dict[str, Any] = {}
_RESOLVE_CACHE_SIZE = 20_000
_CACHED_VALUE_LENGTH = 40


class _Resolver12(VersionedResolver):
    """The YAML 1.2 resolver with its lookup table fetched once and results cached.

    ruamel's ``VersionedResolver.resolve`` looks up the document's YAML version for every
    scalar (a third of the load time of a spec set in profiles). Specs are always read as YAML
    1.2 (a ``%YAML`` directive is ignored), and the same short scalars (``true``, ``0.0``,
    ``counts``) recur constantly, so short values are resolved once per process.
    """

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is ScalarNode and implicit[0]:
            short = len(value) <= _CACHED_VALUE_LENGTH
            key = (implicit[1], value, None)
            if short and key in _RESOLVED:
                return _RESOLVED[key]
            table = self._implicit_table()
            tag = None
            for suffix, regexp in table.get(value[:1], []) + table.get(None, []):
                if regexp.match(value):
                    tag = Tag(suffix=suffix)
                    break
            if tag is None:
                tag = VersionedResolver.resolve(self, kind, value, (False, implicit[1]))
            if short and len(_RESOLVED) < _RESOLVE_CACHE_SIZE:
                _RESOLVED[key] = tag
            return tag
        return VersionedResolver.resolve(self, kind, value, implicit)

    def _implicit_table(self) -> dict[Any, list[tuple[Any, Any]]]:
        table = _IMPLICIT_12.get("table")
        if table is None:  # built once per process, shared by every loader
            version = (1, 2)
            if version not in self._version_implicit_resolver:
                for versions, suffix, regexp, first in implicit_resolvers:
                    if version in versions:
                        self.add_version_implicit_resolver(version, suffix, regexp, first)
            table = _IMPLICIT_12["table"] = self._version_implicit_resolver[version]
        return table


class _PureLoader(Reader, Scanner, Parser, Composer, _SpecConstructor, _Resolver12):
    """ruamel's pure-Python pipeline with our constructor: same results as the C path, slower.

    Only used when the C extension is missing.
    """

    max_depth = MAX_DEPTH

    def __init__(self, stream: str) -> None:
        self.comment_handling = None
        Reader.__init__(self, stream, loader=self)
        Scanner.__init__(self, loader=self)
        Parser.__init__(self, loader=self)
        Composer.__init__(self, loader=self)
        _SpecConstructor.__init__(self, loader=self)
        _Resolver12.__init__(self, None, loader=self)


if CParser is not None:

    class _CLoader(CParser, _SpecConstructor, _Resolver12):  # type: ignore[misc,valid-type]
        """libyaml parser + our constructor + the YAML 1.2 resolver (as ``YAML(typ='safe')``)."""

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            self._parser = self._composer = self
            _SpecConstructor.__init__(self, loader=self)
            _Resolver12.__init__(self, version=None, loader=self)

    _FastLoader: type = _CLoader
else:  # pragma: no cover - only without ruamel.yaml.clib
    _FastLoader = _PureLoader

_LONG_LINE = re.compile(r"[^\n]{" + str(MAX_DEPTH) + "}")


_DOCUMENT_MARKER = re.compile(r"^---", re.MULTILINE)


def _may_nest_deeply(text: str) -> bool:
    """Cheap upper bound on nesting: flow brackets, plus block depth (bounded by line length).

    Brackets are counted per document (split at ``---`` lines: a document marker at column 0
    ends a document or is a syntax error, so nesting never carries across one). Counted over
    the whole file, a multi-document file of ordinary specs crossed the bound and paid for an
    event scan -- a cost that grew with the file, not with its nesting.
    """
    if text.count("[") + text.count("{") > MAX_DEPTH and any(
        chunk.count("[") + chunk.count("{") > MAX_DEPTH for chunk in _DOCUMENT_MARKER.split(text)
    ):
        return True
    return _LONG_LINE.search(text) is not None


def _too_deep(text: str) -> tuple[int, int] | None:
    """Position (0-based) where nesting first exceeds :data:`MAX_DEPTH`, else None.

    libyaml's *composer* recurses in C and crashes the process on absurdly deep input (tens of
    thousands of levels), but its *event parser* is iterative. So text that might nest deeply
    is first scanned event by event (milliseconds even for 100k levels) and refused if needed.
    """
    parser = CParser(text)
    depth = 0
    try:
        while parser.check_event():
            event = parser.get_event()
            if isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    return event.start_mark.line, event.start_mark.column
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
    except YAMLError:
        return None  # the real parse reports it
    finally:
        parser.dispose()
    return None


def _children(node: Node) -> list[Node]:
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, SequenceNode):
        return list(node.value)
    return []


def check_alias_budget(root: Node) -> None:
    """Refuse a node graph whose tree expansion is too large, or that contains itself.

    One iterative post-order walk over the *unique* nodes memoises each node's expanded size,
    so a billion-laughs document costs a few hundred steps and deep nesting cannot overflow the
    stack. The budget is :data:`ALIAS_EXPANSION_FLOOR` or :data:`ALIAS_EXPANSION_FACTOR` times
    the unique node count, whichever is larger: a document without aliases always passes.
    """
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in _children(node))
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise _Refused(
                "L006",
                "a recursive alias: this node contains itself",
                "an alias (*name) must not refer to an anchor (&name) that encloses it",
                node,
            )
        on_path.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in sizes)
    unique = len(sizes)
    budget = max(ALIAS_EXPANSION_FLOOR, ALIAS_EXPANSION_FACTOR * unique)
    if sizes[id(root)] <= budget:
        return
    culprit = root  # the innermost node that alone exceeds the budget
    while True:
        bigger = [c for c in _children(culprit) if sizes[id(c)] > budget]
        if not bigger:
            break
        culprit = bigger[0]
    raise _Refused(
        "L006",
        f"aliases expand this document to {sizes[id(root)]:,} nodes, more than the "
        f"{budget:,} allowed (it has {unique:,} of its own)",
        "this looks like an alias bomb ('billion laughs'); write the content out or share it "
        "through a ParamSet instead of nesting aliases",
        culprit,
    )


def _node_locator(file: str, root: Node) -> Any:
    """``path -> Location`` by walking the document's node graph (nearest existing ancestor)."""

    keyed: dict[int, dict[str, tuple[Node, Node]]] = {}  # per mapping node, on first lookup

    def pairs_of(node: MappingNode) -> dict[str, tuple[Node, Node]]:
        """``{key: (key node, value node)}``: one walk per mapping, not one per lookup (a
        document with thousands of problems in one mapping took minutes)."""
        found = keyed.get(id(node))
        if found is None:
            found = keyed[id(node)] = {}
            merged = len(getattr(node, "merge", None) or ())
            pairs = node.value[merged:] + node.value[:merged]  # own keys before merged ones
            for key_node, value_node in pairs:  # first wins, as in the constructor
                if isinstance(key_node, ScalarNode):
                    found.setdefault(str(key_node.value), (key_node, value_node))
        return found

    def locate(path: JsonPath) -> Location:
        node: Node = root
        mark = root.start_mark
        for part in path:
            if isinstance(node, MappingNode):
                found = pairs_of(node).get(str(part))
                if found is None:
                    break
                key_node, node = found
                mark = node.start_mark if isinstance(node, ScalarNode) else key_node.start_mark
            elif isinstance(node, SequenceNode) and isinstance(part, int):
                if not 0 <= part < len(node.value):
                    break
                node = node.value[part]
                mark = node.start_mark
            else:
                break
        return Location(file, mark.line + 1, mark.column + 1)

    return locate


def _diag(
    code: str, message: str, file: str, line: int = 0, col: int = 0, hint: str | None = None
) -> Diagnostic:
    return Diagnostic(code, Severity.ERROR, message, Location(file, line, col), hint=hint)


def _yaml_error(error: YAMLError, file: str, text: str) -> Diagnostic:
    """A parser/scanner error as an L001 (or L002 for tabs) diagnostic at its mark."""
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    context = getattr(error, "context", None)
    line = mark.line + 1 if mark is not None else 0
    col = mark.column + 1 if mark is not None else 0
    if "maximum depth" in problem:
        return _diag(
            "L006",
            f"the document nests lists/mappings more than {MAX_DEPTH} levels deep",
            file,
            line,
            col,
            "flatten the structure; spec documents need only a few levels",
        )
    lines = text.splitlines()
    source_line = lines[mark.line] if mark is not None and mark.line < len(lines) else ""
    indent = source_line[: len(source_line) - len(source_line.lstrip(" \t"))]
    if "\t" in indent or "'\\t'" in problem:
        return _diag(
            "L002",
            "a tab character is used for indentation",
            file,
            line,
            col,
            "YAML indents with spaces only; replace the tab(s) on this line with spaces",
        )
    message = f"YAML syntax error: {problem}" + (f" ({context})" if context else "")
    if "mapping values are not allowed" in problem:
        hint = (
            "check the indentation of this line against the lines above; a value that "
            "contains ': ' must be quoted"
        )
    elif "expected <block end>" in problem or "did not find expected key" in problem:
        hint = "this line is indented differently from its siblings; align it with them"
    elif "could not find expected ':'" in problem:
        hint = "a key is missing its ':' (or a multi-line value needs quoting)"
    elif "quoted scalar" in (context or "") and getattr(error, "context_mark", None):
        hint = f"close the quote opened at line {error.context_mark.line + 1}"
    elif "found undefined alias" in problem:
        hint = "define the anchor (&name) before using the alias (*name)"
    else:
        hint = "fix the YAML syntax at this position (a linter such as yamllint shows more)"
    return _diag("L001", message, file, line, col, hint)


def _reader_error(error: ReaderError, file: str, text: str) -> Diagnostic:
    """A character YAML does not allow (control characters), at its position."""
    position = error.position if isinstance(error.position, int) else 0
    before = text[:position]
    line = before.count("\n") + 1
    col = position - (before.rfind("\n") + 1) + 1
    char = error.character
    shown = f"U+{char:04X}" if isinstance(char, int) else repr(char)
    return _diag(
        "L001",
        f"character {shown} is not allowed in YAML ({error.reason})",
        file,
        line,
        col,
        "delete the invisible control character (often pasted from a terminal or a PDF)",
    )


def _decode(data: bytes, file: str) -> tuple[str | None, Diagnostic | None]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, _diag(
            "L004",
            "the file is UTF-16 encoded, not UTF-8",
            file,
            1,
            1,
            "save the file as UTF-8 (every editor offers it in 'Save with encoding')",
        )
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line = before.count(b"\n") + 1
        col = error.start - (before.rfind(b"\n") + 1) + 1
        return None, _diag(
            "L004",
            f"the file is not UTF-8 text: byte 0x{data[error.start]:02x} cannot be decoded",
            file,
            line,
            col,
            "save the file as UTF-8; it was probably written as Latin-1 or Windows-1252",
        )


def load_text(text: str, file: str) -> LoadResult:
    """Load every document of ``text`` (already decoded), reported under the name ``file``."""
    result = LoadResult(files=[file])
    if CParser is not None and _may_nest_deeply(text):
        deep = _too_deep(text)
        if deep is not None:
            result.diagnostics.append(
                _diag(
                    "L006",
                    f"the document nests lists/mappings more than {MAX_DEPTH} levels deep",
                    file,
                    deep[0] + 1,
                    deep[1] + 1,
                    "flatten the structure; spec documents need only a few levels",
                )
            )
            return result
    loader = _FastLoader(text)
    has_aliases = "*" in text  # no alias, no sharing: the expansion check can be skipped
    index = 0
    try:
        while loader.check_node():
            node = loader.get_node()
            doc_index = index
            index += 1
            if node is None:  # pragma: no cover - libyaml yields an empty scalar instead
                continue
            start = Location(file, node.start_mark.line + 1, node.start_mark.column + 1)
            if isinstance(node, ScalarNode) and node.value == "" and node.tag == _NULL_TAG:
                result.diagnostics.append(
                    _diag(
                        "L005",
                        "empty document",
                        file,
                        start.line,
                        start.col,
                        "remove the extra '---' separator or fill in the document",
                    )
                )
                continue
            try:
                if has_aliases:
                    check_alias_budget(node)
            except _Refused as refused:
                mark = refused.node.start_mark
                result.diagnostics.append(
                    _diag(
                        refused.code,
                        refused.message,
                        file,
                        mark.line + 1,
                        mark.column + 1,
                        refused.hint,
                    )
                )
                continue
            loader.problems = []
            try:
                built = NOT_PLAIN if has_aliases else plain_document(node, loader, file)
                if built is NOT_PLAIN:
                    data, locator = loader.construct_document(node), _node_locator(file, node)
                else:
                    data, locator = built  # the nodes can go: positions are kept compactly
            except RecursionError:
                result.diagnostics.append(
                    _diag(
                        "L006",
                        "the document is nested too deeply to load",
                        file,
                        start.line,
                        start.col,
                        "flatten the structure; spec documents need only a few levels",
                    )
                )
                continue
            for problem in loader.problems:
                result.diagnostics.append(
                    Diagnostic(
                        problem.code,
                        Severity.ERROR,
                        problem.message,
                        Location(file, problem.line + 1, problem.col + 1),
                        hint=problem.hint,
                        related=tuple(Location(file, ln + 1, c + 1) for ln, c in problem.related),
                    )
                )
            if not isinstance(data, dict):
                what = "a list" if isinstance(data, list) else f"the value {data!r}"
                result.diagnostics.append(
                    _diag(
                        "L007",
                        f"a spec document must be a mapping with a 'kind', but this one is {what}",
                        file,
                        start.line,
                        start.col,
                        "start the document with 'kind: Workflow' (or Instrument, ParamSet, "
                        "WorkflowTemplate) followed by its keys",
                    )
                )
                continue
            if loader.problems:
                result.flawed.add((file, doc_index))
            result.documents.append(
                SourceDocument(
                    file=file,
                    index=doc_index,
                    data=data,
                    start=start,
                    locator=locator,
                )
            )
    except ReaderError as error:
        result.diagnostics.append(_reader_error(error, file, text))
    except MarkedYAMLError as error:
        result.diagnostics.append(_yaml_error(error, file, text))
    except YAMLError as error:  # e.g. the reader's "special characters are not allowed"
        result.diagnostics.append(_yaml_error(error, file, text))
    except RecursionError:
        result.diagnostics.append(
            _diag("L006", "the document is nested too deeply to load", file, 1, 1)
        )
    finally:
        loader.dispose()
    if index == 0 and not result.diagnostics:
        result.diagnostics.append(
            _diag(
                "L005",
                "the file is empty (no YAML document)",
                file,
                hint="add a spec document (starting with 'kind:') or delete the file",
            )
        )
    return result


def load_file(path: Path, file: str | None = None) -> LoadResult:
    """Read, decode and load one file; ``file`` is the name diagnostics show."""
    name = file if file is not None else display_name(path)
    try:
        data = _read_bytes(path)
    except OSError as error:
        reason = error.strerror or str(error)
        return LoadResult(
            diagnostics=[
                _diag(
                    "L010",
                    f"cannot read the file: {reason}",
                    name,
                    hint="check that it exists and is readable",
                )
            ],
            files=[name],
        )
    text, problem = _decode(data, name)
    if problem is not None:
        return LoadResult(diagnostics=[problem], files=[name])
    assert text is not None
    return load_text(text, name)


def _read_bytes(path: Path) -> bytes:
    """The file's bytes; a named pipe without a writer reads as empty, a device is refused.

    Why: a folder may hold anything named ``*.yaml``. Opening a FIFO waits for a writer
    (``wfspec check`` hung), and a device such as ``/dev/zero`` never ends (memory ran away).
    The FIFO is opened without waiting, then read normally, so a pipe that does have a writer
    (``wfspec check <(generate-spec)``) is still read to its end.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(fd).st_mode
        if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode)):
            raise OSError(errno.EINVAL, "it is not a regular file (a device or socket)")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return handle.read()


_RESOLVED_PATHS: dict[str, Path] = {}
_RESOLVED_PATHS_MAX = 100_000


def resolved(path: Path) -> Path:
    """``path.resolve()``, memoised by absolute spelling.

    ``realpath`` costs a system call per path component; a watch loop over 1,000 files asks for
    the same few thousand paths on every poll (the key of a file in caches, overlays and the
    named set). Symlinks changed while a process runs are not seen -- a price worth paying.
    """
    key = os.path.abspath(path)
    found = _RESOLVED_PATHS.get(key)
    if found is None:
        if len(_RESOLVED_PATHS) >= _RESOLVED_PATHS_MAX:
            _RESOLVED_PATHS.clear()
        found = _RESOLVED_PATHS[key] = Path(key).resolve()
    return found


def display_name(path: Path) -> str:
    """The path relative to the current directory when it lies below it, else as absolute.

    A relative path is shown as given (normalised as ``Path`` does); string operations rather
    than ``Path.relative_to``, because a watch loop asks for thousands of names per poll.
    """
    path = Path(path)
    if not path.is_absolute():
        return path.as_posix()
    text = path.as_posix()
    cwd = Path.cwd().as_posix()
    if text == cwd:
        return "."
    prefix = cwd if cwd.endswith("/") else cwd + "/"
    return text[len(prefix) :] if text.startswith(prefix) else text


def _walk(folder: Path) -> Iterator[Path]:
    """Every *.yaml / *.yml below ``folder`` in sorted order, skipping hidden folders."""
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.endswith(YAML_SUFFIXES):
                yield Path(root) / name


def discover(
    paths: Sequence[str | Path], overlays: Mapping[Path, str] | None = None
) -> tuple[list[Path], list[Diagnostic]]:
    """Files to load (given files as-is, folders searched recursively), each once, in order.

    ``overlays`` (resolved absolute path -> text) are files that may not be on disk yet (unsaved
    editor buffers): a named path with an overlay exists, and a folder includes the overlays
    below it.
    """
    overlays = overlays or {}
    found: list[Path] = []
    seen: set[Path] = set()
    diagnostics: list[Diagnostic] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            candidates = sorted(_walk(path))
            folder = resolved(path)
            extra = [
                file
                for file in overlays
                if file.name.endswith(YAML_SUFFIXES)
                and folder in file.parents
                and not file.exists()
                and not any(part.startswith(".") for part in file.relative_to(folder).parts)
            ]
            if extra:
                candidates = sorted([*candidates, *extra])
            if not candidates:
                diagnostics.append(
                    Diagnostic(
                        "L011",
                        Severity.ERROR,
                        "no *.yaml or *.yml files in this folder",
                        Location(display_name(path)),
                        hint="point wfspec check at the folder that holds the specs",
                    )
                )
        elif path.exists() or resolved(path) in overlays:
            candidates = [path]
        else:
            diagnostics.append(
                _diag(
                    "L010",
                    "no such file or folder",
                    str(raw),
                    hint="check the spelling of the path",
                )
            )
            continue
        for candidate in candidates:
            key = resolved(candidate)
            if key not in seen:
                seen.add(key)
                found.append(candidate)
    return found, diagnostics


def load_paths(
    paths: Sequence[str | Path], overlays: Mapping[Path, str] | None = None
) -> LoadResult:
    """Load every spec file under ``paths``; all problems are returned as diagnostics.

    ``overlays`` (resolved absolute path -> text) replace the disk content of those files.
    """
    files, diagnostics = discover(paths, overlays)
    result = LoadResult(diagnostics=diagnostics)
    for path in files:
        result.extend(load_one(path, overlays))
    return result


def load_one(path: Path, overlays: Mapping[Path, str] | None = None) -> LoadResult:
    """Load one file (its overlay text when there is one); a bug becomes an I001 diagnostic."""
    name = display_name(path)
    try:
        text = overlays.get(resolved(path)) if overlays else None
        if text is not None:
            return load_text(text, name)
        return load_file(path, name)
    except Exception as error:  # a bug in wfspec: report it, load the other files
        return LoadResult(
            diagnostics=[
                _diag(
                    "I001",
                    f"internal error in the load stage: {type(error).__name__}: {error}",
                    name,
                    hint="this is a bug in wfspec, not in your spec; please report it "
                    "with this file",
                )
            ],
            files=[name],
        )
