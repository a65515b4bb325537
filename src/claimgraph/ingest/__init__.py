"""Ingest: read files into documents, find metadata and zones, detect duplicates."""

from claimgraph.ingest.pipeline import (
    IngestOptions,
    IngestOutcome,
    IngestReport,
    ingest_document,
    ingest_paths,
    iter_files,
)

__all__ = ["IngestOptions", "IngestOutcome", "IngestReport", "ingest_document", "ingest_paths", "iter_files"]
