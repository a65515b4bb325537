"""Analyst corrections: who changed which claim or source, when, and whether it was undone.

Corrections are keyed by document id + claim span (never by claim id), so they survive a
re-analysis that rewrites the claims table; they are applied when claims are read.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Column, Index, Integer, String, Table, Text, delete, func, insert, select, update

from claimgraph.errors import ClaimgraphError, NotFound
from claimgraph.models import Analysis, Claim
from claimgraph.sources import source_key  # noqa: F401 - grades are keyed like the link stage's nodes
from claimgraph.store.schema import metadata, source_grades as grades_table
from claimgraph.store.sql import Store

corrections = Table(
    "corrections",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("target", String(8), nullable=False),  # claim | source
    Column("document_id", String(40)),  # claim corrections: the claim's document ...
    Column("claim_start", Integer),  # ... and span
    Column("claim_end", Integer),
    Column("source", Text),  # source corrections: the source's name, case-folded
    Column("field", String(16), nullable=False),  # wrong | speaker | polarity | hedging | reliability
    Column("value", Text),
    Column("note", Text),
    Column("author", Text, nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("undone_by", Text),
    Column("undone_at", String(32)),
)
Index("ix_corrections_claim", corrections.c.document_id, corrections.c.claim_start, corrections.c.claim_end)
Index("ix_corrections_source", corrections.c.source)

CLAIM_FIELDS: dict[str, frozenset[str] | None] = {
    "wrong": frozenset({"true", "false"}),
    "speaker": None,  # free text; an empty value means "the document's own voice"
    "polarity": frozenset({"asserted", "denied"}),
    "hedging": frozenset({"none", "low", "medium", "high"}),
}
GRADES = ("A", "B", "C", "D", "E", "F")
GRADE_MEANING = {
    "A": "completely reliable",
    "B": "usually reliable",
    "C": "fairly reliable",
    "D": "not usually reliable",
    "E": "unreliable",
    "F": "reliability cannot be judged",
}
DEFAULT_GRADE = "F"


class CorrectionError(ClaimgraphError):
    """A correction names a field or value that does not exist."""


@dataclass(frozen=True, kw_only=True)
class Correction:
    id: int
    target: str
    field: str
    value: str | None
    author: str
    created_at: str
    document_id: str | None = None
    claim_start: int | None = None
    claim_end: int | None = None
    source: str | None = None
    note: str | None = None
    undone_by: str | None = None
    undone_at: str | None = None

    @property
    def active(self) -> bool:
        return self.undone_at is None


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _from_row(row: Any) -> Correction:
    return Correction(**{name: row._mapping[name] for name in corrections.c.keys()})


def correct_claim(
    store: Store, *, document_id: str, start: int, end: int, field: str, value: str, author: str, note: str | None = None
) -> Correction:
    """Record one analyst correction of a claim (identified by its document and span)."""
    allowed = CLAIM_FIELDS.get(field, frozenset())
    if field not in CLAIM_FIELDS:
        raise CorrectionError(f"cannot correct {field!r}; correctable fields are {', '.join(CLAIM_FIELDS)}")
    value = value.strip()
    if allowed is not None and value not in allowed:
        raise CorrectionError(f"{field} must be one of {', '.join(sorted(allowed))}, not {value!r}")
    return _insert(store, dict(target="claim", document_id=document_id, claim_start=start, claim_end=end,
                               field=field, value=value, author=author, note=note))


def grade_source(store: Store, *, source: str, grade: str, author: str, note: str | None = None) -> Correction:
    """Record an analyst's Admiralty reliability grade (A–F) for a source."""
    grade = grade.strip().upper()
    if grade not in GRADES:
        raise CorrectionError(f"reliability must be one of {', '.join(GRADES)} (Admiralty scale), not {grade!r}")
    if not source.strip():
        raise CorrectionError("a source name is required")
    return _insert(store, dict(target="source", source=source_key(source), field="reliability",
                               value=grade, author=author, note=note))


def _insert(store: Store, values: dict[str, Any]) -> Correction:
    if not values["author"].strip():
        raise CorrectionError("say who makes the correction (author)")
    with store.transaction() as connection:
        new_id = connection.execute(
            insert(corrections).values(created_at=_now(), **values).returning(corrections.c.id)
        ).scalar_one()
        if values["target"] == "source":
            _sync_grade(connection, values["source"])
        return _from_row(connection.execute(select(corrections).where(corrections.c.id == new_id)).one())


def _sync_grade(connection: Any, source: str) -> None:
    """Keep source_grades (what the assess stage reads) equal to the newest grade in force."""
    newest = connection.execute(
        select(corrections)
        .where(corrections.c.target == "source", corrections.c.source == source, corrections.c.undone_at.is_(None))
        .order_by(corrections.c.id.desc())
        .limit(1)
    ).first()
    connection.execute(delete(grades_table).where(grades_table.c.source == source))
    if newest is not None:
        connection.execute(
            insert(grades_table).values(
                source=source, reliability=newest.value, set_by=newest.author, set_at=newest.created_at, note=newest.note
            )
        )


def undo_correction(store: Store, correction_id: int, *, author: str) -> Correction:
    """Mark a correction undone (kept in the history, no longer applied)."""
    with store.transaction() as connection:
        row = connection.execute(select(corrections).where(corrections.c.id == correction_id)).first()
        if row is None:
            raise NotFound(f"no correction {correction_id}")
        if row.undone_at is None:
            connection.execute(
                update(corrections).where(corrections.c.id == correction_id).values(undone_by=author, undone_at=_now())
            )
            if row.target == "source":
                _sync_grade(connection, row.source)
        return _from_row(connection.execute(select(corrections).where(corrections.c.id == correction_id)).one())


def corrections_digest(store: Store) -> str:
    """sha1 of the ids of the claim corrections in force: the link stage keys its saved state by it
    (a change alters claims already linked, which an incremental run would not read again)."""
    in_force = sorted(c.id for fields in active_claim_corrections(store).values() for c in fields.values())
    return hashlib.sha1(json.dumps(in_force).encode()).hexdigest()


def list_corrections(
    store: Store, *, document_id: str | None = None, source: str | None = None, limit: int = 50, offset: int = 0
) -> tuple[list[Correction], int]:
    """The correction history (newest first) and its total size."""
    query = select(corrections)
    if document_id:
        query = query.where(corrections.c.document_id == document_id)
    if source:
        query = query.where(corrections.c.source == source_key(source))
    with store.engine.connect() as connection:
        total = connection.execute(select(func.count()).select_from(query.subquery())).scalar_one()
        rows = connection.execute(query.order_by(corrections.c.id.desc()).limit(limit).offset(offset))
        return [_from_row(row) for row in rows], total


def active_claim_corrections(store: Store, document_ids: list[str] | None = None) -> dict[tuple[str, int, int], dict[str, Correction]]:
    """(document, start, end) -> field -> the newest correction still in force."""
    query = select(corrections).where(corrections.c.target == "claim", corrections.c.undone_at.is_(None))
    if document_ids is not None:
        query = query.where(corrections.c.document_id.in_(document_ids))
    found: dict[tuple[str, int, int], dict[str, Correction]] = {}
    with store.engine.connect() as connection:
        for row in connection.execute(query.order_by(corrections.c.id)):
            correction = _from_row(row)
            key = (row.document_id, row.claim_start, row.claim_end)
            found.setdefault(key, {})[correction.field] = correction  # later ids win
    return found


def source_grades(store: Store) -> dict[str, Correction]:
    """source name -> the reliability correction in force (mirrored in the source_grades table)."""
    query = select(corrections).where(corrections.c.target == "source", corrections.c.undone_at.is_(None))
    grades: dict[str, Correction] = {}
    with store.engine.connect() as connection:
        for row in connection.execute(query.order_by(corrections.c.id)):
            grades[row.source] = _from_row(row)
    return grades


def apply_corrections(claim: Claim, fields: dict[str, Correction] | None) -> tuple[Claim, bool]:
    """The claim as the analyst corrected it, and whether the analyst marked it wrong."""
    if not fields:
        return claim, False
    changes: dict[str, Any] = {}
    for name in ("speaker", "polarity", "hedging"):
        if name in fields:
            changes[name] = fields[name].value or None if name == "speaker" else fields[name].value
    wrong = "wrong" in fields and fields["wrong"].value == "true"
    return (replace(claim, **changes) if changes else claim), wrong


def corrected_analysis(store: Store, analysis: Analysis) -> tuple[Analysis, set[str]]:
    """The analysis with the analyst's corrections applied, and the ids of claims marked wrong."""
    fields = active_claim_corrections(store, [analysis.document_id])
    if not fields:
        return analysis, set()
    claims, wrong = [], set()
    for claim in analysis.claims:
        fixed, is_wrong = apply_corrections(claim, fields.get((analysis.document_id, claim.start, claim.end)))
        claims.append(fixed)
        if is_wrong:
            wrong.add(claim.id)
    return replace(analysis, claims=claims), wrong
