"""A YAML document on disk shared by processes and people: the machinery of both stores.

``instances.yaml`` and ``jobs.yaml`` follow the same rules (issue 4, section 2), implemented once
here by :class:`YamlDocumentFile`:

- reading uses the C loader (fast) and validates against a JSON Schema of ``wfspec.schemas``; a
  file that does not parse or does not match raises :class:`StoreError` naming
  ``file:line:col`` and is never written (the cached error is raised again until the file
  changes);
- writers take the :class:`~wfspec.runtime.durable.FileLock`, re-read the file under it and
  write it with :func:`~wfspec.runtime.durable.atomic_write`, so one process never clobbers
  another's entries;
- a write changes one entry of one section, spliced into the text (``yaml_splice.py``), so a
  person's comments, blank lines, quoting and key order survive byte for byte; a layout the
  splicer does not understand is edited as a ruamel round-trip document instead, which keeps
  comments and key order too;
- a load first compares the file's :class:`~wfspec.runtime.durable.FileStamp`; only a changed
  file is read, and only changed bytes are parsed again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
from collections.abc import Iterator, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator
from jsonschema.exceptions import ValidationError, best_match
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark, MarkedYAMLError, YAMLError
from ruamel.yaml.tokens import CommentToken

from wfspec.compiler import WfspecError, load_schema

from .durable import FileLock, FileStamp, atomic_write, remove_orphan_temps
from .yaml_splice import delete_entry, find_layout, render_entry, set_entry

__all__ = ["DocumentEdit", "StoreError", "YamlDocumentFile", "plain", "to_yaml"]

_KEEP = "the file was left untouched; fix it by hand (or move it away to start empty)"
_CHECK_PATH = "check the path and its permissions (nothing was written)"
_NOT_WRITTEN = "nothing was written; check the folder's permissions and free space"


class StoreError(WfspecError):
    """A store file that cannot be read, parsed or validated; never overwritten.

    ``str()`` is one line: ``file:line:col: what is wrong; the file was left untouched ...``.
    ``line``/``col`` are 1-based (None when the problem has no place, e.g. unreadable file).
    """

    def __init__(
        self,
        path: Path,
        message: str,
        line: int | None = None,
        col: int | None = None,
        *,
        hint: str = _KEEP,
    ) -> None:
        self.path = path
        self.message = message
        self.line = line
        self.col = col
        place = f"{path}:{line}:{col}" if line is not None else str(path)
        super().__init__(f"{place}: {message}; {hint}")


@cache
def _validator(schema_file: str) -> Draft7Validator:
    return Draft7Validator(load_schema(schema_file))


@cache
def _fast_yaml() -> YAML:
    """The C safe loader: plain data, YAML 1.2 rules, duplicate keys refused."""
    return YAML(typ="safe", pure=False)


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a long string onto two lines
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def plain(value: Any) -> Any:
    """Round-trip YAML data as plain JSON-able Python (dict, list, str, int, float, bool, None).

    Timestamps become ISO strings (``created: 2026-11-22T03:00:00Z`` written unquoted by hand).
    """
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, dt.datetime):
        text = value.isoformat()
        return text.replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def to_yaml(value: Any, *, flow_leaves: bool = True) -> Any:
    """Plain data as round-trip nodes; a mapping holding only scalars is written in flow style.

    ``x_axis: {workflow_id: dummy/timeseries_data/1, source_name: motion1, output_name: delta}``
    reads better than five lines; bigger mappings stay in block style.
    """
    if isinstance(value, Mapping):
        node = CommentedMap()
        for key, item in value.items():
            node[str(key)] = to_yaml(item, flow_leaves=flow_leaves)
        leaf = all(not isinstance(v, Mapping | list | tuple) for v in value.values())
        if flow_leaves and leaf and value:
            node.fa.set_flow_style()
        else:
            node.fa.set_block_style()
        return node
    if isinstance(value, list | tuple):
        seq = CommentedSeq(to_yaml(v, flow_leaves=flow_leaves) for v in value)
        if all(not isinstance(v, Mapping | list | tuple) for v in value):
            seq.fa.set_flow_style()
        return seq
    return value


def _position(node: Any, path: Sequence[Any], *, at_value: bool) -> tuple[int, int] | None:
    """0-based (line, col) of the deepest node along ``path`` that has a recorded position.

    ``at_value``: point at the last step's value (a wrong type or constant) instead of its key
    (a missing or unknown field, a bad name).
    """
    found: tuple[int, int] | None = None
    for index, step in enumerate(path):
        lc = getattr(node, "lc", None)
        last = index == len(path) - 1
        try:
            if isinstance(node, Mapping) and step in node and lc is not None:
                where = lc.value(step) if last and at_value else lc.key(step)
            elif isinstance(node, list) and isinstance(step, int) and lc is not None:
                where = lc.item(step)
            else:
                break
            found = (where[0], where[1])
            node = node[step]
        except (KeyError, IndexError, TypeError, AttributeError):
            break
    return found


def _error_place(error: ValidationError) -> tuple[list[Any], str, bool]:
    """The document path to point at for ``error``, a message naming the field, and whether
    the place is the value (else the key) at the end of that path."""
    path = list(error.absolute_path)
    message = error.message
    at_value = error.validator not in ("required", "additionalProperties")
    if error.validator == "additionalProperties" and isinstance(error.instance, Mapping):
        allowed = set(error.schema.get("properties", {}))
        extra = [k for k in error.instance if k not in allowed]
        if extra:
            path.append(extra[0])
            at_value = False
            known = ", ".join(sorted(allowed))
            message = f"unknown field {extra[0]!r} (allowed here: {known})"
    elif "propertyNames" in error.absolute_schema_path and isinstance(error.instance, str):
        # jsonschema reports the bad *name* as the instance and the mapping as the path
        path.append(error.instance)
        at_value = False
        message = (
            f"{error.instance!r} is not a workflow id "
            "(expected instrument/name/version, lower-case slugs: dummy/monitor_histogram/1)"
        )
    field = "/".join(str(p) for p in path) or "(top level)"
    return path, f"{field}: {message}", at_value


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, list):
        return "a list"
    return f"a single value {str(value)[:40]!r}"


class DocumentEdit:
    """The content handed to a writer under the lock, and the entry changes to write.

    Writers change entries of one top-level section (``instances``, ``records``) with
    :meth:`set` and :meth:`delete`; :attr:`data` always shows the content with those changes.
    """

    def __init__(self, data: dict[str, Any], external_change: bool) -> None:
        self.data = data
        """Plain content (never mutated in place: each change makes new dicts)."""
        self.external_change = external_change
        """True when the file held changes (by another process or a person) not seen before."""
        self.ops: list[tuple[str, str, Any]] = []

    @property
    def changed(self) -> bool:
        return bool(self.ops)

    def entries(self, section: str) -> dict[str, Any]:
        return self.data.get(section) or {}

    def set(self, section: str, key: str, node: Any) -> None:
        """Add or replace entry ``key`` of ``section`` (``node``: plain or round-trip data)."""
        self.ops.append((section, key, node))
        self.data = {**self.data, section: {**self.entries(section), key: plain(node)}}

    def delete(self, section: str, key: str) -> bool:
        """Remove entry ``key`` of ``section``; False (nothing to write) if there is none."""
        entries = self.entries(section)
        if key not in entries:
            return False
        self.ops.append((section, key, None))
        self.data = {**self.data, section: {k: v for k, v in entries.items() if k != key}}
        return True


def _splice(
    text: str, before: Mapping[str, Any], ops: Sequence[tuple[str, str, Any]]
) -> str | None:
    """Apply the edit's entry changes to the text (see ``yaml_splice``); None if not possible."""
    keys = {section: list((before.get(section) or {}).keys()) for section, _, _ in ops}
    for section, key, node in ops:
        layout = find_layout(text, section, keys[section])
        if layout is None:
            return None
        if node is None:
            text = delete_entry(layout, key)
            keys[section].remove(key)
        else:
            text = set_entry(layout, key, render_entry(key, node, _yaml()))
            if key not in keys[section]:
                keys[section].append(key)
    return text


def _apply_round_trip(doc: CommentedMap, ops: Sequence[tuple[str, str, Any]]) -> None:
    """The fallback: apply the entry changes to a round-trip document."""
    for section, key, node in ops:
        entries = doc.get(section)
        if not isinstance(entries, CommentedMap):
            entries = doc[section] = CommentedMap()
        entries.fa.set_block_style()  # "instances: {}" is flow style once parsed
        if node is None:
            keep_following_comment(entries, key)
            del entries[key]
        else:
            entries[key] = node


def keep_following_comment(entries: CommentedMap, key: str) -> None:
    """Keep comment lines that introduce the *next* entry when ``key`` is deleted.

    ruamel attaches a comment line between two entries to the last value of the first one, so
    deleting that entry would silently drop a person's note about the following one. Those lines
    are moved to the end of the entry before (or before the first entry). An end-of-line comment
    on the deleted entry's own last line goes with it.
    """
    keys = list(entries)
    index = keys.index(key)
    if index + 1 >= len(keys):
        return
    last = _last_leaf(entries[key])
    slot = last[0].ca.items.get(last[1]) if last is not None else None
    token = slot[2] if slot and len(slot) > 2 else None
    if token is None:
        return
    own, _, following = token.value.partition("\n")
    if not following.strip():
        return
    token.value = own + "\n"
    indent = len(following) - len(following.lstrip(" "))
    following = following.lstrip(" ")
    mark = CommentMark(indent)
    if index == 0:
        leading = entries.ca.comment
        if leading is None:
            entries.ca.comment = leading = [None, []]
        if leading[1] is None:
            leading[1] = []
        leading[1].append(CommentToken(following, mark))
        return
    previous = _last_leaf(entries[keys[index - 1]])
    if previous is None:
        return
    node, last_key = previous
    prev_slot = node.ca.items.setdefault(last_key, [None, None, None, None])
    if prev_slot[2] is None:
        prev_slot[2] = CommentToken("\n" + " " * indent + following, mark)
    else:
        prev_slot[2].value += " " * indent + following


def _last_leaf(node: Any) -> tuple[Any, Any] | None:
    """The innermost (mapping, last key) at the end of ``node`` (where ruamel keeps the comment
    that follows ``node``)."""
    found = None
    while isinstance(node, CommentedMap) and len(node):
        last_key = next(reversed(node))
        found = (node, last_key)
        node = node[last_key]
    return found


class YamlDocumentFile:
    """One locked, validated, round-trip YAML document (see module doc).

    ``revision`` increases every time the content found on disk differs from the last seen
    content (first load, another writer, a hand edit, our own write), so a reader can tell
    cheaply whether its view is out of date.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        schema_file: str,
        new_document: str,
        entries_section: str | None = None,
    ) -> None:
        """``entries_section``: schema errors inside one entry of that section (or in its key)
        do not make the file bad; they are listed in :attr:`entry_problems` (key -> message with
        line and column) and the reader skips that entry alone."""
        self.path = Path(path).expanduser()
        self._entries_section = entries_section
        self.entry_problems: dict[str, str] = {}
        self.lock = FileLock(self.path)
        self._schema_file = schema_file
        self._new_document = new_document
        self._stamp: FileStamp | None = None
        self._bytes: bytes | None = None
        self._data: dict[str, Any] | None = None  # plain data of _bytes (fast C loader)
        self._doc: CommentedMap | None = None  # round-trip document, parsed only to edit
        self._doc_bytes: bytes | None = None  # the bytes _doc was parsed from / dumped to
        self._error: StoreError | None = None
        self._loaded = False
        self.revision = 0

    # -- reading --------------------------------------------------------------------------------

    def changed_on_disk(self) -> bool:
        """True if the file's stamp differs from the one last read (one ``stat``, no read)."""
        return not self._loaded or FileStamp.of(self.path) != self._stamp

    def load(self) -> dict[str, Any] | None:
        """The validated content as plain data (None if the file does not exist).

        Raises :class:`StoreError` for a bad file. Do not modify the result: use :meth:`edit`.
        """
        if self.changed_on_disk():
            return self._read()[0]
        if self._error is not None:
            raise self._error
        return self._data

    def _read(self) -> tuple[dict[str, Any] | None, bool]:
        """Read the file; returns (plain data, content changed since last seen).

        Reading uses the C loader (the same YAML 1.2 rules as the round-trip loader, many
        times faster); the slow round-trip parse happens only to edit, or to find the line and
        column of a schema error.
        """
        try:
            with open(self.path, "rb") as handle:
                st = os.fstat(handle.fileno())  # the stamp of exactly the bytes we read
                stamp = FileStamp(st.st_mtime_ns, st.st_size, st.st_ino)
                data = handle.read()
        except FileNotFoundError:
            stamp, data = None, None
        except OSError as exc:
            reason = f"cannot read: {exc.strerror or exc}"
            raise StoreError(self.path, reason, hint=_CHECK_PATH) from None
        if self._loaded and data == self._bytes:
            self._stamp = stamp
            if self._error is not None:
                raise self._error
            return self._data, False
        self._loaded, self._stamp, self._bytes = True, stamp, data
        self.revision += 1
        self._data, self._error = None, None
        if data is None:
            return None, True
        try:
            self._data = self._parse(data, _fast_yaml())
        except StoreError as exc:
            self._error = exc
            raise
        return self._data, True

    def _parse(self, data: bytes, yaml: YAML) -> Any:
        """Parse and validate ``data``: plain data (fast loader) or a round-trip document."""
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise StoreError(self.path, f"not UTF-8 text (byte {exc.start})") from None
        try:
            doc = yaml.load(text)
        except MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            problem = " ".join(str(exc.problem or exc.context or "invalid YAML").split())
            problem = problem.split(" with value ")[0]  # duplicate keys: the values are noise
            line, col = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
            raise StoreError(self.path, f"invalid YAML: {problem}", line, col) from None
        except YAMLError as exc:
            reason = " ".join(str(exc).split())
            raise StoreError(self.path, f"invalid YAML: {reason}") from None
        if not isinstance(doc, dict):
            raise StoreError(
                self.path,
                f"expected a mapping with format_version and its entries (found {_kind(doc)})",
                1,
                1,
            )
        content = plain(doc)
        errors = list(_validator(self._schema_file).iter_errors(content))
        problems: dict[str, str] = {}
        if self._entries_section is not None:
            errors = self._split_entry_errors(errors, doc, text, problems)
        self.entry_problems = problems
        error = best_match(errors)
        if error is not None:
            path, message, at_value = _error_place(error)
            if not isinstance(doc, CommentedMap):
                doc = _yaml().load(text)  # only the round-trip document knows positions
            where = _position(doc, path, at_value=at_value) or (0, 0)
            raise StoreError(self.path, message, where[0] + 1, where[1] + 1)
        return doc if isinstance(doc, CommentedMap) else content

    def _split_entry_errors(
        self, errors: list[ValidationError], doc: Any, text: str, problems: dict[str, str]
    ) -> list[ValidationError]:
        """Move errors inside one entry of the entries section to ``problems``; the rest."""
        rest = []
        for error in errors:
            path, message, at_value = _error_place(error)
            if len(path) < 2 or path[0] != self._entries_section:
                rest.append(error)
                continue
            key = str(path[1])
            if key in problems:
                continue
            if not isinstance(doc, CommentedMap):
                doc = _yaml().load(text)
            where = _position(doc, path, at_value=at_value) or (0, 0)
            problems[key] = f"{self.path}:{where[0] + 1}:{where[1] + 1}: {message}"
        return rest

    # -- writing --------------------------------------------------------------------------------

    @contextlib.contextmanager
    def edit(self) -> Iterator[DocumentEdit]:
        """Lock, re-read, hand out the content; write the changes atomically at the end.

        The changes are spliced into the text (``yaml_splice``: every other byte stays); a
        layout the splicer does not understand is edited as a round-trip document instead.
        Raises :class:`StoreError` (before yielding) for a bad file: nothing is ever written
        over a file we could not read. An exception inside the block writes nothing.
        """
        try:
            self.lock.acquire()
        except OSError as exc:
            reason = f"cannot lock: {exc.strerror or exc}"
            raise StoreError(self.path, reason, hint=_NOT_WRITTEN) from None
        try:
            remove_orphan_temps(self.path)
            data, external = self._read()
            if data is None:
                text = self._new_document
                data = self._parse(text.encode("utf-8"), _fast_yaml())
            else:
                assert self._bytes is not None
                text = self._bytes.decode("utf-8")
            edit = DocumentEdit(data, external and self.revision > 1)
            try:
                yield edit
                if edit.changed:
                    try:
                        self._write(text, data, edit)
                    except OSError as exc:
                        reason = f"cannot write: {exc.strerror or exc}"
                        raise StoreError(self.path, reason, hint=_NOT_WRITTEN) from None
            except BaseException:
                self._forget()  # never trust a cache that saw a half-made change
                raise
        finally:
            self.lock.release()

    def _write(self, text: str, before: dict[str, Any], edit: DocumentEdit) -> None:
        spliced = _splice(text, before, edit.ops)
        if spliced is not None:
            payload, doc = spliced.encode("utf-8"), None
        else:
            source = text.encode("utf-8")
            doc = self._doc if self._doc_bytes == source else None
            doc = doc if doc is not None else self._parse(source, _yaml())
            _apply_round_trip(doc, edit.ops)
            buffer = io.BytesIO()
            _yaml().dump(doc, buffer)
            payload = buffer.getvalue()
        stamp = atomic_write(self.path, payload)
        self._bytes, self._stamp, self._error = payload, stamp, None
        self._data = edit.data
        self._doc, self._doc_bytes = doc, (payload if doc is not None else None)
        self.revision += 1

    def _forget(self) -> None:
        self._loaded = False
        self._stamp = self._bytes = self._doc = self._doc_bytes = self._data = None
        self._error = None
