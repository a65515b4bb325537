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

Incremental: the resolver's sets and match index are saved in the store (0012_entity_state),
and a run adds only the documents whose entity rows were written since the last one (the
database marks them in entity_changes). It re-resolves the canonical entities those
documents reach - their sets, what lone surnames join to them, what the corrections in
force join to them, entities sharing their base id - and writes only those that changed.
Resolution does not depend on the order of documents (link/entities.py), so this equals one
full resolution of the same documents (tests/test_entity_incremental.py). A run resolves
everything again, and saves the state anew, when the saved state cannot be used: there is
none, it was made under other rules (the resolver's STEP or role lexicon) or with other
corrections in force (any merge, split, rename or undo since), or a document in it was
removed, superseded, re-dated or re-analysed with other entities.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from typing import Any

from sqlalchemy import Connection, select

from claimgraph.errors import NotFound
from claimgraph.link.entities import (STEP, CanonicalEntity, CorrectionOutcome, EntityCorrection, EntityResolver,
                                      MatchKeys, Member, Signature, UnionFind, correct_groups, lone_joins, match_keys)
from claimgraph.models import Analysis, Document, Entity
from claimgraph.store import Store
from claimgraph.store import entities as entity_store
from claimgraph.store import schema as t
from claimgraph.store.entities import EntityRows, node_label, node_member

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
    incremental: bool = False  # only documents written since the last run were resolved
    added: list[str] = field(default_factory=list)  # incremental: the documents whose entities it added
    changed: int = 0  # incremental: canonical entities inserted, updated or deleted

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class _StateUnusable(Exception):
    """The saved state cannot give what a full resolution would; resolve everything."""


def _current_documents(connection: Connection) -> dict[str, str | None]:
    """id -> published of every document no newer version supersedes."""
    documents = connection.execute(select(t.documents.c.id, t.documents.c.published, t.documents.c.supersedes)).all()
    superseded = {row.supersedes for row in documents if row.supersedes}
    return {row.id: row.published for row in documents if row.id not in superseded}


def entity_inputs(store: Store) -> list[tuple[Document, Analysis]]:
    """(document, analysis holding only its entities) for every current analysed document.

    Reads the entities table and three document columns, never texts or claims: a document
    superseded by a newer version of its origin is left out, as in ledger.current_inputs.
    """
    with store.engine.connect() as connection:
        published = _current_documents(connection)
        rows = connection.execute(select(t.entities).order_by(t.entities.c.document_id)).all()
    analyses: dict[str, Analysis] = {}
    for row in rows:
        if row.document_id in published:
            analysis = analyses.setdefault(row.document_id, Analysis(document_id=row.document_id))
            analysis.entities.append(Entity(key=row.key, name=row.name, type=row.type,
                                            aliases=json.loads(row.aliases_json)))
    return [(Document(id=document_id, content_hash="", origin="", version=0, media_type="", text="",
                      published=published[document_id]), analyses[document_id]) for document_id in sorted(analyses)]


@lru_cache(maxsize=1)  # read-only data shipped with the package
def _rules() -> str:
    """The resolver's rules: its versioned name and the role lexicon it resolves descriptions with."""
    lexicon = resources.files("claimgraph.data").joinpath("roles.json").read_bytes()
    return f"{STEP}+roles:{hashlib.sha1(lexicon).hexdigest()[:12]}"


def _state_key(corrections: list[EntityCorrection]) -> dict[str, str]:
    """What a saved state was made under: the rules and the corrections in force."""
    basis = json.dumps([[c.id, c.action, c.members, c.value] for c in corrections], ensure_ascii=False)
    return {"rules": _rules(), "corrections": hashlib.sha1(basis.encode("utf-8")).hexdigest()}


def _digest(entities: Iterable[Entity]) -> str:
    """A document's entity rows, to tell a re-analysis that changed them."""
    rows = sorted([e.key, e.name, e.type, list(e.aliases)] for e in entities)
    return hashlib.sha1(json.dumps(rows, ensure_ascii=False).encode("utf-8")).hexdigest()


def _record_row(member: Member, keys: MatchKeys, node: Member) -> dict[str, Any]:
    return dict(document_id=member[0], key=member[1], node=node_label(node), surname=keys.surname, first=keys.first)


def _key_rows(resolver: EntityResolver, *, known: set[tuple[str, str, Signature]]) -> list[dict[str, Any]]:
    """entity_keys rows of the resolver's index, less those already saved."""
    return [dict(cls=cls, match_key=match_key, key=signature.key, person=signature.person,
                 name_like=signature.name_like, node=node_label(resolver.sets.find(holder)))
            for (cls, match_key), bucket in resolver.index.items() for signature, holder in bucket.items()
            if (cls, match_key, signature) not in known]


def _counts(report: EntityReport) -> dict[str, Any]:
    return {"documents": report.documents, "document_entities": report.document_entities, "entities": report.entities,
            "cross_document": report.cross_document, "applied": report.corrections_applied,
            "stale": report.corrections_stale}


def resolve_store_entities(store: Store, *, full: bool = False) -> EntityReport:
    """Resolve the store's canonical entities, replay corrections, and save them.

    Adds only the documents written since the last run where the saved state allows it (see
    above); `full` resolves every document again.
    """
    corrections = entity_store.active_entity_corrections(store)
    key = _state_key(corrections)
    if not full:
        try:
            return _resolve_added(store, key, corrections)
        except _StateUnusable:
            pass
    return _resolve_all(store, key, corrections)


def _resolve_all(store: Store, key: dict[str, str], corrections: list[EntityCorrection]) -> EntityReport:
    marks = entity_store.entity_marks(store)  # read before the inputs: a document written after stays marked
    inputs = entity_inputs(store)
    resolver = EntityResolver()
    for document, analysis in inputs:
        resolver.add(document, analysis)
    per_document = {member: entity for member, (entity, _) in resolver.records.items()}
    canonical, outcome = correct_groups(resolver.groups(), corrections, per_document)
    report = EntityReport(
        documents=len(inputs), document_entities=len(per_document), entities=len(canonical),
        cross_document=sum(len(e.documents) > 1 for e in canonical),
        corrections_applied=outcome.applied, corrections_stale=outcome.stale,
    )
    rows = EntityRows(
        entities=canonical, bases=outcome.bases,
        records=[_record_row(m, keys, resolver.sets.find(m)) for m, (_, keys) in resolver.records.items()],
        keys=_key_rows(resolver, known=set()),
        documents=[dict(document_id=d.id, published=d.published, entities=len(a.entities), digest=_digest(a.entities))
                   for d, a in inputs],
        meta={**key, **_counts(report)},
    )
    entity_store.save_entity_resolution(store, rows, marks=marks)
    return report


def _resolve_added(store: Store, key: dict[str, str], corrections: list[EntityCorrection]) -> EntityReport:
    """Add the documents written since the saved state; raises _StateUnusable where it cannot be used."""
    with store.transaction() as connection:
        meta = entity_store.load_entity_meta(connection)
        if meta is None or any(meta.get(name) != value for name, value in key.items()):
            raise _StateUnusable("no saved state, or one made under other rules or corrections")
        marks = entity_store.entity_marks(connection)
        saved = entity_store.saved_entity_documents(connection)
        published = _current_documents(connection)
        if any(document_id not in published or published[document_id] != date for document_id, (date, _) in saved.items()):
            raise _StateUnusable("a document in the saved state was removed, superseded or re-dated")
        written = entity_store.document_entities(connection, [d for d in marks if d in published])
        for document_id in marks:
            if document_id in saved and _digest(written.get(document_id, [])) != saved[document_id][1]:
                raise _StateUnusable(f"document {document_id} was re-analysed: its entities changed")
        added = {d: entities for d, entities in written.items() if d not in saved}
        report = EntityReport(
            documents=meta["documents"], document_entities=meta["document_entities"], entities=meta["entities"],
            cross_document=meta["cross_document"], corrections_applied=list(meta["applied"]),
            corrections_stale=list(meta["stale"]), incremental=True, added=sorted(added),
        )
        if added:
            _Addition(connection, corrections).run(added, published, report)
            meta.update(_counts(report))
            entity_store.save_entity_meta(connection, meta)
        entity_store.clear_entity_marks(connection, marks)
    return report


class _Addition:
    """One incremental run: new documents' entities matched against the saved sets, then the
    canonical entities they reach re-resolved from those sets' members alone."""

    def __init__(self, connection: Connection, corrections: list[EntityCorrection]) -> None:
        self.connection = connection
        self.corrections = corrections
        self.resolver = EntityResolver()
        self.new: dict[Member, tuple[Entity, MatchKeys]] = {}
        self.known: set[tuple[str, str, Signature]] = set()  # entity_keys rows read
        self.relabel: dict[Member, Member] = {}  # a saved set read -> its set now
        self.by_surname: dict[str, list[tuple[str | None, Member]]] = {}  # saved (first, set) per surname

    def run(self, added: dict[str, list[Entity]], published: dict[str, str | None], report: EntityReport) -> None:
        self._match(added, published)
        corrections, entities, outcome, old, old_bases = self._reach()
        find = self.resolver.sets.find
        rows = EntityRows(
            entities=entities, bases=outcome.bases,
            records=[_record_row(m, keys, find(m)) for m, (_, keys) in self.new.items()],
            keys=_key_rows(self.resolver, known=self.known),
            documents=[dict(document_id=d, published=published[d], entities=len(entities_), digest=_digest(entities_))
                       for d, entities_ in sorted(added.items())],
        )
        relabel = {node_label(a): node_label(b) for a, b in self.relabel.items()}
        report.changed = entity_store.write_entity_changes(self.connection, rows, old=old, old_bases=old_bases,
                                                           relabel=relabel)
        report.documents += len(added)
        report.document_entities += len(self.new)
        report.entities += len(entities) - len(old)
        report.cross_document += sum(len(e.documents) > 1 for e in entities) - sum(
            len(e.documents) > 1 for e in old.values())
        replayed = {c.id for c in corrections}  # the others' outcome is as the last run left it
        report.corrections_applied = sorted(set(report.corrections_applied) - replayed | set(outcome.applied))
        report.corrections_stale = sorted(set(report.corrections_stale) - replayed | set(outcome.stale))

    # ------------------------------------------------------------------ matching

    def _match(self, added: dict[str, list[Entity]], published: dict[str, str | None]) -> None:
        """Place the new entities among the saved sets their keys and surnames reach."""
        for document_id, entities in added.items():
            for entity in entities:
                self.new[(document_id, entity.key)] = (entity, match_keys(entity, published[document_id]))
        lookups = {(keys.signature.cls, k) for _, keys in self.new.values() for k in keys.keys}
        restored: set[Member] = set()
        for row in entity_store.saved_match_keys(self.connection, lookups):
            signature = Signature(row.cls, row.key, bool(row.person), bool(row.name_like))
            self.resolver.restore(signature, row.match_key, node_member(row.node))
            self.known.add((row.cls, row.match_key, signature))
            restored.add(node_member(row.node))
        self._load_surnames({keys.surname for _, keys in self.new.values() if keys.first is not None})
        for _, keys in self.new.values():
            if keys.first is not None:
                for first, node in self.by_surname[keys.surname or ""]:
                    if first is not None:
                        self.resolver.restore_person(keys.surname or "", first, node)
                        restored.add(node)
        for member, (entity, keys) in self.new.items():
            self.resolver.records[member] = (entity, keys)
            self.resolver.place(member, keys)
        self.relabel = {node: self.resolver.sets.find(node) for node in restored}

    def _load_surnames(self, surnames: set[str]) -> None:
        wanted = surnames - self.by_surname.keys()
        for surname in wanted:
            self.by_surname[surname] = []
        for row in entity_store.surname_nodes(self.connection, wanted):
            self.by_surname[row.surname].append((row.first, node_member(row.node)))

    def _now(self, node: Member) -> Member:
        """A saved set as it is now (sets the new entities joined take their smallest member)."""
        return self.relabel.get(node, node)

    def _surname_sets(self, surname: str) -> tuple[list[tuple[Member, Member]], list[tuple[Member, Member]]]:
        """The lone-surname joins of `surname` before the new entities (sets as now) and after."""
        old: tuple[dict[str, set[Member]], dict[str, set[Member]]] = ({surname: set()}, {surname: set()})
        for first, node in self.by_surname[surname]:
            old[0 if first is not None else 1][surname].add(node)
        now = ({surname: {self._now(n) for n in old[0][surname]}}, {surname: {self._now(n) for n in old[1][surname]}})
        for member, (_, keys) in self.new.items():
            if keys.surname == surname:
                now[0 if keys.first is not None else 1][surname].add(self.resolver.sets.find(member))
        before = [(self._now(a), self._now(b)) for a, b in lone_joins(*old)]
        return before, lone_joins(*now)

    # ------------------------------------------------------------------ reach

    def _reach(self) -> tuple[list[EntityCorrection], list[CanonicalEntity], CorrectionOutcome,
                              dict[str, CanonicalEntity], dict[str, str]]:
        """The canonical entities the new entities can change, resolved as a full run would resolve them.

        Re-resolves the members of the sets the new entities are in, of the sets lone surnames
        join (or joined) to those, and of the sets the corrections in force reach from them,
        until nothing more is reached; stored entities sharing a base id with the result keep
        all but their ids, which are assigned anew with it. Returns the corrections replayed,
        the entities and the outcome, and the stored entities they replace with their base ids.
        """
        find = self.resolver.sets.find
        new_sets: dict[Member, list[Member]] = defaultdict(list)
        for member in self.new:
            new_sets[find(member)].append(member)
        merged: dict[Member, list[Member]] = defaultdict(list)  # a set now -> the saved sets in it
        for old, now in self.relabel.items():
            merged[now].append(old)
        members: dict[Member, tuple[Member, str | None, str | None, Entity]] = {}
        stored: dict[str, list[Member]] = defaultdict(list)  # the stored entities over these members
        reached: set[Member] = set()
        joins: dict[str, list[tuple[Member, Member]]] = {}  # surname -> its lone-surname joins now
        pending = sorted(self.corrections, key=lambda c: c.id)
        corrections: list[EntityCorrection] = []
        frontier = set(new_sets)
        while frontier:
            reached |= frontier
            saved = [old for node in frontier for old in (merged[node] if node in merged else [node])]
            for row in entity_store.node_records(self.connection, [node_label(n) for n in saved]):
                member = (row.document_id, row.key)
                aliases = json.loads(row.aliases_json) if row.aliases_json != "[]" else []
                members[member] = (self._now(node_member(row.node)), row.surname, row.first,
                                   Entity(key=row.key, name=row.name, type=row.type, aliases=aliases))
                if row.canonical_id is not None:
                    stored[row.canonical_id].append(member)
            for node in frontier:
                for member in new_sets.get(node, []):
                    entity, keys = self.new[member]
                    members[member] = (node, keys.surname, keys.first, entity)
            more: set[Member] = set()
            surnames = {surname for _, surname, _, _ in members.values() if surname} - joins.keys()
            self._load_surnames(surnames)
            for surname in surnames:
                before, joins[surname] = self._surname_sets(surname)
                more |= {node for pair in before + joins[surname] for node in pair}
            for correction in list(pending):
                sides = [m for side in correction.members for m in side]
                if any(m in members for m in sides):
                    pending.remove(correction)
                    corrections.append(correction)
                    more |= self._sets_of([m for m in sides if m not in members])
            frontier = more - reached
        sizes = entity_store.canonical_entity_sizes(self.connection, stored)
        if any(sizes[i] != len(found) for i, found in stored.items()):
            raise _StateUnusable("a stored entity reaches beyond the re-resolved members")  # never expected
        old, old_bases = entity_store.stored_canonical_entities(self.connection, stored, with_members=False)
        for canonical_id, found in stored.items():
            old[canonical_id].members = sorted(found)
        homonyms: dict[str, CanonicalEntity] = {}

        def others(bases: set[str]) -> list[tuple[CanonicalEntity, str]]:
            """Stored entities outside these members with one of these base ids (or one of those replaced)."""
            wanted = {i: b for i, b in entity_store.canonical_ids_by_base(self.connection, bases | set(old_bases.values()))
                      .items() if i not in old}
            found, found_bases = entity_store.stored_canonical_entities(self.connection, wanted)
            homonyms.update((i, replace(e, members=list(e.members))) for i, e in found.items())  # as stored
            old_bases.update(found_bases)
            return [(entity, found_bases[i]) for i, entity in found.items()]

        groups = self._groups(members, joins)
        per_document = {member: entity for member, (_, _, _, entity) in members.items()}
        entities, outcome = correct_groups(groups, corrections, per_document, homonyms=others)
        return corrections, entities, outcome, {**old, **homonyms}, old_bases

    def _sets_of(self, wanted: list[Member]) -> set[Member]:
        """The sets (as now) of these members, new or saved; members no longer in the corpus have none."""
        found = {self.resolver.sets.find(m) for m in wanted if m in self.new}
        saved = entity_store.member_nodes(self.connection, [m for m in wanted if m not in self.new])
        return found | {self._now(node_member(label)) for label in saved.values()}

    def _groups(self, members: dict[Member, tuple[Member, str | None, str | None, Entity]],
                joins: dict[str, list[tuple[Member, Member]]]) -> list[list[Member]]:
        final = UnionFind()
        for pairs in joins.values():
            for a, b in pairs:
                final.add(a)
                final.add(b)
                final.union(a, b)
        grouped: dict[Member, list[Member]] = defaultdict(list)
        for member, (node, _, _, _) in members.items():
            grouped[final.find(node) if node in final.parent else node].append(member)
        return [sorted(group) for _, group in sorted(grouped.items())]


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
