"""Drop claim_vectors: the linker keeps its vectors in its saved state (link_state), never here.

Revision ID: 0009_drop_claim_vectors
Revises: 0008_entities
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_drop_claim_vectors"
down_revision = "0008_entities"


def upgrade() -> None:
    op.drop_table("claim_vectors")


def downgrade() -> None:
    op.create_table(
        "claim_vectors",
        sa.Column("claim_id", sa.String(80), primary_key=True),
        sa.Column("model", sa.String(120), primary_key=True),
        sa.Column("vector", sa.LargeBinary, nullable=False),
    )
