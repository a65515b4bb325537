"""Cross-document read views count per cluster, not per corpus."""

from __future__ import annotations

from claimgraph.store.links import save_layer
from claimgraph.web.crossdoc import list_clusters
from claimgraph.web.queries import PageRequest


def test_most_contested_counts_each_clusters_own_contradictions(store) -> None:
    cluster = lambda cid, members: {"id": cid, "anchor": members[0], "anchor_text": cid, "parent": None,  # noqa: E731
                                    "documents": [], "members": [{"claim": m, "relation": "same"} for m in members]}
    link = lambda a, b, relation: {"a": a, "b": b, "relation": relation, "score": 0.5, "method": "test"}  # noqa: E731
    save_layer(store, {
        "clusters": [cluster("K-a", ["a1", "a2"]), cluster("K-b", ["b1", "b2"]), cluster("K-c", ["c1", "c2"])],
        "links": [link("a1", "x", "contradicts"), link("a2", "y", "contradicts"), link("b1", "b2", "same"),
                  link("z", "c2", "contradicts")],
        "lines": [], "provenance": [], "events": [], "assessments": [], "sourcing": [],
    })
    contested = list_clusters(store, PageRequest(limit=10, offset=0), contested=True)
    assert [(row["id"], row["contradictions"]) for row in contested.items] == [("K-a", 2), ("K-c", 1)]
    assert contested.total == 2


def test_a_clusters_chart_keeps_only_its_documents_sources_and_drops_pronouns(store) -> None:
    from claimgraph.web.crossdoc import source_graph

    edge = lambda child, parent: {"child": child, "parent": parent, "relation": "relays", "evidence": []}  # noqa: E731
    save_layer(store, {
        "clusters": [], "links": [], "lines": [], "events": [], "assessments": [], "sourcing": [],
        "provenance": [edge("doc-a", "source:wire"), edge("source:wire", "source:they"), edge("source:wire", "source:the ministry"),
                       edge("doc-b", "source:other paper")],
    })
    chart = source_graph(store, documents={"doc-a"})
    assert {n["id"] for n in chart["nodes"]} == {"doc-a", "source:wire", "source:the ministry"}  # no doc-b, no "they"
    assert "doc-c" in {n["id"] for n in source_graph(store, documents={"doc-a", "doc-c"})["nodes"]}  # cites nobody, still drawn
    assert {(e["source"], e["target"]) for e in chart["edges"]} == {("doc-a", "source:wire"), ("source:wire", "source:the ministry")}
    assert "source:other paper" in {n["id"] for n in source_graph(store)["nodes"]}
