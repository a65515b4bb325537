"""CSV tables of claims, clusters and lines: one file each, fixed columns (docs/exports.md)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from claimgraph.exports.view import LedgerView

JOIN = "; "  # between the values of a many-valued cell

CLAIM_COLUMNS = ("claim_id", "document_id", "document", "published", "start", "end", "text", "speaker", "chain", "cue",
                 "attribution", "hedging", "polarity", "claim_type", "quote", "line_id", "line", "clusters", "wrong")
CLUSTER_COLUMNS = ("cluster_id", "parent", "anchor", "claims", "documents", "supporting_lines", "supporting_line_names",
                   "contradicting_line_names", "denying_line_names", "grade", "reliability", "credibility",
                   "credibility_label", "hedging_strongest", "hedging_weakest", "first_report", "last_report", "reasons")
LINE_COLUMNS = ("line_id", "name", "root", "root_kind", "documents", "document_ids", "claims", "sources")


def claim_rows(view: LedgerView) -> list[dict[str, Any]]:
    rows = []
    for claim in view.ledger["claims"]:
        line = view.claim_line.get(claim["id"])
        rows.append({
            "claim_id": claim["id"], "document_id": claim["document_id"], "document": view.label(claim["document_id"]),
            "published": view.documents[claim["document_id"]].get("published"),
            "start": claim["start"], "end": claim["end"], "text": claim["text"], "speaker": claim.get("speaker"),
            "chain": JOIN.join(claim.get("chain") or []), "cue": claim.get("cue"), "attribution": claim.get("attribution"),
            "hedging": claim["hedging"], "polarity": claim["polarity"], "claim_type": claim.get("claim_type"),
            "quote": claim.get("quote"), "line_id": line, "line": view.line_names.get(line) if line else None,
            "clusters": JOIN.join(view.claim_clusters.get(claim["id"], [])), "wrong": bool(claim.get("wrong")),
        })
    return rows


def cluster_rows(view: LedgerView) -> list[dict[str, Any]]:
    rows = []
    names = lambda ids: JOIN.join(view.line_names.get(i, i) for i in ids)  # noqa: E731
    for cluster in view.ledger["clusters"]:
        a = view.assessments.get(cluster["id"], {})
        rows.append({
            "cluster_id": cluster["id"], "parent": cluster.get("parent"), "anchor": cluster["anchor_text"],
            "claims": len(cluster["members"]), "documents": len(cluster.get("documents") or []),
            "supporting_lines": len(a.get("supporting_lines", [])), "supporting_line_names": names(a.get("supporting_lines", [])),
            "contradicting_line_names": names(a.get("contradicting_lines", [])),
            "denying_line_names": names(a.get("denying_lines", [])),
            "grade": f"{a['reliability']}{a['credibility']}" if a else None, "reliability": a.get("reliability"),
            "credibility": a.get("credibility"), "credibility_label": a.get("label"),
            "hedging_strongest": a.get("hedging_strongest"), "hedging_weakest": a.get("hedging_weakest"),
            "first_report": a.get("first_report"), "last_report": a.get("last_report"), "reasons": JOIN.join(a.get("reasons", [])),
        })
    return rows


def line_rows(view: LedgerView) -> list[dict[str, Any]]:
    return [{
        "line_id": line["id"], "name": view.line_names.get(line["id"], line.get("name")), "root": line["root"],
        "root_kind": line.get("root_kind"), "documents": len(line["documents"]),
        "document_ids": JOIN.join(line["documents"]), "claims": len(line["claims"]),
        "sources": JOIN.join(line.get("sources") or []),
    } for line in view.ledger["lines"]]


TABLES = {"claims.csv": (CLAIM_COLUMNS, claim_rows), "clusters.csv": (CLUSTER_COLUMNS, cluster_rows),
          "lines.csv": (LINE_COLUMNS, line_rows)}


def write_tables(view: LedgerView, folder: Path) -> list[Path]:
    """claims.csv, clusters.csv and lines.csv in FOLDER (made if missing); UTF-8, a header row, RFC 4180 quoting."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (columns, rows) in TABLES.items():
        path = folder / name
        with path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=columns, extrasaction="raise")
            writer.writeheader()
            writer.writerows(rows(view))
        written.append(path)
    return written
