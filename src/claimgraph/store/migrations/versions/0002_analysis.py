"""Per-document analysis: sentences, entities, mentions, claims, time expressions.

Revision ID: 0002_analysis
Revises: 0001_documents
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_analysis"
down_revision = "0001_documents"

ID = sa.String(40)


def _document_key() -> sa.Column:
    return sa.Column("document_id", ID, sa.ForeignKey("documents.id"), primary_key=True)


def upgrade() -> None:
    op.create_table(
        "analyses",
        _document_key(),
        sa.Column("step", sa.String(80), nullable=False),
        sa.Column("model", sa.String(120), nullable=False),
        sa.Column("analysed_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "sentences",
        _document_key(),
        sa.Column("index", sa.Integer, primary_key=True),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.Column("zone", sa.String(24), nullable=False),
    )
    op.create_table(
        "entities",
        _document_key(),
        sa.Column("key", sa.String(24), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("type", sa.String(24), nullable=False),
        sa.Column("aliases_json", sa.Text, nullable=False),
    )
    op.create_table(
        "mentions",
        _document_key(),
        sa.Column("start", sa.Integer, primary_key=True),
        sa.Column("end", sa.Integer, primary_key=True),
        sa.Column("entity", sa.String(24), primary_key=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
    )
    op.create_table(
        "claims",
        sa.Column("id", sa.String(80), primary_key=True),
        sa.Column("document_id", ID, sa.ForeignKey("documents.id"), nullable=False),
        sa.Column("sentence_index", sa.Integer, nullable=False),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.Column("sentence_start", sa.Integer, nullable=False),
        sa.Column("sentence_end", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("zone", sa.String(24), nullable=False),
        sa.Column("speaker", sa.Text),
        sa.Column("speaker_entity", sa.String(24)),
        sa.Column("chain_json", sa.Text, nullable=False),
        sa.Column("cue", sa.Text),
        sa.Column("cue_start", sa.Integer),
        sa.Column("cue_end", sa.Integer),
        sa.Column("attribution", sa.String(24), nullable=False),
        sa.Column("hedging", sa.String(8), nullable=False),
        sa.Column("polarity", sa.String(8), nullable=False),
        sa.Column("claim_type", sa.String(16), nullable=False),
        sa.Column("quote", sa.String(8), nullable=False),
        sa.Column("entities_json", sa.Text, nullable=False),
        sa.Column("times_json", sa.Text, nullable=False),
        sa.Column("step", sa.String(80), nullable=False),
        sa.Column("model", sa.String(120), nullable=False),
    )
    op.create_index("ix_claims_document", "claims", ["document_id"])
    op.create_table(
        "times",
        _document_key(),
        sa.Column("start", sa.Integer, primary_key=True),
        sa.Column("end", sa.Integer, primary_key=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("value", sa.String(32)),
        sa.Column("precision", sa.String(8)),
        sa.Column("qualifier", sa.String(16), nullable=False),
        sa.Column("range_end", sa.String(32)),
    )


def downgrade() -> None:
    for table in ("times", "claims", "mentions", "entities", "sentences", "analyses"):
        op.drop_table(table)
