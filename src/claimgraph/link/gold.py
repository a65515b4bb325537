"""Linker inputs built from a gold file (shared/gold/seeds.json format).

Lets the linker be measured on gold claims independently of the claim extractor: each gold
claim becomes a `Claim` (span, normalised text as content, speaker, resolved chain,
polarity, hedging) of a `Document` read from the corpus folder.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from claimgraph.models import Analysis, Claim, Document


def _short(doc_id: str) -> str:
    return doc_id.split("_", 1)[0]


def gold_inputs(gold: dict[str, Any], corpus_dir: Path) -> list[tuple[Document, Analysis]]:
    """One (Document, Analysis) per gold document, claims in gold order."""
    meta = {d["doc_id"]: d for d in gold.get("documents", [])}
    by_doc: dict[str, list[dict[str, Any]]] = {}
    for claim in gold["claims"]:
        by_doc.setdefault(claim["doc_id"], []).append(claim)
    out: list[tuple[Document, Analysis]] = []
    for doc_id, claims in by_doc.items():
        path = corpus_dir / doc_id
        text = path.read_text(encoding="utf-8") if path.is_file() else ""
        info = meta.get(doc_id, {})
        outlet = info.get("outlet")
        document = Document(
            id=_short(doc_id),
            content_hash=hashlib.sha256(text.encode()).hexdigest(),
            origin=str(path),
            version=1,
            media_type="text/plain",
            text=text,
            outlet=re.sub(r"\s*\(.*$", "", outlet) if outlet else None,
            published=info.get("date"),
            published_precision="day" if info.get("date") else None,
        )
        analysis = Analysis(document_id=document.id)
        for c in claims:
            analysis.claims.append(
                Claim(
                    id=c["id"],
                    sentence_index=int(re.sub(r"\D", "", c.get("sentence_id") or "0") or 0),
                    start=c["span_start"],
                    end=c["span_end"],
                    sentence_start=c["sentence_start"],
                    sentence_end=c["sentence_end"],
                    text=c["span"],
                    content=c["claim"],
                    zone=c.get("zone", "body"),
                    speaker=c.get("speaker"),
                    chain=list(c.get("source_chain_resolved") or []),
                    cue=c.get("cue"),
                    attribution=c.get("attribution", "unattributed"),
                    hedging=c.get("hedging", "none"),
                    polarity=c.get("polarity", "asserted"),
                    claim_type=c.get("claim_type", "factual"),
                    step="gold",
                )
            )
        out.append((document, analysis))
    return out


def _family(clusters: list[dict[str, Any]]) -> dict[str, str]:
    """Gold cluster id -> its top ancestor (K01a -> K01 -> K13 gives K13)."""
    parent = {c["id"]: c.get("parent") for c in clusters}

    def top(cluster: str, seen: frozenset[str] = frozenset()) -> str:
        up = parent.get(cluster)
        return cluster if not up or up in seen or up not in parent else top(up, seen | {cluster})

    return {c: top(c) for c in parent}


def evaluate_links(gold: dict[str, Any], result: Any) -> dict[str, Any]:
    """Pairwise cluster P/R/F1, hard negatives merged and line agreement against a gold file."""
    from itertools import combinations

    gold_pairs: set[tuple[str, str]] = set()
    families: dict[str, set[str]] = {}
    family_of = _family(gold["clusters"])
    for cluster in gold["clusters"]:
        members = sorted(m["claim"] for m in cluster["members"])
        gold_pairs.update(combinations(members, 2))
        for m in members:
            families.setdefault(m, set()).add(family_of[cluster["id"]])
    predicted: set[tuple[str, str]] = set()
    for cluster in result.clusters:
        predicted.update(combinations(sorted(cluster.claim_ids), 2))
    tp = len(predicted & gold_pairs)
    precision = tp / len(predicted) if predicted else 0.0
    recall = tp / len(gold_pairs) if gold_pairs else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    # Lenient: a predicted pair inside one gold hierarchy (K01a with K01b under K01) is a near-miss, not an error.
    lenient_ok = sum(1 for a, b in predicted if families.get(a, set()) & families.get(b, set()))
    lenient_precision = lenient_ok / len(predicted) if predicted else 0.0
    hard = [h for h in gold.get("hard_negatives", []) if "b" in h]
    merged = [f"{h['a']}~{h['b']}" for h in hard if tuple(sorted((h["a"], h["b"]))) in predicted]
    # Lines: each document's own line (the one holding most of its claims) against provenance.independent_lines.
    claim_doc = {c["id"]: _short(c["doc_id"]) for c in gold["claims"]}
    best: dict[str, tuple[int, str]] = {}
    for line in result.lines:
        counts: dict[str, int] = {}
        for claim in line.claims:
            counts[claim_doc.get(claim, "?")] = counts.get(claim_doc.get(claim, "?"), 0) + 1
        for doc, count in counts.items():
            if count > best.get(doc, (0, ""))[0]:
                best[doc] = (count, line.id)
    predicted_lines: dict[str, set[str]] = {}
    for doc, (_, line_id) in best.items():
        predicted_lines.setdefault(line_id, set()).add(doc)
    gold_lines = {frozenset(l["docs"]) for l in gold.get("provenance", {}).get("independent_lines", [])}
    lines_exact = {frozenset(v) for v in predicted_lines.values()} == gold_lines
    return {
        "pairs_gold": len(gold_pairs),
        "pairs_predicted": len(predicted),
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "lenient_precision": round(lenient_precision, 4),
        "hard_negatives_checked": len(hard),
        "hard_negatives_merged": merged,
        "lines_predicted": sorted(sorted(v) for v in predicted_lines.values()),
        "lines_gold": sorted(sorted(v) for v in gold_lines),
        "lines_exact": lines_exact,
    }
