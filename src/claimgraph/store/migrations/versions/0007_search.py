"""Full-text search index over documents (title + text) and claims (text).

SQLite: FTS5 tables `documents_fts` and `claims_fts`, kept in step with `documents` and
`claims` by triggers, so every write path (ingest, re-analysis that deletes and re-inserts
claims, a direct UPDATE) keeps the index right without code of its own. An FTS5 table can
only be searched by its indexed columns, so finding the index row of one claim by its id
would scan the whole index; `documents_fts_keys` / `claims_fts_keys` map each id to its
index row (an integer primary key of our own, not the base table's rowid, which VACUUM or
a batch table rebuild may renumber), so a trigger touches one row by key.

PostgreSQL: GIN expression indexes on to_tsvector('english', ...); web/queries.py searches
with exactly the same expressions so the planner uses them. Building the index indexes the
existing rows; on SQLite the upgrade fills the FTS tables from the existing rows.

None of these objects is in schema.metadata (SQLAlchemy cannot describe a virtual table,
its shadow tables, triggers or an expression index portably); env.py and the schema test
skip names starting with documents_fts / claims_fts / ix_fts_.

A later migration that rebuilds `documents` or `claims` on SQLite (op.batch_alter_table
copies the table and drops the original) drops the triggers with it: recreate them there.

Revision ID: 0007_search
Revises: 0006_ach
"""

from alembic import op

revision = "0007_search"
down_revision = "0006_ach"

# Porter stemming on SQLite, like PostgreSQL's 'english' configuration ("claims" finds "claim").
TOKENIZE = "porter unicode61 remove_diacritics 2"

SQLITE_UP = [
    f"""CREATE VIRTUAL TABLE documents_fts USING fts5(
        document_id UNINDEXED, title, text, tokenize = '{TOKENIZE}')""",
    "CREATE TABLE documents_fts_keys (fts_rowid INTEGER PRIMARY KEY, document_id TEXT NOT NULL UNIQUE)",
    f"""CREATE VIRTUAL TABLE claims_fts USING fts5(
        claim_id UNINDEXED, document_id UNINDEXED, text, tokenize = '{TOKENIZE}')""",
    "CREATE TABLE claims_fts_keys (fts_rowid INTEGER PRIMARY KEY, claim_id TEXT NOT NULL UNIQUE)",
    # Insert: drop any index row left under the same id first (an INSERT OR REPLACE deletes
    # the old row without firing the delete trigger), then index the new row.
    """CREATE TRIGGER documents_fts_insert AFTER INSERT ON documents BEGIN
        DELETE FROM documents_fts WHERE rowid = (SELECT fts_rowid FROM documents_fts_keys WHERE document_id = new.id);
        DELETE FROM documents_fts_keys WHERE document_id = new.id;
        INSERT INTO documents_fts_keys (document_id) VALUES (new.id);
        INSERT INTO documents_fts (rowid, document_id, title, text)
            SELECT fts_rowid, new.id, new.title, new.text FROM documents_fts_keys WHERE document_id = new.id;
    END""",
    """CREATE TRIGGER documents_fts_delete AFTER DELETE ON documents BEGIN
        DELETE FROM documents_fts WHERE rowid = (SELECT fts_rowid FROM documents_fts_keys WHERE document_id = old.id);
        DELETE FROM documents_fts_keys WHERE document_id = old.id;
    END""",
    """CREATE TRIGGER documents_fts_update AFTER UPDATE OF id, title, text ON documents BEGIN
        UPDATE documents_fts_keys SET document_id = new.id WHERE document_id = old.id;
        UPDATE documents_fts SET document_id = new.id, title = new.title, text = new.text
            WHERE rowid = (SELECT fts_rowid FROM documents_fts_keys WHERE document_id = new.id);
    END""",
    """CREATE TRIGGER claims_fts_insert AFTER INSERT ON claims BEGIN
        DELETE FROM claims_fts WHERE rowid = (SELECT fts_rowid FROM claims_fts_keys WHERE claim_id = new.id);
        DELETE FROM claims_fts_keys WHERE claim_id = new.id;
        INSERT INTO claims_fts_keys (claim_id) VALUES (new.id);
        INSERT INTO claims_fts (rowid, claim_id, document_id, text)
            SELECT fts_rowid, new.id, new.document_id, new.text FROM claims_fts_keys WHERE claim_id = new.id;
    END""",
    """CREATE TRIGGER claims_fts_delete AFTER DELETE ON claims BEGIN
        DELETE FROM claims_fts WHERE rowid = (SELECT fts_rowid FROM claims_fts_keys WHERE claim_id = old.id);
        DELETE FROM claims_fts_keys WHERE claim_id = old.id;
    END""",
    """CREATE TRIGGER claims_fts_update AFTER UPDATE OF id, document_id, text ON claims BEGIN
        UPDATE claims_fts_keys SET claim_id = new.id WHERE claim_id = old.id;
        UPDATE claims_fts SET claim_id = new.id, document_id = new.document_id, text = new.text
            WHERE rowid = (SELECT fts_rowid FROM claims_fts_keys WHERE claim_id = new.id);
    END""",
    # Backfill: index what the store already holds.
    "INSERT INTO documents_fts_keys (document_id) SELECT id FROM documents ORDER BY id",
    """INSERT INTO documents_fts (rowid, document_id, title, text)
        SELECT k.fts_rowid, d.id, d.title, d.text FROM documents AS d JOIN documents_fts_keys AS k ON k.document_id = d.id""",
    "INSERT INTO claims_fts_keys (claim_id) SELECT id FROM claims ORDER BY id",
    """INSERT INTO claims_fts (rowid, claim_id, document_id, text)
        SELECT k.fts_rowid, c.id, c.document_id, c.text FROM claims AS c JOIN claims_fts_keys AS k ON k.claim_id = c.id""",
]

SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS claims_fts_update",
    "DROP TRIGGER IF EXISTS claims_fts_delete",
    "DROP TRIGGER IF EXISTS claims_fts_insert",
    "DROP TRIGGER IF EXISTS documents_fts_update",
    "DROP TRIGGER IF EXISTS documents_fts_delete",
    "DROP TRIGGER IF EXISTS documents_fts_insert",
    "DROP TABLE IF EXISTS claims_fts_keys",
    "DROP TABLE IF EXISTS claims_fts",
    "DROP TABLE IF EXISTS documents_fts_keys",
    "DROP TABLE IF EXISTS documents_fts",
]

# The expressions web/queries.py searches with (DOCUMENT_VECTOR / CLAIM_VECTOR there): a
# query uses an expression index only when it repeats the indexed expression exactly.
POSTGRESQL_UP = [
    "CREATE INDEX ix_fts_documents ON documents USING gin (to_tsvector('english', coalesce(title, '') || ' ' || text))",
    "CREATE INDEX ix_fts_claims ON claims USING gin (to_tsvector('english', text))",
]

POSTGRESQL_DOWN = [
    "DROP INDEX IF EXISTS ix_fts_claims",
    "DROP INDEX IF EXISTS ix_fts_documents",
]


def _run(statements: dict[str, list[str]]) -> None:
    dialect = op.get_bind().dialect.name
    for statement in statements.get(dialect, []):
        op.execute(statement)


def upgrade() -> None:
    _run({"sqlite": SQLITE_UP, "postgresql": POSTGRESQL_UP})


def downgrade() -> None:
    _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRESQL_DOWN})
