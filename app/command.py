"""``cityref serve``: build the store if needed, then run the web app under gunicorn.

Registered with the ``cityref`` command through the ``cityref.commands`` entry point, so the
engine's CLI never imports the web front end.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path
from typing import Any

import click
from flask import Flask
from gunicorn.app.base import BaseApplication

from app import create_app
from cityref.errors import CityrefError
from cityref.services.job_service import job_service
from cityref.settings import Settings, load_settings
from cityref.store.build import BuildFailed
from cityref.store.remote_build import build_configured
from cityref.store.sources import ModelFiles


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    """gunicorn with its options from cityref's settings, not from a config file."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        self.cfg.set("bind", f"{self.settings.host}:{self.settings.port}")
        self.cfg.set("workers", self.settings.workers)
        # Threads, so a slow client or a long query holds one thread, not a whole worker;
        # a request's head and body must arrive within request_body_timeout (app.body).
        self.cfg.set("worker_class", "app.gunicorn_worker.DeadlineThreadWorker")  # gthread
        self.cfg.set("threads", self.settings.threads)
        # An idle keep-alive connection waits in the worker's poller, not in a thread. gunicorn
        # closes it after 2 s by default: a client reusing it at that moment gets a reset
        # (a crawl of the site met one). Longer than the clients' own idle timeouts (Node's 5 s,
        # most proxies' 4-15 s), the client is the one that closes.
        self.cfg.set("keepalive", KEEPALIVE_SECONDS)
        control = control_socket_path(self.settings)
        if control is None:
            self.cfg.set("control_socket_disable", True)
        else:
            self.cfg.set("control_socket", str(control))
        # A query is killed at query_timeout, page data at query_timeout + 20 s (see
        # query_service.PAGE_DATA_EXTRA_SECONDS); the request may take a little longer.
        self.cfg.set("timeout", int(self.settings.query_timeout) + 30)
        self.cfg.set("graceful_timeout", 10)
        self.cfg.set("worker_exit", _stop_query_worker)
        self.cfg.set("on_exit", self._stop_jobs)
        self.cfg.set("post_worker_init", _warm_up)
        self.cfg.set("accesslog", "-")
        self.cfg.set("limit_request_line", 8190)

    def load(self) -> Flask:
        return create_app(self.settings)

    def _stop_jobs(self, server: Any) -> None:
        """gunicorn's on_exit hook (the master, last): validation jobs stop with the server
        and are marked failed, saying so (not those of the shared pool: they are its
        workers')."""
        try:
            job_service(self.settings).stop()
        except (CityrefError, OSError) as exc:
            server.log.warning("could not stop the validation jobs: %s", exc)


#: How long an idle keep-alive connection stays open.
KEEPALIVE_SECONDS = 20

#: Longest path a Unix socket may have on Linux (sun_path is 108 bytes with its NUL).
UNIX_SOCKET_PATH_MAX = 107


def control_socket_path(settings: Settings) -> Path | None:
    """gunicorn's control socket, in the store's runtime folder so that each server has its
    own (gunicorn's default is one per user: every server replaced the others'). ``None``
    when that path is too long for a Unix socket: the control socket is then turned off."""
    # Instances sharing state (CITYREF_STATE) may share the store folder too: one each.
    name = "gunicorn.ctl" if settings.state is None else f"gunicorn-{settings.port}.ctl"
    path = (settings.store / "runtime" / name).absolute()
    return path if len(os.fsencode(path)) <= UNIX_SOCKET_PATH_MAX else None


def _stop_query_worker(_server: object, worker: Any) -> None:
    """gunicorn's worker_exit hook: the worker's query process goes with it."""
    app = getattr(worker, "wsgi", None)
    if isinstance(app, Flask):
        app.extensions["cityref.queries"].stop()


def _warm_up(worker: Any) -> None:
    """gunicorn's post_worker_init hook: open the store and make the search index before the
    first request, so no visitor waits for them."""
    app = getattr(worker, "wsgi", None)
    if isinstance(app, Flask):
        service = app.extensions["cityref.queries"]
        try:
            service.search_index()
        except CityrefError as exc:  # the first request will say what is wrong
            worker.log.warning("warm-up failed: %s", exc)
        # The other query workers start meanwhile, while requests are already served.
        threading.Thread(target=_warm_query_workers, args=(worker, service), daemon=True).start()


#: Logged by each web worker once its query workers are started (tests wait for it).
WARM_MESSAGE = "query workers ready"


def _warm_query_workers(worker: Any, service: Any) -> None:
    service.warm_up()
    worker.log.info("%s: %d", WARM_MESSAGE, service.settings.query_workers)


@click.command("serve")
@click.option("--host", help="Address to bind (default: CITYREF_HOST, 127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535), help="Port (default: CITYREF_PORT).")
@click.option("--workers", type=click.IntRange(min=1), help="Worker processes.")
@click.option("--debug", is_flag=True, help="Flask's development server, for debugging only.")
def serve(host: str | None, port: int | None, workers: int | None, debug: bool) -> None:
    """Serve the SPARQL endpoint, the IRIs and the web pages (builds the store if needed)."""
    changes: dict[str, Any] = {
        k: v for k, v in {"host": host, "port": port, "workers": workers}.items() if v is not None
    }
    settings = load_settings().with_(**changes)
    try:
        outcome = build_configured(settings, ModelFiles.from_settings(settings))
    except BuildFailed as exc:
        click.echo(str(exc), err=True)
        click.echo("build failed; not serving a store that does not match its sources", err=True)
        sys.exit(1)
    state = "up to date" if outcome.skipped else "built"
    click.echo(
        f"store {outcome.record.build_id} ({state}); serving on http://{settings.host}:{settings.port}/",
        err=True,
    )
    if debug:
        create_app(settings).run(host=settings.host, port=settings.port, debug=True)
    else:
        _Gunicorn(settings).run()
