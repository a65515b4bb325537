"""Link: cross-document claim clusters, typed links, provenance edges and independent lines."""

from claimgraph.link.clusters import Cluster, ClusterMember, ClusterOptions, Link
from claimgraph.link.corpus import LinkOptions, LinkResult, Linker, link_corpus
from claimgraph.link.embed import Embedder, EmbedOptions, HashingEmbedder, ModelMissing, OnnxMiniLM
from claimgraph.link.index import NeighbourIndex
from claimgraph.link.judge import ClaimView, Judge, Judgement, NliJudge, StructuralJudge
from claimgraph.link.lines import ClusterSourcing, Line
from claimgraph.link.provenance import Evidence, ProvenanceEdge

__all__ = [
    "ClaimView", "Cluster", "ClusterMember", "ClusterOptions", "ClusterSourcing", "EmbedOptions", "Embedder",
    "Evidence", "HashingEmbedder", "Judge", "Judgement", "Line", "Link", "LinkOptions", "LinkResult", "Linker",
    "ModelMissing", "NeighbourIndex", "NliJudge", "OnnxMiniLM", "ProvenanceEdge", "StructuralJudge", "link_corpus",
]
