"""``instances.yaml``: the template instances users created, one file per instrument.

The file is for people as much as for programs (format: ``schemas/instances.schema.json``)::

    # Template instances of the dummy instrument. Safe to edit by hand; comments are kept.
    format_version: 1
    instances:
      dummy/motion1_correlation_histogram_1d/1:
        template: correlation_histogram_1d
        config:
          x_axis: {workflow_id: dummy/timeseries_data/1, source_name: motion1, output_name: delta}
          x_unit: mm
        created: '2026-11-22T03:00:00Z'

The store only keeps entries; it knows nothing of templates. Whether an entry still instantiates
(template gone, config no longer valid, id changed) is the registry's business, and an entry the
registry cannot use is still kept here untouched. Durability, locking and change detection are
:class:`~wfspec.runtime.yaml_store.YamlDocumentFile`'s.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap

from .yaml_store import DocumentEdit, StoreError, YamlDocumentFile, plain, to_yaml

__all__ = [
    "InstanceStore",
    "InstancesEdit",
    "StoreError",
    "StoredInstance",
    "default_instances_path",
    "default_state_dir",
]

SCHEMA_FILE = "instances.schema.json"
FORMAT_VERSION = 1


def default_state_dir() -> Path:
    """``$XDG_STATE_HOME/wfspec`` (``~/.local/state/wfspec`` when unset or not absolute)."""
    base = os.environ.get("XDG_STATE_HOME", "")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".local" / "state"
    return root / "wfspec"


def default_instances_path(instrument: str) -> Path:
    """Where the instances of ``instrument`` live unless told otherwise."""
    return default_state_dir() / instrument / "instances.yaml"


def utc_now_iso() -> str:
    """Now as ``2026-11-22T03:00:00Z`` (the ``created`` field)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class StoredInstance:
    """One entry of the file, as plain data. ``key`` is the id exactly as written there."""

    key: str
    template: str
    config: dict[str, Any] = field(hash=False)
    created: str | None = None


def _instances(doc: Mapping[str, Any] | None) -> dict[str, StoredInstance]:
    """The entries of a document (plain data or round-trip) as plain StoredInstances."""
    if doc is None:
        return {}
    entries = doc.get("instances") or {}
    result = {}
    for key, entry in entries.items():
        created = entry.get("created")
        result[str(key)] = StoredInstance(
            key=str(key),
            template=str(entry["template"]),
            config=plain(entry["config"]),
            created=None if created is None else plain(created),
        )
    return result


class InstancesEdit:
    """The instances as re-read under the store's lock, and the changes to write."""

    def __init__(self, document: DocumentEdit) -> None:
        self._document = document
        self.external_change = document.external_change
        """True if the file held changes made elsewhere (another process, a hand edit)."""

    @property
    def instances(self) -> dict[str, StoredInstance]:
        """Every entry as it is now, changes of this edit included (a new dict)."""
        return _instances(self._document.data)

    def get(self, key: str) -> StoredInstance | None:
        """The entry ``key`` as it is now, or None (cheap: converts only that entry)."""
        entry = self._document.entries("instances").get(key)
        return None if entry is None else _instances({"instances": {key: entry}})[key]

    def put(
        self, key: str, template: str, config: Mapping[str, Any], created: str | None = None
    ) -> StoredInstance:
        """Add (or replace) the entry ``key``."""
        entry = CommentedMap()
        entry["template"] = template
        entry["config"] = to_yaml(dict(config))
        entry["config"].fa.set_block_style()
        entry["created"] = created or utc_now_iso()
        self._document.set("instances", key, entry)
        return StoredInstance(key, template, plain(config), entry["created"])

    def delete(self, key: str) -> bool:
        """Remove the entry ``key``; False if there is none."""
        return self._document.delete("instances", key)


class InstanceStore:
    """The template instances of one ``instances.yaml`` (see module doc).

    ``load()`` is cheap when nothing changed (one ``stat``). Writers use :meth:`edit`, which
    locks the file, re-reads it and writes it atomically; :meth:`add` and :meth:`remove` are
    the one-step forms.
    """

    def __init__(self, path: str | Path, *, instrument: str | None = None) -> None:
        who = f"the {instrument} instrument" if instrument else "wfspec"
        header = (
            f"# Template instances of {who}. Safe to edit by hand; comments are kept.\n"
            f"# Format: schemas/instances.schema.json\n"
        )
        self._file = YamlDocumentFile(
            path,
            schema_file=SCHEMA_FILE,
            new_document=f"{header}format_version: {FORMAT_VERSION}\ninstances:\n",
        )
        self._cache: tuple[int, dict[str, StoredInstance]] | None = None

    @classmethod
    def for_instrument(cls, instrument: str) -> InstanceStore:
        """The store at the default path of ``instrument``."""
        return cls(default_instances_path(instrument), instrument=instrument)

    def __repr__(self) -> str:
        return f"InstanceStore({str(self.path)!r})"

    @property
    def path(self) -> Path:
        return self._file.path

    @property
    def revision(self) -> int:
        """Increases whenever the content on disk is found different from the last seen."""
        return self._file.revision

    def changed_on_disk(self) -> bool:
        """True if the file changed since it was last read (one ``stat``)."""
        return self._file.changed_on_disk()

    def load(self) -> dict[str, StoredInstance]:
        """The entries in file order (a new dict); :class:`StoreError` for a bad file."""
        doc = self._file.load()
        revision = self._file.revision
        if self._cache is None or self._cache[0] != revision:
            self._cache = (revision, _instances(doc))
        return dict(self._cache[1])

    @contextlib.contextmanager
    def edit(self) -> Iterator[InstancesEdit]:
        """Lock + re-read; changes made through the yielded edit are written atomically."""
        with self._file.edit() as document:
            yield InstancesEdit(document)

    def add(
        self, key: str, template: str, config: Mapping[str, Any], created: str | None = None
    ) -> StoredInstance:
        """Write the entry ``key`` (replacing one of the same key)."""
        with self.edit() as edit:
            return edit.put(key, template, config, created)

    def remove(self, key: str) -> bool:
        """Delete the entry ``key``; False (and nothing written) if there is none."""
        with self.edit() as edit:
            return edit.delete(key)
