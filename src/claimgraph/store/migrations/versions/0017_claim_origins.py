"""Each claim's origin on its line row: the innermost source of its chain, the named voice that
made the statement (its line key) and the origin in words (link/origins.py).

Revision ID: 0017_claim_origins
Revises: 0016_judged_covering
"""

import sqlalchemy as sa
from alembic import op

revision = "0017_claim_origins"
down_revision = "0016_judged_covering"


def upgrade() -> None:
    with op.batch_alter_table("claim_lines") as batch:
        batch.add_column(sa.Column("inner", sa.Text(), nullable=True))
        batch.add_column(sa.Column("voice", sa.Text(), nullable=True))
        batch.add_column(sa.Column("origin", sa.Text(), nullable=True))
    op.create_index("ix_claim_lines_voice", "claim_lines", ["voice"])
    op.create_index("ix_claim_lines_inner", "claim_lines", ["inner"])


def downgrade() -> None:
    op.drop_index("ix_claim_lines_inner", table_name="claim_lines")
    op.drop_index("ix_claim_lines_voice", table_name="claim_lines")
    with op.batch_alter_table("claim_lines") as batch:
        batch.drop_column("origin")
        batch.drop_column("voice")
        batch.drop_column("inner")
