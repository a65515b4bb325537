"""The report an analyst reads first: clusters ranked by independent support, sources, timeline."""

from __future__ import annotations

import html
import json
from collections import Counter
from typing import Any

from claimgraph.export import export_ledger
from claimgraph.sources import display_names, document_label, source_key
from claimgraph.store import Store


def build_report(store: Store, *, top: int | None = None) -> dict[str, Any]:
    """Clusters with their lines, denials, hedging, credibility and source spans; graph; timeline; entities."""
    ledger = export_ledger(store)
    documents = {d["id"]: d for d in ledger["documents"]}
    claims = {c["id"]: c for c in ledger["claims"]}
    assessments = {a["cluster"]: a for a in ledger["assessments"]}
    line_root = {line["id"]: line["root"] for line in ledger["lines"]}
    claim_line = {claim: line["id"] for line in ledger["lines"] for claim in line.get("claims", [])}

    names = display_names(
        [name for claim in ledger["claims"] for name in claim.get("chain") or []]
        + [d["outlet"] for d in ledger["documents"] if d.get("outlet")]
    )

    def label(document_id: str) -> str:
        document = documents[document_id]
        return document_label(document.get("outlet"), document.get("title"), document.get("origin"), document.get("text"),
                              [(z["start"], z["end"], z["kind"]) for z in document.get("zones") or []])

    def node_name(node: str) -> str:
        """A document by its outlet, title or file; a source by the name the texts give it."""
        if node in documents:
            return label(node)
        return names.get(node) or node.removeprefix("source:")

    line_names = {line["id"]: line.get("name") for line in ledger["lines"]}

    def root_name(line_id: str) -> str:
        """A line by its origin and first reporter, in words."""
        name, root = line_names.get(line_id), line_root.get(line_id, line_id)
        # A bare key ("russia") is spelled as the texts spell it most.
        return node_name(root) if not name or name == root.removeprefix("source:") else name

    children: dict[str, list[dict[str, Any]]] = {}
    for cluster in ledger["clusters"]:
        if cluster.get("parent"):
            children.setdefault(cluster["parent"], []).append(cluster)

    def own_and_nested(cluster: dict[str, Any]) -> list[dict[str, Any]]:
        """A cluster's members, then its sub-clusters' (their support counts for the general claim)."""
        nested = [{**m, "via": child["id"]} for child in children.get(cluster["id"], []) for m in own_and_nested(child)]
        return list(cluster["members"]) + nested

    clusters = []
    for cluster in ledger["clusters"]:
        assessment = assessments.get(cluster["id"], {})
        members = []
        for member in own_and_nested(cluster):
            claim = claims.get(member["claim"])
            if claim is None:
                continue
            document = documents[claim["document_id"]]
            members.append({
                "claim": claim["id"], "relation": member["relation"], "text": claim["text"],
                "speaker": claim["speaker"], "chain": claim["chain"], "hedging": claim["hedging"],
                "polarity": claim["polarity"], "document": claim["document_id"], "source": label(claim["document_id"]),
                "published": document.get("published"), "span": [claim["start"], claim["end"]],
                "line": root_name(claim_line[claim["id"]]) if claim["id"] in claim_line else None,
                "via": member.get("via"),
            })
        own = cluster["members"]
        clusters.append({
            "id": cluster["id"], "anchor": cluster["anchor_text"], "parent": cluster.get("parent"),
            # a group of denials standing under what it denies: the report shows it there
            "denial_of": cluster.get("parent") if own and all(m["relation"] == "contradicts" for m in own) else None,
            "supporting_lines": [root_name(l) for l in assessment.get("supporting_lines", [])],
            "contradicting_lines": [root_name(l) for l in assessment.get("contradicting_lines", [])],
            "denying_lines": [root_name(l) for l in assessment.get("denying_lines", [])],
            "denials": [m for m in members if m["polarity"] == "denied" or m["relation"] == "contradicts"],
            "credibility": assessment.get("credibility"), "credibility_label": assessment.get("label"),
            "reliability": assessment.get("reliability"), "reasons": assessment.get("reasons", []),
            "hedging": [assessment.get("hedging_strongest"), assessment.get("hedging_weakest")],
            "first_report": assessment.get("first_report"), "last_report": assessment.get("last_report"),
            "members": members,
        })
    clusters.sort(key=lambda c: (-len(c["supporting_lines"]), -len(c["members"]), c["id"]))
    return {
        "documents": len(documents),
        "claims": len(claims),
        "clusters": clusters[:top] if top else clusters,
        "lines": [
            {"id": l["id"], "root": root_name(l["id"]), "documents": [label(d) for d in l["documents"]],
             "sources": [node_name(source_key(n)) for n in l.get("sources", [])]}
            for l in ledger["lines"]
        ],
        "provenance": [
            {"child": node_name(e["child"]), "parent": node_name(e["parent"]),
             "relation": e["relation"],
             "evidence": [ev.get("text") for ev in e.get("evidence", [])][:3]}
            for e in ledger["provenance"]
        ],
        "timeline": [
            {"date": e["date"], "range_end": e.get("range_end"), "precision": e["precision"], "qualifier": e["qualifier"], "what": e["what"],
             "reported": e.get("reported", []), "spoken": e.get("spoken", []), "claims": len(e["claims"])}
            for e in ledger["events"]
        ],
        "entities": entity_index(ledger),
    }


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
