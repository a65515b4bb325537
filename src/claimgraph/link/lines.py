"""Independent lines of sourcing: re-reports collapsed onto their root origin.

Ten outlets re-reporting one Guardian story are one line; a memo built on its own
anonymous sources is another. A document's line is found by following its derived-from
edges (re_reports, copies, near_duplicate, cites of a publication) to the end; a claim whose
chain names a publication belongs to that publication's line, any other claim to its
document's line.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from claimgraph.link.provenance import DERIVED, ProvenanceEdge, is_publication, source_key
from claimgraph.models import Analysis, Document
from claimgraph.records import flat_dict

LINES_STEP = "link.lines.v1"
HEDGING_ORDER = ("none", "low", "medium", "high")


@dataclass(kw_only=True)
class Line:
    id: str
    root: str  # "source:<name>" or the id of a document with no upstream of its own
    root_kind: str  # source | document
    documents: list[str] = field(default_factory=list)
    claims: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)  # nearest named sources seen on the line
    step: str = LINES_STEP

    def to_dict(self) -> dict[str, Any]:
        return flat_dict(self)


@dataclass(kw_only=True)
class ClusterSourcing:
    """Per cluster: which independent lines back it, which contradict or deny it, and when."""

    cluster: str
    supporting_lines: list[str] = field(default_factory=list)
    contradicting_lines: list[str] = field(default_factory=list)
    denying_lines: list[str] = field(default_factory=list)
    hedging_strongest: str | None = None  # least hedged supporting claim
    hedging_weakest: str | None = None
    first_report: str | None = None
    last_report: str | None = None
    claims_by_line: dict[str, list[str]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return flat_dict(self)


def _upstream(edges: list[ProvenanceEdge], outlets: list[str]) -> dict[str, Counter[str]]:
    up: dict[str, Counter[str]] = {}
    for edge in edges:
        derived = edge.relation in DERIVED or (
            edge.relation == "cites" and edge.parent.startswith("source:") and is_publication(edge.parent[7:], outlets)
        )
        if derived and not edge.child.startswith("source:"):
            up.setdefault(edge.child, Counter())[edge.parent] += len(edge.evidence)
    return up


def resolve_roots(documents: list[Document], edges: list[ProvenanceEdge]) -> tuple[dict[str, str], Any]:
    """Root node per document, and a resolver for any node (source or document)."""
    outlets = [d.outlet for d in documents if d.outlet]
    up = _upstream(edges, outlets)
    # A publication that is itself in the corpus continues through that document.
    by_outlet: dict[str, str] = {}
    for document in sorted(documents, key=lambda d: (d.published or "9999", d.id)):
        if document.outlet:
            by_outlet.setdefault(source_key(document.outlet), document.id)

    published = {d.id: d.published or "9999" for d in documents}
    # Documents of one outlet or author with nothing upstream share an origin: seven Steele
    # memos are one line of sourcing, not seven. They join the outlet's earliest document.
    same_origin = {d.id: by_outlet[source_key(d.outlet)] for d in documents if d.outlet}

    def resolve(node: str) -> str:
        path: list[str] = []
        while True:
            if node.startswith("source:") and node in by_outlet:
                node = by_outlet[node]
            if node in path:
                # A cycle (two near-duplicates pointing at each other): every member of it
                # resolves to the same node, the earliest document, so they are one line.
                cycle = path[path.index(node) :]
                node = min(cycle, key=lambda n: (published.get(n, "9999"), n))
                first = same_origin.get(node, node)
                if first == node or first in path:
                    return node
                node = first
                continue
            path.append(node)
            parents = up.get(node)
            if not parents:
                first = same_origin.get(node, node)
                if first == node or first in path:
                    return node
                node = first
                continue
            node = sorted(parents.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]

    return {d.id: resolve(d.id) for d in documents}, resolve


def build_lines(
    inputs: list[tuple[Document, Analysis]], edges: list[ProvenanceEdge]
) -> tuple[list[Line], dict[str, str]]:
    """Lines, and the line id of every claim."""
    documents = [d for d, _ in inputs]
    outlets = [d.outlet for d in documents if d.outlet]
    roots, resolve = resolve_roots(documents, edges)
    doc_ids = {d.id for d in documents}
    lines: dict[str, Line] = {}
    claim_line: dict[str, str] = {}

    def line_for(root: str) -> Line:
        if root not in lines:
            kind = "document" if root in doc_ids else "source"
            lines[root] = Line(id="L-" + hashlib.sha1(root.encode()).hexdigest()[:10], root=root, root_kind=kind)
        return lines[root]

    authors = _corpus_authors(outlets)
    for document, analysis in inputs:
        own = source_key(document.outlet) if document.outlet else None
        for claim in analysis.claims:
            chain = [c for c in claim.chain if c and not c.startswith("(")]
            root = roots[document.id]
            author = _author_named(chain[0], document.text, authors) if chain else None
            if chain and source_key(chain[0]) != own and is_publication(chain[0], outlets):
                root = resolve(source_key(chain[0]))
            elif author is not None and author != own:
                # "Steele told the FBI ...", "according to the Steele dossier", "the dossier says"
                # (in a text that calls it "the so-called Steele dossier"): what a corpus author
                # wrote, re-reported, is that author's line, not a new one.
                root = resolve(author)
            line = line_for(root)
            claim_line[claim.id] = line.id
            line.claims.append(claim.id)
            if document.id not in line.documents:
                line.documents.append(document.id)
            if chain and chain[0] not in line.sources:
                line.sources.append(chain[0])
    return sorted(lines.values(), key=lambda l: l.id), claim_line


# Nouns naming what an author wrote: "the dossier says", "the memos claim".
_WRITINGS = r"(?:dossier|dossiers|memo|memos|memorandum|memoranda|report|reports|reporting|file|files|papers)"


def _corpus_authors(outlets: list[str]) -> dict[str, str]:
    """Surname -> source key of each corpus outlet that is a person (two or more capitalised words,
    no publication word): 'Christopher Steele' -> {'steele': 'source:christopher steele'}."""
    authors: dict[str, str] = {}
    for outlet in outlets:
        words = outlet.split()
        if len(words) >= 2 and all(w[:1].isupper() for w in words) and not is_publication(outlet):
            authors.setdefault(words[-1].lower(), source_key(outlet))
    return authors


def _author_named(name: str, text: str, authors: dict[str, str]) -> str | None:
    """The corpus author a chain's nearest source stands for, if any.

    The name contains the author's surname ("Steele", "The Steele Dossier", "Steele's memos");
    or it is a bare writing ("the dossier", "the memos") and the document itself names exactly
    one corpus author's writing ("the so-called Steele dossier").
    """
    if not authors:
        return None
    words = set(re.findall(r"[a-z]+", name.lower().replace("’s", "").replace("'s", "")))
    named = {authors[w] for w in words if w in authors}
    if len(named) == 1:
        return named.pop()
    if named or not re.fullmatch(rf"(?:the|this|that|his|her)\s+{_WRITINGS}", name.strip().lower()):
        return None
    noun = name.strip().split()[-1].lower().rstrip("s")
    cited = {
        authors[surname]
        for surname in authors
        if re.search(rf"\b{re.escape(surname)}(?:['’]s)?\s+{re.escape(noun)}", text, re.IGNORECASE)
    }
    return cited.pop() if len(cited) == 1 else None


def cluster_sourcing(
    cluster_id: str,
    members: list[tuple[str, str]],  # (claim id, relation to the anchor)
    *,
    claim_line: dict[str, str],
    polarity: dict[str, str],
    hedging: dict[str, str],
    published: dict[str, str | None],
) -> ClusterSourcing:
    out = ClusterSourcing(cluster=cluster_id)
    supporting_hedges: list[str] = []
    for claim, relation in members:
        line = claim_line.get(claim)
        if line is None:
            continue
        out.claims_by_line.setdefault(line, []).append(claim)
        if polarity.get(claim) == "denied":
            target = out.denying_lines
        elif relation == "contradicts":
            target = out.contradicting_lines
        else:
            target = out.supporting_lines
            supporting_hedges.append(hedging.get(claim, "none"))
        if line not in target:
            target.append(line)
    ranks = sorted(supporting_hedges, key=lambda h: HEDGING_ORDER.index(h) if h in HEDGING_ORDER else 0)
    if ranks:
        out.hedging_strongest, out.hedging_weakest = ranks[0], ranks[-1]
    dates = sorted(d for d in (published.get(c) for c, _ in members) if d)
    if dates:
        out.first_report, out.last_report = dates[0], dates[-1]
    return out
