"""Full-text search (migration 0007_search): FTS5 on SQLite, GIN expression indexes on PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy
from alembic import command
from alembic.config import Config
from sqlalchemy import delete, func, insert, select, update

from claimgraph.pipeline import ingest_document
from claimgraph.models import Analysis, Claim, MetaValue, RawDocument, Sentence, Zone
from claimgraph.store import open_store, resolve_url
from claimgraph.store import schema as t
from claimgraph.store.sql import MIGRATIONS, _claim_row, _document_row
from claimgraph.web.queries import PageRequest, _search_sql, fts5_query, search

PAGE = PageRequest(limit=50, offset=0)

HARBOUR = (
    "The minister said the harbour bridge collapsed after the storm. "
    "Engineers warned that the pipeline under the harbour was leaking. "
    "Residents were told to stay away from the waterfront."
)
FARM = (
    "The pipeline across the farm was inspected, the pipeline was found sound, and the pipeline "
    "company praised the inspectors. Farmers said the harvest would go ahead."
)


def _ingest(store, origin: str, text: str, title: str | None = None) -> str:
    metadata = {"title": MetaValue(value=title, source="header")} if title else {}
    raw = RawDocument(origin=origin, media_type="text/plain", text=text, zones=[Zone(start=0, end=len(text), kind="body")],
                      metadata=metadata)
    outcome = ingest_document(store, raw)
    assert outcome.document_id, outcome
    return outcome.document_id


def _analysis(document_id: str, text: str, needles: list[str]) -> Analysis:
    claims = []
    for n, needle in enumerate(needles):
        start = text.index(needle)
        claims.append(Claim(id=f"{document_id}:c{n:03d}", sentence_index=n, start=start, end=start + len(needle),
                            sentence_start=start, sentence_end=start + len(needle), text=needle, content=needle,
                            step="test.v1", model="hand"))
    return Analysis(document_id=document_id, step="test.v1", model="hand",
                    sentences=[Sentence(index=0, start=0, end=len(text), zone="body")], claims=claims)


@pytest.fixture
def corpus(store_url: str):
    store = open_store(store_url)
    harbour = _ingest(store, "harbour.txt", HARBOUR, title="Storm over the quay")
    farm = _ingest(store, "farm.txt", FARM)
    store.save_analysis(_analysis(harbour, HARBOUR, [
        "the harbour bridge collapsed after the storm",
        "the pipeline under the harbour was leaking",
    ]), analysed_at="now")
    store.save_analysis(_analysis(farm, FARM, [
        "the pipeline was found sound",
        "the harvest would go ahead",
    ]), analysed_at="now")
    yield store, harbour, farm
    store.close()


def _hits(store, query: str, kind: str = "all") -> list[tuple[str, str]]:
    result = search(store, query, PAGE, kind=kind)
    assert result.total == len(result.items)
    return [(item["kind"], item["id"]) for item in result.items]


def test_finds_documents_and_claims_by_words(corpus) -> None:
    store, harbour, farm = corpus
    assert _hits(store, "bridge") == [("document", harbour), ("claim", f"{harbour}:c000")]
    assert _hits(store, "BRIDGE", kind="documents") == [("document", harbour)]
    assert _hits(store, "bridge", kind="claims") == [("claim", f"{harbour}:c000")]
    assert _hits(store, "quay") == [("document", harbour)]  # a word only in the title
    assert _hits(store, "harvest") == [("document", farm), ("claim", f"{farm}:c001")]
    assert _hits(store, "zeppelin") == []
    first = search(store, "bridge", PAGE).items[0]
    assert first["title"] == "Storm over the quay" and first["snippet"]["hit"] == "bridge"
    # no title: its first line of text, never the file name (issue 16)
    assert search(store, "harvest", PAGE).items[0]["title"].startswith("The pipeline across the farm was inspected")


def test_every_word_must_match(corpus) -> None:
    store, harbour, farm = corpus
    assert _hits(store, "pipeline harbour") == [("document", harbour), ("claim", f"{harbour}:c001")]
    assert _hits(store, "pipeline zeppelin") == []
    assert _hits(store, "bridge harvest") == []


def test_better_match_ranks_first(corpus) -> None:
    store, harbour, farm = corpus
    documents = [item["id"] for item in search(store, "pipeline", PAGE, kind="documents").items]
    assert documents == [farm, harbour]  # three mentions in a text of the same length beat one
    paged = search(store, "pipeline", PageRequest(limit=1, offset=1), kind="documents")
    assert [item["id"] for item in paged.items] == [harbour] and paged.total == 2


def test_query_syntax_in_user_input_is_searched_as_words(corpus) -> None:
    store, harbour, _ = corpus
    for query in ['"', '""', 'bridge"', '"bridge', "bridge*", "*", "NEAR(bridge storm)", "NEAR", "(bridge", "bridge)",
                  "-bridge", "bridge -storm", "bridge AND", "OR bridge", "NOT bridge", "title:bridge", "^bridge", "'",
                  "{bridge}", "bridge + storm", "a\\b", "%", "_", "100%", "bridge\x00", "!!!", "c'est", "ça"]:
        result = search(store, query, PAGE)  # never a syntax error
        assert result.total == len(result.items)
    for query in ['bridge"', '"bridge', "bridge*", "(bridge", "bridge)", "-bridge", "{bridge}", "^bridge", "bridge -storm"]:
        assert ("document", harbour) in _hits(store, query), query
    assert _hits(store, "!!!") == [] and _hits(store, "") == []  # no words: nothing, no index query
    assert fts5_query(['say "no"', "NEAR"]) == '"say ""no""" "NEAR"'


def test_reanalysis_does_not_duplicate_claim_hits(corpus) -> None:
    store, harbour, _ = corpus
    again = _analysis(harbour, HARBOUR, ["the harbour bridge collapsed after the storm", "the pipeline under the harbour was leaking"])
    store.save_analysis(again, analysed_at="again")
    store.save_analysis(again, analysed_at="and again")
    assert _hits(store, "bridge", kind="claims") == [("claim", f"{harbour}:c000")]
    # Re-analysed with other claims: the index follows.
    store.save_analysis(_analysis(harbour, HARBOUR, ["Residents were told to stay away"]), analysed_at="later")
    assert _hits(store, "bridge", kind="claims") == []
    assert _hits(store, "residents", kind="claims") == [("claim", f"{harbour}:c000")]


def test_a_new_version_of_a_document_is_searchable(corpus) -> None:
    store, harbour, _ = corpus
    newer = _ingest(store, "harbour.txt", HARBOUR + " A ferry was diverted.", title="Storm over the quay")
    assert newer != harbour and store.get_document(newer).supersedes == harbour
    assert _hits(store, "ferry") == [("document", newer)]
    assert {hit for hit in _hits(store, "bridge", kind="documents")} == {("document", harbour), ("document", newer)}


def test_direct_writes_keep_the_index(corpus) -> None:
    store, harbour, farm = corpus
    with store.transaction() as connection:
        connection.execute(update(t.claims).where(t.claims.c.id == f"{farm}:c000").values(text="the silo was found sound"))
        connection.execute(update(t.documents).where(t.documents.c.id == farm).values(title="Silo survey"))
        connection.execute(delete(t.claims).where(t.claims.c.id == f"{farm}:c001"))
    assert _hits(store, "silo", kind="claims") == [("claim", f"{farm}:c000")]
    assert _hits(store, "survey") == [("document", farm)]
    assert _hits(store, "harvest", kind="claims") == []
    if store.engine.dialect.name == "sqlite":
        with store.engine.connect() as connection:
            for table in ("documents_fts", "claims_fts"):  # FTS5's own consistency check
                connection.exec_driver_sql(f"INSERT INTO {table} ({table}) VALUES ('integrity-check')")
            counts = [connection.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one()
                      for table in ("documents_fts", "documents_fts_keys", "claims_fts", "claims_fts_keys")]
        assert counts == [2, 2, 3, 3]


def test_postgresql_search_uses_the_gin_indexes(corpus) -> None:
    store, _, _ = corpus
    if store.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL expression indexes")
    with store.engine.connect() as connection:
        connection.exec_driver_sql("SET enable_seqscan = off")  # a tiny table would be scanned otherwise
        for kind, index in (("documents", "ix_fts_documents"), ("claims", "ix_fts_claims")):
            source, rank, order = _search_sql("postgresql", kind)
            plan = "\n".join(connection.execute(
                sqlalchemy.text(f"EXPLAIN SELECT count(*) FROM {source}"), {"q": "pipeline harbour"}).scalars())
            assert index in plan, plan


def test_upgrade_indexes_rows_stored_before_it(store_url: str) -> None:
    """A store at 0006 with documents and claims: upgrading to head indexes them (the backfill)."""
    engine = sqlalchemy.create_engine(resolve_url(store_url))
    with engine.begin() as connection:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = connection
        command.upgrade(config, "0006_ach")
        assert connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar_one() == "0006_ach"
    scratch = open_store("sqlite://")  # only to build rows through the store's own code
    old_id = _ingest(scratch, "old.txt", FARM, title="Old farm report")
    document = scratch.get_document(old_id)
    analysis = _analysis(old_id, FARM, ["the pipeline was found sound", "the harvest would go ahead"])
    scratch.close()
    with engine.begin() as connection:
        connection.execute(insert(t.documents).values(**_document_row(document)))
        connection.execute(insert(t.claims), [_claim_row(old_id, claim) for claim in analysis.claims])
    engine.dispose()

    store = open_store(store_url)
    try:
        assert store.migrations()[0] != "0006_ach"
        assert _hits(store, "harvest") == [("document", old_id), ("claim", f"{old_id}:c001")]
        assert _hits(store, "report farm") == [("document", old_id)]
        if store.engine.dialect.name == "sqlite":
            with store.engine.connect() as connection:
                assert connection.exec_driver_sql("SELECT document_id, title FROM documents_fts").all() == [(old_id, "Old farm report")]
                assert sorted(connection.exec_driver_sql("SELECT claim_id FROM claims_fts").scalars()) == [f"{old_id}:c000", f"{old_id}:c001"]
        # Rows written after the upgrade are indexed by the triggers, beside the backfilled ones.
        new_id = _ingest(store, "new.txt", HARBOUR)
        assert _hits(store, "pipeline", kind="documents") == [("document", old_id), ("document", new_id)]
        with store.engine.connect() as connection:
            assert connection.execute(select(func.count()).select_from(t.claims)).scalar_one() == 2
    finally:
        store.close()
