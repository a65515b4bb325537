"""The entity resolver's saved state, so `link` adds a new document's entities instead of re-resolving all.

entity_records, entity_keys, entity_documents, entity_bases and entity_state hold the sets
the resolver made and its match index (see store/entities.py). entity_changes is filled by
triggers on `entities`: every insert, update or delete of a document's entity rows marks the
document, so a run finds new and re-analysed documents without reading every entity row.
The triggers are outside schema.metadata, like 0007's: a later migration that rebuilds
`entities` on SQLite (op.batch_alter_table copies the table) drops them; recreate them there.

The state starts empty: the first resolution after this upgrade is a full one.

Revision ID: 0012_entity_state
Revises: 0011_link_provenance
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_entity_state"
down_revision = "0011_link_provenance"

_MARK = """INSERT INTO entity_changes (document_id, changes) VALUES ({row}.document_id, 1)
        ON CONFLICT (document_id) DO UPDATE SET changes = entity_changes.changes + 1"""

SQLITE_UP = [
    f"CREATE TRIGGER entity_changes_insert AFTER INSERT ON entities BEGIN {_MARK.format(row='new')}; END",
    f"CREATE TRIGGER entity_changes_delete AFTER DELETE ON entities BEGIN {_MARK.format(row='old')}; END",
    f"""CREATE TRIGGER entity_changes_update AFTER UPDATE ON entities BEGIN
        {_MARK.format(row='old')};
        {_MARK.format(row='new')};
    END""",
]

SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS entity_changes_update",
    "DROP TRIGGER IF EXISTS entity_changes_delete",
    "DROP TRIGGER IF EXISTS entity_changes_insert",
]

POSTGRESQL_UP = [
    f"""CREATE FUNCTION entity_changes_mark() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            {_MARK.format(row='OLD')};
        END IF;
        IF TG_OP <> 'DELETE' THEN
            {_MARK.format(row='NEW')};
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER entity_changes_mark AFTER INSERT OR UPDATE OR DELETE ON entities
        FOR EACH ROW EXECUTE FUNCTION entity_changes_mark()""",
]

POSTGRESQL_DOWN = [
    "DROP TRIGGER IF EXISTS entity_changes_mark ON entities",
    "DROP FUNCTION IF EXISTS entity_changes_mark()",
]


def _run(statements: dict[str, list[str]]) -> None:
    for statement in statements.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def upgrade() -> None:
    op.create_table(
        "entity_records",
        sa.Column("document_id", sa.String(40), primary_key=True),
        sa.Column("key", sa.String(24), primary_key=True),
        sa.Column("node", sa.String(80), nullable=False),  # the set's smallest member, "document:key"
        sa.Column("surname", sa.Text),
        sa.Column("first", sa.Text),
    )
    op.create_index("ix_entity_records_node", "entity_records", ["node"])
    op.create_index("ix_entity_records_surname", "entity_records", ["surname"])
    op.create_table(
        "entity_keys",
        sa.Column("cls", sa.String(24), primary_key=True),
        sa.Column("match_key", sa.Text, primary_key=True),
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("person", sa.Boolean, primary_key=True),
        sa.Column("name_like", sa.Boolean, primary_key=True),
        sa.Column("node", sa.String(80), nullable=False),
    )
    op.create_index("ix_entity_keys_node", "entity_keys", ["node"])
    op.create_table(
        "entity_documents",
        sa.Column("document_id", sa.String(40), primary_key=True),
        sa.Column("published", sa.String(32)),
        sa.Column("entities", sa.Integer, nullable=False),
        sa.Column("digest", sa.String(40), nullable=False),
    )
    op.create_table(
        "entity_bases",
        sa.Column("canonical_id", sa.String(40), primary_key=True),
        sa.Column("base", sa.String(40), nullable=False),
    )
    op.create_index("ix_entity_bases_base", "entity_bases", ["base"])
    op.create_table(
        "entity_state",
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),  # JSON: rules, corrections, the report's counts
    )
    op.create_table(
        "entity_changes",
        sa.Column("document_id", sa.String(40), primary_key=True),
        sa.Column("changes", sa.Integer, nullable=False),
    )
    _run({"sqlite": SQLITE_UP, "postgresql": POSTGRESQL_UP})


def downgrade() -> None:
    _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRESQL_DOWN})
    op.drop_table("entity_changes")
    op.drop_table("entity_state")
    op.drop_index("ix_entity_bases_base", "entity_bases")
    op.drop_table("entity_bases")
    op.drop_table("entity_documents")
    op.drop_index("ix_entity_keys_node", "entity_keys")
    op.drop_table("entity_keys")
    op.drop_index("ix_entity_records_surname", "entity_records")
    op.drop_index("ix_entity_records_node", "entity_records")
    op.drop_table("entity_records")
