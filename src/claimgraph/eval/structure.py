"""Corpus-level stages: claim clusters, hard negatives, independent lines, events, links.

Each scorer returns NotMeasured when the ledger has nothing for that stage yet,
so a report can show the stage as 'not measured' instead of as a zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from claimgraph.eval.claims import ClaimMatching
from claimgraph.eval.gold import resolve_doc_id
from claimgraph.eval.scores import PRF, Accuracy, NotMeasured


@dataclass
class ClusterScores:
    pairwise: PRF = field(default_factory=PRF)
    bcubed_precision: float = 0.0
    bcubed_recall: float = 0.0
    claims: int = 0  # matched gold claims the scores are computed over

    @property
    def bcubed_f1(self) -> float:
        p, r = self.bcubed_precision, self.bcubed_recall
        return 0.0 if p + r == 0 else 2 * p * r / (p + r)

    def to_dict(self) -> dict[str, Any]:
        return {
            "measured": True,
            "pairwise": self.pairwise.to_dict(),
            "bcubed": {
                "precision": round(self.bcubed_precision, 4),
                "recall": round(self.bcubed_recall, 4),
                "f1": round(self.bcubed_f1, 4),
            },
            "claims": self.claims,
        }


@dataclass
class HardNegativeScores:
    pairs: int = 0  # gold pairs of two seed claims ('b_corpus' pairs point outside the gold and are skipped)
    both_matched: int = 0
    merged: int = 0  # lower is better: look-alike pairs the system put in one cluster

    def to_dict(self) -> dict[str, Any]:
        return {"measured": True, "pairs": self.pairs, "both_matched": self.both_matched, "merged": self.merged}


@dataclass
class LineScores:
    documents: Accuracy = field(default_factory=Accuracy)  # per gold document: all its pairings right
    pairs: Accuracy = field(default_factory=Accuracy)  # per pair of gold documents: same/different right

    def to_dict(self) -> dict[str, Any]:
        return {"measured": True, "documents": self.documents.to_dict(), "pairs": self.pairs.to_dict()}


@dataclass
class EventScores:
    dated: Accuracy = field(default_factory=Accuracy)  # gold events with a date and claims: dated right by the system
    # the same over those whose date the gold finds in the text (date_in_text): the others take
    # it from world knowledge or an upstream source the ledger does not hold
    dated_in_text: Accuracy = field(default_factory=Accuracy)

    def to_dict(self) -> dict[str, Any]:
        return {"measured": True, "dated": self.dated.to_dict(), "dated_in_text": self.dated_in_text.to_dict()}


def _system_groups(ledger: dict[str, Any], matching: ClaimMatching) -> dict[str, set[str]]:
    """gold claim id -> ids of the system clusters its matched system claim belongs to."""
    groups: dict[str, set[str]] = {}
    for cluster in ledger.get("clusters") or []:
        for member in cluster.get("members") or []:
            claim = member.get("claim") if isinstance(member, dict) else member
            gold_id = matching.system_to_gold.get(str(claim))
            if gold_id is not None:
                groups.setdefault(gold_id, set()).add(str(cluster.get("id")))
    return groups


def _gold_groups(gold: dict[str, Any]) -> dict[str, set[str]]:
    groups: dict[str, set[str]] = {}
    for cluster in gold.get("clusters", []):
        for member in cluster["members"]:
            groups.setdefault(member["claim"], set()).add(cluster["id"])
    return groups


def score_clusters(
    ledger: dict[str, Any], gold: dict[str, Any], matching: ClaimMatching
) -> ClusterScores | NotMeasured:
    """Pairwise P/R/F1 and B-cubed over gold claims matched to a system claim.

    Clusters are flat (parents ignored); a claim in two clusters is linked to the members of both.
    """
    if not ledger.get("clusters"):
        return NotMeasured("the ledger has no clusters")
    if not gold.get("clusters"):
        return NotMeasured("the gold has no clusters")
    gold_groups, system_groups = _gold_groups(gold), _system_groups(ledger, matching)
    claims = sorted(c["id"] for c in gold["claims"] if c["in_scope"] and c["id"] in matching.pairs)
    scores = ClusterScores(claims=len(claims))
    for a, b in combinations(claims, 2):
        in_gold = bool(gold_groups.get(a, set()) & gold_groups.get(b, set()))
        in_system = bool(system_groups.get(a, set()) & system_groups.get(b, set()))
        scores.pairwise.gold += int(in_gold)
        scores.pairwise.system += int(in_system)
        scores.pairwise.true_positives += int(in_gold and in_system)
        scores.pairwise.system_correct += int(in_gold and in_system)
    if claims:
        precision = recall = 0.0
        for a in claims:
            same_gold = {b for b in claims if b == a or gold_groups.get(a, set()) & gold_groups.get(b, set())}
            same_system = {b for b in claims if b == a or system_groups.get(a, set()) & system_groups.get(b, set())}
            both = len(same_gold & same_system)
            precision += both / len(same_system)
            recall += both / len(same_gold)
        scores.bcubed_precision = precision / len(claims)
        scores.bcubed_recall = recall / len(claims)
    return scores


def score_hard_negatives(
    ledger: dict[str, Any], gold: dict[str, Any], matching: ClaimMatching
) -> HardNegativeScores | NotMeasured:
    """How many look-alike gold pairs the system wrongly put into one cluster."""
    if not ledger.get("clusters"):
        return NotMeasured("the ledger has no clusters")
    if not gold.get("hard_negatives"):
        return NotMeasured("the gold has no hard negatives")
    groups = _system_groups(ledger, matching)
    scores = HardNegativeScores()
    for pair in gold["hard_negatives"]:
        if "b" not in pair:
            continue
        scores.pairs += 1
        a, b = pair["a"], pair["b"]
        if a in matching.pairs and b in matching.pairs:
            scores.both_matched += 1
            scores.merged += int(bool(groups.get(a, set()) & groups.get(b, set())))
    return scores


def score_lines(
    ledger: dict[str, Any], gold: dict[str, Any], documents: dict[str, dict[str, Any]]
) -> LineScores | NotMeasured:
    """Are documents of one gold independent line in one ledger line, and of different lines apart?"""
    provenance = gold.get("provenance")
    gold_lines = provenance.get("independent_lines") if isinstance(provenance, dict) else None
    if not ledger.get("lines"):
        return NotMeasured("the ledger has no lines")
    if not gold_lines:
        return NotMeasured("the gold has no provenance.independent_lines")
    gold_line: dict[str, int] = {}
    for number, line in enumerate(gold_lines):
        for ref in line["docs"]:
            doc_id = resolve_doc_id(gold, ref)
            if doc_id is not None:
                gold_line[doc_id] = number
    system_lines: dict[str, set[str]] = {}
    for line in ledger["lines"]:
        for document_id in line.get("documents") or []:
            system_lines.setdefault(str(document_id), set()).add(str(line.get("id")))

    def lines_of(doc_id: str) -> set[str]:
        document = documents.get(doc_id)
        return system_lines.get(str(document["id"]), set()) if document else set()

    scores = LineScores()
    ids = sorted(gold_line)
    for a in ids:
        all_ok = True
        for b in ids:
            if a == b:
                continue
            same_gold = gold_line[a] == gold_line[b]
            # A document the ledger put in no line is never right.
            ok = bool(lines_of(a)) and bool(lines_of(b)) and same_gold == bool(lines_of(a) & lines_of(b))
            all_ok &= ok
            if a < b:
                scores.pairs.add(ok)
        scores.documents.add(all_ok)
    return scores


def score_events(ledger: dict[str, Any], gold: dict[str, Any], matching: ClaimMatching) -> EventScores | NotMeasured:
    """For each dated gold event: does a ledger event holding one of its claims carry its date and precision?"""
    if not ledger.get("events"):
        return NotMeasured("the ledger has no events")
    if not gold.get("timeline"):
        return NotMeasured("the gold has no timeline")
    events_of: dict[str, list[dict[str, Any]]] = {}
    for event in ledger["events"]:
        for claim in event.get("claims") or []:
            events_of.setdefault(str(claim), []).append(event)
    scores = EventScores()
    for event in gold["timeline"]:
        if not event.get("date") or not event.get("claims"):
            continue  # undated, or a document date with no claim to hang it on
        candidates = [
            system_event
            for claim in event.get("claims", [])
            if claim in matching.pairs
            for system_event in events_of.get(str(matching.pairs[claim].get("id")), [])
        ]
        right = any(e.get("date") == event["date"] and e.get("precision") == event.get("precision") for e in candidates)
        scores.dated.add(right)
        if event.get("date_in_text"):
            scores.dated_in_text.add(right)
    return scores


def score_links(ledger: dict[str, Any]) -> NotMeasured:
    """Hook: typed claim links are not scored yet (the gold states relations to a cluster anchor, not pairwise)."""
    if not ledger.get("links"):
        return NotMeasured("the ledger has no links")
    return NotMeasured("typed links are not scored yet: the gold gives relations to cluster anchors, not claim pairs")
