"""``wfspec serve``: the workflow page, a small ASGI app on top of the runtime's Python API.

The web layer is an adapter (docs/adr/0015-web-api.md): routes call a *backend* -- the live
:class:`~wfspec.runtime.app.Runtime` (:mod:`.live`) or a spec folder in preview mode
(:mod:`.preview`) -- and shape JSON (:mod:`.shapes`); status changes reach the page as
server-sent events fed by ``Runtime.subscribe`` (:mod:`.events`). State lives in the runtime,
never here. The page itself (``web/`` at the top of the repository, TypeScript + React +
react-jsonschema-form) is built by vite into ``static/`` and served as files.
"""

from __future__ import annotations

__all__ = ["create_app"]


def __getattr__(name: str) -> object:  # starlette is imported only when the app is built
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(name)
