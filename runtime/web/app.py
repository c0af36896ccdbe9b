"""The Starlette app: JSON API routes (docs/adr/0015-web-api.md), SSE, and the built page.

Routes are thin: they check the token and the body, run the backend's blocking call in a
worker thread, and answer JSON. Every error is ``{"error", "fields"}`` with the documented
status code. Workflow ids contain slashes, so they are ``path`` parameters
(``/api/workflows/dummy/monitor_histogram/1/start``).
"""

from __future__ import annotations

import contextlib
import hmac
import json
from collections.abc import AsyncIterator
from importlib import resources
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .backend import Backend
from .errors import ApiError
from .events import Broadcaster, sse

__all__ = ["MAX_BODY_BYTES", "create_app", "static_dir"]

MAX_BODY_BYTES = 256 * 1024
"""Request bodies above this are refused (413) before they are parsed."""

NOT_BUILT = """<!doctype html><meta charset="utf-8"><title>wfspec</title>
<p>The page is not built. Run <code>make setup</code> (or <code>npm ci && npm run build</code>
in <code>web/</code>); the JSON API under <code>/api/</code> works meanwhile.</p>"""


def static_dir() -> Path:
    """Where vite puts the built page (package data of ``wfspec.runtime.web``)."""
    return Path(str(resources.files("wfspec.runtime.web"))) / "static"


def create_app(
    backend: Backend,
    *,
    token: str | None = None,
    max_body_bytes: int = MAX_BODY_BYTES,
    static: Path | None = None,
) -> Starlette:
    """The app over ``backend``; with ``token`` every mutating request needs
    ``Authorization: Bearer <token>``."""
    broadcaster = Broadcaster()
    folder = static if static is not None else static_dir()

    def authorize(request: Request) -> None:
        if token is None:
            return
        given = request.headers.get("authorization", "")
        scheme, _, value = given.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(value.strip(), token):
            raise ApiError(401, "this server needs Authorization: Bearer <token> to change things")

    async def body(request: Request) -> dict[str, Any]:
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > max_body_bytes:
            raise ApiError(413, f"request body larger than {max_body_bytes} bytes")
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > max_body_bytes:
                raise ApiError(413, f"request body larger than {max_body_bytes} bytes")
            chunks.append(chunk)
        raw = b"".join(chunks)
        if not raw.strip():
            return {}
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ApiError(422, f"the body is not JSON: {exc}") from None
        if not isinstance(data, dict):
            raise ApiError(422, "the body must be a JSON object")
        return data

    async def call(fn: Any, *args: Any) -> Any:
        return await run_in_threadpool(fn, *args)

    # -- readers
    async def info(request: Request) -> Response:
        data = await call(backend.info)
        return JSONResponse({**data, "token_required": token is not None})

    async def workflows(request: Request) -> Response:
        return JSONResponse(await call(backend.workflows))

    async def workflow(request: Request) -> Response:
        wid = request.path_params["wid"]
        for item in await call(backend.workflows):
            if item["id"] == wid:
                return JSONResponse(item)
        raise ApiError(404, f"no workflow {wid!r}")

    async def form(request: Request) -> Response:
        return JSONResponse(await call(backend.params_form, request.path_params["wid"]))

    async def data(request: Request) -> Response:
        return JSONResponse(await call(backend.data, request.path_params["wid"]))

    async def templates(request: Request) -> Response:
        return JSONResponse(await call(backend.templates))

    async def timeseries(request: Request) -> Response:
        return JSONResponse(await call(backend.timeseries))

    # -- changes
    async def add_instance(request: Request) -> Response:
        authorize(request)
        payload = await body(request)
        status, result = await call(
            backend.add_instance, payload.get("template"), payload.get("config", {})
        )
        return JSONResponse(result, status_code=status)

    async def delete_instance(request: Request) -> Response:
        authorize(request)
        return JSONResponse(await call(backend.delete_instance, request.path_params["wid"]))

    async def start(request: Request) -> Response:
        authorize(request)
        payload = await body(request)
        wid = request.path_params["wid"]
        result = await call(backend.start, wid, payload.get("sources"), payload.get("params"))
        return JSONResponse(result)

    async def stop(request: Request) -> Response:
        authorize(request)
        await body(request)
        return JSONResponse(await call(backend.stop, request.path_params["wid"]))

    # -- events
    async def events(request: Request) -> Response:
        async def snapshot() -> str:
            return sse("snapshot", {"workflows": await call(backend.workflows)})

        return StreamingResponse(
            broadcaster.stream(snapshot),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    # -- the page
    async def index(request: Request) -> Response:
        page = folder / "index.html"
        if not page.is_file():
            return HTMLResponse(NOT_BUILT, status_code=503)
        return HTMLResponse(page.read_text(encoding="utf-8"), headers={"Cache-Control": "no-cache"})

    async def api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return JSONResponse(exc.body(), status_code=exc.status, headers=headers)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return JSONResponse({"error": exc.detail, "fields": []}, status_code=exc.status_code)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        import asyncio

        broadcaster.bind(asyncio.get_running_loop())
        unsubscribe = backend.subscribe(broadcaster.publish)
        try:
            yield
        finally:
            unsubscribe()
            broadcaster.close()

    wid = "{wid:path}"
    routes = [
        Route("/", index),
        Route("/api/info", info),
        Route("/api/events", events),
        Route("/api/workflows", workflows),
        Route(f"/api/workflows/{wid}/form", form),
        Route(f"/api/workflows/{wid}/data", data),
        Route(f"/api/workflows/{wid}/start", start, methods=["POST"]),
        Route(f"/api/workflows/{wid}/stop", stop, methods=["POST"]),
        Route(f"/api/workflows/{wid}", workflow),
        Route("/api/templates", templates),
        Route("/api/timeseries", timeseries),
        Route("/api/instances", add_instance, methods=["POST"]),
        Route(f"/api/instances/{wid}", delete_instance, methods=["DELETE"]),
        Mount("/assets", StaticFiles(directory=folder / "assets", check_dir=False), name="assets"),
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={ApiError: api_error, HTTPException: http_error},
    )
    app.state.broadcaster = broadcaster
    app.state.backend = backend
    return app
