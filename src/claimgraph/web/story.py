"""The story an analyst reads first: what is alleged, by how many independent lines, who denies
it, how credible. One read model for the home page and the head of every cluster page.

Allegations are clusters with at least one supporting line, ranked by how many independent
lines support them, then by their credibility grade; a cluster of denials, or one whose anchor
is a fragment ("These allegations", "where it remained"), is never a headline of its own. Its
denials stand under the allegation they deny. Everything is read from the assessments and the
clusters' saved sourcing, so a page costs a fixed number of queries on any size of ledger.
"""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import func, select, text

from claimgraph.store import Store
from claimgraph.store import schema as t
from claimgraph.store.links import chunks, line_names
from claimgraph.web.queries import document_names

HEDGING_WORDS = {"none": "unhedged", "low": "lightly hedged", "medium": "hedged", "high": "strongly hedged"}
DENIALS_SHOWN = 6
LINES_SHOWN = 8  # per block; the cluster's own page lists every claim

# A clause that cannot stand alone: it opens with a subordinating or relative word, or is too
# short to assert anything. English function words only, never names from a corpus.
_DEPENDENT = re.compile(
    r"(?i)^(?:where|when|whenever|while|whereas|which|who|whom|whose|that|because|although|though|if|unless|"
    r"since|until|as|after|before|whether|so that|in order to|by the time|and|but|or|nor|these|those|this|it)\b")


def is_fragment(text: str) -> bool:
    """'These allegations', 'Where it remained', 'By the time X was the frontrunner': not an allegation."""
    words = re.findall(r"[\w’']+", text)
    if len(words) < 4:
        return True
    return bool(_DEPENDENT.match(text.strip().lstrip("“\"‘'(")))


def grade_of(assessment: dict[str, Any]) -> dict[str, Any]:
    """The full grade: reliability letter, credibility number and the number's meaning ('F3 — possibly true')."""
    letter, number, words = assessment.get("reliability") or "F", assessment.get("credibility"), assessment.get("label")
    return {"letter": letter, "number": number, "words": words,
            "text": f"{letter}{number} \u2014 {words}" if number is not None else "not assessed"}


# The ranking read from the assessments' JSON by the database (no row parsed in Python): how many
# lines support it, its credibility, its best reliability, how many lines deny or contradict it.
_RANKING = {
    "sqlite": ("json_array_length(data_json, '$.supporting_lines')",
               "coalesce(json_array_length(data_json, '$.denying_lines'), 0)"
               " + coalesce(json_array_length(data_json, '$.contradicting_lines'), 0)",
               "coalesce(json_extract(data_json, '$.reliability'), 'F')"),
    "postgresql": ("coalesce(json_array_length((data_json::json)->'supporting_lines'), 0)",
                   "coalesce(json_array_length((data_json::json)->'denying_lines'), 0)"
                   " + coalesce(json_array_length((data_json::json)->'contradicting_lines'), 0)",
                   "coalesce((data_json::json)->>'reliability', 'F')"),
}


def _ranked(connection: Any) -> tuple[list[str], int]:
    """Clusters with a supporting line, best first; and how many clusters are assessed."""
    lines, against, reliability = _RANKING[connection.dialect.name]
    assessed = connection.execute(select(func.count()).select_from(t.assessments)).scalar_one()
    ids = connection.execute(text(
        f"SELECT cluster_id FROM assessments WHERE {lines} > 0 "
        f"ORDER BY {lines} DESC, credibility, {reliability}, {against} DESC, cluster_id")).scalars().all()
    return list(ids), assessed


def story(store: Store, *, limit: int = 10, offset: int = 0) -> dict[str, Any]:
    """Allegations offset..offset+limit with their lines, denials and grades; `more` when others follow."""
    wanted = offset + limit + 1  # one more than shown: is there a next page?
    with store.engine.connect() as connection:
        ranked, assessed = _ranked(connection)
        chosen: list[dict[str, Any]] = []
        for batch in chunks(ranked, 100):
            clusters = _clusters(connection, batch)
            chosen += [clusters[c] for c in batch if c in clusters and clusters[c]["anchor_type"] != "denial"
                       and not is_fragment(clusters[c]["anchor"])]
            if len(chosen) >= wanted:
                break
        shown = chosen[offset : offset + limit]
        assessments = dict(connection.execute(select(t.assessments.c.cluster_id, t.assessments.c.data_json)
                                              .where(t.assessments.c.cluster_id.in_([c["id"] for c in shown]))).all())
        items = _allegations(connection, [(c, json.loads(assessments[c["id"]])) for c in shown])
    return {"allegations": items, "assessed": assessed, "more": len(chosen) > offset + limit, "computed": assessed > 0}


def allegation(store: Store, cluster_id: str) -> dict[str, Any] | None:
    """One cluster's block as the story shows it (None before it is assessed)."""
    with store.engine.connect() as connection:
        row = connection.execute(select(t.assessments.c.data_json).where(t.assessments.c.cluster_id == cluster_id)).first()
        cluster = _clusters(connection, [cluster_id]).get(cluster_id)
        if row is None or cluster is None:
            return None
        return _allegations(connection, [(cluster, json.loads(row.data_json))])[0]


def _clusters(connection: Any, ids: list[str]) -> dict[str, dict[str, Any]]:
    """Clusters with their anchor claim's full text, type and place."""
    c, k = t.claims.c, t.clusters.c
    rows = connection.execute(
        select(k.id, k.anchor, k.anchor_claim, k.parent, k.data_json, c.text, c.claim_type, c.document_id, c.start, c.end)
        .select_from(t.clusters.outerjoin(t.claims, c.id == k.anchor_claim)).where(k.id.in_(ids))
    ).all()
    return {
        r.id: {"id": r.id, "anchor": r.anchor, "anchor_claim": r.anchor_claim, "parent": r.parent,
               "anchor_text": r.text, "anchor_type": r.claim_type, "document_id": r.document_id,
               "span": [r.start, r.end] if r.start is not None else None, "data": json.loads(r.data_json)}
        for r in rows
    }


def _allegations(connection: Any, chosen: list[tuple[dict[str, Any], dict[str, Any]]]) -> list[dict[str, Any]]:
    """The blocks for these (cluster, assessment) pairs: four queries whatever their number."""
    sourcing = [cluster["data"].get("sourcing") or {} for cluster, _ in chosen]
    # Named: the lines a block shows (a name reads every claim of its line).
    line_ids = {line for _, a in chosen for key in ("supporting_lines", "contradicting_lines", "denying_lines")
                for line in (a.get(key) or [])[:LINES_SHOWN]}
    names = line_names(connection, sorted(line_ids))
    against: dict[str, list[str]] = {}  # claim -> the lines it stands on
    for (cluster, assessment), saved in zip(chosen, sourcing):
        for line in (assessment.get("denying_lines") or []) + (assessment.get("contradicting_lines") or []):
            for claim_id in (saved.get("claims_by_line") or {}).get(line, []):
                against.setdefault(claim_id, []).append(line)
    claims = _claims(connection, sorted(against))
    parents = {cluster["parent"] for cluster, _ in chosen if cluster["parent"]}
    parent_anchors = dict(connection.execute(select(t.clusters.c.id, t.clusters.c.anchor).where(t.clusters.c.id.in_(parents))).all()) if parents else {}
    documents = document_names(connection, {cluster["document_id"] for cluster, _ in chosen if cluster["document_id"]}
                               | {claim["document_id"] for claim in claims.values()})
    published = _published(connection, {claim["document_id"] for claim in claims.values()})
    out = []
    for (cluster, assessment), saved in zip(chosen, sourcing):
        carriers = saved.get("carriers") or {}
        by_line = saved.get("claims_by_line") or {}
        line = lambda line_id, role: {"id": line_id, "name": names.get(line_id, line_id), "role": role,  # noqa: E731
                                      "documents": carriers.get(line_id), "claims": len(by_line.get(line_id, []))}
        denials = []
        for role, key in (("denies", "denying_lines"), ("contradicts", "contradicting_lines")):
            for line_id in assessment.get(key) or []:
                for claim_id in by_line.get(line_id, []):
                    claim = claims.get(claim_id)
                    if claim is None or (role == "denies" and claim["polarity"] != "denied" and claim["claim_type"] != "denial"):
                        continue
                    date, precision, outlet = published.get(claim["document_id"], (None, None, None))
                    denials.append({**claim, "role": role, "line": names.get(line_id, line_id), "date": date,
                                    "date_precision": precision, "document": outlet or documents.get(claim["document_id"])})
        denials.sort(key=lambda d: (d["date"] is None, d["date"] or "", d["id"]))
        strongest, weakest = assessment.get("hedging_strongest"), assessment.get("hedging_weakest")
        out.append({
            "id": cluster["id"],
            "text": cluster["anchor"],
            "quote": cluster["anchor_text"],
            "anchor_claim": cluster["anchor_claim"],
            "document_id": cluster["document_id"],
            "document": documents.get(cluster["document_id"]) if cluster["document_id"] else None,
            "parent": {"id": cluster["parent"], "text": parent_anchors.get(cluster["parent"], "")} if cluster["parent"] else None,
            "lines": len(assessment.get("supporting_lines") or []),
            "supporting": [line(l, "supports") for l in (assessment.get("supporting_lines") or [])[:LINES_SHOWN]],
            "lines_against": len(assessment.get("denying_lines") or []) + len(assessment.get("contradicting_lines") or []),
            "against": [line(l, "denies") for l in (assessment.get("denying_lines") or [])[:LINES_SHOWN]]
            + [line(l, "contradicts") for l in (assessment.get("contradicting_lines") or [])[:LINES_SHOWN]],
            "denials": denials[:DENIALS_SHOWN],
            "denials_total": len(denials),
            "grade": grade_of(assessment),
            "reasons": assessment.get("reasons") or [],
            "hedging": {"strongest": strongest, "weakest": weakest,
                        "text": _hedging_range(strongest, weakest)},
            "first_report": assessment.get("first_report"),
            "last_report": assessment.get("last_report"),
            "fragment": is_fragment(cluster["anchor"]),
            "denial": not assessment.get("supporting_lines"),
        })
    return out


def _hedging_range(strongest: str | None, weakest: str | None) -> str:
    if not strongest and not weakest:
        return "no hedging recorded"
    if strongest == weakest or not weakest:
        return HEDGING_WORDS.get(strongest or "", strongest or "")
    return f"from {HEDGING_WORDS.get(strongest or '', strongest)} to {HEDGING_WORDS.get(weakest, weakest)}"


def _claims(connection: Any, ids: list[str]) -> dict[str, dict[str, Any]]:
    c = t.claims.c
    out: dict[str, dict[str, Any]] = {}
    for chunk in chunks(ids):
        for r in connection.execute(select(c.id, c.document_id, c.start, c.end, c.text, c.speaker, c.polarity, c.claim_type,
                                           c.chain_json).where(c.id.in_(chunk))):
            chain = json.loads(r.chain_json)
            out[r.id] = {"id": r.id, "document_id": r.document_id, "span": [r.start, r.end], "text": r.text,
                         "who": r.speaker or (chain[0] if chain else None), "polarity": r.polarity, "claim_type": r.claim_type}
    return out


def _published(connection: Any, ids: set[str]) -> dict[str, tuple[str | None, str | None, str | None]]:
    """Document -> (published, its precision, outlet)."""
    d = t.documents.c
    out: dict[str, tuple[str | None, str | None, str | None]] = {}
    for chunk in chunks(sorted(ids)):
        out.update((r.id, (r.published, r.published_precision, r.outlet))
                   for r in connection.execute(select(d.id, d.published, d.published_precision, d.outlet).where(d.id.in_(chunk))))
    return out


def story_counts(store: Store) -> dict[str, int]:
    """The figures above the story: documents, claims, lines that carry a claim (as /lines lists them)."""
    with store.engine.connect() as connection:
        return {
            "documents": connection.execute(select(func.count()).select_from(t.documents)).scalar_one(),
            "claims": connection.execute(select(func.count()).select_from(t.claims)).scalar_one(),
            "lines": connection.execute(select(func.count(func.distinct(t.claim_lines.c.line_id)))).scalar_one(),
            "clusters": connection.execute(select(func.count()).select_from(t.clusters)).scalar_one(),
        }
