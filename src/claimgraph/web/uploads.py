"""Uploaded files go through the same reader and ingest step as `claimgraph ingest`."""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO

from claimgraph.ingest import IngestOptions, IngestOutcome
from claimgraph.ingest.readers import read_path
from claimgraph.pipeline import ingest_document
from claimgraph.store import Store

ORIGIN_PREFIX = "upload:"


def safe_name(filename: str | None) -> str:
    """A file name that cannot leave the upload folder: its last part, plain characters only."""
    name = re.split(r"[\\/]", filename or "")[-1]
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", name).lstrip(".")[:120]
    return name or "upload.txt"


def ingest_upload(store: Store, filename: str | None, stream: BinaryIO, *, max_bytes: int) -> list[IngestOutcome]:
    """Store one uploaded file's documents; each failure is an outcome with its reason, never an exception."""
    name = safe_name(filename)
    with tempfile.TemporaryDirectory(prefix="claimgraph-upload-") as folder:
        path = Path(folder) / name
        with path.open("wb") as out:
            shutil.copyfileobj(stream, out, length=1 << 20)
        if path.stat().st_size > max_bytes:
            return [IngestOutcome(origin=ORIGIN_PREFIX + name, status="failed",
                                  reason=f"file is {path.stat().st_size} bytes, over the limit of {max_bytes}")]
        result = read_path(path, max_bytes=max_bytes)

        def origin(raw_origin: str) -> str:
            # Keep "#record-N" / "#attachment-X" suffixes; never keep the temporary folder.
            return ORIGIN_PREFIX + name + raw_origin[len(str(path)):] if raw_origin.startswith(str(path)) else ORIGIN_PREFIX + name

        outcomes = [IngestOutcome(origin=origin(e.origin), status="failed", reason=e.reason) for e in result.errors]
        for raw in result.documents:
            raw.origin = origin(raw.origin)
            outcomes.append(ingest_document(store, raw, options=IngestOptions(max_bytes=max_bytes)))
    return outcomes
