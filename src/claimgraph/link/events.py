"""The timeline: events dated by the claims that state them, with three times kept apart.

- event time: when it happened, from time expressions inside a claim's span or, failing
  that, from the time a temporal anaphor in the span points back to ("then", "at the time");
- report time: when it was reported, the document's published date;
- speech time: when the source spoke, from a time expression in the attribution frame
  (the sentence outside the claim span, e.g. "Speaking ... in early October 2016, ... reported").
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from claimgraph.datahash import step_name
from claimgraph.link.clusters import Cluster
from claimgraph.models import Analysis, Claim, Document, TimeExpression

# EVENTS_STEP, stamped on every event, is the registered name (pipeline/steps.py) of the rules'
# version (bumped by hand) and the data they read: none yet, so a hash of nothing.
EVENTS_RULES = "link.events.v2"
EVENTS_DATA: tuple[str, ...] = ()
EVENTS_STEP = step_name(EVENTS_RULES, EVENTS_DATA)
RANK = {"day": 3, "month": 2, "year": 1}
# How many narrative sentences back a temporal anaphor may look for the time it refers to.
ANAPHOR_WINDOW = 4
# Zones that carry the narrative; captions, credits and "READ MORE" links interrupt it.
NARRATIVE_ZONES = frozenset({"headline", "body", "summary", "detail", "quote_block"})

# Temporal anaphors: words that date a clause by a time stated earlier, and how the clause
# stands to it (same time, after it, before it). The leftmost one in a claim's span counts.
_ANAPHORS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b(?:by|until|till)\s+then\b(?!\s*-)|\b(?:before|prior\s+to)\s+that\b"
                r"|\bearlier\s+that\s+(?:day|week|month|year)\b", re.I), "before"),
    (re.compile(r"\bsince\s+then\b(?!\s*-)|\bafter\s+that\b|\b(?:afterwards?|subsequently|thereafter)\b"
                r"|\blater\s+that\s+(?:day|week|month|year)\b", re.I), "after"),
    (re.compile(r"\bat\s+(?:the|that)\s+(?:time|point|moment|stage)\b(?!\s+of\s+writing)"
                r"|\bat\s+the\s+same\s+time\b"
                r"|\b(?:on|in|during)\s+(?:that|the\s+same)\s+(?:day|week|month|year|occasion)\b"
                r"|\bthat\s+same\s+(?:day|week|month|year)\b|\bmeanwhile\b", re.I), "same"),
    (re.compile(r"\bthen\b", re.I), "after"),
]
# "then" that is not a temporal anaphor: "the then president", "then-president", sequence inside
# a clause ("moved to the FSB and then to ..."), a conditional's consequent, and the order of a
# text described in the present ("the paper then lists ...").
_NOT_THEN_BEFORE = re.compile(r"(?:\bthe|\band|\bor|\bbut|\bif\b.*)\s+$", re.I | re.S)
_FIRST = re.compile(r"\bfirst\b", re.I)
_NOT_THEN_AFTER = re.compile(
    r"^\s*-|^\s+(?:adds|lists|predicts|says|states|notes|describes|writes|argues|concludes|goes\s+on|continues|"
    r"turns|explains|claims|sets\s+out|outlines|suggests|warns|recommends|asks|cites|quotes)\b", re.I)
# A time that dates the clause, not a noun: after a preposition ("in January 2016"), not
# before a noun ("his 2016 election bid", "the 2016 US election").
_ADVERBIAL_BEFORE = re.compile(
    r"(?:^|\b(?:in|on|at|during|since|from|by|before|after|until|till|through|throughout|as\s+of|around|"
    r"about|circa))\s*$", re.I)
_DEICTIC = re.compile(r"^(?:today|yesterday|tomorrow|tonight|this|last|next|on|in|at|during|since|by)\b", re.I)


@dataclass(kw_only=True)
class Event:
    id: str
    date: str | None
    precision: str | None
    qualifier: str
    what: str  # the anchor claim's content (a statement event: who said it, and the first claim)
    cluster: str | None
    claims: list[str] = field(default_factory=list)
    # every dating expression, per claim; "source": "span" (inside the claim), "context" (what an
    # anaphor in it refers to, with "anaphor") or "frame" (a statement's speech time)
    expressions: list[dict[str, Any]] = field(default_factory=list)
    reported: list[str] = field(default_factory=list)  # published dates of the reporting documents
    spoken: list[str] = field(default_factory=list)  # when the sources are said to have spoken
    kind: str = "proposition"  # proposition: what the claims say happened | statement: a source saying it
    range_end: str | None = None  # a range's end at the same precision ("the 1990s": 1990 .. 1999)
    step: str = EVENTS_STEP

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _inside(time: TimeExpression, claim: Claim) -> bool:
    return claim.start <= time.start and time.end <= claim.end


def _speech_times(claim: Claim, analysis: Analysis) -> list[TimeExpression]:
    """Times in the claim's attribution frame: in its sentence, outside its span.

    A time inside a sibling proposition is kept: the claim splitter often makes the frame itself
    a claim ("Speaking in early August 2016, two Kremlin sources ...").
    """
    if claim.attribution == "unattributed":
        return []
    return [
        t for t in analysis.times
        if t.value and claim.sentence_start <= t.start < claim.sentence_end and not _inside(t, claim)
    ]


def _expression(claim_id: str, document: Document, time: TimeExpression, **extra: Any) -> dict[str, Any]:
    return {"claim": claim_id, "document": document.id, "text": time.text, "value": time.value,
            "precision": time.precision, "qualifier": time.qualifier,
            **({"range_end": time.range_end} if time.range_end else {}), **extra}


def _narrative_before(claim: Claim, analysis: Analysis) -> list[tuple[int, int]]:
    """Spans of the narrative sentences before the claim's sentence, nearest first."""
    before = [s for s in analysis.sentences if s.zone in NARRATIVE_ZONES and s.start < claim.sentence_start]
    return [(s.start, s.end) for s in sorted(before, key=lambda s: -s.start)]


def _anaphor(claim: Claim, text: str, previous: list[tuple[int, int]]) -> tuple[int, str, str] | None:
    """The first temporal anaphor in the claim's span: (offset, matched words, relation)."""
    found = sorted(
        (match.start(), match.group(0), relation)
        for pattern, relation in _ANAPHORS
        for match in pattern.finditer(text, claim.start, claim.end)
    )
    for start, words, relation in found:
        if words.lower() == "then":
            before = text[claim.sentence_start:start]
            # "first ... then" orders steps (of a procedure, a list), it does not point back in time.
            ordered = _FIRST.search(before) or (previous and _FIRST.search(text[previous[0][0]:previous[0][1]]))
            if ordered or _NOT_THEN_BEFORE.search(before) or _NOT_THEN_AFTER.match(text[start + 4:start + 24]):
                continue
        return start, words, relation
    return None


def _adverbial(time: TimeExpression, text: str, sentence_start: int) -> bool:
    return bool(_DEICTIC.match(time.text) or _ADVERBIAL_BEFORE.search(text[sentence_start:time.start]))


def _antecedent(claim: Claim, at: int, document: Document, analysis: Analysis,
                previous: list[tuple[int, int]]) -> tuple[TimeExpression, bool] | None:
    """The time an anaphor at offset `at` refers to, and whether it is in the anaphor's own
    sentence: the nearest adverbial time before it there or in the ANAPHOR_WINDOW narrative
    sentences before."""
    for number, (start, end) in enumerate([(claim.sentence_start, at)] + previous[:ANAPHOR_WINDOW]):
        found = [t for t in analysis.times
                 if t.value and start <= t.start and t.end <= end and _adverbial(t, document.text, start)]
        if found:
            return max(found, key=lambda t: t.start), number == 0
    return None


def _context_expression(claim: Claim, document: Document, analysis: Analysis) -> dict[str, Any] | None:
    """Date a claim with no time of its own by what a temporal anaphor in its span refers to."""
    previous = _narrative_before(claim, analysis)
    found = _anaphor(claim, document.text, previous)
    if found is None:
        return None
    at, words, relation = found
    antecedent = _antecedent(claim, at, document, analysis, previous)
    if antecedent is None:
        return None
    time, same_sentence = antecedent
    if words.lower() == "then" and same_sentence:
        relation = "same"  # "in October 2016, even though it was then known": at that time, not next
    qualifier = {"after": "on_or_after", "before": "on_or_before"}.get(relation, time.qualifier)
    return _expression(claim.id, document, time, qualifier=qualifier, source="context", anaphor=words)


def _states_anchor(cluster: Cluster, relation: str) -> bool:
    """Whether a member states the cluster's event, not a contradiction of it (in a group of
    denials the anchor is one too, and the members agree with each other)."""
    anchor = next((m.relation for m in cluster.members if m.claim == cluster.anchor), "same")
    return relation != "contradicts" or anchor == "contradicts"


def _best(expressions: list[dict[str, Any]]) -> dict[str, Any]:
    return max(expressions, key=lambda e: (RANK.get(e["precision"] or "", 0), e["qualifier"] == "exact"))


def build_events(inputs: list[tuple[Document, Analysis]], clusters: list[Cluster]) -> list[Event]:
    """One event per cluster (or unclustered claim) that its claims date, plus statement events."""
    claims: dict[str, tuple[Document, Analysis, Claim]] = {
        claim.id: (document, analysis, claim) for document, analysis in inputs for claim in analysis.claims
    }
    clustered = {m.claim for c in clusters for m in c.members}
    events = [e for c in clusters if (e := cluster_event(c, claims)) is not None]
    events += [e for claim_id in claims if claim_id not in clustered if (e := claim_event(claim_id, claims)) is not None]
    events += _statement_events(claims)
    return sorted(events, key=lambda e: (e.date or "", e.id))


def event_id(cluster_or_claim: str) -> str:
    """The id of the event of a cluster, or of a claim in none."""
    return "EV-" + hashlib.sha1(cluster_or_claim.encode()).hexdigest()[:12]


def cluster_event(cluster: Cluster, claims: dict[str, tuple[Document, Analysis, Claim]]) -> Event | None:
    """The event a cluster's members state, if they date it.

    A cluster is dated by the most precise time inside any member's span; failing that, by the
    time a temporal anaphor in a member's span refers to (source "context" in `expressions`).
    """
    return _group_event(cluster.id, [m.claim for m in cluster.members],
                        [m.claim for m in cluster.members if _states_anchor(cluster, m.relation)], claims)


def claim_event(claim_id: str, claims: dict[str, tuple[Document, Analysis, Claim]]) -> Event | None:
    """The event of a claim in no cluster, if it dates it."""
    return _group_event(None, [claim_id], [claim_id], claims)


def statement_events(inputs: list[tuple[Document, Analysis]]) -> list[Event]:
    """The statement events of these documents (each document's own)."""
    return _statement_events({c.id: (d, a, c) for d, a in inputs for c in a.claims})


def claim_dating(claim: Claim, document: Document, analysis: Analysis) -> dict[str, Any]:
    """What one claim gives its event, read from its document once: the times inside its span,
    the time a temporal anaphor in it points at, and the speech times of its frame. A claim's
    view keeps it, so a cluster's event is made again without reading its members' documents."""
    return {
        "span": [_expression(claim.id, document, t, source="span") for t in claim.times if t.value and _inside(t, claim)],
        "context": _context_expression(claim, document, analysis),
        "spoken": [t.value for t in _speech_times(claim, analysis) if t.value],
    }


def _group_event(cluster_id: str | None, members: list[str], stating: list[str],
                 claims: dict[str, tuple[Document, Analysis, Claim]]) -> Event | None:
    datings = {m: claim_dating(claims[m][2], claims[m][0], claims[m][1]) for m in members if m in claims}
    return group_event(cluster_id, members, stating, datings,
                       content={m: claims[m][2].content for m in datings},
                       published={m: claims[m][0].published for m in datings})


def group_event(cluster_id: str | None, members: list[str], stating: list[str], datings: dict[str, dict[str, Any]], *,
                content: dict[str, str], published: dict[str, str | None]) -> Event | None:
    """The event a group of claims dates (`claim_dating` of each), if any."""
    present = [m for m in members if m in datings]
    daters = [m for m in stating if m in datings]
    expressions = [e for m in present for e in datings[m].get("span", [])]
    # The members state one event, so a time stated by any of them dates all (a denial names
    # the time of what it denies: "it had happened in 2013"). Only when none states one is
    # the time an anaphor refers to used, and only from members that state the anchor's
    # event: a guess made in a claim that contradicts the anchor is not the event's time.
    dating = expressions or [e for m in daters if (e := datings[m].get("context"))]
    if not dating:
        return None
    # The most precise expression dates the event; less precise ones agree with it or not
    # (the judge, not the timeline, decides whether they contradict).
    best = _best(dating)
    return Event(
        id=event_id(cluster_id or present[0]),
        date=best["value"],
        precision=best["precision"],
        qualifier=best["qualifier"],
        what=content[present[0]],
        cluster=cluster_id,
        claims=present,
        expressions=dating,
        reported=sorted({date for m in present if (date := published[m])}),
        spoken=sorted({value for m in present for value in datings[m].get("spoken", [])}),
        range_end=best.get("range_end"),
    )


def stating(cluster: Cluster) -> list[str]:
    """The members that state a cluster's event (not a contradiction of it)."""
    return [m.claim for m in cluster.members if _states_anchor(cluster, m.relation)]


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
        spoken = [_expression(m, document, t, source="frame")
                  for m in members for t in _speech_times(claims[m][2], analysis)]
        if spoken:
            best = _best(spoken)
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
