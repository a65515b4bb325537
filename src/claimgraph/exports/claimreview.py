"""schema.org ClaimReview (JSON-LD) for every assessed cluster: the claim, where it appeared, its grade.

The rating is the Admiralty information-credibility grade: ratingValue 1 ("confirmed by other
sources") is best, 6 ("truth cannot be judged") worst; alternateName gives it in words and
ratingExplanation the ledger's reasons. The review's author is the ledger, not a person.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from claimgraph.exports.view import LedgerView

CONTEXT = "https://schema.org"


def _appearance(view: LedgerView, document_id: str) -> dict[str, Any]:
    document = view.documents[document_id]
    work: dict[str, Any] = {"@type": "NewsArticle" if document.get("outlet") else "CreativeWork",
                            "identifier": document_id, "headline": view.title(document_id)}
    if document.get("url"):
        work["url"] = document["url"]
    if document.get("outlet"):
        work["publisher"] = {"@type": "Organization", "name": document["outlet"]}
    if document.get("author"):
        work["author"] = {"@type": "Person", "name": document["author"]}
    if document.get("published"):
        work["datePublished"] = document["published"]
    return work


def claim_review(view: LedgerView, cluster: dict[str, Any], assessment: dict[str, Any]) -> dict[str, Any]:
    """One ClaimReview: claimReviewed, reviewRating, itemReviewed (a Claim with its appearances), author."""
    members = [m for m in cluster["members"] if m["claim"] in view.claims]
    # where the claim appears: its supporting claims' documents (a group of denials: where the denial appears)
    stating = [m for m in members if m["relation"] != "contradicts"] or members
    documents = sorted({view.claims[m["claim"]]["document_id"] for m in stating},
                       key=lambda d: (view.documents[d].get("published") or "9999", d))
    lines = [view.line_names.get(line, line) for line in assessment["supporting_lines"]]
    item: dict[str, Any] = {"@type": "Claim", "appearance": [_appearance(view, d) for d in documents]}
    if documents:
        item["firstAppearance"] = item["appearance"][0]
    if lines:
        item["author"] = [{"@type": "Thing", "name": name} for name in lines]
    if assessment.get("first_report"):
        item["datePublished"] = assessment["first_report"]
    grade = f"{assessment['reliability']}{assessment['credibility']}"
    return {
        "@context": CONTEXT,
        "@type": "ClaimReview",
        "@id": f"urn:claimgraph:cluster:{cluster['id']}",
        "claimReviewed": cluster["anchor_text"],
        "itemReviewed": item,
        "reviewRating": {
            "@type": "Rating", "ratingValue": assessment["credibility"], "bestRating": 1, "worstRating": 6,
            "alternateName": f"{grade} \u2014 {assessment['label']}",
            "ratingExplanation": "; ".join(assessment.get("reasons", [])),
        },
        "author": {"@type": "Organization", "name": "claimgraph evidence ledger"},
        "reviewBody": f"{len(lines)} independent line(s) of sourcing: {'; '.join(lines) or 'none'}.",
    }


def claim_reviews(view: LedgerView) -> list[dict[str, Any]]:
    """A ClaimReview per assessed cluster, best supported first."""
    reviews = [claim_review(view, cluster, view.assessments[cluster["id"]])
               for cluster in view.ledger["clusters"] if cluster["id"] in view.assessments]
    return sorted(reviews, key=lambda r: (r["reviewRating"]["ratingValue"], r["@id"]))


def write_claim_reviews(view: LedgerView, path: Path) -> list[Path]:
    """The reviews as one JSON array of JSON-LD objects."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(claim_reviews(view), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return [path]
