"""The linker's entry points: `link_corpus` for a whole corpus, `Linker` for incremental use.

Both feed claims document by document through the same path, so adding a document to an
existing `Linker` costs about that document: embed its claims, query the neighbour index
for them, judge those pairs, update clusters, provenance and lines, and read out again the
clusters it touched (`link/readout.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from claimgraph.assess.credibility import Assessment, CredibilityOptions, assess_cluster
from claimgraph.errors import ClaimgraphError
from claimgraph.link.clusters import Cluster, ClusterOptions, ClusterState, Link, RowSource
from claimgraph.link.embed import Embedder
from claimgraph.link.events import Event, claim_dating, statement_events
from claimgraph.link.index import NeighbourIndex
from claimgraph.link.judge import ClaimView, Judge, StructuralJudge, Vocabulary
from claimgraph.link.lines import ClusterSourcing, Line, LineState
from claimgraph.link.proposition import named_in, proposition
from claimgraph.link.provenance import ProvenanceBuilder, ProvenanceEdge
from claimgraph.link.readout import Layer, ReadOut
from claimgraph.models import Analysis, Claim, Document

LINK_STEP = "link.corpus.v2"


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
    events: list[Event] = field(default_factory=list)
    embedder: str = ""
    judge: str = ""
    step: str = LINK_STEP

    def to_dict(self) -> dict[str, Any]:
        """Export shape: clusters, links, lines, provenance, events, assessments (plus sourcing)."""
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
            "events": [e.to_dict() for e in self.events],
            "models": {"embedder": self.embedder, "judge": self.judge, "step": self.step},
        }


class Linker:
    """Incremental linker state: neighbour index, judged pairs, clusters and their read-out,
    provenance, lines.

    In memory by default. The store restores one whose earlier claim views and judged pairs
    (`rows`), read-out (`layer`) and lines (`lines`) are read on demand, with `corpus` giving
    the claims and texts of documents added by earlier runs.
    """

    def __init__(
        self,
        *,
        embedder: Embedder,
        judge: Judge | None = None,
        options: LinkOptions | None = None,
        index: NeighbourIndex | None = None,
        rows: RowSource | None = None,
        layer: Layer | None = None,
        lines: LineState | None = None,
        corpus: Any = None,
    ) -> None:
        self.embedder = embedder
        self.options = options or LinkOptions()
        vocabulary = getattr(judge, "vocabulary", None)
        self.vocabulary: Vocabulary = vocabulary if isinstance(vocabulary, Vocabulary) else Vocabulary()
        self.judge: Judge = judge or StructuralJudge(vocabulary=self.vocabulary)
        self.state = ClusterState(index or NeighbourIndex(embedder.dim), self.judge, self.options.clusters, rows=rows)
        self.provenance = ProvenanceBuilder()
        self.layer = layer if layer is not None else Layer()
        self.lines = lines if lines is not None else LineState()
        self.readout = ReadOut(self.state, self.layer, self.lines, include_singletons=self.options.include_singletons)
        self.readout.provenance = self.provenance
        self.inputs: dict[str, tuple[Document, Analysis]] = {}  # documents added by this process, with texts
        self.order: list[str] = []  # every document linked, in the order added (restored ones first)
        self.corpus = corpus  # texts(ids) of documents linked by earlier runs (a new author: lines read again)
        self._linked: set[str] = set()
        self.provenance.texts = self._texts  # a quotation nearly matching an earlier text reads it

    def __contains__(self, document_id: object) -> bool:
        return document_id in self._linked

    def restored(self, order: list[str]) -> None:
        """The documents earlier runs linked, in the order they were added."""
        self.order = list(order)
        self._linked = set(order)

    def add_document(self, document: Document, analysis: Analysis) -> list[tuple[str, str]]:
        """Link one document's claims into the corpus; returns the claim pairs judged."""
        if document.id in self:
            return []  # an unchanged document changes nothing
        self.inputs[document.id] = (document, analysis)
        self.order.append(document.id)
        self._linked.add(document.id)
        datings = {claim.id: claim_dating(claim, document, analysis) for claim in analysis.claims}
        self.provenance.add(document, analysis)
        line_changes = self.lines.update(self.provenance.documents, self.provenance.weights, [(document, analysis)],
                                         texts=self._texts, publications=self.provenance.publications)
        claims = [c for c in linkable(analysis) if c.id not in self.state]
        judged: list[tuple[str, str]] = []
        if claims:
            propositions = [proposition(c, analysis, document.text) for c in claims]
            vectors = self.embedder.embed(propositions)
            views = []
            for claim, text, vector in zip(claims, propositions, vectors):
                people, names = named_in(text, analysis, document.text)
                view = ClaimView(
                    id=claim.id, document_id=document.id, content=claim.content, proposition=text,
                    people=people, names=names,
                    sentence_index=claim.sentence_index, polarity=claim.polarity, hedging=claim.hedging,
                    speaker=claim.speaker, chain=list(claim.chain), times=list(claim.times),
                    published=document.published, vector=vector, dating=datings[claim.id],
                )
                self.vocabulary.add(view.terms)
                views.append(view)
            judged = self.state.add(views)
        self.readout.update(self.state.take_touched(), line_changes,
                            {c.id: (datings[c.id], c.content, document.published) for c in analysis.claims})
        for event in statement_events([(document, analysis)]):
            self.layer.add_event(event)
        return judged

    def _texts(self, ids: list[str]) -> dict[str, str]:
        out = {i: self.inputs[i][0].text for i in ids if i in self.inputs}
        missing = [i for i in ids if i not in out]
        if missing and self.corpus is not None:
            out.update(self.corpus.texts(missing))
        return out

    def assess(self, sourcing: list[ClusterSourcing]) -> list[Assessment]:
        """Credibility per cluster, with the analyst's grades by line id or by a line's root."""
        reliability = dict(self.options.reliability)
        for line_id, root in self.lines.line_roots.items():  # an analyst may grade a line by its root's name
            if root in self.options.reliability:
                reliability.setdefault(line_id, self.options.reliability[root])
        return [assess_cluster(s, reliability=reliability, options=self.options.credibility) for s in sourcing]

    def result(self) -> LinkResult:
        """Everything linked, read out (a linker held in memory: `link_corpus`)."""
        if self.state.rows is not None:
            raise ClaimgraphError("a linker restored from a store holds only what it read; "
                                  "read the store's layer (claimgraph.store.links.load_layer)")
        clusters = sorted(self.layer.clusters.values(), key=lambda c: c.claim_ids)
        sourcing = [self.layer.sourcing[c.id] for c in clusters]
        return LinkResult(
            clusters=clusters, links=self.state.links(), provenance=self.provenance.result(),
            lines=self.lines.lines(), claim_lines=dict(self.lines.claim_line), sourcing=sourcing,
            assessments=self.assess(sourcing), events=sorted(self.layer.events.values(), key=lambda e: (e.date or "", e.id)),
            embedder=self.embedder.name, judge=getattr(self.judge, "name", type(self.judge).__name__),
        )


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
