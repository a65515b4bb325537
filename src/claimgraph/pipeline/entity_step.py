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
with a summary of each set (0015_entity_sets), and a run adds only the documents whose entity
rows were written since the last one (the database marks them in entity_changes). It
re-resolves the canonical entities those documents reach - their sets, what lone surnames
join to them, what the corrections in force join to them, entities sharing their base id -
from the sets' summaries (from their members where a correction reaches them), and writes
only those that changed.
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
from claimgraph.link.entities import (STEP, CanonicalEntity, EntityCorrection, EntityResolver, EntitySummary, MatchKeys,
                                      Member, Signature, correct_groups, joined, lone_joins, match_keys,
                                      normalise_name, summary_entities)
from claimgraph.models import Analysis, Document, Entity
from claimgraph.store import Store
from claimgraph.store import entities as entity_store
from claimgraph.store import schema as t
from claimgraph.store.entities import EntityRows, node_label, node_member

__all__ = [
    "EntityReport", "current_entity", "entity_inputs", "find_canonical_entity", "merge_entities", "rename_entity",
    "resolve_store_entities", "split_entity", "undo_entity_correction",
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


def _set_rows(find: Any, records: dict[Member, tuple[Entity, MatchKeys]],
              summaries: dict[Member, tuple[set[str], EntitySummary]] | None = None) -> list[dict[str, Any]]:
    """entity_sets rows of the sets these records are in, their summaries counted into `summaries` (the sets' so far)."""
    in_set: dict[Member, list[Member]] = defaultdict(list)
    for member in records:
        in_set[find(member)].append(member)
    rows = []
    for node in sorted(in_set):
        surnames, summary = (summaries or {}).get(node) or (set(), EntitySummary())  # one set at a time (full: 30k)
        for member in in_set[node]:
            entity, keys = records[member]
            summary.add(member, entity)
            if keys.surname:
                surnames.add(keys.surname)
        rows.append(dict(node=node_label(node), surnames_json=json.dumps(sorted(surnames), ensure_ascii=False),
                         summary_json=summary.to_json()))
    return rows


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
        sets=_set_rows(resolver.sets.find, resolver.records),
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
        # Removing, superseding or re-dating a document marks it too (0015): the marked ones are all to check.
        marks = entity_store.entity_marks(connection)
        saved = entity_store.saved_entity_documents(connection, marks)
        published = entity_store.current_documents(connection, marks)
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
    canonical entities they reach re-resolved from those sets' summaries (entity_sets), or from
    their members where a correction in force reaches them."""

    def __init__(self, connection: Connection, corrections: list[EntityCorrection]) -> None:
        self.connection = connection
        self.corrections = corrections
        self.resolver = EntityResolver()
        self.new: dict[Member, tuple[Entity, MatchKeys]] = {}
        self.known: set[tuple[str, str, Signature]] = set()  # entity_keys rows read
        self.relabel: dict[Member, Member] = {}  # a saved set read -> its set now
        self.merged: dict[Member, list[Member]] = {}  # a set now -> the saved sets in it
        self.new_sets: dict[Member, list[Member]] = {}  # a set now -> the new members in it
        self.saved: dict[Member, tuple[set[str], EntitySummary]] = {}  # a saved set -> its surnames and summary
        self.by_surname: dict[str, list[tuple[str | None, Member]]] = {}  # saved (first, set) per surname

    def run(self, added: dict[str, list[Entity]], published: dict[str, str | None], report: EntityReport) -> None:
        self._match(added, published)
        reached, joins, corrections = self._reach()
        find = self.resolver.sets.find
        now: dict[Member, tuple[set[str], EntitySummary]] = {node: (set(), EntitySummary()) for node in self.new_sets}  # the sets the new members are in
        for node, (surnames, summary) in now.items():
            for prior in self.merged.get(node, []):
                surnames |= self.saved[prior][0]
                summary.merge(self.saved[prior][1])
        rows = EntityRows(
            entities=[], bases={},
            records=[_record_row(m, keys, find(m)) for m, (_, keys) in self.new.items()],
            keys=_key_rows(self.resolver, known=self.known),
            documents=[dict(document_id=d, published=published[d], entities=len(entities_), digest=_digest(entities_))
                       for d, entities_ in sorted(added.items())],
            sets=_set_rows(find, self.new, now),
            dropped_sets=[node_label(old) for node in self.new_sets for old in self.merged.get(node, []) if old != node],
        )
        relabel = {node_label(a): node_label(b) for a, b in self.relabel.items()}
        groups = self._groups(reached, joins)
        if corrections:
            entities, old, changed = self._by_members(groups, corrections, rows, relabel, report)
        else:
            summaries = {node: now[node][1] if node in now else self.saved[node][1] for node in reached}
            entities, old, changed = self._by_sets(groups, summaries, rows, relabel)
        report.changed = changed
        report.documents += len(added)
        report.document_entities += len(self.new)
        report.entities += len(entities) - len(old)
        report.cross_document += sum(cross for cross in entities.values()) - sum(cross for cross in old.values())

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
        self._load_surnames({keys.surname or "" for _, keys in self.new.values() if keys.first is not None})
        for _, keys in self.new.values():
            if keys.first is not None:
                for first, node in self.by_surname[keys.surname or ""]:
                    if first is not None:
                        self.resolver.restore_person(keys.surname or "", first, node)
                        restored.add(node)
        for member, (entity, keys) in self.new.items():
            self.resolver.records[member] = (entity, keys)
            self.resolver.place(member, keys)
        find = self.resolver.sets.find
        self.relabel = {node: find(node) for node in restored}
        for old, node in self.relabel.items():
            self.merged.setdefault(node, []).append(old)
        for member in self.new:
            self.new_sets.setdefault(find(member), []).append(member)

    def _load_surnames(self, surnames: set[str]) -> None:
        wanted = surnames - self.by_surname.keys()
        for surname in wanted:
            self.by_surname[surname] = []
        for row in entity_store.surname_nodes(self.connection, wanted):
            self.by_surname[row.surname].append((row.first, node_member(row.node)))

    def _now(self, node: Member) -> Member:
        """A saved set as it is now (sets the new entities joined take their smallest member)."""
        return self.relabel.get(node, node)

    def _saved_in(self, node: Member) -> list[Member]:
        """The saved sets in a set as it is now (none for a set of new members alone)."""
        if node in self.merged:
            return self.merged[node]
        return [] if node in self.new_sets else [node]

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

    def _reach(self) -> tuple[set[Member], dict[str, list[tuple[Member, Member]]], list[EntityCorrection]]:
        """The sets (as now) whose canonical entities the new entities can change, the lone-surname joins
        among them, and the corrections in force that reach them.

        The sets the new entities are in, the sets lone surnames join (or joined) to those, and the
        sets the corrections in force reach from them, until nothing more is reached.
        """
        reached: set[Member] = set()
        joins: dict[str, list[tuple[Member, Member]]] = {}  # surname -> its lone-surname joins now
        pending = sorted(self.corrections, key=lambda c: c.id)
        sides = self._correction_sets(pending)
        corrections: list[EntityCorrection] = []
        frontier = set(self.new_sets)
        while frontier:
            reached |= frontier
            self._load_sets([old for node in frontier for old in self._saved_in(node)])
            surnames = {keys.surname for node in frontier for member in self.new_sets.get(node, [])
                        for keys in [self.new[member][1]] if keys.surname}
            surnames |= {surname for node in frontier for old in self._saved_in(node) for surname in self.saved[old][0]}
            surnames -= joins.keys()
            self._load_surnames(surnames)
            more: set[Member] = set()
            for surname in surnames:
                before, joins[surname] = self._surname_sets(surname)
                more |= {node for pair in before + joins[surname] for node in pair}
            for correction in list(pending):
                if sides[correction.id] & reached:
                    pending.remove(correction)
                    corrections.append(correction)
                    more |= sides[correction.id]
            frontier = more - reached
        return reached, joins, corrections

    def _load_sets(self, nodes: list[Member]) -> None:
        wanted = {node_label(node) for node in nodes if node not in self.saved}
        for row in entity_store.set_summaries(self.connection, wanted):
            self.saved[node_member(row.node)] = (set(json.loads(row.surnames_json)), EntitySummary.from_json(row.summary_json))
        if any(node not in self.saved for node in nodes):
            raise _StateUnusable("a saved set has no summary")  # a state saved before 0015

    def _correction_sets(self, corrections: list[EntityCorrection]) -> dict[int, set[Member]]:
        """The sets (as now) of each correction's members, new or saved; members no longer in the corpus have none."""
        wanted = {m for c in corrections for side in c.members for m in side}
        saved = entity_store.member_nodes(self.connection, [m for m in wanted if m not in self.new]) if wanted else {}
        find = self.resolver.sets.find
        node = {m: find(m) for m in wanted if m in self.new} | {m: self._now(node_member(s)) for m, s in saved.items()}
        return {c.id: {node[m] for side in c.members for m in side if m in node} for c in corrections}

    def _groups(self, reached: set[Member], joins: dict[str, list[tuple[Member, Member]]]) -> list[list[Member]]:
        """The reached sets (as now) grouped into canonical entities by the lone-surname joins, by smallest set."""
        top = joined(pair for pairs in joins.values() for pair in pairs)
        grouped: dict[Member, list[Member]] = defaultdict(list)
        for node in reached:
            grouped[top(node)].append(node)
        return [sorted(group) for _, group in sorted(grouped.items())]

    # ------------------------------------------------------------------ resolve and write

    def _by_sets(self, groups: list[list[Member]], summaries: dict[Member, EntitySummary], rows: EntityRows,
                 relabel: dict[str, str]) -> tuple[dict[str, bool], dict[str, bool], int]:
        """Re-resolve the groups from their sets' summaries (no correction reaches them) and write what changed.

        Each saved set is whole in one stored entity (only corrections divide sets), so members move
        by set. Returns the entities after and before (id -> cross-document) and how many changed.
        """
        olds = [old for group in groups for node in group for old in self._saved_in(node)]
        owner = entity_store.member_entities(self.connection, olds)  # a set's entity: its smallest member's
        if any(old not in owner for old in olds):
            raise _StateUnusable("a saved set has no stored entity")  # never expected
        stored: dict[str, list[Member]] = defaultdict(list)
        for prior in olds:
            stored[owner[prior]].append(prior)
        sizes = entity_store.canonical_entity_sizes(self.connection, stored)
        if any(sizes.get(i) != sum(self.saved[old][1].size for old in found) for i, found in stored.items()):
            raise _StateUnusable("a stored entity reaches beyond the re-resolved sets")  # never expected
        old, old_bases = entity_store.stored_canonical_entities(self.connection, stored, with_members=False)
        homonyms: dict[str, CanonicalEntity] = {}  # stored entities sharing a base id with these, as stored
        renamed: dict[str, CanonicalEntity] = {}  # the same, their ids assigned anew

        def others(bases: set[str]) -> list[tuple[CanonicalEntity, str, tuple[int, list[Member]]]]:
            """Stored entities outside these sets with one of these base ids (or one of those replaced)."""
            wanted = {i: b for i, b in entity_store.canonical_ids_by_base(self.connection, bases | set(old_bases.values()))
                      .items() if i not in old}
            ranks = entity_store.canonical_entity_ranks(self.connection, wanted)
            # Per base, only the first in line can change (it holds the base id, or takes it if these sets
            # give it up): the others keep their salted ids, and are left out.
            first_in_line: dict[str, str] = {}
            for i in sorted(wanted, key=lambda i: (-ranks[i][0], ranks[i][1])):
                first_in_line.setdefault(wanted[i], i)
            found, found_bases = entity_store.stored_canonical_entities(self.connection, first_in_line.values(),
                                                                        with_members=False)
            homonyms.update(found)
            renamed.update((i, replace(entity)) for i, entity in found.items())
            old_bases.update(found_bases)
            return [(renamed[i], found_bases[i], ranks[i]) for i in found]

        group_summaries = []
        for group in groups:
            summary = EntitySummary()
            for node in group:
                summary.merge(summaries[node])
            group_summaries.append(summary)
        entities, rows.bases = summary_entities(group_summaries, homonyms=others)
        rows.entities = entities + list(renamed.values())
        # What each entity is made of, before and after: saved sets, new members, homonyms whole.
        before: dict[str, set[Any]] = {i: {node_label(s) for s in found} for i, found in stored.items()}
        before.update((i, {i}) for i in homonyms)
        after: dict[str, set[Any]] = {e.id: {i} for i, e in renamed.items()}
        moved: dict[str, str] = {}  # saved set -> its members' entity now, where that changed
        members: list[dict[str, Any]] = []
        for group, entity in zip(groups, entities):
            parts = after.setdefault(entity.id, set())
            for node in group:
                for saved in self._saved_in(node):
                    parts.add(node_label(saved))
                    if owner[saved] != entity.id:
                        moved[node_label(saved)] = entity.id
                for member in self.new_sets.get(node, []):
                    parts.add(member)
                    members.append(dict(canonical_id=entity.id, document_id=member[0], key=member[1]))
        changed = entity_store.write_set_changes(
            self.connection, rows, old={**old, **homonyms}, old_bases=old_bases, relabel=relabel,
            renumbered={i: e.id for i, e in renamed.items() if e.id != i}, moved=moved, members=members)
        changed |= {i for i in after if i in before and after[i] != before[i]}

        def cross(summaries_: Iterable[EntitySummary]) -> bool:
            return len({d for summary in summaries_ for d in summary.documents}) > 1

        cross_after = {e.id: len(s.documents) > 1 for e, s in zip(entities, group_summaries)}
        cross_before = {i: cross(self.saved[s][1] for s in found) for i, found in stored.items()}
        for i, entity in renamed.items():  # homonyms keep their members: the same on both sides
            cross_after[entity.id] = cross_before[i] = False
        return cross_after, cross_before, len(changed)

    def _by_members(self, groups: list[list[Member]], corrections: list[EntityCorrection], rows: EntityRows,
                    relabel: dict[str, str], report: EntityReport) -> tuple[dict[str, bool], dict[str, bool], int]:
        """Re-resolve the groups from their members, replaying the corrections that reach them, and write
        what changed. Returns the entities after and before (id -> cross-document) and how many changed."""
        members: dict[Member, Entity] = {}
        in_set: dict[Member, list[Member]] = defaultdict(list)  # a set as now -> its members
        stored: dict[str, list[Member]] = defaultdict(list)  # the stored entities over these members
        olds = [old for group in groups for node in group for old in self._saved_in(node)]
        for row in entity_store.node_records(self.connection, [node_label(n) for n in olds]):
            member = (row.document_id, row.key)
            aliases = json.loads(row.aliases_json) if row.aliases_json != "[]" else []
            members[member] = Entity(key=row.key, name=row.name, type=row.type, aliases=aliases)
            in_set[self._now(node_member(row.node))].append(member)
            if row.canonical_id is not None:
                stored[row.canonical_id].append(member)
        for node, new_members in self.new_sets.items():
            members.update((m, self.new[m][0]) for m in new_members)
            in_set[node] += new_members
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

        member_groups = [sorted(m for node in group for m in in_set[node]) for group in groups]
        entities, outcome = correct_groups(member_groups, corrections, members, homonyms=others)
        rows.entities, rows.bases = entities, outcome.bases
        changed = entity_store.write_entity_changes(self.connection, rows, old={**old, **homonyms}, old_bases=old_bases,
                                                    relabel=relabel)
        replayed = {c.id for c in corrections}  # the others' outcome is as the last run left it
        report.corrections_applied = sorted(set(report.corrections_applied) - replayed | set(outcome.applied))
        report.corrections_stale = sorted(set(report.corrections_stale) - replayed | set(outcome.stale))
        return ({e.id: len(e.documents) > 1 for e in entities},
                {i: len(e.documents) > 1 for i, e in {**old, **homonyms}.items()}, changed)


def find_canonical_entity(store: Store, ref: str) -> CanonicalEntity:
    """A canonical entity by id, id prefix (X-…), or name / alias (case and "the" ignored)."""
    ref = ref.strip()
    entities = entity_store.canonical_entity_records(store)
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


def current_entity(store: Store, ref: str) -> CanonicalEntity:
    if entity_store.count_canonical_entities(store) == 0:
        resolve_store_entities(store)  # corrections before the first `link`: resolve now
    return find_canonical_entity(store, ref)


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
