"""The ingest stage: walk paths, read each file, store each document in its own transaction."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError

from claimgraph.errors import IngestError
from claimgraph.ingest import dedup
from claimgraph.ingest.encoding import make_storable
from claimgraph.ingest.files import iter_files
from claimgraph.ingest.readers import ReadResult, finish_document, read_manifest, read_path
from claimgraph.models import Document, MetaValue, RawDocument
from claimgraph.store import Store
from claimgraph.store.sql import storable_name

__all__ = ["STATUSES", "IngestOptions", "IngestOutcome", "IngestReport", "ingest_document", "ingest_paths", "iter_files",
           "new_document"]
logger = logging.getLogger(__name__)

STATUSES = ("ingested", "new_version", "unchanged", "duplicate", "failed", "manifest")


@dataclass(frozen=True, kw_only=True)
class IngestOptions:
    """How `ingest_paths` reads and deduplicates."""

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


def ingest_paths(
    store: Store,
    paths: Iterable[Path | str],
    *,
    options: IngestOptions = IngestOptions(),
    on_outcome: Callable[[IngestOutcome], None] | None = None,
    read: Callable[..., ReadResult] | None = None,
) -> IngestReport:
    """Ingest files and folders; a bad file is reported and the batch goes on. `read(path,
    max_bytes=)`: what gives read_path's result (a runner's reads done elsewhere); read_path by default."""
    report = IngestReport()

    def record(outcome: IngestOutcome) -> None:
        outcome = replace(outcome, origin=storable_name(outcome.origin))  # printable, whatever the file's name
        report.outcomes.append(outcome)
        if on_outcome:
            on_outcome(outcome)

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
            record(IngestOutcome(origin=str(item), status="manifest",
                                 reason=f"metadata for {len(sidecar.described)} file(s) beside it"))
            for error in sidecar.errors:
                record(IngestOutcome(origin=error.origin, status="failed", reason=error.reason))
    for item in items:
        if isinstance(item, IngestError):
            record(IngestOutcome(origin=item.origin, status="failed", reason=item.reason))
        elif item not in manifests:
            _ingest_file(store, item, described, options=options, record=record, read=read)
    return report


def _ingest_file(store: Store, path: Path, described: dict[Path, dict[str, MetaValue]], *, options: IngestOptions,
                 record: Callable[[IngestOutcome], None], read: Callable[..., ReadResult] | None = None) -> None:
    """Read one file and store its documents; whatever goes wrong is an outcome, never an exception."""
    try:
        result = (read or read_path)(path, max_bytes=options.max_bytes)  # bad input comes back in .errors
        given = described.get(path.resolve(), {}) if described else {}
    except Exception as error:  # noqa: BLE001 - a reader's own bug must not stop the batch either
        record(IngestOutcome(origin=str(path), status="failed",
                             reason=f"could not be read ({error.__class__.__name__}: {error}); please report this file"))
        return
    for warning in result.warnings:
        logger.warning("warning: %s: %s", warning.origin, warning.reason)
    for failure in result.errors:
        record(IngestOutcome(origin=failure.origin, status="failed", reason=failure.reason))
    for raw in result.documents:
        for name, value in given.items():
            raw.metadata.setdefault(name, value)
        try:
            outcome = ingest_document(store, raw, options=options)
        except (OperationalError, InterfaceError):
            raise  # the store itself is gone: no other file could be stored either
        except Exception as error:  # noqa: BLE001 - one document the store refuses must not stop the batch
            outcome = IngestOutcome(origin=raw.origin, status="failed",
                                    reason=f"could not be stored ({error.__class__.__name__}: "
                                           f"{str(error).splitlines()[0] if str(error) else ''}); please report this file")
        record(outcome)


def ingest_document(store: Store, raw: RawDocument, *, options: IngestOptions = IngestOptions()) -> IngestOutcome:
    """Store one read document unless the same content is already there for that origin."""
    text = raw.text
    make_storable(raw)  # read_path did it already; a caller's own RawDocument may need it
    if raw.text != text and raw.zones:
        raw.zones = []  # offsets into the text before NUL was removed
        finish_document(raw)
    if not raw.text.strip():
        return IngestOutcome(origin=raw.origin, status="failed", reason="no text to ingest")
    digest = dedup.content_hash(raw.text)
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    previous = store.newest_for_origin(raw.origin)
    existing = store.document_id_for_hash(digest)
    if previous and previous[0] == existing:
        return IngestOutcome(origin=raw.origin, status="unchanged", document_id=existing)
    version = previous[1] + 1 if previous else 1
    if existing and previous and store.origin_had(raw.origin, existing):
        # The origin went back to a content it had before: that version is current again.
        with store.transaction() as connection:
            store.make_current(connection, raw.origin, existing, version, now)
        return IngestOutcome(origin=raw.origin, status="new_version", document_id=existing,
                             reason=f"back to the content of an earlier version ({existing})")
    if existing:
        # Same content seen at another origin.
        with store.transaction() as connection:
            store.add_origin(connection, raw.origin, existing, version, now)
        return IngestOutcome(origin=raw.origin, status="duplicate", document_id=existing)

    signature = dedup.minhash(dedup.content_text(raw.text, raw.zones))
    buckets = dedup.band_buckets(signature)
    near_id, near_score = _nearest(store, signature, buckets, options.near_duplicate_threshold)
    document = new_document(raw, digest, version=version, supersedes=previous[0] if previous else None, now=now)
    document.near_duplicate_of, document.near_duplicate_score = near_id, near_score
    try:
        with store.transaction() as connection:
            store.add_document(connection, document, signature=dedup.to_bytes(signature), buckets=buckets)
            if near_id and near_score is not None:
                # Near-duplication is symmetric: whichever copy came first points at the other too.
                store.link_near_duplicate(connection, near_id, document.id, near_score)
    except IntegrityError:
        # Another writer stored the same content between our check and insert: this origin is
        # one more place that content was read from, recorded like any other duplicate.
        existing = store.document_id_for_hash(digest)
        if existing is None:
            raise  # not the content-hash race: the store refused the row for another reason
        with store.transaction() as connection:
            store.add_origin(connection, raw.origin, existing, version, now)
        return IngestOutcome(origin=raw.origin, status="duplicate", document_id=existing)
    return IngestOutcome(
        origin=raw.origin,
        status="new_version" if previous else "ingested",
        document_id=document.id,
        near_duplicate_of=near_id,
    )


def _nearest(store: Store, signature, buckets, threshold: float) -> tuple[str | None, float | None]:
    best: tuple[str | None, float | None] = (None, None)
    for document_id, stored in store.near_duplicate_candidates(buckets):
        score = dedup.similarity(signature, stored)
        if score >= threshold and (best[1] is None or score > best[1]):
            best = (document_id, round(score, 3))
    return best


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
