"""One read of the ledger shared by every export and the brief: the JSON export plus the report's names."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from claimgraph.export import export_ledger
from claimgraph.report import build_report
from claimgraph.sources import document_label
from claimgraph.store import Store


@dataclass(kw_only=True)
class LedgerView:
    """The ledger (export_ledger's shape) indexed by id, with lines and documents named in words."""

    ledger: dict[str, Any]
    report: dict[str, Any]
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    claims: dict[str, dict[str, Any]] = field(default_factory=dict)
    lines: dict[str, dict[str, Any]] = field(default_factory=dict)
    line_names: dict[str, str] = field(default_factory=dict)
    claim_line: dict[str, str] = field(default_factory=dict)
    claim_clusters: dict[str, list[str]] = field(default_factory=dict)
    assessments: dict[str, dict[str, Any]] = field(default_factory=dict)
    canonical: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    def label(self, document_id: str) -> str:
        """A document in words: outlet, title or headline (as the report names it)."""
        document = self.documents[document_id]
        return document_label(document.get("outlet"), document.get("title"), document.get("origin"), document.get("text"),
                              [(z["start"], z["end"], z["kind"]) for z in document.get("zones") or []])

    def title(self, document_id: str) -> str:
        """A document's own title or headline, without its outlet."""
        document = self.documents[document_id]
        return document_label(None, document.get("title"), document.get("origin"), document.get("text"),
                              [(z["start"], z["end"], z["kind"]) for z in document.get("zones") or []])

    def entity_of(self, document_id: str, key: str | None) -> dict[str, Any] | None:
        """The cross-document entity a document-local entity key resolved to."""
        return self.canonical.get((document_id, key)) if key else None


def view_ledger(ledger: dict[str, Any], report: dict[str, Any]) -> LedgerView:
    """Index an export and its report (both read from one store)."""
    view = LedgerView(ledger=ledger, report=report)
    view.documents = {d["id"]: d for d in ledger["documents"]}
    view.claims = {c["id"]: c for c in ledger["claims"]}
    view.lines = {line["id"]: line for line in ledger["lines"]}
    view.line_names = {line["id"]: line["root"] for line in report["lines"]}
    view.claim_line = {claim: line["id"] for line in ledger["lines"] for claim in line.get("claims", [])}
    for cluster in ledger["clusters"]:
        for member in cluster["members"]:
            view.claim_clusters.setdefault(member["claim"], []).append(cluster["id"])
    view.assessments = {a["cluster"]: a for a in ledger["assessments"]}
    view.canonical = {(m["document_id"], m["key"]): entity for entity in ledger.get("canonical_entities") or []
                      for m in entity.get("members", [])}
    return view


def read_view(store: Store) -> LedgerView:
    """The whole ledger of a store, indexed and named (analyst corrections applied)."""
    return view_ledger(export_ledger(store), build_report(store))
