"""The store-wide entity stage: resolve every current document's entities across documents,
replay the analyst's corrections, store the canonical entities.

    report = resolve_store_entities(store)           # after `link` (ledger.link_store calls it)
    merge_entities(store, "Kremlin", "Moscow", author="ana")
    split_entity(store, "Vladimir Putin", document_id, "E7", author="ana")
    rename_entity(store, "X-3151c56b0a6c", "Vladimir V. Putin", author="ana")
    undo_entity_correction(store, 3, author="ana")

Each correction is recorded first (who, when), then the whole view is re-resolved with all
corrections in force replayed in order, so what is stored always equals
resolve + corrections, and an undo is just a re-resolution without it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from claimgraph.errors import NotFound
from claimgraph.link.entities import CanonicalEntity, EntityResolver, Member, apply_entity_corrections
from claimgraph.models import Analysis, Document, Entity
from claimgraph.store import Store
from claimgraph.store import entities as entity_store
from claimgraph.store import schema as t

__all__ = [
    "EntityReport", "current_entity", "entity_inputs", "merge_entities", "rename_entity", "resolve_store_entities", "split_entity",
    "undo_entity_correction",
]


@dataclass(kw_only=True)
class EntityReport:
    documents: int = 0
    document_entities: int = 0  # per-document entities resolved
    entities: int = 0  # canonical entities
    cross_document: int = 0  # canonical entities with members in two documents or more
    corrections_applied: list[int] = field(default_factory=list)
    corrections_stale: list[int] = field(default_factory=list)  # their members are no longer in the corpus

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def entity_inputs(store: Store) -> list[tuple[Document, Analysis]]:
    """(document, analysis holding only its entities) for every current analysed document.

    Reads the entities table and three document columns, never texts or claims: a document
    superseded by a newer version of its origin is left out, as in ledger.current_inputs.
    """
    with store.engine.connect() as connection:
        documents = connection.execute(
            select(t.documents.c.id, t.documents.c.published, t.documents.c.supersedes)).all()
        rows = connection.execute(select(t.entities).order_by(t.entities.c.document_id)).all()
    superseded = {row.supersedes for row in documents if row.supersedes}
    analyses: dict[str, Analysis] = {}
    for row in rows:
        analysis = analyses.setdefault(row.document_id, Analysis(document_id=row.document_id))
        analysis.entities.append(Entity(key=row.key, name=row.name, type=row.type,
                                        aliases=json.loads(row.aliases_json)))
    inputs = []
    for row in documents:
        if row.id in superseded or row.id not in analyses:
            continue
        document = Document(id=row.id, content_hash="", origin="", version=0, media_type="", text="",
                            published=row.published)
        inputs.append((document, analyses[row.id]))
    return sorted(inputs, key=lambda pair: pair[0].id)


def resolve_store_entities(store: Store) -> EntityReport:
    """Re-resolve the canonical entities of the whole store, replay corrections, and save them."""
    inputs = entity_inputs(store)
    resolver = EntityResolver()
    for document, analysis in inputs:
        resolver.add(document, analysis)
    per_document: dict[Member, Entity] = {(a.document_id, e.key): e for _, a in inputs for e in a.entities}
    canonical, outcome = apply_entity_corrections(resolver.result(), entity_store.active_entity_corrections(store),
                                                  per_document)
    entity_store.save_canonical_entities(store, canonical)
    return EntityReport(
        documents=len(inputs), document_entities=len(per_document), entities=len(canonical),
        cross_document=sum(len(e.documents) > 1 for e in canonical),
        corrections_applied=outcome.applied, corrections_stale=outcome.stale,
    )


def current_entity(store: Store, ref: str) -> CanonicalEntity:
    if entity_store.count_canonical_entities(store) == 0:
        resolve_store_entities(store)  # corrections before the first `link`: resolve now
    return entity_store.find_canonical_entity(store, ref)


def merge_entities(store: Store, a: str, b: str, *, author: str) -> tuple[entity_store.EntityCorrectionRecord, EntityReport]:
    """Record that entities `a` and `b` (ids or names) are one, and re-resolve."""
    first, second = current_entity(store, a), current_entity(store, b)
    if first.id == second.id:
        raise entity_store.EntityCorrectionError(f"{a!r} and {b!r} are already one entity ({first.id})")
    record = entity_store.record_entity_correction(
        store, action="merge", entities=[first, second], members=[first.members, second.members], author=author)
    return record, resolve_store_entities(store)


def split_entity(store: Store, entity: str, document_id: str, key: str, *,
                 author: str) -> tuple[entity_store.EntityCorrectionRecord, EntityReport]:
    """Record that one member (a document's entity `key`) is not `entity`, and re-resolve."""
    current = current_entity(store, entity)
    member = next((m for m in current.members if m == (document_id, key)), None)
    if member is None:
        # a document id prefix is enough, as elsewhere in the CLI
        matches = [m for m in current.members if m[0].startswith(document_id) and m[1] == key]
        if len(matches) != 1:
            members = ", ".join(f"{d}:{k}" for d, k in current.members)
            raise NotFound(f"{current.name} ({current.id}) has no member {document_id}:{key}; its members: {members}")
        member = matches[0]
    if len(current.members) == 1:
        raise entity_store.EntityCorrectionError(f"{current.name} ({current.id}) has only that member; nothing to split")
    record = entity_store.record_entity_correction(
        store, action="split", entities=[current], members=[[member]], author=author)
    return record, resolve_store_entities(store)


def rename_entity(store: Store, entity: str, name: str, *,
                  author: str) -> tuple[entity_store.EntityCorrectionRecord, EntityReport]:
    """Record the analyst's name for an entity, and re-resolve."""
    name = " ".join(name.split())
    if not name:
        raise entity_store.EntityCorrectionError("a new name is required")
    current = current_entity(store, entity)
    record = entity_store.record_entity_correction(
        store, action="rename", entities=[current], members=[current.members], author=author, value=name)
    return record, resolve_store_entities(store)


def undo_entity_correction(store: Store, correction_id: int, *,
                           author: str) -> tuple[entity_store.EntityCorrectionRecord, EntityReport]:
    """Mark a correction undone (it stays in the history), and re-resolve without it."""
    record = entity_store.undo_entity_correction(store, correction_id, author=author)
    return record, resolve_store_entities(store)
