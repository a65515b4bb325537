"""Documents, the origins they were read from, zones, and MinHash near-duplicate index.

Revision ID: 0001_documents
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_documents"
down_revision = None

ID = sa.String(40)


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", ID, primary_key=True),
        sa.Column("content_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("origin", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("supersedes", ID, nullable=True),
        sa.Column("media_type", sa.String(80), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("title", sa.Text),
        sa.Column("outlet", sa.Text),
        sa.Column("author", sa.Text),
        sa.Column("url", sa.Text),
        sa.Column("published", sa.String(32)),
        sa.Column("published_precision", sa.String(8)),
        sa.Column("language", sa.String(16)),
        sa.Column("metadata_json", sa.Text, nullable=False),
        sa.Column("near_duplicate_of", ID),
        sa.Column("near_duplicate_score", sa.Float),
        sa.Column("ingested_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "origins",
        sa.Column("origin", sa.Text, primary_key=True),
        sa.Column("document_id", ID, sa.ForeignKey("documents.id"), primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("seen_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_origins_document", "origins", ["document_id"])
    op.create_table(
        "zones",
        sa.Column("document_id", ID, sa.ForeignKey("documents.id"), primary_key=True),
        sa.Column("start", sa.Integer, primary_key=True),
        sa.Column("end", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("reason", sa.Text),
    )
    op.create_table(
        "minhashes",
        sa.Column("document_id", ID, sa.ForeignKey("documents.id"), primary_key=True),
        sa.Column("signature", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "minhash_bands",
        sa.Column("band", sa.Integer, primary_key=True),
        sa.Column("bucket", sa.String(40), primary_key=True),
        sa.Column("document_id", ID, sa.ForeignKey("documents.id"), primary_key=True),
    )


def downgrade() -> None:
    for table in ("minhash_bands", "minhashes", "zones", "origins", "documents"):
        op.drop_table(table)
