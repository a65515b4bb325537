"""The read-out kept per cluster and each claim's line, so adding a document writes what it changed.

Judged pairs gain their score and indexes by claim (a merge reads only the pairs it needs, the
read-out only those above the parent floor); `claim_lines` keeps each claim's line and what it
was decided from, and gives each line its documents (`line_documents` goes); clusters are found by
parent. Saved linkers are dropped: the next run relinks.

Revision ID: 0013_link_incremental
Revises: 0012_entity_state
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_link_incremental"
down_revision = "0012_entity_state"


def upgrade() -> None:
    op.execute("DELETE FROM link_state")
    op.execute("DELETE FROM link_views")
    op.execute("DELETE FROM link_provenance")
    op.drop_table("link_judged")
    op.create_table(
        "link_judged",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("a", sa.String(80), nullable=False),
        sa.Column("b", sa.String(80), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("judgement_json", sa.Text, nullable=False),
    )
    op.create_index("ix_link_judged_a", "link_judged", ["a", "score"])
    op.create_index("ix_link_judged_b", "link_judged", ["b", "score"])
    op.create_table(
        "claim_lines",
        sa.Column("claim_id", sa.String(80), primary_key=True),
        sa.Column("document_id", sa.String(40), nullable=False),
        sa.Column("line_id", sa.String(80), nullable=False),
        sa.Column("source", sa.Text),  # the nearest named source of the claim's chain
        sa.Column("source_key", sa.Text),
        sa.Column("author", sa.Text),  # the corpus author that source stands for
    )
    op.create_index("ix_claim_lines_document", "claim_lines", ["document_id"])
    op.create_index("ix_claim_lines_line", "claim_lines", ["line_id"])
    op.create_index("ix_claim_lines_source_key", "claim_lines", ["source_key"])
    op.create_index("ix_claim_lines_author", "claim_lines", ["author"])
    op.create_index("ix_clusters_parent", "clusters", ["parent"])
    op.drop_table("line_documents")  # a line's documents are its claims' (claim_lines)


def downgrade() -> None:
    op.create_table(
        "line_documents",
        sa.Column("line_id", sa.String(80), primary_key=True),
        sa.Column("document_id", sa.String(40), primary_key=True),
    )
    op.drop_index("ix_clusters_parent", "clusters")
    op.drop_table("claim_lines")
    op.drop_table("link_judged")
    op.create_table(
        "link_judged",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("a", sa.String(80), nullable=False),
        sa.Column("b", sa.String(80), nullable=False),
        sa.Column("judgement_json", sa.Text, nullable=False),
    )
    op.execute("DELETE FROM link_state")
    op.execute("DELETE FROM link_views")
    op.execute("DELETE FROM link_provenance")
