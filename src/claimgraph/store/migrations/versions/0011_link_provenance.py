"""What the provenance builder did per document, so a run replays it instead of re-reading texts.

Revision ID: 0011_link_provenance
Revises: 0010_link_rows
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_link_provenance"
down_revision = "0010_link_rows"


def upgrade() -> None:
    op.create_table(
        "link_provenance",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),  # the linker's document order
        sa.Column("document_id", sa.String(40), nullable=False, unique=True),
        sa.Column("data_json", sa.Text, nullable=False),  # {"edges": [...], "quotes": [...]}
    )
    # A saved linker without these rows would restore an empty provenance: the next run relinks.
    op.execute("DELETE FROM link_state")


def downgrade() -> None:
    op.drop_table("link_provenance")
    op.execute("DELETE FROM link_state")
