"""The report an analyst reads first: clusters ranked by independent support, sources, timeline."""

from __future__ import annotations

import html
import json
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, cast, func, select

from claimgraph.models import Claim
from claimgraph.records import collector_paused
from claimgraph.sources import source_key, weighted_display_names
from claimgraph.store import Store
from claimgraph.store import schema as t
from claimgraph.store.links import (_document_labels, analysed_claim_count, chunks, claim_lines, line_summaries,
                                    read_moved_claims)


def build_report(store: Store, *, top: int | None = None, only: Collection[str] | None = None,
                 ranking: ClusterRanking | None = None) -> dict[str, Any]:
    """Clusters with their lines, denials, hedging, credibility and source spans; graph; timeline; entities.

    Read from the store by what the report shows, not through the whole export: clusters are
    ranked from counts and the assessments, and only the `top` ones read their claims. `only`
    keeps just these clusters (in the same order; the brief reads what it shows). `ranking`, from
    rank_clusters of the same ledger state, spares ranking every cluster again (the brief's reads).
    """
    with collector_paused(), store.engine.connect() as connection:
        return _build(store, connection, top, only, ranking or _ranked(connection))


@dataclass(frozen=True)
class ClusterRanking:
    """Every cluster in the report's order (most supporting lines, then most claims, then id), with
    each one's parent and sub-clusters."""

    order: list[str]
    parents: dict[str, str | None]
    children: dict[str, list[str]]


def rank_clusters(store: Store) -> ClusterRanking:
    """The report's ranking of every cluster: read once, it may be handed to build_report."""
    with store.engine.connect() as connection:
        return _ranked(connection)


def cluster_ranking(store: Store) -> list[str]:
    """Every cluster's id in the report's order (most supporting lines, then most claims, then id)."""
    return rank_clusters(store).order


def _ranked(connection: Any) -> ClusterRanking:
    """The clusters in the report's order, each one's parent and sub-clusters."""
    parents: dict[str, str | None] = dict(connection.execute(
        select(t.clusters.c.id, t.clusters.c.parent).order_by(t.clusters.c.id)).all())
    children: dict[str, list[str]] = {}
    for cluster_id, parent in parents.items():
        if parent:
            children.setdefault(parent, []).append(cluster_id)
    # Members whose claim is in the ledger, own and nested (a sub-cluster's support counts for the general claim).
    own_count = _member_counts(connection)
    totals: dict[str, int] = {}

    def total(cluster_id: str) -> int:
        if cluster_id not in totals:
            totals[cluster_id] = own_count.get(cluster_id, 0) + sum(total(child) for child in children.get(cluster_id, []))
        return totals[cluster_id]

    supported = _supporting_counts(connection)
    order = sorted(parents, key=lambda cluster_id: (-supported.get(cluster_id, 0), -total(cluster_id), cluster_id))
    return ClusterRanking(order=order, parents=parents, children=children)


def _member_counts(connection: Any) -> dict[str, int]:
    """Per cluster, its members whose claim is one of an analysed document. Where every member's
    claim is (as a whole run leaves a ledger: two index scans tell) the members are counted
    without joining each to its claim, a third of the join's time at 10^5 claims."""
    c, m = t.claims.c, t.cluster_members.c
    analysed = select(t.analyses.c.document_id)
    unanalysed = connection.execute(select(func.count()).select_from(t.claims).where(c.document_id.not_in(analysed))).scalar_one()
    orphans = connection.execute(select(func.count()).select_from(t.cluster_members)
                                 .where(m.claim_id.not_in(select(c.id)))).scalar_one() if not unanalysed else 0
    if not unanalysed and not orphans:
        return dict(connection.execute(select(m.cluster_id, func.count()).group_by(m.cluster_id)).all())
    return dict(connection.execute(
        select(m.cluster_id, func.count()).select_from(t.cluster_members.join(t.claims, c.id == m.claim_id))
        .where(c.document_id.in_(analysed)).group_by(m.cluster_id)).all())


def _build(store: Store, connection: Any, top: int | None, only: Collection[str] | None,
           ranking: ClusterRanking) -> dict[str, Any]:
    d, c, m = t.documents.c, t.claims.c, t.cluster_members.c
    published = dict(connection.execute(select(d.id, d.published)).all())
    labels = _document_labels(connection)  # every document in words (the lines name their carriers)
    # A claim counts if its document's analysis is stored (export_ledger's claims).
    analysed = select(t.analyses.c.document_id)
    claim_count = analysed_claim_count(connection)
    chains = connection.execute(select(c.chain_json, func.count()).where(c.document_id.in_(analysed)).group_by(c.chain_json)).all()
    outlets = [outlet for (outlet,) in connection.execute(select(d.outlet)).all() if outlet]
    counted: Counter[str] = Counter(outlets)
    for chain, n in chains:
        for name in json.loads(chain) or []:
            counted[name] += n
    names = weighted_display_names(counted)

    def label(document_id: str) -> str:
        return labels[document_id]

    def node_name(node: str) -> str:
        """A document by its outlet, title or file; a source by the name the texts give it."""
        if node in labels:
            return label(node)
        return names.get(node) or node.removeprefix("source:")

    moved = read_moved_claims(connection)
    lines = line_summaries(connection, moved, labels)
    line_root = {line["id"]: line["root"] for line in lines}
    line_names = {line["id"]: line.get("name") for line in lines}

    def root_name(line_id: str) -> str:
        """A line by its origin and first reporter, in words."""
        name, root = line_names.get(line_id), line_root.get(line_id, line_id)
        # A bare key ("russia") is spelled as the texts spell it most.
        return node_name(root) if not name or name == root.removeprefix("source:") else name

    children = ranking.children
    ranked = ranking.order if only is None else [cluster_id for cluster_id in ranking.order if cluster_id in only]
    shown = ranked[:top] if top else ranked
    anchors: dict[str, str] = {}
    for chunk in chunks(shown):
        anchors.update(connection.execute(select(t.clusters.c.id, t.clusters.c.anchor).where(t.clusters.c.id.in_(chunk))).all())
    assessments: dict[str, dict[str, Any]] = {}
    for chunk in chunks(shown):
        assessments.update((a["cluster"], a) for a in (json.loads(data) for (data,) in connection.execute(
            select(t.assessments.c.data_json).where(t.assessments.c.cluster_id.in_(chunk))).all()))

    # The shown clusters' members, and their sub-clusters', with their claims as the analyst corrected them.
    wanted: set[str] = set()
    todo = list(shown)
    while todo:
        cluster_id = todo.pop()
        if cluster_id not in wanted:
            wanted.add(cluster_id)
            todo += children.get(cluster_id, [])
    members: dict[str, list[dict[str, str]]] = {}
    for chunk in chunks(sorted(wanted)):
        for row in connection.execute(select(m.cluster_id, m.claim_id, m.relation).where(m.cluster_id.in_(chunk))).all():
            members.setdefault(row.cluster_id, []).append({"claim": row.claim_id, "relation": row.relation})
    for own_members in members.values():
        own_members.sort(key=lambda member: member["claim"])
    claims = _corrected_claims(store, connection, sorted({x["claim"] for ms in members.values() for x in ms}))
    claim_line = claim_lines(connection, list(claims), moved, {line["id"] for line in lines})

    def own_and_nested(cluster_id: str) -> list[dict[str, Any]]:
        """A cluster's members, then its sub-clusters' (their support counts for the general claim)."""
        nested = [{**x, "via": child} for child in children.get(cluster_id, []) for x in own_and_nested(child)]
        return list(members.get(cluster_id, [])) + nested

    clusters = []
    for cluster_id in shown:
        assessment = assessments.get(cluster_id, {})
        listed: list[dict[str, Any]] = []
        for member in own_and_nested(cluster_id):
            if member["claim"] not in claims:
                continue
            document_id, claim = claims[member["claim"]]
            listed.append({
                "claim": claim.id, "relation": member["relation"], "text": claim.text,
                "speaker": claim.speaker, "chain": list(claim.chain), "hedging": claim.hedging,
                "polarity": claim.polarity, "document": document_id, "source": label(document_id),
                "published": published.get(document_id), "span": [claim.start, claim.end],
                "line": root_name(claim_line[claim.id]) if claim.id in claim_line else None,
                "via": member.get("via"),
            })
        own, parent = members.get(cluster_id, []), ranking.parents[cluster_id]
        clusters.append({
            "id": cluster_id, "anchor": anchors[cluster_id], "parent": parent,
            # a group of denials standing under what it denies: the report shows it there
            "denial_of": parent if own and all(x["relation"] == "contradicts" for x in own) else None,
            "supporting_lines": [root_name(l) for l in assessment.get("supporting_lines", [])],
            "contradicting_lines": [root_name(l) for l in assessment.get("contradicting_lines", [])],
            "denying_lines": [root_name(l) for l in assessment.get("denying_lines", [])],
            "denials": [x for x in listed if x["polarity"] == "denied" or x["relation"] == "contradicts"],
            "credibility": assessment.get("credibility"), "credibility_label": assessment.get("label"),
            "reliability": assessment.get("reliability"), "reasons": assessment.get("reasons", []),
            "hedging": [assessment.get("hedging_strongest"), assessment.get("hedging_weakest")],
            "first_report": assessment.get("first_report"), "last_report": assessment.get("last_report"),
            "members": listed,
        })
    provenance = []
    p = t.provenance.c
    for row in connection.execute(select(p.child, p.parent, p.relation, p.data_json).order_by(p.child, p.parent)).all():
        evidence = json.loads(row.data_json).get("evidence", [])
        provenance.append({"child": node_name(row.child), "parent": node_name(row.parent), "relation": row.relation,
                           "evidence": [ev.get("text") for ev in evidence[:3]]})
    timeline = []
    e = t.events.c
    for row in connection.execute(select(e.date, e.precision, e.qualifier, e.data_json).order_by(e.date, e.id)).all():
        data = json.loads(row.data_json)
        timeline.append({"date": row.date, "range_end": data.get("range_end"), "precision": row.precision,
                         "qualifier": row.qualifier, "what": data["what"], "reported": data.get("reported", []),
                         "spoken": data.get("spoken", []), "claims": len(data["claims"])})
    return {
        "documents": len(published),
        "claims": claim_count,
        "clusters": clusters,
        "lines": [
            {"id": l["id"], "root": root_name(l["id"]), "documents": [label(x) for x in l["documents"]],
             "sources": [node_name(source_key(n)) for n in l.get("sources", [])]}
            for l in lines
        ],
        "provenance": provenance,
        "timeline": timeline,
        "entities": _entity_rows(connection),
    }


def _supporting_counts(connection: Any) -> dict[str, int]:
    """Per assessed cluster, how many lines support it: counted by the database's JSON functions
    where it has them (SQLite, PostgreSQL), else from the parsed assessments."""
    a = t.assessments.c
    dialect = connection.dialect.name
    if dialect == "sqlite":
        counted = func.json_array_length(a.data_json, "$.supporting_lines")
    elif dialect == "postgresql":
        counted = func.json_array_length(cast(a.data_json, JSON)["supporting_lines"])
    else:
        return {x["cluster"]: len(x.get("supporting_lines", [])) for x in
                (json.loads(data) for (data,) in connection.execute(select(a.data_json)).all())}
    return {cluster: n or 0 for cluster, n in connection.execute(select(a.cluster_id, counted)).all()}


def _corrected_claims(store: Store, connection: Any, ids: list[str]) -> dict[str, tuple[str, Claim]]:
    """claim id -> (document id, the claim with the analyst's corrections applied), for claims of analysed documents."""
    from claimgraph.store.corrections import active_claim_corrections, apply_corrections
    from claimgraph.store.sql import _claim_from_row

    c = t.claims.c
    found: list[tuple[str, Claim]] = []
    for chunk in chunks(ids):
        found += [(row.document_id, _claim_from_row(row._mapping)) for row in connection.execute(
            select(t.claims).where(c.id.in_(chunk), c.document_id.in_(select(t.analyses.c.document_id))))]
    documents = sorted({document_id for document_id, _ in found})
    fields = active_claim_corrections(store, documents) if documents else {}
    return {claim.id: (document_id, apply_corrections(claim, fields.get((document_id, claim.start, claim.end)))[0])
            for document_id, claim in found}


def _entity_rows(connection: Any) -> list[dict[str, Any]]:
    """entity_index's rows counted in the store: per cross-document entity, the documents naming it."""
    from claimgraph.store.entities import canonical_entities, entity_members

    k, em = canonical_entities.c, entity_members.c
    rows = [(row.name, row.type, row.documents) for row in connection.execute(
        select(k.name, k.type, func.count(func.distinct(em.document_id)).label("documents"))
        .select_from(canonical_entities.outerjoin(entity_members, em.canonical_id == k.id)).group_by(k.id, k.name, k.type))]
    if not rows:  # not resolved yet: each document's own
        rows = [(row.name, row.type, 1) for row in connection.execute(
            select(t.entities.c.name, t.entities.c.type).where(t.entities.c.document_id.in_(select(t.analyses.c.document_id))))]
    return [{"name": name, "type": kind, "documents": count} for name, kind, count in sorted(rows, key=lambda r: (-r[2], r[0], r[1]))]


def entity_index(ledger: dict[str, Any]) -> list[dict[str, Any]]:
    """The entities by the number of documents naming them, one row per entity resolved across
    documents: two of one name ("the report" of two unrelated documents) stay two rows."""
    rows = [(e["name"], e["type"], len(e.get("documents", []))) for e in ledger.get("canonical_entities") or []]
    if not rows:  # not resolved yet: each document's own
        rows = [(e["name"], e["type"], 1) for e in ledger["entities"]]
    return [{"name": name, "type": kind, "documents": count} for name, kind, count in sorted(rows, key=lambda r: (-r[2], r[0], r[1]))]


def render_markdown(report: dict[str, Any]) -> str:
    out = [f"# claimgraph report: {report['documents']} documents, {report['claims']} claims", ""]
    if not report["clusters"] and not report["lines"]:
        out.append("Nothing linked yet: run `claimgraph link` after `claimgraph analyse`.")
    out.append("## Claims ranked by independent support\n")
    for number, cluster in enumerate((c for c in report["clusters"] if not c.get("denial_of")), 1):
        lines = cluster["supporting_lines"]
        grade = f"{cluster['reliability'] or ''}{cluster['credibility'] or ''}"
        out.append(f"### {number}. {cluster['anchor']}")
        out.append(
            f"- **{len(lines)} independent line{'s' if len(lines) != 1 else ''}**: {', '.join(lines) or '-'}"
            f" · credibility **{grade}** ({cluster['credibility_label'] or 'not assessed'})"
        )
        if cluster["denying_lines"] or cluster["contradicting_lines"]:
            out.append(f"- contradicted or denied by: {', '.join(cluster['contradicting_lines'] + cluster['denying_lines'])}")
        for denial in cluster["denials"]:
            kind = "denial" if denial["polarity"] == "denied" else "contradiction"
            out.append(f"- {kind}: {denial['speaker'] or denial['source']} ({denial['published'] or 'undated'}): “{denial['text']}”")
        out.append(f"- hedging from {cluster['hedging'][0]} to {cluster['hedging'][1]}; reported {cluster['first_report'] or '?'} … {cluster['last_report'] or '?'}")
        for reason in cluster["reasons"]:
            out.append(f"  - {reason}")
        for member in cluster["members"]:
            chain = " → ".join(member["chain"]) or "author"
            via = f" (via sub-cluster {member['via']})" if member["via"] else ""
            out.append(
                f"  - [{member['relation']}{via}] {member['source']} [{member['span'][0]}:{member['span'][1]}] "
                f"({chain}; {member['hedging']}{'; DENIED' if member['polarity'] == 'denied' else ''}): “{member['text']}”"
            )
        out.append("")
    out.append("## Independent lines\n")
    for line in report["lines"]:
        sources = list(dict.fromkeys(line.get("sources") or []))
        carriers = Counter(line["documents"])  # a source's own memos are one name, counted
        out.append(f"- **{line['root']}**: {', '.join(f'{d} ({n})' if n > 1 else d for d, n in carriers.items())}"
                   + (f"; its sources: {', '.join(sources[:6])}" + (" …" if len(sources) > 6 else "") if sources else ""))
    out.append("\n## Source graph\n")
    for edge in report["provenance"]:
        evidence = "; ".join(e for e in edge["evidence"] if e)
        out.append(f"- {edge['child']} —{edge['relation']}→ {edge['parent']}" + (f" (“{evidence}”)" if evidence else ""))
    out.append("\n## Timeline\n")
    for event in report["timeline"]:
        spoken = f"; source spoke {', '.join(event['spoken'])}" if event["spoken"] else ""
        out.append(
            f"- **{event['date']}{'–' + event['range_end'] if event.get('range_end') else ''}** "
            f"({event['precision']}, {event['qualifier']}) {event['what']}"
            f" — reported {', '.join(event['reported']) or 'undated'}{spoken}"
        )
    out.append("\n## Entities\n")
    out.append(", ".join(f"{e['name']} ({e['type']}, {e['documents']} doc)" for e in report["entities"][:60]))
    return "\n".join(out) + "\n"


def render_text(report: dict[str, Any]) -> str:
    return render_markdown(report).replace("**", "").replace("### ", "").replace("## ", "").replace("# ", "")


def render_html(report: dict[str, Any]) -> str:
    """A standalone page; every piece of document text is escaped."""
    body = "\n".join(
        f"<p>{html.escape(line)}</p>" if line.strip() else "" for line in render_text(report).splitlines()
    )
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>claimgraph report</title>"
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        "<style>body{font:15px/1.4 system-ui,sans-serif;max-width:60rem;margin:2rem auto}p{margin:.2rem 0}</style>"
        f"</head><body>{body}</body></html>\n"
    )


def render_report(report: dict[str, Any], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(report, ensure_ascii=False, indent=1)
    return {"text": render_text, "md": render_markdown, "html": render_html}[fmt](report)
