"""Set summaries, so adding a document re-resolves an entity without reading all its members.

entity_sets holds, per set of the resolver's saved state, the surnames of its people and what
its canonical entity needs from its members (see store/entities.py). The surname index covers
(surname, first, node), so the sets of a surname's people are read from the index alone.
Triggers on `documents` mark in entity_changes a document removed, superseded or re-dated (as
0012's triggers on `entities` mark a document whose entities were written), so a run checks
only the marked documents instead of reading every document. Like 0012's, the triggers are
outside schema.metadata: a later migration that rebuilds `documents` on SQLite drops them;
recreate them there.

A state saved before has no set summaries: the upgrade drops its "resolver" row, so the first
resolution after it is a full one.

Revision ID: 0015_entity_sets
Revises: 0014_link_quotes
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_entity_sets"
down_revision = "0014_link_quotes"

_MARK = """INSERT INTO entity_changes (document_id, changes) {values}
        ON CONFLICT (document_id) DO UPDATE SET changes = entity_changes.changes + 1"""


def _mark(document_id: str) -> str:
    # SELECT ... WHERE, not VALUES: a null id (no document superseded) marks nothing.
    return _MARK.format(values=f"SELECT {document_id}, 1 WHERE {document_id} IS NOT NULL")


SQLITE_UP = [
    f"CREATE TRIGGER entity_changes_document_insert AFTER INSERT ON documents BEGIN {_mark('new.supersedes')}; END",
    f"CREATE TRIGGER entity_changes_document_delete AFTER DELETE ON documents BEGIN {_mark('old.id')}; END",
    f"""CREATE TRIGGER entity_changes_document_update AFTER UPDATE OF published, supersedes ON documents BEGIN
        {_mark('old.id')};
        {_mark('old.supersedes')};
        {_mark('new.supersedes')};
    END""",
]

SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS entity_changes_document_update",
    "DROP TRIGGER IF EXISTS entity_changes_document_delete",
    "DROP TRIGGER IF EXISTS entity_changes_document_insert",
]

POSTGRESQL_UP = [
    f"""CREATE FUNCTION entity_changes_document() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            {_mark('OLD.id')};
            {_mark('OLD.supersedes')};
        END IF;
        IF TG_OP <> 'DELETE' THEN
            {_mark('NEW.supersedes')};
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER entity_changes_document AFTER INSERT OR DELETE OR UPDATE OF published, supersedes ON documents
        FOR EACH ROW EXECUTE FUNCTION entity_changes_document()""",
]

POSTGRESQL_DOWN = [
    "DROP TRIGGER IF EXISTS entity_changes_document ON documents",
    "DROP FUNCTION IF EXISTS entity_changes_document()",
]


def _run(statements: dict[str, list[str]]) -> None:
    for statement in statements.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def upgrade() -> None:
    op.create_table(
        "entity_sets",
        sa.Column("node", sa.String(80), primary_key=True),
        sa.Column("surnames_json", sa.Text, nullable=False),
        sa.Column("summary_json", sa.Text, nullable=False),  # link.entities.EntitySummary
    )
    op.drop_index("ix_entity_records_surname", "entity_records")
    op.create_index("ix_entity_records_surname", "entity_records", ["surname", "first", "node"])
    op.execute("DELETE FROM entity_state")
    _run({"sqlite": SQLITE_UP, "postgresql": POSTGRESQL_UP})


def downgrade() -> None:
    _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRESQL_DOWN})
    op.drop_index("ix_entity_records_surname", "entity_records")
    op.create_index("ix_entity_records_surname", "entity_records", ["surname"])
    op.drop_table("entity_sets")
