"""The timeline: events dated by the claims that state them, with three times kept apart.

- event time: when it happened, from time expressions inside a claim's span;
- report time: when it was reported, the document's published date;
- speech time: when the source spoke, from a time expression in the attribution frame
  (the sentence outside the claim span, e.g. "Speaking ... in early October 2016, ... reported").
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any

from claimgraph.link.clusters import Cluster
from claimgraph.models import Analysis, Claim, Document, TimeExpression

EVENTS_STEP = "link.events.v1"
RANK = {"day": 3, "month": 2, "year": 1}


@dataclass(kw_only=True)
class Event:
    id: str
    date: str | None
    precision: str | None
    qualifier: str
    what: str  # the anchor claim's content (a statement event: who said it, and the first claim)
    cluster: str | None
    claims: list[str] = field(default_factory=list)
    expressions: list[dict[str, Any]] = field(default_factory=list)  # every dating expression, per claim
    reported: list[str] = field(default_factory=list)  # published dates of the reporting documents
    spoken: list[str] = field(default_factory=list)  # when the sources are said to have spoken
    kind: str = "proposition"  # proposition: what the claims say happened | statement: a source saying it
    step: str = EVENTS_STEP

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _inside(time: TimeExpression, claim: Claim) -> bool:
    return claim.start <= time.start and time.end <= claim.end


def _speech_times(claim: Claim, analysis: Analysis) -> list[str]:
    if claim.attribution == "unattributed":
        return []
    return [
        t.value
        for t in analysis.times
        if t.value and claim.sentence_start <= t.start < claim.sentence_end and not _inside(t, claim)
    ]


def build_events(inputs: list[tuple[Document, Analysis]], clusters: list[Cluster]) -> list[Event]:
    """One event per cluster (or unclustered claim) whose claims carry a dated expression."""
    claims: dict[str, tuple[Document, Analysis, Claim]] = {
        claim.id: (document, analysis, claim) for document, analysis in inputs for claim in analysis.claims
    }
    groups: list[tuple[str | None, list[str]]] = [(c.id, [m.claim for m in c.members]) for c in clusters]
    clustered = {claim for _, members in groups for claim in members}
    groups += [(None, [claim_id]) for claim_id in claims if claim_id not in clustered]
    events = []
    for cluster_id, members in groups:
        expressions = []
        for claim_id in members:
            if claim_id not in claims:
                continue
            document, _, claim = claims[claim_id]
            for time in claim.times:
                if time.value and _inside(time, claim):
                    expressions.append({"claim": claim_id, "document": document.id, "text": time.text,
                                        "value": time.value, "precision": time.precision, "qualifier": time.qualifier})
        if not expressions:
            continue
        # The most precise expression dates the event; less precise ones agree with it or not
        # (the judge, not the timeline, decides whether they contradict).
        best = max(expressions, key=lambda e: (RANK.get(e["precision"] or "", 0), e["qualifier"] == "exact"))
        present = [m for m in members if m in claims]
        anchor = claims[present[0]][2]
        events.append(
            Event(
                id="EV-" + hashlib.sha1((cluster_id or present[0]).encode()).hexdigest()[:12],
                date=best["value"],
                precision=best["precision"],
                qualifier=best["qualifier"],
                what=anchor.content,
                cluster=cluster_id,
                claims=present,
                expressions=expressions,
                reported=sorted({claims[m][0].published for m in present if claims[m][0].published}),
                spoken=sorted({v for m in present for v in _speech_times(claims[m][2], claims[m][1])}),
            )
        )
    events += _statement_events(claims)
    return sorted(events, key=lambda e: (e.date or "", e.id))


def _statement_events(claims: dict[str, tuple[Document, Analysis, Claim]]) -> list[Event]:
    """One event per source speaking in a document: the statement itself happened too.

    Dated by the speech time in the attribution frame ("Speaking in early October 2016, ...")
    when there is one, else by the reporting document's date, qualified `on_or_before`: a
    statement a document reports was made by the time it was published.
    """
    groups: dict[tuple[str, str], list[str]] = {}
    for claim_id, (document, _, claim) in claims.items():
        if claim.attribution == "unattributed" or not claim.speaker:
            continue
        groups.setdefault((document.id, " ".join(claim.speaker.lower().split())), []).append(claim_id)
    events = []
    for (document_id, _), members in sorted(groups.items()):
        document, analysis, first = claims[members[0]]
        spoken = [
            {"claim": m, "document": document_id, "text": t.text, "value": t.value, "precision": t.precision,
             "qualifier": t.qualifier}
            for m in members
            for t in claims[m][1].times
            if t.value and claims[m][2].attribution != "unattributed"
            and claims[m][2].sentence_start <= t.start < claims[m][2].sentence_end and not _inside(t, claims[m][2])
        ]
        if spoken:
            best = max(spoken, key=lambda e: (RANK.get(e["precision"] or "", 0), e["qualifier"] == "exact"))
            date, precision, qualifier = best["value"], best["precision"], best["qualifier"]
        elif document.published and len(document.published) >= 10:
            date, precision, qualifier = document.published[:10], "day", "on_or_before"
        else:
            continue
        events.append(
            Event(
                id="EV-" + hashlib.sha1(f"statement:{document_id}:{first.speaker}".encode()).hexdigest()[:12],
                date=date, precision=precision, qualifier=qualifier,
                what=f"{first.speaker}: {first.content}", cluster=None, claims=members, expressions=spoken,
                reported=[document.published] if document.published else [],
                spoken=sorted({e["value"] for e in spoken}), kind="statement",
            )
        )
    return events
