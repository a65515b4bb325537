"""Judged pairs indexed with their other claim, so pairs across a cluster are found from the
index alone (the read-out skips a large cluster's pairs among its own members before reading
any judgement); claims' lines indexed by source (a new corpus author looks through the
distinct sources).

Revision ID: 0016_judged_covering
Revises: 0015_entity_sets
"""

from alembic import op

revision = "0016_judged_covering"
down_revision = "0015_entity_sets"


def upgrade() -> None:
    op.drop_index("ix_link_judged_a", table_name="link_judged")
    op.drop_index("ix_link_judged_b", table_name="link_judged")
    op.create_index("ix_link_judged_a", "link_judged", ["a", "score", "b"])
    op.create_index("ix_link_judged_b", "link_judged", ["b", "score", "a"])
    op.create_index("ix_claim_lines_source", "claim_lines", ["source"])


def downgrade() -> None:
    op.drop_index("ix_claim_lines_source", table_name="claim_lines")
    op.drop_index("ix_link_judged_a", table_name="link_judged")
    op.drop_index("ix_link_judged_b", table_name="link_judged")
    op.create_index("ix_link_judged_a", "link_judged", ["a", "score"])
    op.create_index("ix_link_judged_b", "link_judged", ["b", "score"])
