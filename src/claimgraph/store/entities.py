"""Canonical cross-document entities in the store, the resolver's saved state, and the analyst's corrections.

canonical_entities / entity_members are derived: written by
claimgraph.pipeline.entity_step.resolve_store_entities, whole by a full resolution, only the entities
that changed by an incremental one. The resolver's state (0012_entity_state: entity_records,
entity_keys, entity_documents, entity_bases, entity_state; 0015: entity_sets) is what that
incremental run reads instead of every document's entities; entity_changes is where the
database marks documents whose entity rows were written since (triggers on `entities`, so every
write path marks) or that were removed, superseded or re-dated (triggers on `documents`).
entity_corrections is analyst input, never derived: each merge, split or rename is recorded
with who and when, can be undone (kept in the history, no longer applied), and is keyed by
members (document id, document-local entity key) and names, not by canonical ids, so it is
replayed after the corpus is re-resolved.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (Boolean, Column, Connection, Index, Integer, String, Table, Text, and_, bindparam, delete,
                        func, insert, select, tuple_, update)

from claimgraph.errors import ClaimgraphError, NotFound
from claimgraph.models import CanonicalEntity, Entity, EntityCorrection, EntityMember
from claimgraph.store import schema as t
from claimgraph.store.links import chunks
from claimgraph.store.schema import metadata
from claimgraph.store.sql import Store

Member = EntityMember  # (document id, document-local entity key)

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

# ---------------------------------------------------------------- the resolver's state (0012)

# Every resolved per-document entity and its set as matching left it (before lone surnames
# join): `node` is the set's smallest member, "document:key", so the same documents give the
# same rows whatever the order they came in. People carry their surname (and first name when
# full-named) for attaching lone surnames.
entity_records = Table(
    "entity_records",
    metadata,
    Column("document_id", String(40), primary_key=True),
    Column("key", String(24), primary_key=True),
    Column("node", String(80), nullable=False),
    Column("surname", Text),
    Column("first", Text),
)
Index("ix_entity_records_node", entity_records.c.node)
# Covering: the sets of a surname's people are read from the index alone (0015).
Index("ix_entity_records_surname", entity_records.c.surname, entity_records.c.first, entity_records.c.node)

# The match index: under each (type class, match key), one row per signature with the set
# holding it (entities with one signature under one key are always one).
entity_keys = Table(
    "entity_keys",
    metadata,
    Column("cls", String(24), primary_key=True),
    Column("match_key", Text, primary_key=True),
    Column("key", Text, primary_key=True),
    Column("person", Boolean, primary_key=True),
    Column("name_like", Boolean, primary_key=True),
    Column("node", String(80), nullable=False),
)
Index("ix_entity_keys_node", entity_keys.c.node)

# The documents whose entities are in the state: their date (roles resolve as of it) and a
# digest of their entity rows, to tell a re-analysis that changed them from one that did not.
entity_documents = Table(
    "entity_documents",
    metadata,
    Column("document_id", String(40), primary_key=True),
    Column("published", String(32)),
    Column("entities", Integer, nullable=False),
    Column("digest", String(40), nullable=False),
)

# Each canonical entity's base id (the plain id of its members' name): entities sharing one
# are told apart together, so an incremental run re-assigns them together.
entity_bases = Table(
    "entity_bases",
    metadata,
    Column("canonical_id", String(40), primary_key=True),
    Column("base", String(40), nullable=False),
)
Index("ix_entity_bases_base", entity_bases.c.base)

# Each set's summary (0015): the surnames of its people, and what its canonical entity needs from
# its members (link.entities.EntitySummary as JSON), so an incremental run re-resolves an entity
# from its sets' summaries instead of reading every member.
entity_sets = Table(
    "entity_sets",
    metadata,
    Column("node", String(80), primary_key=True),
    Column("surnames_json", Text, nullable=False),
    Column("summary_json", Text, nullable=False),
)

# One row, "resolver": the rules and corrections the state was made under, and the report's counts.
entity_state = Table(
    "entity_state",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("value", Text, nullable=False),
)

# Documents whose entity rows were inserted, updated or deleted since a run read them, marked by
# triggers (migration 0012); `changes` counts the writes so a run clears only what it has read.
entity_changes = Table(
    "entity_changes",
    metadata,
    Column("document_id", String(40), primary_key=True),
    Column("changes", Integer, nullable=False),
)

# Derived rows, rewritten together by a full resolution; an incremental one writes what changed.
CANONICAL_TABLES = (entity_members, canonical_entities, entity_bases)
STATE_TABLES = (entity_records, entity_keys, entity_documents, entity_sets, entity_state)
ENTITY_TABLES = CANONICAL_TABLES + STATE_TABLES


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


@dataclass(kw_only=True)
class EntityRows:
    """What a resolution writes: canonical entities with their base ids, and the resolver's state rows."""

    entities: list[CanonicalEntity]
    bases: dict[str, str]  # canonical id -> base id
    records: list[dict[str, Any]] = field(default_factory=list)  # entity_records rows (new ones, incrementally)
    keys: list[dict[str, Any]] = field(default_factory=list)  # entity_keys rows
    documents: list[dict[str, Any]] = field(default_factory=list)  # entity_documents rows
    sets: list[dict[str, Any]] = field(default_factory=list)  # entity_sets rows (new or changed ones, incrementally)
    dropped_sets: list[str] = field(default_factory=list)  # incremental: sets now part of another
    meta: dict[str, Any] = field(default_factory=dict)  # entity_state's "resolver" value


def _entity_row(entity: CanonicalEntity) -> dict[str, Any]:
    return dict(id=entity.id, name=entity.name, type=entity.type, aliases_json=json.dumps(entity.aliases, ensure_ascii=False))


def _insert(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    if rows:
        connection.execute(insert(table), rows)


def save_entity_resolution(store: Store, rows: EntityRows, *, marks: dict[str, int]) -> None:
    """Replace the canonical entities and the resolver's state in one transaction (a full resolution)."""
    with store.transaction() as connection:
        for table in ENTITY_TABLES:
            connection.execute(delete(table))
        _insert(connection, canonical_entities, [_entity_row(e) for e in rows.entities])
        _insert(connection, entity_members, [dict(canonical_id=e.id, document_id=d, key=k)
                                             for e in rows.entities for d, k in e.members])
        _insert(connection, entity_bases, [dict(canonical_id=i, base=b) for i, b in rows.bases.items()])
        _insert(connection, entity_records, rows.records)
        _insert(connection, entity_keys, rows.keys)
        _insert(connection, entity_documents, rows.documents)
        _insert(connection, entity_sets, rows.sets)
        connection.execute(insert(entity_state).values(name="resolver", value=json.dumps(rows.meta)))
        clear_entity_marks(connection, marks)


def write_entity_changes(connection: Connection, rows: EntityRows, *, old: dict[str, CanonicalEntity],
                         old_bases: dict[str, str], relabel: dict[str, str]) -> int:
    """Write an incremental resolution: its relabelled sets and new state rows, and of the canonical
    entities over the members it re-resolved, only those that differ from `old` (the stored ones).
    Returns how many canonical entities were inserted, updated or deleted."""
    _write_state(connection, rows, relabel)
    new = {entity.id: entity for entity in rows.entities}
    gone = [i for i in old if i not in new]
    kept = [i for i in new if i in old]
    left = [dict(d=d, k=k) for i in kept for d, k in sorted(set(old[i].members) - set(new[i].members))]
    joined = [dict(canonical_id=i, document_id=d, key=k)
              for i, entity in new.items() for d, k in sorted(set(entity.members) - set(old[i].members if i in old else ()))]
    # Deletes first: a member may move from one entity to another.
    for chunk in chunks(gone):
        connection.execute(delete(entity_members).where(entity_members.c.canonical_id.in_(chunk)))
    if left:
        connection.execute(delete(entity_members).where(entity_members.c.document_id == bindparam("d"),
                                                        entity_members.c.key == bindparam("k")), left)
    _insert(connection, entity_members, joined)
    changed = _write_canonical(connection, rows, old=old, old_bases=old_bases)
    regrouped = {i for i in kept if set(old[i].members) != set(new[i].members)}
    return len(changed | regrouped)


def write_set_changes(connection: Connection, rows: EntityRows, *, old: dict[str, CanonicalEntity],
                      old_bases: dict[str, str], relabel: dict[str, str], renumbered: dict[str, str],
                      moved: dict[str, str], members: list[dict[str, Any]]) -> set[str]:
    """Write an incremental resolution made from set summaries (its entities carry no members).

    Members move by set, not one by one: `renumbered` gives the entities outside the re-resolved
    sets whose id changes (old id -> new), `moved` the saved sets (as stored, before `relabel`)
    whose members' entity changes (set -> new id); `members` are the new members' rows. Returns
    the ids of the canonical entities inserted, updated or deleted.
    """
    # An id that passes from one entity to another is left before it is taken: only a base id is
    # ever passed on (the others are salted by the entity's own first member).
    for old_id, new_id in sorted(renumbered.items(), key=lambda item: rows.bases[item[1]] == item[1]):
        connection.execute(update(entity_members).where(entity_members.c.canonical_id == old_id)
                           .values(canonical_id=new_id))
    if moved:
        in_set = select(entity_records.c.document_id, entity_records.c.key).where(entity_records.c.node == bindparam("node"))
        connection.execute(update(entity_members).where(tuple_(entity_members.c.document_id, entity_members.c.key)
                                                        .in_(in_set)).values(canonical_id=bindparam("new_id")),
                           [dict(node=node, new_id=new_id) for node, new_id in moved.items()])
    _write_state(connection, rows, relabel)
    _insert(connection, entity_members, members)
    return _write_canonical(connection, rows, old=old, old_bases=old_bases)


def _write_state(connection: Connection, rows: EntityRows, relabel: dict[str, str]) -> None:
    """The resolver's state after an incremental run: sets relabelled, new records, keys, documents and set summaries."""
    moves = [dict(old_node=a, new_node=b) for a, b in relabel.items() if a != b]
    for table in (entity_records, entity_keys):
        if moves:
            connection.execute(update(table).where(table.c.node == bindparam("old_node")).values(node=bindparam("new_node")),
                               moves)
    _insert(connection, entity_records, rows.records)
    _insert(connection, entity_keys, rows.keys)
    _insert(connection, entity_documents, rows.documents)
    for chunk in chunks(rows.dropped_sets + [row["node"] for row in rows.sets]):
        connection.execute(delete(entity_sets).where(entity_sets.c.node.in_(chunk)))
    _insert(connection, entity_sets, rows.sets)


def _write_canonical(connection: Connection, rows: EntityRows, *, old: dict[str, CanonicalEntity],
                     old_bases: dict[str, str]) -> set[str]:
    """The canonical_entities and entity_bases rows of `rows.entities` in place of `old`'s; returns
    the ids inserted, deleted, renamed or rebased."""
    new = {entity.id: entity for entity in rows.entities}
    gone = [i for i in old if i not in new]
    kept = [i for i in new if i in old]
    renamed = [_entity_row(new[i]) for i in kept
               if (old[i].name, old[i].type, old[i].aliases) != (new[i].name, new[i].type, new[i].aliases)]
    rebased = [i for i in kept if old_bases.get(i) != rows.bases[i]]
    for chunk in chunks(gone + rebased):
        connection.execute(delete(entity_bases).where(entity_bases.c.canonical_id.in_(chunk)))
    for chunk in chunks(gone):
        connection.execute(delete(canonical_entities).where(canonical_entities.c.id.in_(chunk)))
    if renamed:
        connection.execute(update(canonical_entities).where(canonical_entities.c.id == bindparam("entity_id")).values(
            name=bindparam("new_name"), type=bindparam("new_type"), aliases_json=bindparam("new_aliases")),
            [dict(entity_id=row["id"], new_name=row["name"], new_type=row["type"], new_aliases=row["aliases_json"])
             for row in renamed])
    _insert(connection, canonical_entities, [_entity_row(new[i]) for i in new if i not in old])
    _insert(connection, entity_bases, [dict(canonical_id=i, base=rows.bases[i]) for i in new if i not in old or i in rebased])
    return set(gone) | {i for i in new if i not in old} | {row["id"] for row in renamed} | set(rebased)


def canonical_entity_records(store: Store, *, entity_type: str | None = None) -> list[CanonicalEntity]:
    """The stored canonical entities (name order), optionally of one type."""
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


# ---------------------------------------------------------------------- the resolver's state


def node_label(member: Member) -> str:
    return f"{member[0]}:{member[1]}"


def node_member(label: str) -> Member:
    document_id, _, key = label.partition(":")  # document ids hold no colon (the CLI's document:key)
    return (document_id, key)


def entity_marks(store_or_connection: Store | Connection) -> dict[str, int]:
    """Documents whose entity rows were written since a run last read them, and how many writes."""
    query = select(entity_changes.c.document_id, entity_changes.c.changes)
    if isinstance(store_or_connection, Store):
        with store_or_connection.engine.connect() as connection:
            return {row[0]: row[1] for row in connection.execute(query)}
    return {row[0]: row[1] for row in store_or_connection.execute(query)}


def clear_entity_marks(connection: Connection, marks: dict[str, int]) -> None:
    """Clear the marks a run has read; a document written again since keeps its mark."""
    if marks:
        connection.execute(delete(entity_changes).where(entity_changes.c.document_id == bindparam("d"),
                                                        entity_changes.c.changes == bindparam("n")),
                           [dict(d=d, n=n) for d, n in marks.items()])


def load_entity_meta(connection: Connection) -> dict[str, Any] | None:
    value = connection.execute(select(entity_state.c.value).where(entity_state.c.name == "resolver")).scalar()
    return json.loads(value) if value else None


def save_entity_meta(connection: Connection, meta: dict[str, Any]) -> None:
    connection.execute(update(entity_state).where(entity_state.c.name == "resolver").values(value=json.dumps(meta)))


def saved_entity_documents(connection: Connection, document_ids: Iterable[str]) -> dict[str, tuple[str | None, str]]:
    """document id -> (published, digest of its entity rows) of those of these documents in the state."""
    found: dict[str, tuple[str | None, str]] = {}
    for chunk in chunks(sorted(document_ids)):
        found.update((row[0], (row[1], row[2])) for row in connection.execute(
            select(entity_documents.c.document_id, entity_documents.c.published, entity_documents.c.digest)
            .where(entity_documents.c.document_id.in_(chunk))))
    return found


def current_documents(connection: Connection, document_ids: Iterable[str]) -> dict[str, str | None]:
    """id -> published of those of these documents that exist and that no newer version supersedes."""
    found: dict[str, str | None] = {}
    superseded: set[str] = set()
    d = t.documents
    for chunk in chunks(sorted(document_ids)):
        found.update((row[0], row[1]) for row in connection.execute(select(d.c.id, d.c.published).where(d.c.id.in_(chunk))))
        superseded.update(row[0] for row in connection.execute(select(d.c.supersedes).where(d.c.supersedes.in_(chunk))))
    return {document_id: date for document_id, date in found.items() if document_id not in superseded}


def document_entities(connection: Connection, document_ids: Iterable[str]) -> dict[str, list[Entity]]:
    """The per-document entities of these documents (those with none are left out)."""
    found: dict[str, list[Entity]] = {}
    for chunk in chunks(document_ids):
        for row in connection.execute(select(t.entities).where(t.entities.c.document_id.in_(chunk))):
            found.setdefault(row.document_id, []).append(
                Entity(key=row.key, name=row.name, type=row.type, aliases=json.loads(row.aliases_json)))
    return found


def saved_match_keys(connection: Connection, lookups: Iterable[tuple[str, str]]) -> list[Any]:
    """entity_keys rows under these (type class, match key) pairs."""
    by_class: dict[str, list[str]] = {}
    for cls, match_key in sorted(lookups):
        by_class.setdefault(cls, []).append(match_key)
    found: list[Any] = []
    for cls, match_keys in by_class.items():  # one class at a time: the primary key's index serves the lookup
        for chunk in chunks(match_keys):
            found += connection.execute(select(entity_keys).where(entity_keys.c.cls == cls,
                                                                  entity_keys.c.match_key.in_(chunk))).all()
    return found


def surname_nodes(connection: Connection, surnames: Iterable[str]) -> list[Any]:
    """(surname, first, node) of every set holding a person with one of these surnames (first: None when lone)."""
    found: list[Any] = []
    for chunk in chunks(sorted(surnames)):
        found += connection.execute(select(entity_records.c.surname, entity_records.c.first, entity_records.c.node)
                                    .where(entity_records.c.surname.in_(chunk)).distinct()).all()
    return found


def node_records(connection: Connection, nodes: Iterable[str]) -> list[Any]:
    """Every record of these sets with its per-document entity and its stored canonical entity (if any):
    document_id, key, node, name, type, aliases_json, canonical_id."""
    found: list[Any] = []
    r, e, m = entity_records, t.entities, entity_members
    for chunk in chunks(sorted(nodes)):
        found += connection.execute(
            select(r.c.document_id, r.c.key, r.c.node, e.c.name, e.c.type, e.c.aliases_json, m.c.canonical_id)
            .join(e, and_(e.c.document_id == r.c.document_id, e.c.key == r.c.key))
            .outerjoin(m, and_(m.c.document_id == r.c.document_id, m.c.key == r.c.key))
            .where(r.c.node.in_(chunk))).all()
    return found


def set_summaries(connection: Connection, nodes: Iterable[str]) -> list[Any]:
    """The entity_sets rows of these sets (node, surnames_json, summary_json)."""
    found: list[Any] = []
    for chunk in chunks(sorted(nodes)):
        found += connection.execute(select(entity_sets).where(entity_sets.c.node.in_(chunk))).all()
    return found


def _by_member(connection: Connection, table: Table, column: Column[Any], members: Iterable[Member]) -> dict[Member, Any]:
    """`column` of each of these members' rows in `table` (keyed by document_id, key)."""
    wanted = set(members)
    found: dict[Member, Any] = {}
    for chunk in chunks(sorted(wanted)):
        # Two IN lists, not one of pairs: SQLite serves these from the primary key, a list of pairs from a scan.
        query = select(table.c.document_id, table.c.key, column).where(
            table.c.document_id.in_({d for d, _ in chunk}), table.c.key.in_({k for _, k in chunk}))
        found.update(((row[0], row[1]), row[2]) for row in connection.execute(query) if (row[0], row[1]) in wanted)
    return found


def member_entities(connection: Connection, members: Iterable[Member]) -> dict[Member, str]:
    """The stored canonical entity of each of these members that has one."""
    return _by_member(connection, entity_members, entity_members.c.canonical_id, members)


def canonical_entity_ranks(connection: Connection, ids: Iterable[str]) -> dict[str, tuple[int, list[Member]]]:
    """Of these stored canonical entities: how many members, and the first in member order (as a list)."""
    members: dict[str, list[Member]] = {}
    for chunk in chunks(sorted(ids)):
        for row in connection.execute(select(entity_members.c.canonical_id, entity_members.c.document_id,
                                             entity_members.c.key).where(entity_members.c.canonical_id.in_(chunk))):
            members.setdefault(row[0], []).append((row[1], row[2]))
    return {i: (len(found), [min(found, key=_member_order)]) for i, found in members.items()}


def member_nodes(connection: Connection, members: Iterable[Member]) -> dict[Member, str]:
    """The saved set of each of these members that has one."""
    return _by_member(connection, entity_records, entity_records.c.node, members)


def canonical_entity_sizes(connection: Connection, ids: Iterable[str]) -> dict[str, int]:
    """How many members each of these stored canonical entities has."""
    found: dict[str, int] = {}
    for chunk in chunks(sorted(ids)):
        found.update((row[0], row[1]) for row in connection.execute(
            select(entity_members.c.canonical_id, func.count()).where(entity_members.c.canonical_id.in_(chunk))
            .group_by(entity_members.c.canonical_id)))
    return found


def canonical_ids_by_base(connection: Connection, bases: Iterable[str]) -> dict[str, str]:
    """canonical id -> base of the stored entities with one of these base ids."""
    found: dict[str, str] = {}
    for chunk in chunks(sorted(bases)):
        found.update((row[0], row[1]) for row in connection.execute(
            select(entity_bases.c.canonical_id, entity_bases.c.base).where(entity_bases.c.base.in_(chunk))))
    return found


def stored_canonical_entities(connection: Connection, ids: Iterable[str], *,
                              with_members: bool = True) -> tuple[dict[str, CanonicalEntity], dict[str, str]]:
    """These stored canonical entities (with their members, unless told not to), and their base ids."""
    entities: dict[str, CanonicalEntity] = {}
    bases: dict[str, str] = {}
    for chunk in chunks(sorted(ids)):
        for row in connection.execute(select(canonical_entities).where(canonical_entities.c.id.in_(chunk))):
            entities[row.id] = CanonicalEntity(id=row.id, name=row.name, type=row.type, aliases=json.loads(row.aliases_json))
        if with_members:
            for row in connection.execute(select(entity_members).where(entity_members.c.canonical_id.in_(chunk))):
                entities[row.canonical_id].members.append((row.document_id, row.key))
        bases.update((row[0], row[1]) for row in connection.execute(
            select(entity_bases.c.canonical_id, entity_bases.c.base).where(entity_bases.c.canonical_id.in_(chunk))))
    for entity in entities.values():
        entity.members.sort(key=_member_order)
    return entities, bases


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


def list_entity_corrections(store: Store, *, active_only: bool = False) -> list[EntityCorrectionRecord]:
    """The correction history, oldest first (the order they are replayed in)."""
    query = select(entity_corrections)
    if active_only:
        query = query.where(entity_corrections.c.undone_at.is_(None))
    with store.engine.connect() as connection:
        return [_record(row) for row in connection.execute(query.order_by(entity_corrections.c.id))]


def active_entity_corrections(store: Store) -> list[EntityCorrection]:
    """The corrections in force, oldest first, ready for link.entities.correct_groups."""
    return [record.as_correction() for record in list_entity_corrections(store, active_only=True)]
