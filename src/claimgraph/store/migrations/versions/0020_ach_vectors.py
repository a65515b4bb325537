"""ACH: the judge's text vectors, kept between processes (embedder name + text digest -> unit
vector), so that a first read in a new process embeds only the texts no read embedded before.

Revision ID: 0020_ach_vectors
Revises: 0019_ach_evidence
"""

import sqlalchemy as sa
from alembic import op

revision = "0020_ach_vectors"
down_revision = "0019_ach_evidence"


def upgrade() -> None:
    op.create_table(
        "ach_vectors",
        sa.Column("embedder", sa.String(200), primary_key=True),
        sa.Column("digest", sa.String(40), primary_key=True),
        sa.Column("vector", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("ach_vectors")
