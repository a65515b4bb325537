"""One read of the ledger shared by every export and the brief: the JSON export plus the report's names."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from sqlalchemy import func, select

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
    live_claims: int = 0  # the claims no analyst marked wrong
    linked: bool = False  # `claimgraph link` has made clusters
    # A view read for what it shows (read_shown) holds documents without their text, zones and
    # origins, and reads them when a document is first named; a whole export holds them all.
    texts: Callable[[str], dict[str, Any]] | None = None

    def document(self, document_id: str) -> dict[str, Any]:
        """A document (export_ledger's shape), its text and zones read when the view was read without them."""
        document = self.documents[document_id]
        if "text" not in document and self.texts is not None:
            document.update(self.texts(document_id))
        return document

    def label(self, document_id: str) -> str:
        """A document in words: outlet, title or headline (as the report names it)."""
        document = self.document(document_id)
        return document_label(document.get("outlet"), document.get("title"), document.get("origin"), document.get("text"),
                              [(z["start"], z["end"], z["kind"]) for z in document.get("zones") or []])

    def title(self, document_id: str) -> str:
        """A document's own title or headline, without its outlet."""
        document = self.document(document_id)
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
    view.live_claims = sum(1 for c in ledger["claims"] if not c.get("wrong"))
    view.linked = bool(ledger["clusters"])
    return view


def read_view(store: Store) -> LedgerView:
    """The whole ledger of a store, indexed and named (analyst corrections applied)."""
    return view_ledger(export_ledger(store), build_report(store))


def read_shown(store: Store, report: dict[str, Any], described: Callable[[LedgerView], Collection[str]]) -> LedgerView:
    """A view of what a page shows, read from the store as export_ledger would give it, not the whole export:

    - `report`: build_report's, of just the clusters shown (its `only`);
    - every document without its text, metadata, zones and origins (read when the document is
      first named), every assessment, provenance edge and cross-document entity, every line with its
      claims (not its name, documents and sources: the report names lines);
    - the claims of the lines `described(view)` names (analyst corrections applied), and the
      entities of their documents.

    `ledger["claims"]` and `ledger["entities"]` hold only those; `live_claims` and `linked` count the whole store.
    """
    from claimgraph.report import _corrected_claims
    from claimgraph.store import schema as t
    from claimgraph.store.corrections import active_claim_corrections
    from claimgraph.store.entities import load_canonical_entities
    from claimgraph.store.links import analysed_claim_count, read_moved_claims

    c = t.claims.c
    analysed = select(t.analyses.c.document_id)
    with store.engine.connect() as connection:
        moved = read_moved_claims(connection)
        lines = _line_claims(connection, moved)
        provenance = [{"child": row.child, "parent": row.parent, "relation": row.relation, **json.loads(row.data_json)}
                      for row in connection.execute(select(t.provenance).order_by(t.provenance.c.child, t.provenance.c.parent))]
        assessments = [json.loads(data) for (data,) in connection.execute(
            select(t.assessments.c.data_json).order_by(t.assessments.c.credibility, t.assessments.c.cluster_id))]
        linked = connection.execute(select(t.clusters.c.id).limit(1)).first() is not None
        claim_count = analysed_claim_count(connection)
        # claims an analyst marked wrong (the export's "wrong"): those whose span a 'wrong' correction in force names
        wrong = 0
        for (document_id, start, end), fields in active_claim_corrections(store).items():
            if "wrong" in fields and fields["wrong"].value == "true":
                wrong += connection.execute(select(func.count()).select_from(t.claims).where(
                    c.document_id == document_id, c.start == start, c.end == end, c.document_id.in_(analysed))).scalar_one()
    documents = [_document_row(document) for document in store.documents(with_text=False, zones=False, metadata=False)]
    ledger: dict[str, Any] = {"documents": documents, "lines": lines, "provenance": provenance, "assessments": assessments,
                              "claims": [], "entities": [], "canonical_entities": load_canonical_entities(store), "clusters": []}
    view = view_ledger(ledger, report)
    view.live_claims, view.linked = claim_count - wrong, linked

    def text(document_id: str) -> dict[str, Any]:
        found = store.documents(ids=[document_id], metadata=False)
        return {"text": found[0].text, "zones": [asdict(z) for z in found[0].zones], "origins": found[0].origins} if found else {}

    view.texts = text
    wanted = sorted({claim for line in described(view) if line in view.lines for claim in view.lines[line].get("claims", [])})
    with store.engine.connect() as connection:
        corrected = _corrected_claims(store, connection, wanted)
    ledger["claims"] = [{"document_id": document_id, **asdict(claim)} for document_id, claim in corrected.values()]
    view.claims = {claim["id"]: claim for claim in ledger["claims"]}
    owners = sorted({document_id for document_id, _ in corrected.values()})
    analyses = store.load_analyses(owners) if owners else {}
    ledger["entities"] = [{"id": f"{document_id}:{entity.key}", "document_id": document_id, **asdict(entity)}
                          for document_id in owners if document_id in analyses for entity in analyses[document_id].entities]
    return view


def _document_row(document: Any) -> dict[str, Any]:
    """A document as export_ledger gives it, less what was not read (text, metadata, zones, origins)."""
    return {f.name: getattr(document, f.name) for f in fields(document) if f.name not in ("text", "metadata", "zones", "origins")}


def _line_claims(connection: Any, moved: dict[str, str]) -> list[dict[str, Any]]:
    """The lines as load_lines gives them (id order, a moved claim on the line it is counted in), with
    their id, root, stored data and claims only."""
    from claimgraph.store import schema as t

    c = t.claim_lines.c
    on_line: dict[str, list[str]] = {}
    for claim_id, line_id in connection.execute(select(c.claim_id, c.line_id)).all():
        on_line.setdefault(line_id, [])  # a line whose every claim moved away is still one
        on_line.setdefault(moved.get(claim_id, line_id), []).append(claim_id)
    return [{"id": row.id, "root": row.root, **json.loads(row.data_json), "claims": sorted(on_line[row.id])}
            for row in connection.execute(select(t.lines).order_by(t.lines.c.id)).all() if row.id in on_line]
