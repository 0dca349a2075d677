"""``cityref worker``: run validation jobs of the shared queue (needs the ``state`` setting)."""

from __future__ import annotations

import sys

import click

from cityref.services.shared_state import StateUnavailable
from cityref.settings import Settings

EXIT_USAGE = 2


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop once the queue is empty.")
@click.pass_context
def worker_command(ctx: click.Context, burst: bool) -> None:
    """Run validation jobs from the shared queue, one at a time, with this machine's limits
    (CITYREF_VALIDATION_TIMEOUT, CITYREF_VALIDATION_MEMORY_MB); until stopped.
    共有キューの検証ジョブを実行します（CITYREF_STATE が必要）。"""
    from cityref.services.job_worker import serve

    settings = ctx.obj
    assert isinstance(settings, Settings)
    if settings.state is None:
        click.echo(
            "error: set CITYREF_STATE to the shared state service (redis://…) first"
            " / CITYREF_STATE（共有状態サービスの URL）を設定してください",
            err=True,
        )
        sys.exit(EXIT_USAGE)
    try:
        serve(settings, burst=burst)
    except StateUnavailable as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
