"""evaluate(): score a ledger export against a gold file, stage by stage."""

from __future__ import annotations

from typing import Any

from claimgraph.errors import ClaimgraphError
from claimgraph.eval.claims import score_attributes, score_claims
from claimgraph.eval.dates import score_dates
from claimgraph.eval.gold import index_gold, validate_gold
from claimgraph.eval.match import match_documents
from claimgraph.eval.mentions import score_mentions
from claimgraph.eval.report import DocumentCoverage, EvalReport
from claimgraph.eval.structure import score_clusters, score_events, score_hard_negatives, score_lines, score_links

_LISTS = ("documents", "sentences", "entities", "mentions", "claims", "times", "clusters", "links", "lines", "events")


def _check_ledger(ledger: Any) -> None:
    if not isinstance(ledger, dict):
        raise ClaimgraphError(
            "ledger export: the top level must be a JSON object (as `claimgraph export --format json` writes)"
        )
    for key in _LISTS:
        if key in ledger and not isinstance(ledger[key], list):
            raise ClaimgraphError(f"ledger export: '{key}' must be a list")
    for section in ("claims", "mentions"):
        for i, row in enumerate(ledger.get(section) or []):
            for key in ("document_id", "start", "end"):
                if not isinstance(row, dict) or key not in row:
                    raise ClaimgraphError(f"ledger export: {section}[{i}] lacks field '{key}'")


def _by_document(rows: list[dict[str, Any]], ledger_to_gold: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        doc_id = ledger_to_gold.get(str(row.get("document_id")))
        if doc_id is not None:
            grouped.setdefault(doc_id, []).append(row)
    return grouped


def _times(ledger: dict[str, Any], ledger_to_gold: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    """The ledger's time expressions per gold document: the top-level list plus those on claims."""
    seen: set[tuple[str, int, int, Any]] = set()
    grouped: dict[str, list[dict[str, Any]]] = {}
    rows = [(row.get("document_id"), row) for row in ledger.get("times") or []]
    rows += [(claim.get("document_id"), t) for claim in ledger.get("claims") or [] for t in claim.get("times") or []]
    for document_id, row in rows:
        doc_id = ledger_to_gold.get(str(document_id))
        if doc_id is None or not isinstance(row.get("start"), int) or not isinstance(row.get("end"), int):
            continue
        key = (doc_id, row["start"], row["end"], row.get("value"))
        if key not in seen:
            seen.add(key)
            grouped.setdefault(doc_id, []).append(row)
    return grouped


def evaluate(ledger: dict[str, Any], gold: dict[str, Any]) -> EvalReport:
    """Score a ledger export (the dict `claimgraph export --format json` writes) against a gold dict."""
    validate_gold(gold)
    _check_ledger(ledger)
    index = index_gold(gold)
    documents = match_documents(ledger.get("documents") or [], index.doc_ids)
    ledger_to_gold = {str(document["id"]): doc_id for doc_id, document in documents.items()}
    matched = set(documents)
    texts = {doc_id: documents[doc_id].get("text") for doc_id in documents}
    entity_lookup: dict[tuple[str, str], dict[str, Any]] = {}
    for entity in ledger.get("entities") or []:
        document_id = str(entity.get("document_id", ""))
        for key in (entity.get("key"), entity.get("id")):
            if key is not None:
                entity_lookup[(document_id, str(key))] = entity
                entity_lookup.setdefault(("", str(key)), entity)
    system_claims = _by_document(ledger.get("claims") or [], ledger_to_gold)
    claim_scores, matching = score_claims(index, system_claims, matched)
    return EvalReport(
        documents=DocumentCoverage(
            gold=len(index.doc_ids),
            matched=[d for d in index.doc_ids if d in matched],
            missing=[d for d in index.doc_ids if d not in matched],
        ),
        mentions=score_mentions(index.mentions, _by_document(ledger.get("mentions") or [], ledger_to_gold), matched),
        claims=claim_scores,
        attributes=score_attributes(
            index, matching, texts, entity_lookup, {d: str(documents[d]["id"]) for d in documents}
        ),
        dates=score_dates(gold, index, texts, _times(ledger, ledger_to_gold)),
        clusters=score_clusters(ledger, gold, matching),
        hard_negatives=score_hard_negatives(ledger, gold, matching),
        lines=score_lines(ledger, gold, documents),
        events=score_events(ledger, gold, matching),
        links=score_links(ledger),
    )
