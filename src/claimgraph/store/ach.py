"""ACH in the store: hypotheses an analyst enters, the evidence set, and the hypothesis x cluster cells.

A cell is pre-filled by the judge (origin "judge") and may be overridden by an analyst (origin
"analyst"); a pre-fill never overwrites an analyst's rating. A judge cell keeps the relevance
it found and the digest (`basis`) of what it read, the hypothesis text and the cluster: it is
recomputed only when that digest changes. The evidence set is the clusters the analyst chose as
the matrix's rows (0019). The judge's text vectors are kept per embedder and text digest (0020),
so that a read in a new process embeds only the texts no read embedded before.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone

from typing import Any

from sqlalchemy import Column, Float, ForeignKey, LargeBinary, String, Table, Text, delete, insert, select

from sqlalchemy.exc import IntegrityError

from claimgraph.errors import ClaimgraphError, NotFound
from claimgraph.store import schema as t
from claimgraph.store.links import chunks
from claimgraph.store.schema import clusters, metadata
from claimgraph.store.sql import Store

RATINGS = ("CC", "C", "N", "NA", "I", "II")

hypotheses = Table(
    "hypotheses",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("text", Text, nullable=False),
    Column("created_by", Text, nullable=False),
    Column("created_at", String(32), nullable=False),
)

ach_cells = Table(
    "ach_cells",
    metadata,
    Column("hypothesis_id", String(40), ForeignKey("hypotheses.id"), primary_key=True),
    Column("cluster_id", String(80), primary_key=True),
    Column("rating", String(2), nullable=False),
    Column("origin", String(16), nullable=False),  # judge | analyst
    Column("reason", Text),
    Column("set_by", Text, nullable=False),
    Column("set_at", String(32), nullable=False),
    Column("relevance", Float),  # (0019) how near the cluster is to the hypothesis, 0..1, when the judge read it
    Column("basis", String(40)),  # (0019) digest of the judge's input; a changed hypothesis or cluster recomputes
)

# (0019) The clusters an analyst chose as evidence: the matrix's rows.
ach_evidence = Table(
    "ach_evidence",
    metadata,
    Column("cluster_id", String(80), primary_key=True),
    Column("added_by", Text, nullable=False),
    Column("added_at", String(32), nullable=False),
)

# (0020) The judge's unit vectors (float32 bytes) by embedder name and sha1 of the text: a vector is a
# function of its text alone, so a later read takes it from here instead of the model.
ach_vectors = Table(
    "ach_vectors",
    metadata,
    Column("embedder", String(200), primary_key=True),
    Column("digest", String(40), primary_key=True),
    Column("vector", LargeBinary, nullable=False),
)


class AchError(ClaimgraphError):
    """A hypothesis or rating that does not exist."""


@dataclass(frozen=True, kw_only=True)
class Cell:
    hypothesis: str
    cluster: str
    rating: str
    origin: str
    reason: str | None
    set_by: str
    set_at: str
    relevance: float | None = None
    basis: str | None = None


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def add_hypothesis(store: Store, text: str, *, who: str) -> str:
    """Store a hypothesis; its id (H-…) is stable for the same text."""
    text = " ".join(text.split())
    if not text:
        raise AchError("a hypothesis needs some text")
    hypothesis_id = "H-" + hashlib.sha1(text.casefold().encode()).hexdigest()[:8]
    with store.transaction() as connection:
        exists = connection.execute(select(hypotheses.c.id).where(hypotheses.c.id == hypothesis_id)).first()
        if not exists:
            connection.execute(insert(hypotheses).values(id=hypothesis_id, text=text, created_by=who, created_at=_now()))
    return hypothesis_id


def list_hypotheses(store: Store) -> list[tuple[str, str]]:
    with store.engine.connect() as connection:
        return [(r.id, r.text) for r in connection.execute(select(hypotheses).order_by(hypotheses.c.created_at, hypotheses.c.id))]


def remove_hypothesis(store: Store, hypothesis_id: str) -> None:
    with store.transaction() as connection:
        connection.execute(delete(ach_cells).where(ach_cells.c.hypothesis_id == hypothesis_id))
        gone = connection.execute(delete(hypotheses).where(hypotheses.c.id == hypothesis_id)).rowcount
    if not gone:
        raise NotFound(f"no hypothesis {hypothesis_id!r} (see `claimgraph ach show`)")


def set_cell(store: Store, hypothesis_id: str, cluster_id: str, rating: str, *, who: str, origin: str = "analyst",
             reason: str | None = None) -> None:
    """Rate one cluster against one hypothesis (CC, C, N, NA, I, II)."""
    rating = rating.strip().upper()
    if rating not in RATINGS:
        raise AchError(f"rating must be one of {', '.join(RATINGS)}, not {rating!r}")
    with store.transaction() as connection:
        if not connection.execute(select(hypotheses.c.id).where(hypotheses.c.id == hypothesis_id)).first():
            raise NotFound(f"no hypothesis {hypothesis_id!r} (see `claimgraph ach show`)")
        current = connection.execute(
            select(ach_cells.c.origin, ach_cells.c.relevance).where(ach_cells.c.hypothesis_id == hypothesis_id,
                                                                    ach_cells.c.cluster_id == cluster_id)
        ).first()
        if current and current.origin == "analyst" and origin != "analyst":
            return  # the analyst's word stands over a pre-fill
        connection.execute(delete(ach_cells).where(ach_cells.c.hypothesis_id == hypothesis_id, ach_cells.c.cluster_id == cluster_id))
        # The judge's relevance stays with the cell (it orders the rows); its rating is the analyst's now.
        connection.execute(insert(ach_cells).values(hypothesis_id=hypothesis_id, cluster_id=cluster_id, rating=rating,
                                                    origin=origin, reason=reason, set_by=who, set_at=_now(),
                                                    relevance=current.relevance if current else None))


def cells(store: Store) -> list[Cell]:
    with store.engine.connect() as connection:
        return [
            Cell(hypothesis=r.hypothesis_id, cluster=r.cluster_id, rating=r.rating, origin=r.origin, reason=r.reason,
                 set_by=r.set_by, set_at=r.set_at, relevance=r.relevance, basis=r.basis)
            for r in connection.execute(select(ach_cells))
        ]


def cell_rows(store: Store) -> list[Any]:
    """Every cell as a row (attributes named as the columns): the matrix reads 20,000 of them at once."""
    with store.engine.connect() as connection:
        return list(connection.execute(select(ach_cells)).all())


def save_judged(store: Store, judged: list[dict[str, Any]], *, who: str = "claimgraph",
                dropped: list[tuple[str, str]] | None = None) -> None:
    """Write judge cells in one transaction (hypothesis, cluster, rating, reason, relevance, basis each),
    replacing judge cells of the same pair and leaving every analyst's cell as it is; the judge cells
    of the `dropped` (hypothesis, cluster) pairs go (what they read changed, and the judge reads them no more)."""
    if not judged and not dropped:
        return
    now = _now()
    with store.transaction() as connection:
        gone: dict[str, list[str]] = {}
        for hypothesis_id, cluster_id in dropped or []:
            gone.setdefault(hypothesis_id, []).append(cluster_id)
        for hypothesis_id, ids in gone.items():
            for chunk in chunks(ids, 500):
                connection.execute(delete(ach_cells).where(ach_cells.c.hypothesis_id == hypothesis_id, ach_cells.c.origin == "judge",
                                                           ach_cells.c.cluster_id.in_(chunk)))
        if not judged:
            return
        known = {r.id for r in connection.execute(select(hypotheses.c.id))}
        origin_of = {(r.hypothesis_id, r.cluster_id): r.origin for r in connection.execute(
            select(ach_cells.c.hypothesis_id, ach_cells.c.cluster_id, ach_cells.c.origin))}
        rows = [{"hypothesis_id": j["hypothesis"], "cluster_id": j["cluster"], "rating": j["rating"], "origin": "judge",
                 "reason": j.get("reason"), "set_by": who, "set_at": now, "relevance": j.get("relevance"), "basis": j.get("basis")}
                for j in judged if j["hypothesis"] in known and origin_of.get((j["hypothesis"], j["cluster"])) != "analyst"]
        # Only the pairs that have a judge cell already are deleted (a first read has none).
        replaced: dict[str, list[str]] = {}
        for r in rows:
            if (r["hypothesis_id"], r["cluster_id"]) in origin_of:
                replaced.setdefault(r["hypothesis_id"], []).append(r["cluster_id"])
        for hypothesis_id, ids in replaced.items():
            for chunk in chunks(ids, 500):
                connection.execute(delete(ach_cells).where(ach_cells.c.hypothesis_id == hypothesis_id,
                                                           ach_cells.c.cluster_id.in_(chunk)))
        if rows:
            _insert_many(connection, ach_cells, rows)


def _insert_many(connection: Any, table: Table, rows: list[dict[str, Any]]) -> None:
    """INSERT rows through the driver's executemany: the same rows as `connection.execute(insert(table), rows)`,
    without SQLAlchemy building each row's parameters (a fifth of a second at 20,000 cells)."""
    compiled = insert(table).compile(dialect=connection.dialect, column_keys=list(rows[0]))
    if compiled.positiontup is not None:  # qmark (SQLite): a tuple per row in the statement's order
        order = list(compiled.positiontup)
        connection.exec_driver_sql(str(compiled), [tuple(row[k] for k in order) for row in rows])
    else:  # named (psycopg's %(name)s)
        connection.exec_driver_sql(str(compiled), rows)


def add_evidence(store: Store, cluster_id: str, *, who: str) -> None:
    """Put a cluster in the evidence set (a row of the matrix); adding it twice keeps the first."""
    with store.transaction() as connection:
        if connection.execute(select(clusters.c.id).where(clusters.c.id == cluster_id)).first() is None:
            raise NotFound(f"no cluster {cluster_id!r} (see `claimgraph ach show`)")
        if not connection.execute(select(ach_evidence.c.cluster_id).where(ach_evidence.c.cluster_id == cluster_id)).first():
            connection.execute(insert(ach_evidence).values(cluster_id=cluster_id, added_by=who, added_at=_now()))


def remove_evidence(store: Store, cluster_id: str) -> None:
    with store.transaction() as connection:
        gone = connection.execute(delete(ach_evidence).where(ach_evidence.c.cluster_id == cluster_id)).rowcount
    if not gone:
        raise NotFound(f"cluster {cluster_id!r} is not in the evidence set (see `claimgraph ach show`)")


def evidence(store: Store) -> dict[str, dict[str, str]]:
    """The evidence set: cluster id -> who added it and when, in the order added."""
    with store.engine.connect() as connection:
        return {r.cluster_id: {"added_by": r.added_by, "added_at": r.added_at}
                for r in connection.execute(select(ach_evidence).order_by(ach_evidence.c.added_at, ach_evidence.c.cluster_id))}


def text_digest(text: str) -> str:
    """The key of a text's vector (sha1 of its UTF-8)."""
    return hashlib.sha1(text.encode()).hexdigest()


def load_vectors(store: Store, embedder: str, texts: list[str] | set[str]) -> dict[str, bytes]:
    """The kept vectors (float32 bytes) of these texts made by this embedder, by text."""
    by_digest = {text_digest(x): x for x in texts}
    digests = sorted(by_digest)
    found: dict[str, bytes] = {}
    v = ach_vectors.c
    with store.engine.connect() as connection:
        for chunk in chunks(digests, 500):
            for digest, vector in connection.execute(select(v.digest, v.vector).where(
                    v.embedder == embedder, v.digest.in_(chunk))):
                found[by_digest[digest]] = bytes(vector)
    return found


def save_vectors(store: Store, embedder: str, vectors: dict[str, bytes]) -> int:
    """Keep these texts' vectors (float32 bytes) for this embedder; those kept already stay. Returns how many were added."""
    if not vectors:
        return 0
    rows = {text_digest(x): vector for x, vector in vectors.items()}
    try:
        return _insert_vectors(store, embedder, rows)
    except IntegrityError:  # another process kept some of them meanwhile: the same bytes, so nothing is lost
        return 0


def _insert_vectors(store: Store, embedder: str, rows: dict[str, bytes]) -> int:
    v = ach_vectors.c
    with store.transaction() as connection:
        digests = sorted(rows)
        for chunk in chunks(digests, 500):
            for (digest,) in connection.execute(select(v.digest).where(v.embedder == embedder,
                                                                       v.digest.in_(chunk))):
                rows.pop(digest, None)
        if rows:
            connection.execute(insert(ach_vectors), [{"embedder": embedder, "digest": d, "vector": b} for d, b in sorted(rows.items())])
    return len(rows)


# ---------------------------------------------------------------- what the matrix reads of the linked layer


def evidence_rows(store: Store) -> tuple[list[Any], dict[str, list[tuple[str, str, str]]], list[tuple[str, str]]]:
    """What the ACH judge reads of the clusters: every cluster as a row (id, anchor, anchor_claim,
    parent), by id; per cluster its claims' (id, content, polarity), by claim id; and the pairs of
    clusters a `contradicts` link joins."""
    with store.engine.connect() as connection:
        rows = connection.execute(select(t.clusters.c.id, t.clusters.c.anchor, t.clusters.c.anchor_claim, t.clusters.c.parent)
                                  .order_by(t.clusters.c.id)).all()
        members: dict[str, list[tuple[str, str, str]]] = {}
        m, c = t.cluster_members.c, t.claims.c
        for cluster_id, claim_id, content, polarity in connection.execute(
                select(m.cluster_id, m.claim_id, c.content, c.polarity).join(t.claims, t.claims.c.id == m.claim_id)
                .order_by(m.cluster_id, m.claim_id)).all():
            members.setdefault(cluster_id, []).append((claim_id, content, polarity))
        a, b = t.cluster_members.alias("a"), t.cluster_members.alias("b")
        pairs = connection.execute(
            select(a.c.cluster_id, b.c.cluster_id).select_from(t.links)
            .join(a, a.c.claim_id == t.links.c.a).join(b, b.c.claim_id == t.links.c.b)
            .where(t.links.c.relation == "contradicts", a.c.cluster_id != b.c.cluster_id).distinct()).all()
    return list(rows), members, [(x, y) for x, y in pairs]


def linked_vectors(store: Store, embedder: str, claim_ids: list[str], texts: set[str]) -> dict[str, bytes]:
    """The vectors (float32 bytes) the link stage saved for these claims whose proposition is one of
    `texts`, by text (the first claim's, in id order), when the ledger was linked with this embedder."""
    found: dict[str, bytes] = {}
    with store.engine.connect() as connection:
        head = connection.execute(select(t.link_state.c.key).where(t.link_state.c.name == "linker")).scalar()
        try:
            linked_with = json.loads(head).get("embedder") if head else None
        except (ValueError, AttributeError):
            linked_with = None
        if linked_with != embedder:
            return found
        v = t.link_views.c
        for chunk in chunks(claim_ids, 500):
            for view_json, vector in connection.execute(select(v.view_json, v.vector).where(v.claim_id.in_(chunk))):
                text = json.loads(view_json).get("proposition")
                if text in texts and text not in found:
                    found[text] = vector
    return found


def assessments(store: Store, cluster_ids: list[str]) -> list[dict[str, Any]]:
    """The credibility assessments (as saved) of these clusters, by cluster id."""
    found: list[dict[str, Any]] = []
    with store.engine.connect() as connection:
        for chunk in chunks(sorted(cluster_ids)):
            found += [json.loads(data) for (data,) in connection.execute(
                select(t.assessments.c.data_json).where(t.assessments.c.cluster_id.in_(chunk)).order_by(t.assessments.c.cluster_id))]
    return found
