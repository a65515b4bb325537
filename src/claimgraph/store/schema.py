"""The ledger's tables, as SQLAlchemy Core metadata shared by SQLite and PostgreSQL.

The migrations in store/migrations create exactly these tables; a test checks that the
migrated database and this metadata agree, so the two cannot drift apart.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

documents = Table(
    "documents",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("content_hash", String(64), nullable=False, unique=True),
    Column("origin", Text, nullable=False),  # where this version was first read
    Column("version", Integer, nullable=False),
    Column("supersedes", String(40), nullable=True),  # previous version of the same origin
    Column("media_type", String(80), nullable=False),
    Column("text", Text, nullable=False),
    Column("title", Text),
    Column("outlet", Text),
    Column("author", Text),
    Column("url", Text),
    Column("published", String(32)),
    Column("published_precision", String(8)),
    Column("language", String(16)),
    Column("metadata_json", Text, nullable=False),  # {name: {value, source, precision}}
    Column("near_duplicate_of", String(40)),
    Column("near_duplicate_score", Float),
    Column("ingested_at", String(32), nullable=False),
)

# Every path (or path#record) a document's exact content was read from, with the version
# that origin had then: re-reading an origin compares against its newest row here.
origins = Table(
    "origins",
    metadata,
    Column("origin", Text, primary_key=True),
    Column("document_id", String(40), ForeignKey("documents.id"), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("seen_at", String(32), nullable=False),
)
Index("ix_origins_document", origins.c.document_id)

zones = Table(
    "zones",
    metadata,
    Column("document_id", String(40), ForeignKey("documents.id"), primary_key=True),
    Column("start", Integer, primary_key=True),
    Column("end", Integer, primary_key=True),
    Column("kind", String(24), nullable=False),
    Column("reason", Text),
)

# MinHash signatures and their LSH band keys: near-duplicate candidates come from an
# indexed lookup on (band, bucket), so adding a document never scans the corpus.
minhashes = Table(
    "minhashes",
    metadata,
    Column("document_id", String(40), ForeignKey("documents.id"), primary_key=True),
    Column("signature", LargeBinary, nullable=False),
)
minhash_bands = Table(
    "minhash_bands",
    metadata,
    Column("band", Integer, primary_key=True),
    Column("bucket", String(40), primary_key=True),
    Column("document_id", String(40), ForeignKey("documents.id"), primary_key=True),
)

analyses = Table(
    "analyses",
    metadata,
    Column("document_id", String(40), ForeignKey("documents.id"), primary_key=True),
    Column("step", String(80), nullable=False),
    Column("model", String(120), nullable=False),
    Column("analysed_at", String(32), nullable=False),
)

sentences = Table(
    "sentences",
    metadata,
    Column("document_id", String(40), ForeignKey("documents.id"), primary_key=True),
    Column("index", Integer, primary_key=True),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("zone", String(24), nullable=False),
)

entities = Table(
    "entities",
    metadata,
    Column("document_id", String(40), ForeignKey("documents.id"), primary_key=True),
    Column("key", String(24), primary_key=True),
    Column("name", Text, nullable=False),
    Column("type", String(24), nullable=False),
    Column("aliases_json", Text, nullable=False),
)

mentions = Table(
    "mentions",
    metadata,
    Column("document_id", String(40), ForeignKey("documents.id"), primary_key=True),
    Column("start", Integer, primary_key=True),
    Column("end", Integer, primary_key=True),
    Column("entity", String(24), primary_key=True),
    Column("text", Text, nullable=False),
    Column("kind", String(24), nullable=False),
)

claims = Table(
    "claims",
    metadata,
    Column("id", String(80), primary_key=True),
    Column("document_id", String(40), ForeignKey("documents.id"), nullable=False),
    Column("sentence_index", Integer, nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("sentence_start", Integer, nullable=False),
    Column("sentence_end", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("content", Text, nullable=False),
    Column("zone", String(24), nullable=False),
    Column("speaker", Text),
    Column("speaker_entity", String(24)),
    Column("chain_json", Text, nullable=False),
    Column("cue", Text),
    Column("cue_start", Integer),
    Column("cue_end", Integer),
    Column("attribution", String(24), nullable=False),
    Column("hedging", String(8), nullable=False),
    Column("polarity", String(8), nullable=False),
    Column("claim_type", String(16), nullable=False),
    Column("quote", String(8), nullable=False),
    Column("entities_json", Text, nullable=False),
    Column("times_json", Text, nullable=False),
    Column("step", String(80), nullable=False),
    Column("model", String(120), nullable=False),
)
Index("ix_claims_document", claims.c.document_id)
Index("ix_claims_polarity", claims.c.polarity)  # (0018) the counts of denied and hedged claims
Index("ix_claims_hedging", claims.c.hedging)

times = Table(
    "times",
    metadata,
    Column("document_id", String(40), ForeignKey("documents.id"), primary_key=True),
    Column("start", Integer, primary_key=True),
    Column("end", Integer, primary_key=True),
    Column("text", Text, nullable=False),
    Column("value", String(32)),
    Column("precision", String(8)),
    Column("qualifier", String(16), nullable=False),
    Column("range_end", String(32)),
)

# Per-document analysis rows, deleted and rewritten together when a document is re-analysed.
ANALYSIS_TABLES = (claims, mentions, entities, sentences, times, analyses)

# ---------------------------------------------------------------- across documents (0003_links)

KEY = String(80)

clusters = Table(
    "clusters",
    metadata,
    Column("id", KEY, primary_key=True),
    Column("anchor", Text, nullable=False),
    Column("anchor_claim", KEY),
    Column("parent", KEY),
    Column("data_json", Text, nullable=False),
)

cluster_members = Table(
    "cluster_members",
    metadata,
    Column("cluster_id", KEY, primary_key=True),
    Column("claim_id", KEY, primary_key=True),
    Column("relation", String(16), nullable=False),
)
Index("ix_cluster_members_claim", cluster_members.c.claim_id)

links = Table(
    "links",
    metadata,
    Column("a", KEY, primary_key=True),
    Column("b", KEY, primary_key=True),
    Column("relation", String(16), nullable=False),
    Column("score", Float, nullable=False),
    Column("method", String(120), nullable=False),
)

Index("ix_links_relation", links.c.relation, links.c.a, links.c.b)  # (0018) contradictions per cluster start from these
Index("ix_links_b", links.c.b)  # (0018) a claim's links by either end

provenance = Table(
    "provenance",
    metadata,
    Column("child", Text, primary_key=True),
    Column("parent", Text, primary_key=True),
    Column("relation", String(24), primary_key=True),
    Column("data_json", Text, nullable=False),
)

lines = Table(
    "lines",
    metadata,
    Column("id", KEY, primary_key=True),
    Column("root", Text, nullable=False),
    Column("data_json", Text, nullable=False),
)

events = Table(
    "events",
    metadata,
    Column("id", KEY, primary_key=True),
    Column("date", String(32)),
    Column("precision", String(8)),
    Column("qualifier", String(16), nullable=False),
    Column("data_json", Text, nullable=False),
)

assessments = Table(
    "assessments",
    metadata,
    Column("cluster_id", KEY, primary_key=True),
    Column("credibility", Integer, nullable=False),
    Column("data_json", Text, nullable=False),
)

# Analyst input, never derived: kept when the corpus is re-linked.
source_grades = Table(
    "source_grades",
    metadata,
    Column("source", Text, primary_key=True),
    Column("reliability", String(1), nullable=False),
    Column("set_by", Text, nullable=False),
    Column("set_at", String(32), nullable=False),
    Column("note", Text),
)

Index("ix_clusters_parent", clusters.c.parent)
# Each claim's line and what it was decided from (0013_link_incremental): a run rewrites only
# the claims it (re)assigned. `lines` keeps each line's root; its documents, claims and sources
# are read from here.
claim_lines = Table(
    "claim_lines",
    metadata,
    Column("claim_id", KEY, primary_key=True),
    Column("document_id", String(40), nullable=False),
    Column("line_id", KEY, nullable=False),
    Column("source", Text),  # the nearest named source of the claim's chain
    Column("source_key", Text),
    Column("author", Text),  # the corpus author that source stands for
    Column("inner", Text),  # (0017) the innermost source of the chain, when it is not `source`
    Column("voice", Text),  # (0017) the named voice that made the statement: its line key
    Column("origin", Text),  # (0017) the claim's first-hand source in words
)
Index("ix_claim_lines_document", claim_lines.c.document_id)
Index("ix_claim_lines_line", claim_lines.c.line_id)
Index("ix_claim_lines_source_key", claim_lines.c.source_key)
Index("ix_claim_lines_author", claim_lines.c.author)
Index("ix_claim_lines_source", claim_lines.c.source)  # (0016) a new corpus author looks through the distinct sources
Index("ix_claim_lines_voice", claim_lines.c.voice)
Index("ix_claim_lines_inner", claim_lines.c.inner)
# Derived across-document rows, written by the link stage (a run: only what it changed).
LINK_TABLES = (cluster_members, clusters, links, provenance, lines, claim_lines, events, assessments)

# The incremental linker's saved state (0005_link_state): adding a document loads it, adds
# only that document's claims, and saves it again.
link_state = Table(
    "link_state",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("key", Text, nullable=False),
    Column("data", LargeBinary, nullable=False),
)

# Its claim views (with vectors) and judged pairs (0010_link_rows): rows only ever appended
# by an incremental run, in the order the linker made them (`seq`), and replaced together
# by a full relink. link_state keeps the rest (clusters, vocabulary, neighbour index).
link_views = Table(
    "link_views",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("claim_id", String(80), nullable=False, unique=True),
    Column("document_id", String(40), nullable=False),
    Column("view_json", Text, nullable=False),
    Column("vector", LargeBinary, nullable=False),
)

link_judged = Table(
    "link_judged",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("a", String(80), nullable=False),
    Column("b", String(80), nullable=False),
    Column("score", Float, nullable=False),  # (0013_link_incremental) read by claim above a score
    Column("judgement_json", Text, nullable=False),
)
# (0016_judged_covering) with the other claim: pairs across a cluster are found from the index alone
Index("ix_link_judged_a", link_judged.c.a, link_judged.c.score, link_judged.c.b)
Index("ix_link_judged_b", link_judged.c.b, link_judged.c.score, link_judged.c.a)

# Per document, the provenance builder's edges and quote digests, in the linker's document order
# (0011_link_provenance): appended and replaced like the rows above.
link_provenance = Table(
    "link_provenance",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("document_id", String(40), nullable=False, unique=True),
    Column("data_json", Text, nullable=False),
)
# Quoted passages by digest, each with the document that quotes it (0014_link_quotes): a run
# looks up only its new documents' digests.
link_quotes = Table(
    "link_quotes",
    metadata,
    Column("digest", String(40), primary_key=True),
    Column("document_id", String(40), primary_key=True),
    Column("seq", Integer, nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
)
