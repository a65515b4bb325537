"""Options and the store opener shared by every command module (cli, entity_cli, web.cli)."""

from __future__ import annotations

import os
from typing import Any

import click

from claimgraph.store import Store, open_store

DB_HELP = "Ledger store: a SQLite path or a postgresql:// URL (default: $CLAIMGRAPH_DB or ./claimgraph.db)."


def db_option(command: Any) -> Any:
    return click.option("--db", "db", envvar="CLAIMGRAPH_DB", default=None, help=DB_HELP)(command)


def who_option(command: Any) -> Any:
    return click.option("--who", default=lambda: os.environ.get("USER", "analyst"),
                        help="Who makes the change (recorded).")(command)


def open_cli_store(ctx: click.Context, db: str | None) -> Store:
    """The store named by this command's --db, else the main group's, closed with the command."""
    root = ctx.find_root()
    store = open_store(db or (root.obj or {}).get("db"))
    ctx.call_on_close(store.close)
    return store
