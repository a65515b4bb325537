"""Analysis of Competing Hypotheses: the analyst's hypotheses and the matrix cells.

Revision ID: 0006_ach
Revises: 0005_link_state
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_ach"
down_revision = "0005_link_state"


def upgrade() -> None:
    op.create_table(
        "hypotheses",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "ach_cells",
        sa.Column("hypothesis_id", sa.String(40), sa.ForeignKey("hypotheses.id"), primary_key=True),
        sa.Column("cluster_id", sa.String(80), primary_key=True),
        sa.Column("rating", sa.String(2), nullable=False),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("set_by", sa.Text, nullable=False),
        sa.Column("set_at", sa.String(32), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("ach_cells")
    op.drop_table("hypotheses")
