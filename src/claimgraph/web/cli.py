"""`claimgraph serve`: the web UI and JSON API over one ledger store."""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from typing import Any

import click

from claimgraph.cli_options import db_option
from claimgraph.web.security import LOOPBACK_HOSTS

ENV_OPTIONS = "CLAIMGRAPH_WEB_OPTIONS"
def is_loopback(host: str) -> bool:
    return host in LOOPBACK_HOSTS or host.startswith("127.")


@click.command("serve")
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind; anything but loopback needs --token.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--token", envvar="CLAIMGRAPH_TOKEN", default=None, help="Access token required on every request ($CLAIMGRAPH_TOKEN).")
@click.option("--max-upload-bytes", default=20_000_000, show_default=True, help="Refuse uploaded files larger than this.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64), help="Server processes (each opens the store).")
@click.pass_context
def serve_command(
    ctx: click.Context, db: str | None, host: str, port: int, token: str | None, max_upload_bytes: int, workers: int
) -> None:
    """Serve the web UI and the JSON API (OpenAPI at /api/openapi.json)."""
    import uvicorn

    from claimgraph.store import open_store
    from claimgraph.web.app import WebOptions, asgi_app

    if not is_loopback(host) and not token:
        raise click.UsageError(
            f"binding {host} exposes the ledger to the network: set --token or CLAIMGRAPH_TOKEN "
            "(or bind 127.0.0.1)"
        )
    if token is not None and len(token) < 12:
        raise click.UsageError("--token must be at least 12 characters")
    parent_db = (ctx.obj or {}).get("db") if ctx.obj else None
    store = open_store(db or parent_db or os.environ.get("CLAIMGRAPH_DB"))
    options = WebOptions(
        token=token,
        allowed_hosts=LOOPBACK_HOSTS if is_loopback(host) and not token else None,
        max_upload_bytes=max_upload_bytes,
    )
    where = f"http://{'[' + host + ']' if ':' in host else host}:{port}/"
    click.echo(f"serving {store.display_url} at {where}" + (" (token required)" if token else ""), err=True)
    if workers > 1:
        # Each worker process builds its own app from the environment (uvicorn needs an import string).
        store.close()
        os.environ.update({ENV_OPTIONS: json.dumps({**asdict(options), "db": store.url})})
        uvicorn.run("claimgraph.web.cli:app_from_environment", factory=True, host=host, port=port,
                    workers=workers, log_level="warning", server_header=False)
        return
    try:
        uvicorn.run(asgi_app(options, store=store), host=host, port=port, log_level="warning", server_header=False)
    finally:
        store.close()


def app_from_environment() -> Any:
    """The guarded app for one worker process, from the options `serve --workers` put in the environment."""
    from claimgraph.web.app import WebOptions, asgi_app

    values = json.loads(os.environ[ENV_OPTIONS])
    if values.get("allowed_hosts") is not None:
        values["allowed_hosts"] = tuple(values["allowed_hosts"])
    return asgi_app(WebOptions(**values))
