"""Ingest without a store: files and folders become documents, each file's failures beside them.

`read_paths` is the stage as a pure function: it walks the paths (dot-files skipped, a folder's
manifest read as metadata for the files beside it, not as a document) and reads each file into
documents, ids and content hashes set; whatever goes wrong with one file is an outcome, never an
exception, and the batch goes on. Storing what it reads (one document per content, versions per
origin, near-duplicates against what is stored) is the pipeline's: pipeline/ingest_step.py
stores what `iter_read` reads, in its order.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

from claimgraph.errors import IngestError
from claimgraph.ingest import dedup
from claimgraph.ingest.encoding import make_storable
from claimgraph.ingest.files import iter_files
from claimgraph.ingest.readers import ReadResult, finish_document, read_manifest, read_path
from claimgraph.models import Document, MetaValue, RawDocument
from claimgraph.text import storable_name

__all__ = ["STATUSES", "DocumentsRead", "IngestOptions", "IngestOutcome", "IngestReport", "iter_read", "new_document",
           "prepare", "read_paths"]
logger = logging.getLogger(__name__)

STATUSES = ("ingested", "new_version", "unchanged", "duplicate", "failed", "manifest")


@dataclass(frozen=True, kw_only=True)
class IngestOptions:
    """How files are read (and, stored, deduplicated)."""

    max_bytes: int = 20_000_000  # a larger file is refused, not read
    near_duplicate_threshold: float = 0.6  # estimated Jaccard of word 3-shingles
    skip_hidden: bool = True  # dot-files and dot-folders (.git, .DS_Store) are not documents


@dataclass(frozen=True, kw_only=True)
class IngestOutcome:
    origin: str
    status: str  # one of STATUSES
    document_id: str | None = None
    reason: str | None = None
    near_duplicate_of: str | None = None


@dataclass(kw_only=True)
class IngestReport:
    outcomes: list[IngestOutcome] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        counted = Counter(outcome.status for outcome in self.outcomes)
        return {status: counted.get(status, 0) for status in STATUSES}

    @property
    def failed(self) -> list[IngestOutcome]:
        return [outcome for outcome in self.outcomes if outcome.status == "failed"]


@dataclass(kw_only=True)
class DocumentsRead:
    """What `read_paths` read: the documents, in the order read, and an outcome per manifest and
    per failure (status "manifest" or "failed"). Two files of the same content are two documents
    with one id: which is kept is a store's business."""

    documents: list[Document] = field(default_factory=list)
    outcomes: list[IngestOutcome] = field(default_factory=list)

    @property
    def failed(self) -> list[IngestOutcome]:
        return [outcome for outcome in self.outcomes if outcome.status == "failed"]


def read_paths(paths: Iterable[Path | str], *, options: IngestOptions = IngestOptions()) -> DocumentsRead:
    """Files and folders (a manifest included) into documents, without a store; a bad file is
    one failed outcome and the batch goes on."""
    out = DocumentsRead()
    for item in iter_read(paths, options=options):
        if isinstance(item, IngestOutcome):
            out.outcomes.append(replace(item, origin=storable_name(item.origin)))
            continue
        digest = prepare(item)
        if digest is None:
            out.outcomes.append(IngestOutcome(origin=item.origin, status="failed", reason="no text to ingest"))
        else:
            out.documents.append(new_document(item, digest))
    return out


def iter_read(paths: Iterable[Path | str], *, options: IngestOptions = IngestOptions(),
              read: Callable[..., ReadResult] | None = None) -> Iterator[IngestOutcome | RawDocument]:
    """Walk the paths and read each file, lazily and in order: a manifest and each failure come
    as an outcome, each document read as a RawDocument (what its folder's manifest says of it
    filled in where the document does not say it). `read(path, max_bytes=)`: what gives
    read_path's result (a runner's reads done elsewhere); read_path by default."""
    items = list(iter_files([Path(p) for p in paths], skip_hidden=options.skip_hidden))
    # A folder's manifest (records naming the files beside it) is metadata for them, not a
    # document: what a document says of itself wins, the manifest fills what it does not say.
    described: dict[Path, dict[str, MetaValue]] = {}
    manifests: set[Path] = set()
    for item in items:
        if not isinstance(item, Path):
            continue
        try:
            sidecar = read_manifest(item, max_bytes=options.max_bytes)
        except Exception:  # noqa: BLE001 - not a manifest then: reading it as a document says what is wrong
            sidecar = None
        if sidecar:
            manifests.add(item)
            for target, metadata in sidecar.described.items():
                described.setdefault(target, {}).update(metadata)
            yield IngestOutcome(origin=str(item), status="manifest",
                                reason=f"metadata for {len(sidecar.described)} file(s) beside it")
            for error in sidecar.errors:
                yield IngestOutcome(origin=error.origin, status="failed", reason=error.reason)
    for item in items:
        if isinstance(item, IngestError):
            yield IngestOutcome(origin=item.origin, status="failed", reason=item.reason)
        elif item not in manifests:
            yield from _read_file(item, described, options=options, read=read)


def _read_file(path: Path, described: dict[Path, dict[str, MetaValue]], *, options: IngestOptions,
               read: Callable[..., ReadResult] | None = None) -> Iterator[IngestOutcome | RawDocument]:
    """One file's documents and failures; whatever goes wrong is an outcome, never an exception."""
    try:
        result = (read or read_path)(path, max_bytes=options.max_bytes)  # bad input comes back in .errors
        given = described.get(path.resolve(), {}) if described else {}
    except Exception as error:  # noqa: BLE001 - a reader's own bug must not stop the batch either
        yield IngestOutcome(origin=str(path), status="failed",
                            reason=f"could not be read ({error.__class__.__name__}: {error}); please report this file")
        return
    for warning in result.warnings:
        logger.warning("warning: %s: %s", warning.origin, warning.reason)
    for failure in result.errors:
        yield IngestOutcome(origin=failure.origin, status="failed", reason=failure.reason)
    for raw in result.documents:
        for name, value in given.items():
            raw.metadata.setdefault(name, value)
        yield raw


def prepare(raw: RawDocument) -> str | None:
    """Make a read document storable (read_path did it already; a caller's own RawDocument may
    need it) and return its content hash; None when it has no text to ingest."""
    text = raw.text
    make_storable(raw)
    if raw.text != text and raw.zones:
        raw.zones = []  # offsets into the text before NUL was removed
        finish_document(raw)
    if not raw.text.strip():
        return None
    return dedup.content_hash(raw.text)


def new_document(raw: RawDocument, digest: str, *, version: int = 1, supersedes: str | None = None,
                 now: str | None = None) -> Document:
    """The document a read file becomes: its id is its content hash's prefix."""
    now = now or datetime.now(timezone.utc).isoformat(timespec="seconds")
    published = raw.metadata.get("published")
    return Document(
        id="d" + digest[:15],
        content_hash=digest,
        origin=raw.origin,
        version=version,
        supersedes=supersedes,
        media_type=raw.media_type,
        text=raw.text,
        title=raw.meta("title"),
        outlet=raw.meta("outlet"),
        author=raw.meta("author"),
        url=raw.meta("url"),
        published=published.value if published else None,
        published_precision=published.precision if published else None,
        language=raw.meta("language"),
        metadata=dict(raw.metadata),
        zones=list(raw.zones),
        origins=[raw.origin],
        ingested_at=now,
    )
