"""The linker's claim views and judged pairs as rows, appended per run instead of one blob.

Revision ID: 0010_link_rows
Revises: 0009_drop_claim_vectors
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_link_rows"
down_revision = "0009_drop_claim_vectors"


def upgrade() -> None:
    op.create_table(
        "link_views",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),  # the linker's arrival order
        sa.Column("claim_id", sa.String(80), nullable=False, unique=True),
        sa.Column("document_id", sa.String(40), nullable=False),
        sa.Column("view_json", sa.Text, nullable=False),
        sa.Column("vector", sa.LargeBinary, nullable=False),  # float32, the embedder's dimension
    )
    op.create_table(
        "link_judged",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("a", sa.String(80), nullable=False),
        sa.Column("b", sa.String(80), nullable=False),
        sa.Column("judgement_json", sa.Text, nullable=False),
    )
    # A blob saved before these rows existed cannot be read any more: the next run relinks.
    op.execute("DELETE FROM link_state")


def downgrade() -> None:
    op.drop_table("link_judged")
    op.drop_table("link_views")
    op.execute("DELETE FROM link_state")
