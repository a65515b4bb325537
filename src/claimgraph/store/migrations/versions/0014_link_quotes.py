"""Quoted passages by digest, so a run looks up only the new document's quotes.

The provenance builder finds text reuse by hashing quoted passages. A restored linker read
every document's log (edges and quote digests) to rebuild it: 5 MB of JSON at 100k claims.
Its edges are the `provenance` table already; its quotes are now rows keyed by digest, filled
here from the saved logs.

Revision ID: 0014_link_quotes
Revises: 0013_link_incremental
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0014_link_quotes"
down_revision = "0013_link_incremental"


def upgrade() -> None:
    quotes = op.create_table(
        "link_quotes",
        sa.Column("digest", sa.String(40), primary_key=True),
        sa.Column("document_id", sa.String(40), primary_key=True),
        sa.Column("seq", sa.Integer, nullable=False),  # the document's place in the linker's order
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
    )
    connection = op.get_bind()
    rows = []
    for seq, document_id, data in connection.execute(sa.text("SELECT seq, document_id, data_json FROM link_provenance")):
        for digest, (start, end) in json.loads(data).get("quotes", []):
            rows.append({"digest": digest, "document_id": document_id, "seq": seq, "start": start, "end": end})
    if rows:
        op.bulk_insert(quotes, list({(r["digest"], r["document_id"]): r for r in rows}.values()))


def downgrade() -> None:
    op.drop_table("link_quotes")
