"""Ingest: read files into documents, find metadata and zones, detect duplicates; no store.

`read_paths` turns files and folders into documents with each file's failures; storing them
(`ingest_paths`, `ingest_document`: one document per content, versions, near-duplicates
against the stored ones) is claimgraph.pipeline's.
"""

from claimgraph.ingest.documents import (
    STATUSES,
    DocumentsRead,
    IngestOptions,
    IngestOutcome,
    IngestReport,
    iter_read,
    new_document,
    read_paths,
)
from claimgraph.ingest.files import iter_files

__all__ = ["STATUSES", "DocumentsRead", "IngestOptions", "IngestOutcome", "IngestReport", "iter_files", "iter_read",
           "new_document", "read_paths"]
