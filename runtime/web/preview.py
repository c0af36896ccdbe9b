"""Preview mode (``wfspec serve specs/ --preview``): a spec folder in the page, no Kafka.

Authors browse every workflow and template of the folder and fill the forms; "start" and "add"
return the server's verdict (the params model's, the template's) without sending or storing
anything. A watcher thread notices when a file changes (``mtime``/size of the folder's files,
checked every ``interval_s``), recompiles, and sends a ``specs`` event: the page reloads its
lists, or shows ``wfspec check``'s diagnostics (file:line:col) instead of stale forms.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .backend import Publish, params_form_json, parse_id, sources_of, template_json
from .errors import ApiError
from .forms import check_config, config_refusal, merged_params, validate_params
from .shapes import timeseries_json, workflow_json

__all__ = ["PreviewBackend"]


def diagnostic_json(d: Any) -> dict[str, Any]:
    return {
        "file": d.file,
        "line": d.line,
        "col": d.col,
        "severity": str(d.severity),
        "code": d.code,
        "message": d.message,
        "hint": d.hint,
    }


class PreviewBackend:
    """The routes on a spec folder (see the module docstring)."""

    mode = "preview"

    def __init__(self, specs: str | Path, *, interval_s: float = 0.5) -> None:
        self.specs = Path(specs)
        self._interval = interval_s
        self._lock = threading.Lock()
        self.bundle: Any = None
        self.diagnostics: list[dict[str, Any]] = []
        self.loads = 0
        self._seen = self._fingerprint()
        self.reload()

    # -- loading
    def _fingerprint(self) -> tuple[tuple[str, int, int], ...]:
        files = []
        for path in sorted(self.specs.rglob("*")):
            if path.is_file() and path.suffix in {".yaml", ".yml", ".json"}:
                stat = path.stat()
                files.append((str(path), stat.st_mtime_ns, stat.st_size))
        return tuple(files)

    def reload(self) -> None:
        """Check + compile the folder; keep the bundle, or the diagnostics when it is broken."""
        from wfspec.compiler import Bundle, compile_paths

        result = compile_paths([self.specs])
        diagnostics = [diagnostic_json(d) for d in result.check.diagnostics]
        bundle = Bundle(result.document, where=str(self.specs)) if result.ok else None
        with self._lock:
            self.bundle = bundle
            self.diagnostics = diagnostics
            self.loads += 1

    def _bundle(self) -> Any:
        bundle = self.bundle
        if bundle is None:
            raise ApiError(409, f"{self.specs}/ does not compile: see the diagnostics")
        return bundle

    # -- readers
    def info(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "instrument": None,
            "specs": str(self.specs),
            "ok": self.bundle is not None,
            "diagnostics": self.diagnostics,
            "loads": self.loads,
        }

    def workflows(self) -> list[dict[str, Any]]:
        bundle = self.bundle
        if bundle is None:
            return []
        return [
            workflow_json(wid, spec, None, template=None, to_wall=float)
            for wid, spec in sorted(bundle.workflows.items(), key=lambda kv: str(kv[0]))
        ]

    def templates(self) -> list[dict[str, Any]]:
        bundle = self.bundle
        if bundle is None:
            return []
        return [template_json(bundle, bundle.template(name)) for name in sorted(bundle.templates)]

    def timeseries(self) -> list[dict[str, Any]]:
        bundle = self.bundle
        return [] if bundle is None else [timeseries_json(ref) for ref in bundle.timeseries()]

    def _spec(self, workflow_id: str) -> Any:
        wid = parse_id(workflow_id)
        bundle = self._bundle()
        if wid not in bundle.workflows:
            raise ApiError(404, f"no workflow {workflow_id!r} in {self.specs}/")
        return bundle.workflows[wid]

    def params_form(self, workflow_id: str) -> dict[str, Any]:
        return params_form_json(self._spec(workflow_id))

    def data(self, workflow_id: str) -> dict[str, Any]:
        self._spec(workflow_id)
        return {"id": workflow_id, "series": []}

    # -- verdicts instead of changes
    def add_instance(self, template: Any, config: Any) -> tuple[int, dict[str, Any]]:
        from wfspec.compiler import ConfigError, TemplateError

        found, normalized = check_config(self._bundle(), template, config)
        try:
            spec = found.instantiate(normalized)
        except (ConfigError, TemplateError) as exc:
            raise config_refusal(exc) from None
        return 200, {"id": str(spec.id), "title": spec.title, "preview": True, "verdict": "ok"}

    def delete_instance(self, workflow_id: str) -> dict[str, Any]:
        raise ApiError(409, "preview mode registers nothing, so there is nothing to delete")

    def start(self, workflow_id: str, sources: Any, params: Any) -> dict[str, Any]:
        spec = self._spec(workflow_id)
        sources_of(spec, sources)
        values = validate_params(spec, merged_params(spec, params))
        return {"id": workflow_id, "preview": True, "verdict": "ok", "params": values}

    def stop(self, workflow_id: str) -> dict[str, Any]:
        self._spec(workflow_id)
        raise ApiError(409, "preview mode runs nothing, so there is nothing to stop")

    # -- changes of the folder
    def subscribe(self, publish: Publish) -> Callable[[], None]:
        stop = threading.Event()

        def watch() -> None:
            while not stop.wait(self._interval):
                seen = self._fingerprint()
                if seen != self._seen:
                    self._seen = seen
                    self.reload()
                    publish("specs", self.info())
                    publish("snapshot", {"workflows": self.workflows()})

        thread = threading.Thread(target=watch, name="spec watcher", daemon=True)
        thread.start()

        def unsubscribe() -> None:
            stop.set()
            thread.join(2)

        return unsubscribe
