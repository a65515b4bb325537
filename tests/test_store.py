"""The store: migrations recorded, schema identical to the code's, same behaviour on both backends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from claimgraph.errors import NotFound, StoreError
from claimgraph.models import Analysis, Claim, Entity, Mention, Sentence, TimeExpression
from claimgraph.store import open_store, resolve_url
from claimgraph.store.schema import metadata
from claimgraph.store.sql import MIGRATIONS

import pytest


def _head() -> str:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head()


# The full-text index (0007_search) is outside schema.metadata: SQLite's FTS5 tables, their
# shadow tables (claims_fts_data, _idx, _content, _docsize, _config) and *_fts_keys, and
# PostgreSQL's GIN expression indexes ix_fts_*. The same filter as migrations/env.py.
FTS_PREFIXES = ("documents_fts", "claims_fts", "ix_fts_")


def _not_fts(name, *_: object) -> bool:
    return not (name and (name.endswith("_fts") or name.startswith(FTS_PREFIXES)))


def test_migrations_are_recorded_and_match_the_schema(store) -> None:
    assert store.migrations() == [_head()]
    with store.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_name": _not_fts, "include_object": lambda obj, name, *rest: _not_fts(name)}
        )
        diff = compare_metadata(context, metadata)
    assert diff == []


def test_reopening_applies_nothing_twice(store_url: str) -> None:
    open_store(store_url).close()
    again = open_store(store_url)
    assert again.migrations() == [_head()]
    again.close()


def test_urls() -> None:
    assert resolve_url("ledger.db") == "sqlite:///ledger.db"
    assert resolve_url("postgresql://u@h/db").startswith("postgresql+psycopg://")


def test_unreachable_store_is_one_clear_error() -> None:
    with pytest.raises(StoreError, match="cannot open the ledger store"):
        open_store("postgresql://nobody@127.0.0.1:1/none")


def test_unknown_document_is_not_found(store) -> None:
    with pytest.raises(NotFound, match="claimgraph documents"):
        store.get_document("nope")


def test_analysis_round_trip(store) -> None:
    from claimgraph.pipeline import ingest_document
    from claimgraph.models import RawDocument, Zone

    text = "The paper says Putin met Trump in January 2016."
    outcome = ingest_document(store, RawDocument(origin="a.txt", media_type="text/plain", text=text, zones=[Zone(start=0, end=len(text), kind="body")]))
    time = TimeExpression(start=33, end=45, text="January 2016", value="2016-01", precision="month")
    claim = Claim(
        id=f"{outcome.document_id}:c001", sentence_index=0, start=15, end=45, sentence_start=0, sentence_end=len(text),
        text=text[15:45], content="Putin met Trump in January 2016", speaker="The paper", chain=["The paper"], cue="says",
        attribution="explicit", hedging="low", entities=["E1"], times=[time], step="s.v1", model="m",
    )
    analysis = Analysis(
        document_id=outcome.document_id, step="s.v1", model="m",
        sentences=[Sentence(index=0, start=0, end=len(text), zone="body")],
        entities=[Entity(key="E1", name="Vladimir Putin", type="PER", aliases=["Putin"])],
        mentions=[Mention(entity="E1", start=15, end=20, text="Putin")],
        claims=[claim], times=[time],
    )
    store.save_analysis(analysis, analysed_at="now")
    store.save_analysis(analysis, analysed_at="again")  # replaces, never duplicates
    loaded = store.load_analysis(outcome.document_id)
    assert loaded.claims == [claim]
    assert loaded.entities[0].aliases == ["Putin"]
    assert loaded.times == [time]
    assert len(store.claims()) == 1
