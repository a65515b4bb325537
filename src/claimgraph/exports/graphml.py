"""GraphML for Gephi (and networkx): the provenance graph and the entity graph, one file each.

Written with the standard library's ElementTree: the format is small, and nothing at run time
needs a graph library. Attribute keys are declared with their types, as GraphML asks.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

from claimgraph.exports.view import LedgerView
from claimgraph.sources import display_names

NS = "http://graphml.graphdrawing.org/xmlns"
_TYPES = {str: "string", int: "int", float: "double", bool: "boolean"}
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # characters XML 1.0 cannot hold


def _xml(value: Any) -> str:
    return _NOT_XML.sub(" ", str(value).lower() if isinstance(value, bool) else str(value))


@dataclass(kw_only=True)
class Graph:
    """Nodes and edges with attributes; written as one GraphML graph."""

    directed: bool
    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    edges: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)

    def node(self, node_id: str, **attributes: Any) -> None:
        self.nodes.setdefault(node_id, {}).update({k: v for k, v in attributes.items() if v is not None})

    def edge(self, source: str, target: str, **attributes: Any) -> None:
        self.edges.append((source, target, {k: v for k, v in attributes.items() if v is not None}))


def provenance_graph(view: LedgerView) -> Graph:
    """Documents, sources and independent lines; edges: re-reports (child -> upstream), a document
    carrying a line, and a line's origin."""
    graph = Graph(directed=True)
    names = display_names([n for c in view.ledger["claims"] for n in c.get("chain") or []]
                          + [d["outlet"] for d in view.ledger["documents"] if d.get("outlet")])

    def add(node: str) -> None:
        if node in view.documents:
            document = view.documents[node]
            graph.node(node, kind="document", label=view.label(node), outlet=document.get("outlet"),
                       published=document.get("published"))
        elif node not in graph.nodes:
            graph.node(node, kind="source", label=names.get(node) or node.removeprefix("source:"))

    for document_id in view.documents:
        add(document_id)
    for edge in view.ledger["provenance"]:
        add(edge["child"])
        add(edge["parent"])
        evidence = [e.get("text") for e in edge.get("evidence", []) if e.get("text")]
        graph.edge(edge["child"], edge["parent"], relation=edge["relation"], evidence=" | ".join(evidence[:3]) or None,
                   weight=float(max(1, len(evidence))))
    for line in view.ledger["lines"]:
        graph.node(line["id"], kind="line", label=view.line_names.get(line["id"], line["id"]),
                   root_kind=line.get("root_kind"), claims=len(line["claims"]))
        add(line["root"])
        graph.edge(line["id"], line["root"], relation="origin", weight=1.0)
        for document_id, count in sorted(Counter(view.claims[c]["document_id"] for c in line["claims"]
                                                 if c in view.claims).items()):
            graph.edge(document_id, line["id"], relation="carries", weight=float(count))
    return graph


def entity_graph(view: LedgerView) -> Graph:
    """Entities resolved across documents; an edge for each pair named in one claim, weighted by claims."""
    graph = Graph(directed=False)
    for entity in view.ledger.get("canonical_entities") or []:
        graph.node(entity["id"], label=entity["name"], type=entity["type"], documents=len(entity.get("documents", [])),
                   aliases="; ".join(entity.get("aliases") or []) or None)
    together: Counter[tuple[str, str]] = Counter()
    for claim in view.ledger["claims"]:
        if claim.get("wrong"):
            continue
        named = {e["id"] for key in claim.get("entities") or [] if (e := view.entity_of(claim["document_id"], key))}
        together.update(combinations(sorted(named), 2))
    for (a, b), count in sorted(together.items()):
        graph.edge(a, b, relation="named_together", weight=float(count))
    return graph


def graphml(graph: Graph, graph_id: str) -> bytes:
    """The graph as a GraphML document (UTF-8)."""
    ET.register_namespace("", NS)
    root = ET.Element(f"{{{NS}}}graphml")
    keys: dict[tuple[str, str], str] = {}
    for scope, rows in (("node", list(graph.nodes.values())), ("edge", [attrs for _, _, attrs in graph.edges])):
        for attributes in rows:
            for name, value in attributes.items():
                if (scope, name) not in keys:
                    keys[(scope, name)] = f"{scope[0]}_{name}"
                    ET.SubElement(root, f"{{{NS}}}key", {"id": keys[(scope, name)], "for": scope, "attr.name": name,
                                                         "attr.type": _TYPES[type(value)]})
    body = ET.SubElement(root, f"{{{NS}}}graph", {"id": graph_id, "edgedefault": "directed" if graph.directed else "undirected"})

    def data(element: ET.Element, scope: str, attributes: dict[str, Any]) -> None:
        for name, value in attributes.items():
            ET.SubElement(element, f"{{{NS}}}data", {"key": keys[(scope, name)]}).text = _xml(value)

    for node_id, attributes in graph.nodes.items():
        data(ET.SubElement(body, f"{{{NS}}}node", {"id": _xml(node_id)}), "node", attributes)
    for number, (source, target, attributes) in enumerate(graph.edges):
        data(ET.SubElement(body, f"{{{NS}}}edge", {"id": f"e{number}", "source": _xml(source), "target": _xml(target)}), "edge", attributes)
    ET.indent(root, space=" ")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def write_graphs(view: LedgerView, folder: Path) -> list[Path]:
    """provenance.graphml and entities.graphml in FOLDER (made if missing)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, graph in (("provenance", provenance_graph(view)), ("entities", entity_graph(view))):
        path = folder / f"{name}.graphml"
        path.write_bytes(graphml(graph, name))
        written.append(path)
    return written
