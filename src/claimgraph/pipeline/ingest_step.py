"""The ingest stage meets the store: what ingest/ reads is stored, one document per content,
each in its own transaction.

Reading (paths -> documents, per-file failures) is ingest/documents.py's, without a store; here
each read document is checked against what is stored: the same content at the same origin is
`unchanged`, at another origin a `duplicate`, new content at a known origin a `new_version`,
and a new document's near-duplicate (MinHash over word shingles, banded) is looked up among the
stored ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError

from claimgraph.ingest import dedup
from claimgraph.ingest.documents import IngestOptions, IngestOutcome, IngestReport, iter_read, new_document, prepare
from claimgraph.ingest.readers import ReadResult
from claimgraph.models import RawDocument
from claimgraph.store import Store
from claimgraph.text import storable_name

__all__ = ["ingest_document", "ingest_paths"]


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

    for item in iter_read(paths, options=options, read=read):
        if isinstance(item, IngestOutcome):
            record(item)
            continue
        try:
            outcome = ingest_document(store, item, options=options)
        except (OperationalError, InterfaceError):
            raise  # the store itself is gone: no other file could be stored either
        except Exception as error:  # noqa: BLE001 - one document the store refuses must not stop the batch
            outcome = IngestOutcome(origin=item.origin, status="failed",
                                    reason=f"could not be stored ({error.__class__.__name__}: "
                                           f"{str(error).splitlines()[0] if str(error) else ''}); please report this file")
        record(outcome)
    return report


def ingest_document(store: Store, raw: RawDocument, *, options: IngestOptions = IngestOptions()) -> IngestOutcome:
    """Store one read document unless the same content is already there for that origin."""
    digest = prepare(raw)  # storable, zones kept right; read_path did it already, a caller's own may need it
    if digest is None:
        return IngestOutcome(origin=raw.origin, status="failed", reason="no text to ingest")
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
