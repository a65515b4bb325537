"""Analyst corrections of claims (keyed by document + span) and source reliability grades.

Revision ID: 0004_corrections
Revises: 0003_links
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_corrections"
down_revision = "0003_links"


def upgrade() -> None:
    op.create_table(
        "corrections",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("target", sa.String(8), nullable=False),
        sa.Column("document_id", sa.String(40)),
        sa.Column("claim_start", sa.Integer),
        sa.Column("claim_end", sa.Integer),
        sa.Column("source", sa.Text),
        sa.Column("field", sa.String(16), nullable=False),
        sa.Column("value", sa.Text),
        sa.Column("note", sa.Text),
        sa.Column("author", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("undone_by", sa.Text),
        sa.Column("undone_at", sa.String(32)),
    )
    op.create_index("ix_corrections_claim", "corrections", ["document_id", "claim_start", "claim_end"])
    op.create_index("ix_corrections_source", "corrections", ["source"])


def downgrade() -> None:
    op.drop_index("ix_corrections_source", "corrections")
    op.drop_index("ix_corrections_claim", "corrections")
    op.drop_table("corrections")
