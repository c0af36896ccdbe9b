"""``wfspec serve``: the workflow page in a browser (live, ``--demo`` or ``--preview``).

Three ways to feed the page, one app (``wfspec.runtime.web``):

- live: ``--bundle`` + ``--instrument`` + Kafka options -> a :class:`Runtime` on the cluster;
- ``--demo``: the demo's wiring (``cli/demo.py``: compile if needed, embedded broker, runtime,
  simulated backend, the demo scenario) with the page instead of the table;
- ``SPECS --preview``: a spec folder, no Kafka (forms and the server's verdicts, live reload).

It binds 127.0.0.1:8600 by default (``--port 0`` picks a free port) and prints the URL.
``--token`` (or ``WFSPEC_TOKEN``) makes every mutating request need ``Authorization: Bearer``.
Heavy imports (starlette, uvicorn, the runtime) happen inside the command.
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path
from typing import Any

import click

from .options import (
    bundle_option,
    configure_logging,
    kafka_options,
    kafka_settings,
    require_instruments,
)

__all__ = ["serve_command"]

TOKEN_ENV = "WFSPEC_TOKEN"


@click.command("serve")
@click.argument("specs", required=False, type=click.Path(exists=True, file_okay=False))
@click.option("--preview", is_flag=True, help="Preview SPECS: forms and verdicts, no Kafka.")
@click.option(
    "--demo", is_flag=True, help="Embedded broker + simulated backend (like wfspec demo)."
)
@bundle_option()
@click.option("--instrument", default=None, help="The instrument to run (live mode).")
@kafka_options
@click.option(
    "--state-dir",
    type=click.Path(file_okay=False),
    default=None,
    help="instances.yaml and jobs.yaml live here [live: $XDG_STATE_HOME/wfspec; demo: a temp dir].",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8600,
    show_default=True,
    help="0 picks a free port.",
)
@click.option(
    "--token",
    envvar=TOKEN_ENV,
    default=None,
    help=f"Mutating requests need 'Authorization: Bearer TOKEN' (env {TOKEN_ENV}).",
)
def serve_command(
    specs: str | None,
    preview: bool,
    demo: bool,
    bundle_path: str,
    instrument: str | None,
    bootstrap_servers: str | None,
    kafka_config: str | None,
    state_dir: str | None,
    host: str,
    port: int,
    token: str | None,
) -> None:
    """Serve the workflow page: live status, start/stop, add and delete template instances.

    \b
    Examples:
      wfspec serve --demo                         # the whole system, in a browser
      wfspec serve specs/ --preview               # authors: forms + diagnostics, no Kafka
      wfspec serve --bundle build/bundle.json --instrument dummy \\
                   --bootstrap-servers localhost:9092 --token "$SECRET"
    """
    configure_logging("text", logging.WARNING)
    _need_web_extra()
    if sum([preview, demo]) > 1:
        raise click.UsageError("choose one of --preview and --demo")
    if preview and specs is None:
        raise click.UsageError("--preview needs the spec folder: wfspec serve specs/ --preview")
    with contextlib.ExitStack() as stack:
        if preview:
            from wfspec.runtime.web.preview import PreviewBackend

            backend: Any = PreviewBackend(specs or "specs")
            if not backend.info()["ok"]:
                click.echo(f"{specs}/ does not compile: the page shows the diagnostics", err=True)
        elif demo:
            backend = stack.enter_context(_demo_backend(specs or "specs", state_dir))
        else:
            backend = stack.enter_context(
                _live_backend(bundle_path, instrument, bootstrap_servers, kafka_config, state_dir)
            )
        _serve(backend, host, port, token)


def _need_web_extra() -> None:
    import importlib.util

    missing = [m for m in ("starlette", "uvicorn") if importlib.util.find_spec(m) is None]
    if missing:
        raise click.ClickException(
            f"wfspec serve needs {', '.join(missing)}: pip install 'wfspec[web]'"
        )


def _serve(backend: Any, host: str, port: int, token: str | None) -> None:
    from wfspec.runtime.web import create_app
    from wfspec.runtime.web.server import WebServer

    try:
        server = WebServer(create_app(backend, token=token), host, port)
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    auth = " (mutating requests need the token)" if token else ""
    click.echo(f"wfspec serve ({backend.mode}) on {server.url}{auth} · Ctrl-C to stop", err=True)
    if backend.mode == "live":  # a runtime serving for hours (preview recompiles: not frozen)
        from wfspec.runtime.heap import freeze_startup_heap

        freeze_startup_heap()
    server.run()


@contextlib.contextmanager
def _demo_backend(specs: str, state_dir: str | None) -> Any:
    from wfspec.runtime.web.backend import LiveBackend

    from .demo import _Announcer, _compile_if_needed, _processes

    say = _Announcer()
    bundle = _compile_if_needed(Path(specs), Path("build"), say)
    with _processes(bundle, state_dir, 2.0, say) as (runtime, plan):
        demo = {"chart": str(plan.instance)}
        yield LiveBackend(runtime, extra_info={"demo": demo})


@contextlib.contextmanager
def _live_backend(
    bundle_path: str,
    instrument: str | None,
    bootstrap_servers: str | None,
    kafka_config: str | None,
    state_dir: str | None,
) -> Any:
    from wfspec.compiler import WfspecError, load_bundle
    from wfspec.runtime.app import Runtime
    from wfspec.runtime.web.backend import LiveBackend

    if instrument is None:
        raise click.UsageError("live mode needs --instrument (or use --demo / --preview)")
    kafka = kafka_settings(bootstrap_servers, kafka_config)
    try:
        bundle = load_bundle(bundle_path)
    except (OSError, WfspecError) as exc:
        raise click.ClickException(str(exc)) from None
    require_instruments(bundle, [instrument])
    with Runtime(bundle, instrument, kafka=kafka, state_dir=state_dir) as runtime:
        yield LiveBackend(runtime)
