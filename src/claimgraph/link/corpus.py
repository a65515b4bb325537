"""The linker's entry points: `link_corpus` for a whole corpus, `Linker` for incremental use.

Both feed claims document by document through the same path, so adding a document to an
existing `Linker` costs about that document: embed its claims, query the neighbour index
for them, judge those pairs, update clusters, provenance and lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from claimgraph.assess.credibility import Assessment, CredibilityOptions, assess_cluster
from claimgraph.link.clusters import Cluster, ClusterOptions, ClusterState, Link
from claimgraph.link.embed import Embedder
from claimgraph.link.index import NeighbourIndex
from claimgraph.link.judge import ClaimView, Judge, StructuralJudge, Vocabulary, is_negative
from claimgraph.link.lines import ClusterSourcing, Line, build_lines, cluster_sourcing
from claimgraph.link.proposition import named_in, proposition
from claimgraph.link.provenance import ProvenanceBuilder, ProvenanceEdge
from claimgraph.models import Analysis, Claim, Document

LINK_STEP = "link.corpus.v1"


@dataclass(frozen=True, kw_only=True)
class LinkOptions:
    clusters: ClusterOptions = field(default_factory=ClusterOptions)
    credibility: CredibilityOptions = field(default_factory=CredibilityOptions)
    reliability: dict[str, str] = field(default_factory=dict)  # line id or root -> Admiralty A..F
    include_singletons: bool = False  # clusters of one claim (every claim then has a cluster)


@dataclass(kw_only=True)
class LinkResult:
    clusters: list[Cluster]
    links: list[Link]
    provenance: list[ProvenanceEdge]
    lines: list[Line]
    claim_lines: dict[str, str]  # claim id -> line id
    sourcing: list[ClusterSourcing]
    assessments: list[Assessment]
    embedder: str = ""
    judge: str = ""
    step: str = LINK_STEP

    def to_dict(self) -> dict[str, Any]:
        """Export shape: clusters, links, lines, provenance, assessments (plus sourcing)."""
        return {
            "clusters": [
                {"id": c.id, "anchor": c.anchor, "anchor_text": c.anchor_text, "parent": c.parent,
                 "documents": c.documents, "members": [m.to_dict() for m in c.members]}
                for c in self.clusters
            ],
            "links": [
                {"a": l.a, "b": l.b, "relation": l.relation, "score": l.score, "method": l.method,
                 "specific": l.specific}
                for l in self.links
            ],
            "lines": [
                {"id": l.id, "root": l.root, "root_kind": l.root_kind, "documents": l.documents,
                 "claims": l.claims, "sources": l.sources}
                for l in self.lines
            ],
            "provenance": [
                {"child": e.child, "parent": e.parent, "relation": e.relation,
                 "evidence": [ev.to_dict() for ev in e.evidence]}
                for e in self.provenance
            ],
            "sourcing": [s.to_dict() for s in self.sourcing],
            "assessments": [a.to_dict() for a in self.assessments],
            "models": {"embedder": self.embedder, "judge": self.judge, "step": self.step},
        }


class Linker:
    """Incremental linker state: neighbour index, judged pairs, clusters, provenance."""

    def __init__(
        self,
        *,
        embedder: Embedder,
        judge: Judge | None = None,
        options: LinkOptions | None = None,
        index: NeighbourIndex | None = None,
    ) -> None:
        self.embedder = embedder
        self.options = options or LinkOptions()
        vocabulary = getattr(judge, "vocabulary", None)
        self.vocabulary: Vocabulary = vocabulary if isinstance(vocabulary, Vocabulary) else Vocabulary()
        self.judge: Judge = judge or StructuralJudge(vocabulary=self.vocabulary)
        self.state = ClusterState(index or NeighbourIndex(embedder.dim), self.judge, self.options.clusters)
        self.provenance = ProvenanceBuilder()
        self.inputs: dict[str, tuple[Document, Analysis]] = {}

    def add_document(self, document: Document, analysis: Analysis) -> list[tuple[str, str]]:
        """Link one document's claims into the corpus; returns the claim pairs judged."""
        if document.id in self.inputs:
            return []  # an unchanged document changes nothing
        self.inputs[document.id] = (document, analysis)
        self.provenance.add(document, analysis)
        claims = [c for c in linkable(analysis) if c.id not in self.state.views]
        if not claims:
            return []
        propositions = [proposition(c, analysis, document.text) for c in claims]
        vectors = self.embedder.embed(propositions)
        views = []
        for claim, text, vector in zip(claims, propositions, vectors):
            people, names = named_in(text, analysis)
            view = ClaimView(
                id=claim.id, document_id=document.id, content=claim.content, proposition=text,
                people=people, names=names,
                sentence_index=claim.sentence_index, polarity=claim.polarity, hedging=claim.hedging,
                speaker=claim.speaker, chain=list(claim.chain), times=list(claim.times),
                published=document.published, vector=vector,
            )
            self.vocabulary.add(view.terms)
            views.append(view)
        return self.state.add(views)

    def result(self) -> LinkResult:
        inputs = list(self.inputs.values())
        edges = self.provenance.result()
        lines, claim_lines = build_lines(inputs, edges)
        clusters = self.state.clusters(include_singletons=self.options.include_singletons)
        views = self.state.views
        # Built once: per cluster they would cost the corpus each time (clusters x claims).
        polarity = {k: v.polarity for k, v in views.items()}
        hedging = {k: v.hedging for k, v in views.items()}
        published = {k: v.published for k, v in views.items()}
        children = _children(clusters)
        sourcing = [
            cluster_sourcing(
                c.id, _with_descendants(c, clusters, views, children=children), claim_line=claim_lines,
                polarity=polarity, hedging=hedging, published=published,
            )
            for c in clusters
        ]
        root_of = {line.id: line.root for line in lines}
        reliability = dict(self.options.reliability)
        for line_id, root in root_of.items():  # an analyst may grade a line by its root's name
            if root in self.options.reliability:
                reliability.setdefault(line_id, self.options.reliability[root])
        assessments = [
            assess_cluster(s, reliability=reliability, options=self.options.credibility) for s in sourcing
        ]
        return LinkResult(
            clusters=clusters, links=self.state.links(), provenance=edges, lines=lines, claim_lines=claim_lines,
            sourcing=sourcing, assessments=assessments, embedder=self.embedder.name,
            judge=getattr(self.judge, "name", type(self.judge).__name__),
        )


def _children(clusters: list[Cluster]) -> dict[str, list[Cluster]]:
    children: dict[str, list[Cluster]] = {}
    for other in clusters:
        if other.parent:
            children.setdefault(other.parent, []).append(other)
    return children


def _with_descendants(
    cluster: Cluster,
    clusters: list[Cluster],
    views: dict[str, ClaimView],
    *,
    children: dict[str, list[Cluster]] | None = None,
) -> list[tuple[str, str]]:
    """A cluster's members plus the asserted, agreeing members of its more specific sub-clusters.

    A sub-cluster states the parent's proposition with more detail ("Putin authorised the spy
    agencies to support Trump" under "the Kremlin ran an operation to support Trump"), so the
    lines behind it support the parent too. Their denials and contradictions stay with the
    sub-cluster: denying a detail does not deny the general claim. A child made only of denials
    of the parent's anchor (a denial sub-cluster) counts against the parent.
    """
    members = [(m.claim, m.relation) for m in cluster.members]
    children = _children(clusters) if children is None else children
    seen, queue = {cluster.id}, list(children.get(cluster.id, []))
    while queue:
        child = queue.pop(0)
        if child.id in seen:
            continue
        seen.add(child.id)
        denials = [views.get(m.claim) for m in child.members]
        if all(v is not None and is_negative(v) for v in denials):
            # A denial sub-cluster (clusters.py `_denial_targets`) denies its parent's anchor:
            # its lines deny the parent. Deeper down it denied only a detail, and stays there.
            if child.parent == cluster.id:
                members.extend((m.claim, "contradicts") for m in child.members)
            continue
        for member in child.members:
            view = views.get(member.claim)
            if member.relation != "contradicts" and view is not None and view.polarity == "asserted":
                members.append((member.claim, "more_specific"))
        queue.extend(children.get(child.id, []))
    return members


def linkable(analysis: Analysis) -> list[Claim]:
    """The claims the linker compares: not meta-claims ("Speaking in confidence to a trusted
    compatriot in June 2016, Source A"; "documents seen by The Guardian"), which say how a
    report came about, not what happened (the gold clusters hold none of them)."""
    return [c for c in analysis.claims if c.claim_type != "meta"]


def link_corpus(
    documents: list[tuple[Document, Analysis]],
    *,
    embedder: Embedder,
    judge: Judge | None = None,
    options: LinkOptions | None = None,
) -> LinkResult:
    """Clusters, links, provenance, lines and assessments for a whole corpus."""
    linker = Linker(embedder=embedder, judge=judge, options=options)
    # A fixed order keeps cluster ids and greedy merges stable across runs of the same input.
    for document, analysis in sorted(documents, key=lambda pair: (pair[0].published or "", pair[0].id)):
        linker.add_document(document, analysis)
    return linker.result()
