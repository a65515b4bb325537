"""ACH: the evidence set an analyst picks (the matrix's rows), and per judge cell the relevance it
found and the digest of what it read, so that a cell is recomputed only when its hypothesis or its
cluster changes.

Revision ID: 0019_ach_evidence
Revises: 0018_read_indexes
"""

import sqlalchemy as sa
from alembic import op

revision = "0019_ach_evidence"
down_revision = "0018_read_indexes"


def upgrade() -> None:
    op.create_table(
        "ach_evidence",
        sa.Column("cluster_id", sa.String(80), primary_key=True),
        sa.Column("added_by", sa.Text, nullable=False),
        sa.Column("added_at", sa.String(32), nullable=False),
    )
    with op.batch_alter_table("ach_cells") as batch:
        batch.add_column(sa.Column("relevance", sa.Float))
        batch.add_column(sa.Column("basis", sa.String(40)))


def downgrade() -> None:
    with op.batch_alter_table("ach_cells") as batch:
        batch.drop_column("basis")
        batch.drop_column("relevance")
    op.drop_table("ach_evidence")
