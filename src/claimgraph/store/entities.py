"""Canonical cross-document entities in the store, and the analyst's corrections of them.

canonical_entities / entity_members are derived: rewritten whole by
claimgraph.entity_index.resolve_store_entities. entity_corrections is analyst input, never
derived: each merge, split or rename is recorded with who and when, can be undone (kept in
the history, no longer applied), and is keyed by members (document id, document-local entity
key) and names, not by canonical ids, so it is replayed after the corpus is re-resolved.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, Index, Integer, String, Table, Text, delete, func, insert, select, update

from claimgraph.errors import ClaimgraphError, NotFound
from claimgraph.store.schema import metadata
from claimgraph.store.sql import Store

if TYPE_CHECKING:  # the resolver imports the role lexicon (and spaCy with it): only when used
    from claimgraph.link.entities import CanonicalEntity, EntityCorrection

Member = tuple[str, str]  # (document id, document-local entity key)

ACTIONS = ("merge", "split", "rename")

canonical_entities = Table(
    "canonical_entities",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("name", Text, nullable=False),
    Column("type", String(24), nullable=False),
    Column("aliases_json", Text, nullable=False),
)

entity_members = Table(
    "entity_members",
    metadata,
    Column("canonical_id", String(40), nullable=False),
    Column("document_id", String(40), primary_key=True),
    Column("key", String(24), primary_key=True),
)
Index("ix_entity_members_canonical", entity_members.c.canonical_id)

entity_corrections = Table(
    "entity_corrections",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("action", String(8), nullable=False),  # merge | split | rename
    # {"entities": [canonical ids then], "names": [their names then], "members": [[[doc, key], ...], ...]}
    Column("targets_json", Text, nullable=False),
    Column("value", Text),  # rename: the new name
    Column("author", Text, nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("undone_by", Text),
    Column("undone_at", String(32)),
)

# Derived rows, rewritten together by resolve_store_entities.
ENTITY_TABLES = (entity_members, canonical_entities)


class EntityCorrectionError(ClaimgraphError):
    """A correction that cannot be made (unknown action, one entity merged with itself, ...)."""


@dataclass(frozen=True, kw_only=True)
class EntityCorrectionRecord:
    id: int
    action: str
    entities: list[str]  # canonical ids when the correction was made (for reading the history)
    names: list[str]
    members: list[list[Member]]
    value: str | None
    author: str
    created_at: str
    undone_by: str | None = None
    undone_at: str | None = None

    @property
    def active(self) -> bool:
        return self.undone_at is None

    def as_correction(self) -> EntityCorrection:
        from claimgraph.link.entities import EntityCorrection

        return EntityCorrection(id=self.id, action=self.action, value=self.value,
                                members=tuple(tuple(side) for side in self.members))

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "action": self.action, "entities": self.entities, "names": self.names,
                "members": [[{"document_id": d, "key": k} for d, k in side] for side in self.members],
                "value": self.value, "author": self.author, "created_at": self.created_at,
                "undone_by": self.undone_by, "undone_at": self.undone_at}

    def describe(self) -> str:
        if self.action == "merge":
            what = f"merge {' + '.join(self.names)}"
        elif self.action == "split":
            member = self.members[0][0] if self.members and self.members[0] else ("?", "?")
            what = f"split {member[0]}:{member[1]} out of {self.names[0] if self.names else '?'}"
        else:
            what = f"rename {self.names[0] if self.names else '?'} -> {self.value}"
        state = f"undone by {self.undone_by} at {self.undone_at}" if self.undone_at else "in force"
        return f"#{self.id} {what} (by {self.author} at {self.created_at}; {state})"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _record(row: Any) -> EntityCorrectionRecord:
    targets = json.loads(row.targets_json)
    return EntityCorrectionRecord(
        id=row.id, action=row.action, entities=list(targets.get("entities", [])), names=list(targets.get("names", [])),
        members=[[(str(d), str(k)) for d, k in side] for side in targets.get("members", [])],
        value=row.value, author=row.author, created_at=row.created_at, undone_by=row.undone_by, undone_at=row.undone_at,
    )


# ---------------------------------------------------------------------- canonical entities


def save_canonical_entities(store: Store, entities: list[CanonicalEntity]) -> None:
    """Replace the derived canonical entities and their members in one transaction."""
    with store.transaction() as connection:
        for table in ENTITY_TABLES:
            connection.execute(delete(table))
        if entities:
            connection.execute(insert(canonical_entities), [
                dict(id=e.id, name=e.name, type=e.type, aliases_json=json.dumps(e.aliases, ensure_ascii=False))
                for e in entities
            ])
        members = [dict(canonical_id=e.id, document_id=d, key=k) for e in entities for d, k in e.members]
        if members:
            connection.execute(insert(entity_members), members)


def canonical_entity_records(store: Store, *, entity_type: str | None = None) -> list[CanonicalEntity]:
    """The stored canonical entities (name order), optionally of one type."""
    from claimgraph.link.entities import CanonicalEntity
    query = select(canonical_entities)
    if entity_type:
        query = query.where(func.upper(canonical_entities.c.type) == entity_type.upper())
    with store.engine.connect() as connection:
        rows = connection.execute(query).all()
        members: dict[str, list[Member]] = {}
        member_query = select(entity_members).order_by(entity_members.c.document_id, entity_members.c.key)
        if entity_type:
            member_query = member_query.where(entity_members.c.canonical_id.in_(select(canonical_entities.c.id).where(
                func.upper(canonical_entities.c.type) == entity_type.upper())))
        for row in connection.execute(member_query):
            members.setdefault(row.canonical_id, []).append((row.document_id, row.key))
    entities = [CanonicalEntity(id=r.id, name=r.name, type=r.type, aliases=json.loads(r.aliases_json),
                                members=sorted(members.get(r.id, []), key=_member_order)) for r in rows]
    return sorted(entities, key=lambda e: (e.name.casefold(), e.id))  # one order on both backends


def _member_order(member: Member) -> tuple[str, int, str]:
    digits = "".join(c for c in member[1] if c.isdigit())
    return (member[0], int(digits) if digits else 0, member[1])


def load_canonical_entities(store: Store) -> list[dict[str, Any]]:
    """The canonical entities as export rows: id, name, type, aliases, members, documents."""
    return [entity.to_dict() for entity in canonical_entity_records(store)]


def count_canonical_entities(store: Store) -> int:
    with store.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(canonical_entities)).scalar_one()


def find_canonical_entity(store: Store, ref: str) -> CanonicalEntity:
    """A canonical entity by id, id prefix (X-…), or name / alias (case and "the" ignored)."""
    from claimgraph.link.entities import normalise_name
    ref = ref.strip()
    entities = canonical_entity_records(store)
    exact = [e for e in entities if e.id == ref]
    if exact:
        return exact[0]
    if ref.upper().startswith("X-"):
        prefixed = [e for e in entities if e.id.startswith(ref)]
        if len(prefixed) == 1:
            return prefixed[0]
    key = normalise_name(ref)
    for stage in ("name", "alias"):
        found = [e for e in entities if (normalise_name(e.name) == key if stage == "name"
                                         else any(normalise_name(a) == key for a in e.aliases))]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            choices = ", ".join(f"{e.id} ({e.name}, {e.type}, {len(e.documents)} doc)" for e in found)
            raise NotFound(f"{ref!r} names {len(found)} entities; use an id: {choices}")
    raise NotFound(f"no entity {ref!r} (try `claimgraph entity list`)")


# ---------------------------------------------------------------------- corrections


def record_entity_correction(
    store: Store, *, action: str, entities: list[CanonicalEntity], members: list[list[Member]],
    author: str, value: str | None = None,
) -> EntityCorrectionRecord:
    """Record one merge / split / rename with who and when; the caller re-resolves."""
    if action not in ACTIONS:
        raise EntityCorrectionError(f"unknown entity correction {action!r}; one of {', '.join(ACTIONS)}")
    if not author or not author.strip():
        raise EntityCorrectionError("say who makes the correction (author)")
    targets = {"entities": [e.id for e in entities], "names": [e.name for e in entities],
               "members": [[list(m) for m in side] for side in members]}
    with store.transaction() as connection:
        new_id = connection.execute(
            insert(entity_corrections).values(
                action=action, targets_json=json.dumps(targets, ensure_ascii=False), value=value,
                author=author.strip(), created_at=_now(),
            ).returning(entity_corrections.c.id)
        ).scalar_one()
        row = connection.execute(select(entity_corrections).where(entity_corrections.c.id == new_id)).one()
    return _record(row)


def undo_entity_correction(store: Store, correction_id: int, *, author: str) -> EntityCorrectionRecord:
    """Mark a correction undone (kept in the history, no longer applied); the caller re-resolves."""
    if not author or not author.strip():
        raise EntityCorrectionError("say who undoes the correction (author)")
    with store.transaction() as connection:
        row = connection.execute(select(entity_corrections).where(entity_corrections.c.id == correction_id)).first()
        if row is None:
            raise NotFound(f"no entity correction {correction_id} (see `claimgraph entity history`)")
        if row.undone_at is None:
            connection.execute(update(entity_corrections).where(entity_corrections.c.id == correction_id)
                               .values(undone_by=author.strip(), undone_at=_now()))
        row = connection.execute(select(entity_corrections).where(entity_corrections.c.id == correction_id)).one()
    return _record(row)


def get_entity_correction(store: Store, correction_id: int) -> EntityCorrectionRecord:
    with store.engine.connect() as connection:
        row = connection.execute(select(entity_corrections).where(entity_corrections.c.id == correction_id)).first()
    if row is None:
        raise NotFound(f"no entity correction {correction_id}")
    return _record(row)


def list_entity_corrections(store: Store, *, active_only: bool = False) -> list[EntityCorrectionRecord]:
    """The correction history, oldest first (the order they are replayed in)."""
    query = select(entity_corrections)
    if active_only:
        query = query.where(entity_corrections.c.undone_at.is_(None))
    with store.engine.connect() as connection:
        return [_record(row) for row in connection.execute(query.order_by(entity_corrections.c.id))]


def active_entity_corrections(store: Store) -> list[EntityCorrection]:
    """The corrections in force, oldest first, ready for link.entities.apply_entity_corrections."""
    return [record.as_correction() for record in list_entity_corrections(store, active_only=True)]
