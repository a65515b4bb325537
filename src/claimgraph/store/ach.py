"""ACH in the store: hypotheses an analyst enters and the hypothesis x cluster cells.

A cell is pre-filled by the relation judge (origin "judge") and may be overridden by an
analyst (origin "analyst"); a pre-fill never overwrites an analyst's rating.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import Column, ForeignKey, String, Table, Text, delete, insert, select

from claimgraph.errors import ClaimgraphError, NotFound
from claimgraph.store.schema import metadata
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
            select(ach_cells.c.origin).where(ach_cells.c.hypothesis_id == hypothesis_id, ach_cells.c.cluster_id == cluster_id)
        ).first()
        if current and current.origin == "analyst" and origin != "analyst":
            return  # the analyst's word stands over a pre-fill
        connection.execute(delete(ach_cells).where(ach_cells.c.hypothesis_id == hypothesis_id, ach_cells.c.cluster_id == cluster_id))
        connection.execute(insert(ach_cells).values(hypothesis_id=hypothesis_id, cluster_id=cluster_id, rating=rating,
                                                    origin=origin, reason=reason, set_by=who, set_at=_now()))


def cells(store: Store) -> list[Cell]:
    with store.engine.connect() as connection:
        return [
            Cell(hypothesis=r.hypothesis_id, cluster=r.cluster_id, rating=r.rating, origin=r.origin, reason=r.reason,
                 set_by=r.set_by, set_at=r.set_at)
            for r in connection.execute(select(ach_cells))
        ]
