"""The incremental linker's saved state (neighbour index, judged pairs, clusters).

Revision ID: 0005_link_state
Revises: 0004_corrections
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_link_state"
down_revision = "0004_corrections"


def upgrade() -> None:
    op.create_table(
        "link_state",
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("key", sa.Text, nullable=False),  # what the state was built with (embedder, steps)
        sa.Column("data", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("link_state")
