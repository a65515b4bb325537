"""The store's incremental entity resolution: adding documents a few at a time gives exactly what one
full resolution of the same documents gives, and a state that cannot be used is never used."""

from __future__ import annotations

import hashlib
import itertools
import json
import random
import re
import warnings
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from claimgraph.pipeline import entity_step
from claimgraph.pipeline.entity_step import (entity_inputs, merge_entities, rename_entity, resolve_store_entities, split_entity,
                                     undo_entity_correction)
from claimgraph.pipeline import ingest_document, ingest_paths
from claimgraph.ledger import analyse_store
from claimgraph.link.entities import EntityResolver, resolve_entities
from claimgraph.models import Analysis, Entity, MetaValue, RawDocument, Zone
from claimgraph.store import Store, open_store
from claimgraph.store import entities as entity_store

from conftest import EXAMPLES, shared_path

warnings.simplefilter("ignore")

STATE = (entity_store.entity_records, entity_store.entity_keys, entity_store.entity_documents, entity_store.entity_bases,
         entity_store.entity_sets)


def _snapshot(store: Store) -> dict[str, Any]:
    """Everything a resolution writes: the canonical entities (as export, report and API read them) and the state."""
    with store.engine.connect() as connection:
        state = {table.name: sorted((tuple(row) for row in connection.execute(select(table))), key=json.dumps)
                 for table in STATE}
        meta = entity_store.load_entity_meta(connection)
    return {"canonical": entity_store.load_canonical_entities(store), "state": state, "meta": meta}


def _assert_equals_full(store: Store) -> dict[str, Any]:
    """The store as the incremental runs left it equals a full resolution of the same documents."""
    incremental = _snapshot(store)
    report = resolve_store_entities(store, full=True)
    assert not report.incremental
    full = _snapshot(store)
    assert incremental["canonical"] == full["canonical"]
    assert incremental["state"] == full["state"]
    assert incremental["meta"] == full["meta"]
    return full


def _ingest(store: Store, name: str, published: str, text: str | None = None) -> str:
    text = text or f"{name}: a made-up article."
    outcome = ingest_document(store, RawDocument(
        origin=f"{name}.txt", media_type="text/plain", text=text, zones=[Zone(start=0, end=len(text), kind="body")],
        metadata={"published": MetaValue(value=published, source="header", precision="day")}))
    return outcome.document_id


def _save(store: Store, document_id: str, entities: list[Entity]) -> None:
    store.save_analysis(Analysis(document_id=document_id, step="test.v1", model="none", entities=entities),
                        analysed_at="2026-01-01T00:00:00+00:00")


@pytest.fixture(scope="module")
def seed_analyses(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Path, Analysis, str | None]]:
    """The example seeds analysed with spaCy once: (path, analysis, published)."""
    with open_store(str(tmp_path_factory.mktemp("seeds") / "seeds.db")) as store:
        ingest_paths(store, [EXAMPLES])
        analyse_store(store)
        return [(Path(d.origin), store.load_analysis(d.id), d.published) for d in store.documents(with_text=False)]


# People, outlets and places whose resolution depends on what else is in the corpus: a lone
# surname that is unambiguous until a second full name arrives, a document whose aliases bridge
# two sets, first names that agree only through an initial, descriptions too generic to match
# (homonyms: one name, several entities, told apart by id).
TRICKY = [
    ("2016-10-12", [("Mueller", "PER"), ("Zelenko", "PER"), ("the election", "EVENT"), ("Kremlin", "ORG")]),
    ("2017-01-10", [("Robert Mueller", "PER", ["Mueller"]), ("Anna Zelenko", "PER"),
                    ("the election", "EVENT"), ("The Kremlin", "ORG", ["Kremlin"])]),
    ("2018-02-02", [("Boris Zelenko", "PER"), ("Dmitri Peskov", "PER"), ("the election", "EVENT")]),
    ("2019-04-18", [("D. Peskov", "PER", ["Peskov"]), ("Dmitry Peskov", "PER"), ("Moscow", "GPE")]),
    ("2020-08-09", [("Donald J. Trump", "PER"), ("Russian government", "ORG", ["Moscow", "the Kremlin"]),
                    ("Moscow", "GPE"), ("Trump", "PER"), ("Zelenko", "PER")]),
    ("2021-07-15", [("the president", "PER"), ("Peskov", "PER"), ("the election", "EVENT"), ("Mueller", "PER"),
                    ("Daria Peskov", "PER")]),
]


def _tricky(name: str, entities: list[tuple[Any, ...]]) -> list[Entity]:
    return [Entity(key=f"E{i}", name=e[0], type=e[1], aliases=list(e[2]) if len(e) > 2 else [])
            for i, e in enumerate(entities, start=1)]


def _copies(seeds: list[tuple[Path, Analysis, str | None]], count: int) -> list[tuple[str, str, list[Entity]]]:
    """Synthetic documents from the seeds' entities: some name words swapped for others of the seeds'
    names, so copies share some names with the seeds and each other and differ in others."""
    words = sorted({w for _, a, _ in seeds for e in a.entities for w in re.findall(r"[A-Z][a-z]+", e.name)})

    def swap(text: str, n: int) -> str:
        def one(match: re.Match[str]) -> str:
            digest = hashlib.blake2b(f"{n}:{match.group(0)}".encode(), digest_size=4).digest()
            return match.group(0) if digest[0] % 3 else words[int.from_bytes(digest[1:], "little") % len(words)]
        return re.sub(r"[A-Z][a-z]+", one, text)

    made = []
    for n in range(1, count + 1):
        path, analysis, _ = seeds[n % len(seeds)]
        entities = [Entity(key=e.key, name=swap(e.name, n), type=e.type, aliases=[swap(a, n) for a in e.aliases])
                    for e in analysis.entities]
        made.append((f"copy{n}-{path.stem}", ["2016-10-12", "2017-06-01", "2021-07-15"][n % 3], entities))
    return made


def test_resolution_does_not_depend_on_document_order(seed_analyses) -> None:
    inputs = [(_document(d), a) for d, a in _made_up(seed_analyses)]
    once = [e.to_dict() for e in resolve_entities(inputs)]
    rng = random.Random(7)
    for _ in range(5):
        order = inputs[:]
        rng.shuffle(order)
        resolver = EntityResolver()
        for document, analysis in order:
            resolver.add(document, analysis)
        assert [e.to_dict() for e in resolver.result()] == once
    # First names that agree only through an initial (Daria ~ D. ~ Dmitri): one set whichever came
    # first. (A swap may also make a "Vladimir Peskov": another first name, rightly another person.)
    peskov = [e for e in resolve_entities(inputs) if "Peskov" in e.name and e.type == "PER"
              and any(n.split()[0][:1] == "D" for n in [e.name, *e.aliases] if len(n.split()) > 1)]
    assert len(peskov) == 1


def _made_up(seeds: list[tuple[Path, Analysis, str | None]]) -> list[tuple[tuple[str, str], Analysis]]:
    """(document id, published) and analysis of the seeds, their copies and the tricky documents."""
    made = [((analysis.document_id, published), analysis) for _, analysis, published in seeds]
    for name, published, entities in _copies(seeds, 12):
        made.append(((_id(name), published), Analysis(document_id=_id(name), entities=entities)))
    for i, (published, entities) in enumerate(TRICKY):
        made.append(((_id(f"tricky{i}"), published), Analysis(document_id=_id(f"tricky{i}"),
                                                              entities=_tricky(f"tricky{i}", entities))))
    return made


def _id(name: str) -> str:
    return "d" + hashlib.sha256(name.encode()).hexdigest()[:15]


def _document(key: tuple[str, str]) -> Any:
    from claimgraph.models import Document

    return Document(id=key[0], content_hash=key[0], origin=key[0], version=1, media_type="text/plain", text="",
                    published=key[1])


@pytest.mark.parametrize("order", ["shuffled", "descending"])
def test_incremental_store_resolution_equals_a_full_one(store: Store, seed_analyses, order: str) -> None:
    """Seeds, synthetic copies and tricky documents added one or a few at a time, in an order where new
    ids sort before old ones, with analyst corrections in force for the second half."""
    documents: list[tuple[str, list[Entity]]] = []
    for path, analysis, _ in seed_analyses:
        [outcome] = ingest_paths(store, [path]).outcomes
        assert outcome.document_id == analysis.document_id
        documents.append((outcome.document_id, analysis.entities))
    for name, published, entities in _copies(seed_analyses, 12):
        documents.append((_ingest(store, name, published), entities))
    tricky = {i: _ingest(store, f"tricky{i}", published) for i, (published, _) in enumerate(TRICKY)}
    documents += [(tricky[i], _tricky(f"tricky{i}", entities)) for i, (_, entities) in enumerate(TRICKY)]
    if order == "shuffled":
        random.Random(3).shuffle(documents)
    else:
        documents.sort(reverse=True)  # every document added sorts before all those in the state

    batches = [documents[:4]] + [[d] for d in documents[4:12]] + [documents[12:15]] + [[d] for d in documents[15:]]
    reports = []
    for number, batch in enumerate(batches):
        for document_id, entities in batch:
            _save(store, document_id, entities)
        reports.append(resolve_store_entities(store))
        assert sorted(reports[-1].added) == (sorted(d for d, _ in batch) if number else [])
        if number == 9:
            _assert_equals_full(store)
            _correct(store)  # each correction re-resolves everything; the next adds replay them
        elif number in (4, 6):
            _assert_equals_full(store)
    assert not reports[0].incremental and all(r.incremental for r in reports[1:])
    assert any(r.changed for r in reports[10:])
    full = _assert_equals_full(store)
    by_member = {(m["document_id"], m["key"]): e for e in full["canonical"] for m in e["members"]}
    assert len({e["id"] for e in full["canonical"]}) == len(full["canonical"])
    assert sum(len(e["members"]) for e in full["canonical"]) == sum(len(entities) for _, entities in documents)
    assert full["meta"]["applied"] and not full["meta"]["stale"]
    # Boris Zelenko makes a lone "Zelenko" ambiguous: it stays apart from Anna Zelenko.
    assert by_member[(tricky[0], "E2")]["id"] != by_member[(tricky[1], "E2")]["id"]
    # Homonyms: descriptions too generic to match keep one name and get distinct ids.
    elections = {by_member[(tricky[i], key)]["id"] for i, key in ((0, "E3"), (1, "E3"), (2, "E3"), (5, "E3"))}
    assert len(elections) == 4
    # With no corrections, the stored entities are the pure resolver's.
    for correction in entity_store.list_entity_corrections(store, active_only=True):
        undo_entity_correction(store, correction.id, author="bob")
    assert entity_store.load_canonical_entities(store) == [e.to_dict() for e in resolve_entities(entity_inputs(store))]


def _correct(store: Store) -> None:
    """A merge, a rename and a split over entities the documents still to come will reach."""
    people = [e for e in entity_store.canonical_entity_records(store, entity_type="PER") if len(e.members) > 1]
    places = [e for e in entity_store.canonical_entity_records(store) if e.type in {"GPE", "ORG"}]
    assert len(people) >= 2 and len(places) >= 2
    merge_entities(store, people[0].id, places[0].id, author="ana")
    rename_entity(store, people[1].id, "An Analyst's Name", author="ana")
    biggest = max(entity_store.canonical_entity_records(store), key=lambda e: len(e.members))
    document_id, key = biggest.members[-1]
    report = split_entity(store, biggest.id, document_id, key, author="ana")[1]
    assert not report.incremental


# Small stories where what a new document changes reaches beyond its own entities' sets.
STORIES = {
    # A lone surname joins the only full name with it, and leaves when a second one comes.
    "lone surname": [[("Zelenko", "PER"), ("Kyiv", "GPE")], [("Anna Zelenko", "PER")], [("Boris Zelenko", "PER")],
                     [("Zelenko", "PER", ["Ms Zelenko"])]],
    # A new name bridges two sets: they become one entity (the smaller member's set takes the other).
    "bridge": [[("Kyiv", "GPE")], [("Kiev", "GPE")], [("Kyiv", "GPE", ["Kiev"])]],
    # Two "the election" of one set (joined by an alias) hold the plain id among their homonyms;
    # two documents more name that set otherwise, and the plain id passes to another "the election".
    "homonyms": [[("the election", "EVENT")], [("the election", "EVENT", ["2016 presidential election"])],
                 [("the election", "EVENT", ["2016 presidential election"])], [("2016 presidential election", "EVENT")],
                 [("2016 presidential election", "EVENT")], [("the election", "EVENT")]],
}


@pytest.mark.parametrize("story", sorted(STORIES))
def test_what_a_new_document_reaches_is_re_resolved(store: Store, story: str) -> None:
    for number, entities in enumerate(STORIES[story]):
        document_id = _ingest(store, f"{story}{number}", "2021-07-15")
        _save(store, document_id, _tricky(story, entities))
        report = resolve_store_entities(store)
        assert report.incremental == (number > 0) and report.added == ([document_id] if number else [])
        _assert_equals_full(store)
    if story == "homonyms":
        names = [e["name"] for e in entity_store.load_canonical_entities(store)]
        assert names.count("the election") == 2 and "2016 presidential election" in names


def test_a_state_that_cannot_be_used_is_not_used(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    a = _ingest(store, "a", "2021-07-15")
    b = _ingest(store, "b", "2016-10-12")
    _save(store, a, _tricky("a", TRICKY[1][1]))
    _save(store, b, _tricky("b", TRICKY[0][1]))
    assert not resolve_store_entities(store).incremental  # nothing saved yet

    c = _ingest(store, "c", "2018-02-02")
    _save(store, c, _tricky("c", TRICKY[2][1]))
    added = resolve_store_entities(store)
    assert added.incremental and added.added == [c] and added.documents == 3
    nothing = resolve_store_entities(store)
    assert nothing.incremental and not nothing.added and nothing.changed == 0

    _save(store, b, _tricky("b", TRICKY[0][1]))  # re-analysed, the same entities: nothing to redo
    same = resolve_store_entities(store)
    assert same.incremental and not same.added and same.changed == 0
    _save(store, b, _tricky("b", TRICKY[3][1]))  # re-analysed with other entities (same analysed_at)
    assert not resolve_store_entities(store).incremental
    _assert_equals_full(store)

    # A new version of a document supersedes it: its entities leave the corpus.
    newer = _ingest(store, "a", "2021-07-16", text="a: a corrected article.")
    _save(store, newer, _tricky("a", TRICKY[4][1]))
    superseded = resolve_store_entities(store)
    assert not superseded.incremental and superseded.documents == 3
    assert a not in {m["document_id"] for e in entity_store.load_canonical_entities(store) for m in e["members"]}

    # Corrections recorded or undone since the state was saved.
    first, second = entity_store.canonical_entity_records(store)[:2]
    record, report = merge_entities(store, first.id, second.id, author="ana")
    assert not report.incremental
    d = _ingest(store, "d", "2021-07-15")
    _save(store, d, _tricky("d", TRICKY[5][1]))
    assert resolve_store_entities(store).incremental
    assert not undo_entity_correction(store, record.id, author="ana")[1].incremental

    # Other resolver rules (a new STEP, another role lexicon).
    monkeypatch.setattr(entity_step, "_rules", lambda: "entity-resolution.v0")
    assert not resolve_store_entities(store).incremental
    assert resolve_store_entities(store).incremental
    _assert_equals_full(store)


def test_entities_written_meanwhile_stay_marked(store: Store) -> None:
    """A run clears only the marks it read: a document written again since keeps its mark."""
    a = _ingest(store, "a", "2021-07-15")
    _save(store, a, _tricky("a", TRICKY[1][1]))
    resolve_store_entities(store)
    b = _ingest(store, "b", "2016-10-12")
    _save(store, b, _tricky("b", TRICKY[0][1]))
    marks = entity_store.entity_marks(store)
    assert set(marks) == {b}
    _save(store, b, _tricky("b", TRICKY[3][1]))  # written again after the marks were read
    with store.transaction() as connection:
        entity_store.clear_entity_marks(connection, marks)
    assert set(entity_store.entity_marks(store)) == {b}


@pytest.mark.corpus
def test_shared_corpus_added_one_by_one_equals_a_full_resolution(tmp_path: Path) -> None:
    """The shared corpus's dev documents, analysed with spaCy, added one at a time (SQLite)."""
    corpus = shared_path("corpus", "dev")
    with open_store(str(tmp_path / "dev.db")) as store:
        ingest_paths(store, [corpus])
        analyse_store(store)
        analyses = {d.id: store.load_analysis(d.id) for d in store.documents(with_text=False)}
    with open_store(str(tmp_path / "incremental.db")) as store:
        ingest_paths(store, [corpus])
        for number, document_id in enumerate(sorted(analyses, reverse=True)):
            store.save_analysis(analyses[document_id], analysed_at="2026-01-01T00:00:00+00:00")
            assert resolve_store_entities(store).incremental == (number > 0)
        full = _assert_equals_full(store)
        assert any(len(e["documents"]) > 1 for e in full["canonical"])


def test_pairs_of_orders_give_one_state(seed_analyses) -> None:
    """Two orders of the same documents, pure resolver: the same sets and the same index."""
    made = _made_up(seed_analyses)
    states = []
    for order in (made, list(reversed(made))):
        resolver = EntityResolver()
        for key, analysis in order:
            resolver.add(_document(key), analysis)
        sets = {member: resolver.sets.find(member) for member in resolver.records}
        index = {k: {s: resolver.sets.find(m) for s, m in bucket.items()} for k, bucket in resolver.index.items()}
        states.append((sets, index, resolver.groups()))
    assert states[0] == states[1]
    assert len(list(itertools.chain.from_iterable(states[0][2]))) == sum(len(a.entities) for _, a in made)
