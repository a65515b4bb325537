"""Canonical cross-document entities, their per-document members, and analyst entity corrections.

Revision ID: 0008_entities
Revises: 0007_search
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_entities"
down_revision = "0007_search"


def upgrade() -> None:
    op.create_table(
        "canonical_entities",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("type", sa.String(24), nullable=False),
        sa.Column("aliases_json", sa.Text, nullable=False),
    )
    op.create_table(
        "entity_members",
        sa.Column("canonical_id", sa.String(40), nullable=False),
        sa.Column("document_id", sa.String(40), primary_key=True),
        sa.Column("key", sa.String(24), primary_key=True),
    )
    op.create_index("ix_entity_members_canonical", "entity_members", ["canonical_id"])
    op.create_table(
        "entity_corrections",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("action", sa.String(8), nullable=False),
        sa.Column("targets_json", sa.Text, nullable=False),
        sa.Column("value", sa.Text),
        sa.Column("author", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("undone_by", sa.Text),
        sa.Column("undone_at", sa.String(32)),
    )


def downgrade() -> None:
    op.drop_table("entity_corrections")
    op.drop_index("ix_entity_members_canonical", "entity_members")
    op.drop_table("entity_members")
    op.drop_table("canonical_entities")
