"""``jobs.yaml``: the committed JobSet of each workflow, so a restarted runtime re-attaches jobs.

The orchestrator (``orchestrator.py``) writes one record per workflow on every commit and stop
(``_LiveJobSet.to_record``) and reads them all back when it starts::

    format_version: 1
    records:
      dummy/monitor_histogram/1:
        job_number: 6f1c...-...
        state: committed          # or stopped
        committed_at: '2026-11-22T03:00:00Z'
        jobs:
          monitor1:
            params: {bins: 100, mode: toa}
            aux_source_names: {}

It lives next to ``instances.yaml`` but never in it: what users created and what the runtime
did are separate files with separate lifetimes. The durability rules are the same (atomic
writes, an exclusive lock, re-read under the lock, a bad file is reported and never
overwritten; ``schemas/jobs.schema.json``), and nothing is ever evicted automatically: a record
goes away only when the orchestrator removes it (its workflow was unregistered).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from wfspec.compiler import WorkflowId

from .durable import FileStamp
from .instance_store import default_state_dir
from .yaml_store import StoreError, YamlDocumentFile, plain, to_yaml

__all__ = ["JobRecordsStore", "StoreError", "default_jobs_path"]

log = logging.getLogger(__name__)

SCHEMA_FILE = "jobs.schema.json"
FORMAT_VERSION = 1
_HEADER = (
    "# Job records of the wfspec runtime: the committed JobSet of each workflow.\n"
    "# Written by the orchestrator; read at start-up to re-attach running jobs.\n"
)


def default_jobs_path(instrument: str) -> Path:
    """``$XDG_STATE_HOME/wfspec/<instrument>/jobs.yaml``, next to ``instances.yaml``."""
    return default_state_dir() / instrument / "jobs.yaml"


class JobRecordsStore:
    """The orchestrator's ``RecordsStore``: ``load``, ``put``, ``remove`` on one ``jobs.yaml``.

    Records are plain dicts (JSON-able); ``load`` returns copies. ``put`` of a record equal to
    the stored one writes nothing.
    """

    def __init__(self, path: str | Path) -> None:
        self._file = YamlDocumentFile(
            path,
            schema_file=SCHEMA_FILE,
            new_document=f"{_HEADER}format_version: {FORMAT_VERSION}\nrecords:\n",
            entries_section="records",
        )
        self.problems: tuple[str, ...] = ()
        """The records skipped by the last :meth:`load`, one line each (file:line:col)."""

    @classmethod
    def for_instrument(cls, instrument: str) -> JobRecordsStore:
        """The store at the default path of ``instrument``."""
        return cls(default_jobs_path(instrument))

    def __repr__(self) -> str:
        return f"JobRecordsStore({str(self.path)!r})"

    @property
    def path(self) -> Path:
        return self._file.path

    def stamp(self) -> object:
        """What the file looks like from outside (one ``stat``): changes when anyone writes it."""
        return FileStamp.of(self.path)

    def load(self) -> dict[WorkflowId, dict[str, Any]]:
        """Every good record by workflow id (copies); :class:`StoreError` for a bad file.

        A bad record (an id that is not ``instrument/name/version`` of slugs, a record that does
        not have the documented shape) is reported in :attr:`problems` and skipped alone: the
        other records still re-attach their jobs.
        """
        doc = self._file.load()
        entries = (doc or {}).get("records") or {}
        problems = dict(self._file.entry_problems)
        records: dict[WorkflowId, dict[str, Any]] = {}
        for key, record in entries.items():
            if str(key) in problems:
                continue
            try:
                records[WorkflowId.parse(str(key))] = plain(record)
            except ValueError as exc:
                problems[str(key)] = f"{self.path}: record {key!r}: {exc}"
        if tuple(problems.values()) != self.problems:
            for line in problems.values():
                log.warning("job record skipped: %s", line)
        self.problems = tuple(problems.values())
        return records

    def put(self, workflow_id: WorkflowId, record: Mapping[str, Any]) -> None:
        """Store ``record`` as the record of ``workflow_id`` (durable when this returns)."""
        key = str(workflow_id)
        new = plain(record)
        with self._file.edit() as edit:
            if edit.entries("records").get(key) == new:
                return
            node = to_yaml(new)
            node.fa.set_block_style()
            edit.set("records", key, node)

    def remove(self, workflow_id: WorkflowId) -> None:
        """Forget the record of ``workflow_id`` (no-op, nothing written, if there is none)."""
        with self._file.edit() as edit:
            edit.delete("records", str(workflow_id))
