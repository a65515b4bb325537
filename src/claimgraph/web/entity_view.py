"""Entities across documents for the pages: one row per canonical entity (not one per document),
its members with the documents' names, and the analyst's corrections that touch it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from claimgraph.pipeline.entity_step import find_canonical_entity
from claimgraph.store import Store
from claimgraph.store import entities as entity_store
from claimgraph.store import schema as t
from claimgraph.web.queries import Paged, PageRequest, document_names


def list_canonical(store: Store, page: PageRequest, *, query: str | None = None) -> Paged:
    """Canonical entities, most documents first; `query` matches a name or an alias."""
    found = entity_store.canonical_entity_records(store)
    if query:
        needle = query.casefold()
        found = [e for e in found if needle in e.name.casefold() or any(needle in a.casefold() for a in e.aliases)]
    found.sort(key=lambda e: (-len(e.documents), e.name.casefold(), e.id))
    items = [{"id": e.id, "name": e.name, "type": e.type, "aliases": list(e.aliases), "documents": len(e.documents),
              "members": len(e.members)} for e in found[page.offset : page.offset + page.limit]]
    return Paged(items=items, total=len(found), limit=page.limit, offset=page.offset)


def canonical_detail(store: Store, entity_id: str) -> dict[str, Any]:
    """One canonical entity: its members (each document's own entity, named), and its corrections."""
    entity = find_canonical_entity(store, entity_id)
    with store.engine.connect() as connection:
        titles = document_names(connection, {d for d, _ in entity.members})
        local = {(r.document_id, r.key): r.name for r in connection.execute(
            select(t.entities.c.document_id, t.entities.c.key, t.entities.c.name)
            .where(t.entities.c.document_id.in_(sorted({d for d, _ in entity.members}))))}
    history = [c for c in entity_store.list_entity_corrections(store)
               if entity.id in c.entities or entity.name in c.names or c.value == entity.name
               or any(member in entity.members for side in c.members for member in side)]
    return {
        "id": entity.id, "name": entity.name, "type": entity.type, "aliases": list(entity.aliases),
        "members": [{"document_id": d, "key": k, "name": local.get((d, k), k), "document": titles.get(d, d),
                     "local_id": f"{d}:{k}"} for d, k in entity.members],
        "history": [{**c.to_dict(), "active": c.active, "text": c.describe()} for c in reversed(history)],
    }
