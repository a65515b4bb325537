"""Across documents: claim vectors, clusters, links, provenance, lines, events, assessments, source grades.

Revision ID: 0003_links
Revises: 0002_analysis
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_links"
down_revision = "0002_analysis"

KEY = sa.String(80)


def upgrade() -> None:
    op.create_table(
        "claim_vectors",
        sa.Column("claim_id", KEY, primary_key=True),
        sa.Column("model", sa.String(120), primary_key=True),
        sa.Column("vector", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "clusters",
        sa.Column("id", KEY, primary_key=True),
        sa.Column("anchor", sa.Text, nullable=False),
        sa.Column("anchor_claim", KEY),
        sa.Column("parent", KEY),
        sa.Column("data_json", sa.Text, nullable=False),
    )
    op.create_table(
        "cluster_members",
        sa.Column("cluster_id", KEY, primary_key=True),
        sa.Column("claim_id", KEY, primary_key=True),
        sa.Column("relation", sa.String(16), nullable=False),
    )
    op.create_index("ix_cluster_members_claim", "cluster_members", ["claim_id"])
    op.create_table(
        "links",
        sa.Column("a", KEY, primary_key=True),
        sa.Column("b", KEY, primary_key=True),
        sa.Column("relation", sa.String(16), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("method", sa.String(120), nullable=False),
    )
    op.create_table(
        "provenance",
        sa.Column("child", sa.Text, primary_key=True),
        sa.Column("parent", sa.Text, primary_key=True),
        sa.Column("relation", sa.String(24), primary_key=True),
        sa.Column("data_json", sa.Text, nullable=False),
    )
    op.create_table(
        "lines",
        sa.Column("id", KEY, primary_key=True),
        sa.Column("root", sa.Text, nullable=False),
        sa.Column("data_json", sa.Text, nullable=False),
    )
    op.create_table(
        "line_documents",
        sa.Column("line_id", KEY, primary_key=True),
        sa.Column("document_id", sa.String(40), primary_key=True),
    )
    op.create_table(
        "events",
        sa.Column("id", KEY, primary_key=True),
        sa.Column("date", sa.String(32)),
        sa.Column("precision", sa.String(8)),
        sa.Column("qualifier", sa.String(16), nullable=False),
        sa.Column("data_json", sa.Text, nullable=False),
    )
    op.create_table(
        "assessments",
        sa.Column("cluster_id", KEY, primary_key=True),
        sa.Column("credibility", sa.Integer, nullable=False),
        sa.Column("data_json", sa.Text, nullable=False),
    )
    op.create_table(
        "source_grades",
        sa.Column("source", sa.Text, primary_key=True),
        sa.Column("reliability", sa.String(1), nullable=False),
        sa.Column("set_by", sa.Text, nullable=False),
        sa.Column("set_at", sa.String(32), nullable=False),
        sa.Column("note", sa.Text),
    )


def downgrade() -> None:
    for table in (
        "source_grades", "assessments", "events", "line_documents", "lines",
        "provenance", "links", "cluster_members", "clusters", "claim_vectors",
    ):
        op.drop_table(table)
