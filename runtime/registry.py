"""``WorkflowRegistry``: the bundle's static workflows plus the template instances of a store.

The dashboard's one view of "which workflows exist" (issue 4). Static workflows come from the
bundle and never change; template instances are created at run time from a template and a
config, and persisted in an :class:`~wfspec.runtime.instance_store.InstanceStore` so they survive
restarts. Rules:

- identity depends on the config only: an instance's id is ``template.instance_id(config)``,
  computed the same way when registering and when restoring; no live data is ever needed;
- registering is idempotent (same template, equal normalized config -> the existing id, nothing
  written), and never silently drops a new config: a clash with a static workflow or with an
  instance of a different config raises :class:`InstanceConflict`;
- restoring never loses data: an entry that no longer instantiates (template gone, config
  invalid, id changed) is listed by :meth:`WorkflowRegistry.stale` with the reason, skipped in
  the view and kept in the file; a file that cannot be read is reported in
  :attr:`WorkflowRegistry.problems` and the registry carries on with the static workflows;
- readers get frozen specs (shared, read-only by contract: see :meth:`WorkflowRegistry.get`)
  and fresh collections, never live dicts, and never block: the view is replaced as a whole
  on every change (copy-on-write) under a writer lock.

Change notifications: :meth:`WorkflowRegistry.subscribe` registers ``callback(RegistryEvent)``.
``unregistering`` is sent *before* an instance disappears so that the orchestrator can stop its
jobs first; if a listener raises then, the unregistering is abandoned and the error propagates.
Changes made by other processes or by hand are picked up by :meth:`WorkflowRegistry.refresh`
(one ``stat`` when nothing changed): call it periodically. Reads never refresh on their own, so
a reader (the orchestrator's routing thread, holding its own lock) never runs listeners.
"""

from __future__ import annotations

import copy
import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from wfspec.compiler import (
    ConfigError,
    TemplateError,
    WfspecError,
    WorkflowId,
    WorkflowSpec,
    did_you_mean,
)

from .instance_store import InstanceStore, StoredInstance
from .yaml_store import StoreError

__all__ = [
    "EventKind",
    "InstanceConflict",
    "NotAnInstance",
    "OtherInstrument",
    "RegistryEvent",
    "StaleInstance",
    "WorkflowRegistry",
]

log = logging.getLogger(__name__)

EventKind = Literal["registered", "unregistering", "unregistered", "reloaded"]


@dataclass(frozen=True, slots=True)
class RegistryEvent:
    """A change of the registry, as told to ``subscribe`` callbacks.

    - ``registered``: ``workflow_id`` is now in the registry;
    - ``unregistering``: ``workflow_id`` is about to be removed (still there: stop its jobs);
    - ``unregistered``: ``workflow_id`` is gone;
    - ``reloaded``: the store was re-read after a change made elsewhere (``workflow_id`` None);
      the individual additions and removals were announced just before.
    """

    kind: EventKind
    workflow_id: WorkflowId | None = None


Listener = Callable[[RegistryEvent], None]


class InstanceConflict(WfspecError, ValueError):
    """The id a config gives is taken: a static workflow, or an instance of another config."""

    def __init__(self, workflow_id: WorkflowId, reason: str) -> None:
        self.workflow_id = workflow_id
        self.reason = reason
        super().__init__(f"cannot register {workflow_id}: {reason}")


class NotAnInstance(WfspecError, KeyError):
    """``unregister``/``template_instance`` of a static workflow or of an unknown id."""

    def __init__(self, workflow_id: WorkflowId | str, message: str, *, static: bool) -> None:
        self.workflow_id = workflow_id
        self.static = static
        super().__init__(message)

    def __str__(self) -> str:  # KeyError would add quotes
        return str(self.args[0])


class OtherInstrument(WfspecError, ValueError):
    """A template config gives a workflow of another instrument than the registry's."""

    def __init__(self, workflow_id: WorkflowId, instrument: str) -> None:
        self.workflow_id = workflow_id
        self.instrument = instrument
        super().__init__(
            f"cannot register {workflow_id}: it belongs to instrument {workflow_id.instrument!r}, "
            f"this registry (runtime) is for {instrument!r}; choose axes of {instrument!r}"
        )


class _InstrumentView(Mapping[WorkflowId, WorkflowSpec]):
    """The bundle's static workflows of one instrument (specs still built on first lookup)."""

    def __init__(self, workflows: Mapping[WorkflowId, WorkflowSpec], instrument: str) -> None:
        self._workflows = workflows
        self._ids = [wid for wid in workflows if wid.instrument == instrument]
        self._set = frozenset(self._ids)

    def __getitem__(self, key: WorkflowId) -> WorkflowSpec:
        if key not in self._set:
            raise KeyError(key)
        return self._workflows[key]

    def __contains__(self, key: object) -> bool:
        return key in self._set

    def __iter__(self) -> Iterator[WorkflowId]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)


StaleKind = Literal[
    "bad_id", "template_missing", "config_invalid", "render_failed", "id_changed", "static_id"
]


@dataclass(frozen=True, slots=True)
class StaleInstance:
    """A stored entry the registry cannot use; it stays in the file until someone removes it."""

    workflow_id: str
    """The id as written in the file."""
    template: str
    kind: StaleKind
    reason: str
    config: dict[str, Any] = field(hash=False, compare=False)


@dataclass(frozen=True, slots=True)
class _Instance:
    spec: WorkflowSpec
    template: str
    config: dict[str, Any]
    """The normalized config (``template.validate_config``); never handed out uncopied."""


class WorkflowRegistry(Mapping[WorkflowId, WorkflowSpec]):
    """Static workflows of ``bundle`` + template instances of ``store`` (see module doc).

    ``store=None`` keeps instances in memory only (tests, replays). Keys may be given as
    :class:`WorkflowId` or as ``"instrument/name/version"`` strings. With ``instrument`` the
    registry holds that instrument's workflows only (a runtime's view): other instruments'
    static workflows are not listed, and registering another instrument's instance raises
    :class:`OtherInstrument`.
    """

    def __init__(
        self, bundle: Any, store: InstanceStore | None = None, *, instrument: str | None = None
    ) -> None:
        self._bundle = bundle
        self._store = store
        self.instrument = instrument
        self._static: Mapping[WorkflowId, WorkflowSpec] = (
            bundle.workflows
            if instrument is None
            else _InstrumentView(bundle.workflows, instrument)
        )
        self._instances: dict[WorkflowId, _Instance] = {}
        self._stale: tuple[StaleInstance, ...] = ()
        self._problems: tuple[str, ...] = ()
        self._listeners: tuple[Listener, ...] = ()
        self._lock = threading.RLock()
        self._version = 0
        self._seen_revision = -1
        if store is not None:
            self.refresh()

    # -- the read-only view --------------------------------------------------------------------

    def get(self, workflow_id: WorkflowId | str, default: Any = None) -> WorkflowSpec | None:  # type: ignore[override]
        """The spec of ``workflow_id`` (static or instance), or ``default``. Never blocks.

        The returned spec is the registry's own object, shared with every other reader (no copy:
        this runs for every heartbeat routed). It is frozen, and its lists and dicts are
        read-only by contract: never mutate them. Mutating one cannot corrupt later
        instantiations (``Template.instantiate`` hands out unshared copies), but it would change
        what every reader of this registry sees.
        """
        wid = _as_id(workflow_id)
        if wid is None:
            return default
        instance = self._instances.get(wid)
        if instance is not None:
            return instance.spec
        if wid in self._static:
            return self._static[wid]
        return default

    def __getitem__(self, workflow_id: WorkflowId | str) -> WorkflowSpec:
        spec = self.get(workflow_id)
        if spec is None:
            raise KeyError(workflow_id)
        return spec

    def __contains__(self, workflow_id: object) -> bool:
        wid = _as_id(workflow_id)
        return wid is not None and (wid in self._instances or wid in self._static)

    def __iter__(self) -> Iterator[WorkflowId]:
        """Static workflows in bundle order, then instances in store order (a snapshot)."""
        return iter([*self._static, *self._instances])

    def __len__(self) -> int:
        return len(self._static) + len(self._instances)

    def snapshot(self) -> dict[WorkflowId, WorkflowSpec]:
        """Every workflow at this moment, as a new dict."""
        instances = self._instances
        return {
            **{wid: self._static[wid] for wid in self._static},
            **{wid: inst.spec for wid, inst in instances.items()},
        }

    def instance_ids(self) -> list[WorkflowId]:
        """The ids of the usable template instances, in store order."""
        return list(self._instances)

    def is_template_instance(self, workflow_id: WorkflowId | str) -> bool:
        wid = _as_id(workflow_id)
        return wid is not None and wid in self._instances

    def template_instance(self, workflow_id: WorkflowId | str) -> tuple[str, dict[str, Any]]:
        """``(template_name, normalized config)`` of an instance (a copy); NotAnInstance else."""
        wid = _as_id(workflow_id)
        instance = self._instances.get(wid) if wid is not None else None
        if instance is None:
            raise self._not_an_instance(workflow_id)
        return instance.template, copy.deepcopy(instance.config)

    def stale(self) -> list[StaleInstance]:
        """Stored entries that are kept in the file but not usable, with the reason."""
        return list(self._stale)

    @property
    def problems(self) -> tuple[str, ...]:
        """Store-level problems (a file that does not parse or validate), one line each."""
        return self._problems

    @property
    def version(self) -> int:
        """Increases on every change of the view, the stale list or the problems."""
        return self._version

    @property
    def bundle(self) -> Any:
        return self._bundle

    @property
    def store(self) -> InstanceStore | None:
        return self._store

    # -- listeners ------------------------------------------------------------------------------

    def subscribe(self, callback: Listener) -> Callable[[], None]:
        """Call ``callback(RegistryEvent)`` on every change; returns the unsubscribe function."""
        with self._lock:
            self._listeners = (*self._listeners, callback)

        def unsubscribe() -> None:
            with self._lock:
                self._listeners = tuple(cb for cb in self._listeners if cb is not callback)

        return unsubscribe

    def _notify(
        self, kind: EventKind, workflow_id: WorkflowId | None = None, *, strict: bool = False
    ) -> None:
        """Tell every listener; ``strict``: a listener's exception propagates (abandons)."""
        event = RegistryEvent(kind, workflow_id)
        for callback in self._listeners:
            if strict:
                callback(event)
                continue
            try:
                callback(event)
            except Exception:
                log.exception("registry listener %r failed on %s", callback, event)

    # -- changes --------------------------------------------------------------------------------

    def register_from_template(self, template_name: str, config: Mapping[str, Any]) -> WorkflowId:
        """Register (and persist) the instance of ``template_name`` with ``config``; its id.

        Raises UnknownTemplate (with a "did you mean"), ConfigError (naming each bad field),
        TemplateError, InstanceConflict, or StoreError (the file is bad; nothing written).
        """
        template = self._bundle.template(template_name)
        normalized = template.validate_config(config)
        spec = template.instantiate(normalized)
        wid = spec.id
        if self.instrument is not None and wid.instrument != self.instrument:
            raise OtherInstrument(wid, self.instrument)
        if wid in self._static:
            raise InstanceConflict(
                wid, "a static workflow of the bundle has this id; change the config"
            )
        instance = _Instance(spec, template.name, normalized)
        with self._lock:
            if self._store is None:
                existing = self._instances.get(wid)
                if existing is not None:
                    self._check_same(wid, existing.template, existing.config, instance)
                    return wid
                self._replace_view({**self._instances, wid: instance})
                self._notify("registered", wid)
                return wid
            with self._store.edit() as edit:
                stored = edit.get(str(wid))
                if stored is not None:
                    self._check_same(wid, stored.template, stored.config, instance)
                else:
                    edit.put(str(wid), template.name, normalized)
            if edit.external_change or stored is not None:
                self.refresh()  # someone else changed the file: take all of it in
            else:
                self._seen_revision = self._store.revision
                self._replace_view({**self._instances, wid: instance})
                self._notify("registered", wid)
        return wid

    def unregister(self, workflow_id: WorkflowId | str) -> None:
        """Remove a template instance (stale entries too) after telling the listeners.

        Raises NotAnInstance for a static workflow or an unknown id, StoreError for a bad file.
        """
        wid = _as_id(workflow_id)
        if wid is None or wid in self._static:
            raise self._not_an_instance(workflow_id)
        key = str(wid)
        with self._lock:
            self.refresh()
            if self._store is not None and self._problems:
                self._store.load()  # raises the file's StoreError: stop no jobs for nothing
            instance = self._instances.get(wid)
            is_stale = any(s.workflow_id == key for s in self._stale)
            if instance is None and not is_stale:
                raise self._not_an_instance(workflow_id)
            if instance is not None:
                self._notify("unregistering", wid, strict=True)
            external = False
            if self._store is not None:
                with self._store.edit() as edit:
                    edit.delete(key)
                external = edit.external_change
            if instance is not None:
                instances = dict(self._instances)
                instances.pop(wid, None)
                self._replace_view(instances)
                self._notify("unregistered", wid)
            if is_stale:
                self._stale = tuple(s for s in self._stale if s.workflow_id != key)
                self._version += 1
            if self._store is not None:
                if external:
                    self.refresh()
                else:
                    self._seen_revision = self._store.revision

    def refresh(self) -> bool:
        """Re-read the store if it changed on disk; True if the view changed.

        Removed instances are announced (``unregistering`` then ``unregistered``), new ones
        (``registered``), then one ``reloaded``. A file that became unreadable keeps the last
        good view and is reported in :attr:`problems`.
        """
        store = self._store
        if store is None:
            return False
        with self._lock:
            if not store.changed_on_disk() and store.revision == self._seen_revision:
                return False
            try:
                stored = store.load()
            except StoreError as exc:
                self._seen_revision = store.revision
                if self._problems != (str(exc),):
                    self._problems = (str(exc),)
                    self._version += 1
                    log.info("%s", exc)  # surfaced by .problems; callers report it
                return False
            if store.revision == self._seen_revision and not self._problems:
                return False
            self._seen_revision = store.revision
            instances, stale = self._resolve(stored)
            old = self._instances
            removed = [wid for wid in old if instances.get(wid) != old[wid]]
            added = [wid for wid in instances if old.get(wid) != instances[wid]]
            changed = bool(removed or added) or stale != self._stale or bool(self._problems)
            for wid in removed:  # the file already changed: a failing listener cannot veto
                self._notify("unregistering", wid)
            self._problems = ()
            self._stale = stale
            if changed:
                self._replace_view(instances)
            for wid in removed:
                self._notify("unregistered", wid)
            for wid in added:
                self._notify("registered", wid)
            if changed:
                self._notify("reloaded")
            return changed

    # -- helpers --------------------------------------------------------------------------------

    def _resolve(
        self, stored: Mapping[str, StoredInstance]
    ) -> tuple[dict[WorkflowId, _Instance], tuple[StaleInstance, ...]]:
        """Stored entries -> usable instances + stale entries (the same rules as registering)."""
        instances: dict[WorkflowId, _Instance] = {}
        stale: list[StaleInstance] = []
        for key, entry in stored.items():
            result = self._instantiate(key, entry)
            if isinstance(result, StaleInstance):
                stale.append(result)
            else:
                instances[result.spec.id] = result
        return instances, tuple(stale)

    def _instantiate(self, key: str, entry: StoredInstance) -> _Instance | StaleInstance:
        def stale(kind: StaleKind, reason: str) -> StaleInstance:
            return StaleInstance(key, entry.template, kind, reason, copy.deepcopy(entry.config))

        try:
            wid = WorkflowId.parse(key)
        except ValueError as exc:
            return stale("bad_id", str(exc))
        template = self._bundle.templates.get(entry.template)
        if template is None:
            guess = did_you_mean(entry.template, list(self._bundle.templates))
            hint = f" (did you mean {guess!r}?)" if guess else ""
            return stale("template_missing", f"template {entry.template!r} is gone{hint}")
        try:
            normalized = template.validate_config(entry.config)
        except ConfigError as exc:
            detail = "; ".join(str(e) for e in exc.errors)
            return stale("config_invalid", f"config no longer valid: {detail}")
        current = self._instances.get(wid)
        unchanged = current is not None and current.config == normalized
        if unchanged and current.template == template.name:
            return current  # unchanged: no need to render again
        try:
            spec = template.instantiate(normalized)
        except (ConfigError, TemplateError) as exc:
            return stale("render_failed", f"template does not render: {exc}")
        if spec.id != wid:
            return stale(
                "id_changed",
                f"the template now gives id {spec.id} (it changed identity); "
                "remove this entry and add the instance again",
            )
        if wid in self._static:
            return stale("static_id", "a static workflow of the bundle now has this id")
        return _Instance(spec, template.name, normalized)

    def _check_same(
        self, wid: WorkflowId, template: str, config: Mapping[str, Any], new: _Instance
    ) -> None:
        """Raise InstanceConflict unless ``(template, config)`` is the instance ``new``."""
        same = False
        if template == new.template:
            try:
                same = self._bundle.template(template).validate_config(config) == new.config
            except ConfigError:
                same = False
        if not same:
            raise InstanceConflict(
                wid,
                f"an instance of template {template!r} with a different config has this id; "
                f"remove it first ('wfspec instances remove {wid}') to replace it",
            )

    def _replace_view(self, instances: dict[WorkflowId, _Instance]) -> None:
        self._instances = instances
        self._version += 1

    def _not_an_instance(self, workflow_id: WorkflowId | str) -> NotAnInstance:
        wid = _as_id(workflow_id)
        if wid is not None and wid in self._static:
            return NotAnInstance(
                workflow_id,
                f"{wid} is a static workflow of the bundle, not a template instance",
                static=True,
            )
        known = [str(w) for w in self._instances] + [s.workflow_id for s in self._stale]
        guess = did_you_mean(str(workflow_id), known)
        hint = f" (did you mean {guess!r}?)" if guess else ""
        return NotAnInstance(workflow_id, f"no template instance {workflow_id}{hint}", static=False)


def _as_id(value: object) -> WorkflowId | None:
    if isinstance(value, WorkflowId):
        return value
    if isinstance(value, str):
        try:
            return WorkflowId.parse(value)
        except ValueError:
            return None
    return None
