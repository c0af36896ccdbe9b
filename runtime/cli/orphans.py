"""``wfspec orphans``: list -- and, when a person asks, stop -- jobs that no record claims.

A runtime never stops a job it did not decide to stop (ADR 0006): a running job that no JobSet
and no ``jobs.yaml`` record of the instrument claims is an *orphan* (left over, or started by a
runtime on another state folder). This command listens to the heartbeats for ``--listen``
seconds (a few beats), lists the orphans, and with ``--stop`` stops them: the explicit clean-up.
Jobs any record claims are never stopped.
"""

from __future__ import annotations

import time

import click

from .options import bundle_option, kafka_options, kafka_settings

__all__ = ["orphans_command"]


@click.command("orphans")
@bundle_option(required=True, exists=True)
@kafka_options
@click.option("--instrument", required=True, help="The instrument whose jobs to look at.")
@click.option(
    "--state-dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Folder of <instrument>/jobs.yaml [default: $XDG_STATE_HOME/wfspec].",
)
@click.option(
    "--listen",
    type=float,
    default=6.0,
    show_default=True,
    help="Seconds of heartbeats to listen to before deciding (a few beats).",
)
@click.option("--stop", "stop_them", is_flag=True, help="Stop the orphans found (asks no more).")
def orphans_command(
    bundle_path: str,
    bootstrap_servers: str | None,
    kafka_config: str | None,
    instrument: str,
    state_dir: str | None,
    listen: float,
    stop_them: bool,
) -> None:
    """List running jobs that no job record claims; --stop stops them.

    \b
    Examples:
      wfspec orphans --bundle build/bundle.json --bootstrap-servers localhost:9092 \\
          --instrument dummy
      wfspec orphans ... --instrument dummy --stop     # the explicit clean-up
    """
    from wfspec.compiler import WfspecError, load_bundle
    from wfspec.runtime.app import Runtime

    settings = kafka_settings(bootstrap_servers, kafka_config)
    try:
        bundle = load_bundle(bundle_path)
        runtime = Runtime(
            bundle, instrument, kafka=settings, state_dir=state_dir, correlation=False
        )
    except WfspecError as exc:
        raise click.ClickException(str(exc)) from None
    with runtime:
        time.sleep(max(0.0, listen))
        found = runtime.orphans()
        if not found:
            click.echo(f"no orphan jobs of {instrument} (listened {listen:g} s)")
            return
        for orphan in found:
            click.echo(
                f"{orphan.workflow_id}  job {orphan.job_number}  "
                f"{', '.join(orphan.sources)}  {orphan.state.value}"
            )
        if not stop_them:
            click.echo(f"{len(found)} orphan job(s); stop them with --stop")
            return
        outcome = runtime.stop_orphans([o.job_number for o in found])
        outcome.wait(10)
        click.echo(f"stopped {len(found)} orphan job(s)")
