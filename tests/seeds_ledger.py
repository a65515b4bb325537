"""The bundled seeds (examples/seeds) run through the real pipeline once per test process, for the
export and brief tests: ingest, analyse and link with the shipped models."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

from claimgraph.pipeline import ingest_paths
from claimgraph.ledger import run_store
from claimgraph.store import open_store
from conftest import EXAMPLES


@lru_cache(maxsize=1)
def linked_seeds() -> str:
    """A SQLite store holding the linked seeds; built on first use, removed at exit."""
    folder = Path(tempfile.mkdtemp(prefix="cg-seeds-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    url = str(folder / "seeds.db")
    store = open_store(url)
    try:
        ingest_paths(store, [EXAMPLES])
        run_store(store)
    finally:
        store.close()
    return url
