"""The ledger store: one SQLite file by default, PostgreSQL by URL, same schema and behaviour."""

from __future__ import annotations

import os
from pathlib import Path

from claimgraph.store.sql import Store

DEFAULT_PATH = "claimgraph.db"

__all__ = ["DEFAULT_PATH", "Store", "open_store", "resolve_url"]


def resolve_url(url: str | None = None) -> str:
    """The SQLAlchemy URL for --db / CLAIMGRAPH_DB / the default ./claimgraph.db."""
    url = url or os.environ.get("CLAIMGRAPH_DB") or DEFAULT_PATH
    if url.startswith(("postgresql://", "postgres://")):
        # psycopg 3 is the driver we ship; plain postgresql:// would ask for psycopg2.
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    if "://" in url:
        return url
    return f"sqlite:///{Path(url).expanduser()}"


def open_store(url: str | None = None) -> Store:
    """Open (creating and migrating as needed) the ledger store at `url`."""
    return Store(resolve_url(url))


# Tables defined beside their code join the shared metadata when the store package loads.
from claimgraph.store import ach, corrections, entities  # noqa: E402,F401
