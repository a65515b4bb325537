"""Indexes for the read model the web's first screens use: contradicting links found by their
relation (covering both ends), a link found by either end (the primary key covers only `a`), and the counts of
denied and hedged claims read from an index instead of a scan of every claim.

Revision ID: 0018_read_indexes
Revises: 0017_claim_origins
"""

from alembic import op

revision = "0018_read_indexes"
down_revision = "0017_claim_origins"


def upgrade() -> None:
    op.create_index("ix_links_relation", "links", ["relation", "a", "b"])
    op.create_index("ix_links_b", "links", ["b"])
    op.create_index("ix_claims_polarity", "claims", ["polarity"])
    op.create_index("ix_claims_hedging", "claims", ["hedging"])


def downgrade() -> None:
    op.drop_index("ix_claims_hedging", table_name="claims")
    op.drop_index("ix_claims_polarity", table_name="claims")
    op.drop_index("ix_links_b", table_name="links")
    op.drop_index("ix_links_relation", table_name="links")
