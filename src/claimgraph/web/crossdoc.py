"""Read views across documents: clusters, links, lines, provenance, events, assessments, sources.

These rows are written by the link and assess stages. Each view says whether its rows exist
(`computed`), so a page can show "not computed yet" instead of an empty table that looks like
"nothing found". Rows are returned in the shape of the JSON export: columns plus data_json merged.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from contextlib import nullcontext
from typing import Any

from sqlalchemy import func, select, union

from claimgraph.errors import NotFound
from claimgraph.sources import display_names
from claimgraph.store import Store
from claimgraph.store import corrections as cx
from claimgraph.store import schema as t
from claimgraph.store.links import chunks, line_names
from claimgraph.web.queries import ClaimFilter, PageRequest, Paged, document_names, list_claims

GRAPH_NODE_CAP = 250


def _plain(row: Any) -> dict[str, Any]:
    values = dict(row._mapping)
    data = values.pop("data_json", None)
    if data:
        try:
            extra = json.loads(data)
        except ValueError:
            extra = {"data": data}
        if isinstance(extra, dict):
            values = {**extra, **values}
    return values


def _count(store: Store, table: Any) -> int:
    with store.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()


def _paged_table(store: Store, table: Any, page: PageRequest, order: Any, where: Any = None) -> Paged:
    with store.engine.connect() as connection:
        count = select(func.count()).select_from(table)
        query = select(table).order_by(*order)
        if where is not None:
            count, query = count.where(where), query.where(where)
        total = connection.execute(count).scalar_one()
        rows = connection.execute(query.limit(page.limit).offset(page.offset)).all()
    return Paged(items=[_plain(r) for r in rows], total=total, limit=page.limit, offset=page.offset)


# ---------------------------------------------------------------------- clusters


def contradiction_counts(connection: Any, cluster_ids: list[str] | None = None) -> dict[str, int]:
    """Cluster -> contradicting links with either end among its members (a link inside counts once).

    For every cluster: from the contradicting links outwards (ix_links_relation covers them, then
    each end's cluster by ix_cluster_members_claim), so the cost follows the contradictions. For a
    page of clusters: from their members to their links (the planner would start from the links).
    """
    l, m = t.links.c, t.cluster_members.c
    if cluster_ids is None:
        parts = [select(m.cluster_id, l.a, l.b).select_from(t.links.join(t.cluster_members, m.claim_id == end))
                 .where(l.relation == "contradicts") for end in (l.a, l.b)]
        ends = union(*parts).subquery()
        return dict(connection.execute(select(ends.c.cluster_id, func.count()).group_by(ends.c.cluster_id)).all())
    clusters_of: dict[str, set[str]] = defaultdict(set)
    for chunk in chunks(cluster_ids):
        for cluster_id, claim_id in connection.execute(select(m.cluster_id, m.claim_id).where(m.cluster_id.in_(chunk))):
            clusters_of[claim_id].add(cluster_id)
    pairs: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for chunk in chunks(clusters_of):
        for end in (l.a, l.b):
            for a, b in connection.execute(select(l.a, l.b).where(end.in_(chunk), l.relation == "contradicts")):
                for cluster_id in clusters_of.get(a, set()) | clusters_of.get(b, set()):
                    pairs[cluster_id].add((a, b))
    return {cluster_id: len(found) for cluster_id, found in pairs.items()}


def list_clusters(store: Store, page: PageRequest, *, contested: bool = False) -> Paged:
    """Claim clusters, biggest (or with contested=True, most contradicted) first, with member counts and assessments."""
    m, k = t.cluster_members.c, t.clusters.c
    sizes = select(m.cluster_id, func.count().label("n")).group_by(m.cluster_id).subquery()
    members = func.coalesce(sizes.c.n, 0)
    with store.engine.connect() as connection:
        if contested:
            counts = contradiction_counts(connection)
            total = len(counts)
            size = dict(connection.execute(select(sizes.c.cluster_id, sizes.c.n).where(sizes.c.cluster_id.in_(list(counts)))).all()) if counts else {}
            ordered = sorted(counts, key=lambda c: (-counts[c], -size.get(c, 0), c))[page.offset : page.offset + page.limit]
            found = {r.id: r for r in connection.execute(select(t.clusters).where(k.id.in_(ordered)))} if ordered else {}
            rows = [(found[c], size.get(c, 0), counts[c]) for c in ordered if c in found]
        else:
            total = connection.execute(select(func.count()).select_from(t.clusters)).scalar_one()
            # The page's ids first (sorting the rows themselves would carry every cluster's data_json through the sort).
            size = dict(connection.execute(
                select(k.id, members).select_from(t.clusters.outerjoin(sizes, sizes.c.cluster_id == k.id))
                .order_by(members.desc(), k.id).limit(page.limit).offset(page.offset)
            ).all())
            found = {r.id: r for r in connection.execute(select(t.clusters).where(k.id.in_(list(size))))} if size else {}
            counts = contradiction_counts(connection, list(size)) if size else {}
            rows = [(found[c], n, counts.get(c, 0)) for c, n in size.items() if c in found]
        ids = [r.id for r, _, _ in rows]
        assessed = {
            r.cluster_id: _plain(r)
            for r in connection.execute(select(t.assessments).where(t.assessments.c.cluster_id.in_(ids)))
        } if ids else {}
    items = []
    for row, size_, contradictions in rows:
        item = _plain(row)
        item.update(members=size_, contradictions=contradictions, assessment=assessed.get(row.id))
        items.append(item)
    return Paged(items=items, total=total, limit=page.limit, offset=page.offset)


def most_contested(store: Store, limit: int = 10) -> list[dict[str, Any]]:
    """Clusters with the most contradicting links."""
    return list_clusters(store, PageRequest(limit=limit, offset=0), contested=True).items


MAX_SCAN = 500


def cluster_detail(store: Store, cluster_id: str, page: PageRequest) -> dict[str, Any]:
    """A cluster, its (paginated) member claims, the links among them, its lines and assessment."""
    with store.engine.connect() as connection:
        row = connection.execute(select(t.clusters).where(t.clusters.c.id == cluster_id)).first()
        if row is None:
            raise NotFound(f"no cluster {cluster_id!r} (clusters are made by `claimgraph link`)")
        member_rows = connection.execute(
            select(t.cluster_members).where(t.cluster_members.c.cluster_id == cluster_id)
        ).all()
        member_ids = [m.claim_id for m in member_rows]
        links = [
            _plain(r)
            for r in connection.execute(
                select(t.links).where(t.links.c.a.in_(member_ids) | t.links.c.b.in_(member_ids)).limit(MAX_SCAN)
            )
        ]
        assessment = connection.execute(select(t.assessments).where(t.assessments.c.cluster_id == cluster_id)).first()
        assessed = json.loads(assessment.data_json) if assessment is not None else {}
        named = line_names(connection, [l for k in ("supporting_lines", "contradicting_lines", "denying_lines")
                                        for l in assessed.get(k, [])])
        children = connection.execute(select(t.clusters.c.id, t.clusters.c.anchor).where(t.clusters.c.parent == cluster_id)).all()
        parent_anchor = connection.execute(select(t.clusters.c.anchor).where(t.clusters.c.id == row.parent)).scalar() if row.parent else None
    relation = {m.claim_id: m.relation for m in member_rows}
    claims = list_claims(store, ClaimFilter(claim_ids=tuple(member_ids)), page)
    for claim in claims.items:
        claim["relation"] = relation.get(claim["id"])
    documents = sorted({claim_id.split(":")[0] for claim_id in member_ids})
    return {
        "cluster": _plain(row),
        "claims": claims.as_json(),
        "links": links,
        "lines": lines_for_documents(store, documents),
        "assessment": _plain(assessment) if assessment else None,
        "line_names": named,
        "children": [{"id": c.id, "anchor": c.anchor} for c in children],
        "parent_anchor": parent_anchor,
    }


def cluster_documents(store: Store, cluster_id: str) -> dict[str, Any]:
    """A cluster's anchor and the documents of its claims and its sub-clusters' (its chart's starting points)."""
    k, m = t.clusters.c, t.cluster_members.c
    with store.engine.connect() as connection:
        anchor = connection.execute(select(k.anchor).where(k.id == cluster_id)).scalar()
        if anchor is None:
            raise NotFound(f"no cluster {cluster_id!r}")
        ids = [cluster_id] + list(connection.execute(select(k.id).where(k.parent == cluster_id)).scalars())
        claims = connection.execute(select(m.claim_id).where(m.cluster_id.in_(ids))).scalars()
        return {"id": cluster_id, "anchor": anchor, "documents": {claim.split(":")[0] for claim in claims}}


def claim_texts(store: Store, ids: set[str]) -> dict[str, dict[str, Any]]:
    """Claim id -> its text, speaker and document (for tables that would otherwise show ids)."""
    c = t.claims.c
    with store.engine.connect() as connection:
        rows = [r for chunk in chunks(ids) for r in connection.execute(
            select(c.id, c.document_id, c.text, c.speaker, c.polarity).where(c.id.in_(chunk)))]
        names = document_names(connection, {r.document_id for r in rows})
    return {r.id: {"text": r.text, "speaker": r.speaker, "polarity": r.polarity, "document_id": r.document_id,
                   "document": names.get(r.document_id)} for r in rows}


def claim_context(store: Store, claim_id: str) -> dict[str, Any]:
    """The cluster, links and line a claim belongs to (None where not computed)."""
    document_id = claim_id.split(":")[0]
    with store.engine.connect() as connection:
        cluster_ids = list(connection.execute(select(t.cluster_members.c.cluster_id).where(t.cluster_members.c.claim_id == claim_id)).scalars())
        clusters = [
            _plain(r) for r in connection.execute(select(t.clusters).where(t.clusters.c.id.in_(cluster_ids)))
        ] if cluster_ids else []
        links = [_plain(r) for r in connection.execute(select(t.links).where((t.links.c.a == claim_id) | (t.links.c.b == claim_id)).limit(100))]
    return {
        "clusters": clusters,
        "links": links,
        "lines": lines_for_documents(store, [document_id]),
        "computed": {"clusters": _count(store, t.clusters) > 0, "lines": _count(store, t.lines) > 0},
    }


def document_contexts(store: Store, document_id: str, claim_ids: list[str]) -> dict[str, dict[str, Any]]:
    """claim_context for every claim of one document, in a fixed number of queries."""
    with store.engine.connect() as connection:
        computed = {
            "clusters": connection.execute(select(t.clusters.c.id).limit(1)).first() is not None,
            "lines": connection.execute(select(t.lines.c.id).limit(1)).first() is not None,
        }
        if not computed["clusters"] and not computed["lines"]:
            return {}
        members = connection.execute(
            select(t.cluster_members.c.claim_id, t.cluster_members.c.cluster_id).where(t.cluster_members.c.claim_id.in_(claim_ids))
        ).all()
        clusters = {
            r.id: _plain(r)
            for r in connection.execute(select(t.clusters).where(t.clusters.c.id.in_({m.cluster_id for m in members})))
        }
        links: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in connection.execute(select(t.links).where(t.links.c.a.in_(claim_ids) | t.links.c.b.in_(claim_ids))):
            for end in (row.a, row.b):
                links[end].append(_plain(row))
    lines = lines_for_documents(store, [document_id])
    by_claim: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for member in members:
        if member.cluster_id in clusters:
            by_claim[member.claim_id].append(clusters[member.cluster_id])
    return {
        claim_id: {"clusters": by_claim.get(claim_id, []), "links": links.get(claim_id, []), "lines": lines, "computed": computed}
        for claim_id in claim_ids
    }


# ---------------------------------------------------------------------- lines, links, events, assessments


def lines_for_documents(store: Store, document_ids: list[str]) -> list[dict[str, Any]]:
    c = t.claim_lines.c
    with store.engine.connect() as connection:
        ids = list(connection.execute(select(c.line_id).where(c.document_id.in_(document_ids)).distinct()).scalars())
        lines = [_plain(r) for r in connection.execute(select(t.lines).where(t.lines.c.id.in_(ids)).order_by(t.lines.c.id))] if ids else []
        return _with_line_claims(connection, lines)


def list_lines(store: Store, page: PageRequest) -> Paged:
    # A line every claim has left (re-rooted since) keeps its row but is not listed.
    result = _paged_table(store, t.lines, page, [t.lines.c.id], t.lines.c.id.in_(select(t.claim_lines.c.line_id)))
    with store.engine.connect() as connection:
        _with_line_claims(connection, result.items)
    return result


def _with_line_claims(connection: Any, lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each line's name in words, documents, claims and named sources, from its claims' rows."""
    c = t.claim_lines.c
    names = line_names(connection, [line["id"] for line in lines])
    for line in lines:
        line["name"] = names.get(line["id"], line["root"])
        rows = connection.execute(select(c.claim_id, c.document_id, c.source).where(c.line_id == line["id"])).all()
        line["claims"] = sorted(r[0] for r in rows)
        line["documents"] = sorted({r[1] for r in rows})
        line["sources"] = sorted({r[2] for r in rows if r[2]})
    titles = document_names(connection, {d for line in lines for d in line["documents"]})
    for line in lines:
        line["document_names"] = {d: titles.get(d, d) for d in line["documents"]}
    return lines


def list_links(store: Store, page: PageRequest, *, relation: str | None = None) -> Paged:
    return _paged_table(store, t.links, page, [t.links.c.a, t.links.c.b], t.links.c.relation == relation if relation else None)


def list_events(store: Store, page: PageRequest) -> Paged:
    return _paged_table(store, t.events, page, [t.events.c.date, t.events.c.id])


def list_assessments(store: Store, page: PageRequest) -> Paged:
    return _paged_table(store, t.assessments, page, [t.assessments.c.credibility, t.assessments.c.cluster_id])


def list_provenance(store: Store, page: PageRequest) -> Paged:
    return _paged_table(store, t.provenance, page, [t.provenance.c.child, t.provenance.c.parent])


def dated_claims(store: Store, page: PageRequest) -> Paged:
    """Per-document time expressions inside claims: the timeline until events are computed."""
    with store.engine.connect() as connection:
        where = t.times.c.value.is_not(None)
        total = connection.execute(select(func.count()).select_from(t.times).where(where)).scalar_one()
        rows = connection.execute(
            select(t.times).where(where).order_by(t.times.c.value, t.times.c.document_id, t.times.c.start).limit(page.limit).offset(page.offset)
        ).all()
        texts = document_names(connection, {r.document_id for r in rows})
    items = [
        {**dict(r._mapping), "id": f"{r.document_id}:{r.start}", "date": r.value, "document_title": texts.get(r.document_id)}
        for r in rows
    ]
    return Paged(items=items, total=total, limit=page.limit, offset=page.offset)


def ach(store: Store, *, embedder: Any = None, lock: Any = None, prefill: bool = True) -> dict[str, Any]:
    """The ACH matrix (pipeline.ach_step.ach_matrix: evidence proposed or chosen, judge pre-fill, analyst
    ratings, Heuer's scores, diagnosticity).

    `computed` is false until the link stage has made clusters (the rows); hypotheses can be
    entered before that. `lock` serialises pre-fills, which write judge cells.
    """
    from claimgraph.pipeline.ach_step import ach_matrix

    with lock if lock is not None else nullcontext():
        matrix = ach_matrix(store, prefill=prefill, embedder=embedder)
    return matrix


def require_cluster(store: Store, cluster_id: str) -> None:
    with store.engine.connect() as connection:
        if connection.execute(select(t.clusters.c.id).where(t.clusters.c.id == cluster_id)).first() is None:
            raise NotFound(f"no cluster {cluster_id!r}")


def ach_cell(store: Store, hypothesis_id: str, cluster_id: str) -> dict[str, Any]:
    from claimgraph.store.ach import ach_cells

    with store.engine.connect() as connection:
        row = connection.execute(
            select(ach_cells).where(ach_cells.c.hypothesis_id == hypothesis_id, ach_cells.c.cluster_id == cluster_id)
        ).first()
    if row is not None:
        return {"hypothesis": row.hypothesis_id, "cluster": row.cluster_id, "rating": row.rating, "origin": row.origin,
                "reason": row.reason, "set_by": row.set_by, "set_at": row.set_at}
    raise NotFound(f"no rating of cluster {cluster_id!r} against hypothesis {hypothesis_id!r}")


# ---------------------------------------------------------------------- sources


def _document_labels(connection: Any, ids: Any = None) -> dict[str, str]:
    """A document as a node of the source graph: its outlet, else its title or headline."""
    query = select(t.documents.c.id, t.documents.c.outlet)
    if ids is not None:
        query = query.where(t.documents.c.id.in_(list(ids)))
    outlets: dict[str, str | None] = dict(connection.execute(query).all())
    names = document_names(connection, [i for i, outlet in outlets.items() if not outlet])
    return {i: outlet or names.get(i, i) for i, outlet in outlets.items()}


def _node(nodes: dict[str, dict[str, Any]], key: str, label: str, kind: str) -> dict[str, Any]:
    return nodes.setdefault(key, {"id": key, "label": label, "kind": kind, "documents": set(), "claims": 0})


def _sources_from_claims(store: Store) -> tuple[dict[str, dict[str, Any]], Counter[tuple[str, str]]]:
    """Nodes and "got it from" edges from attribution chains: document → chain[0] → chain[1] …

    Nodes use the link stage's keys (a document id, or "source:<name>"), so grades set here are
    the ones the assess stage finds, and the graph keeps its ids once provenance edges exist.
    """
    nodes: dict[str, dict[str, Any]] = {}
    edges: Counter[tuple[str, str]] = Counter()
    with store.engine.connect() as connection:
        labels = _document_labels(connection)
        for document_id, label in labels.items():
            _node(nodes, document_id, label, "document")["documents"].add(document_id)
        for document_id, chain_json in connection.execute(select(t.claims.c.document_id, t.claims.c.chain_json)):
            previous = document_id
            for name in json.loads(chain_json):
                current = cx.source_key(name)
                node = _node(nodes, current, name, "source")
                node["documents"].add(document_id)
                node["claims"] += 1
                if current != previous:
                    edges[(previous, current)] += 1
                previous = current
    return nodes, edges


def _sources_from_provenance(store: Store, provenance: list[dict[str, Any]]) -> tuple[dict[str, dict[str, Any]], Counter[tuple[str, str]]]:
    nodes: dict[str, dict[str, Any]] = {}
    edges: Counter[tuple[str, str]] = Counter()
    with store.engine.connect() as connection:
        labels = _document_labels(connection, {e[k] for e in provenance for k in ("child", "parent") if not e[k].startswith("source:")})
        # Sources by the spelling the texts use most ("The Guardian"), not their lower-cased key.
        spellings = [n for (chain,) in connection.execute(select(t.claims.c.chain_json).distinct()) for n in json.loads(chain)]
        spellings += [o for (o,) in connection.execute(select(t.documents.c.outlet).where(t.documents.c.outlet.is_not(None)))]
    names = display_names(spellings)
    for edge in provenance:
        for key in (edge["child"], edge["parent"]):
            if key.startswith("source:"):
                _node(nodes, key, names.get(key, key.removeprefix("source:")), "source")
            else:
                _node(nodes, key, labels.get(key, key), "document")["documents"].add(key)
        edges[(edge["child"], edge["parent"])] += 1
    return nodes, edges


# A node named only by a pronoun or a pronoun's phrase ("They", "it", "their sources") says nothing on a chart.
_JUNK_LABEL = re.compile(r"(?i)^(?:he|she|they|them|it|we|i|you|this|that|these|those|who|one|s/he|"
                         r"(?:this|that|these|those|its|their|his|her)\s+\w+)$")


def _upstream(provenance: list[dict[str, Any]], start: set[str]) -> list[dict[str, Any]]:
    """The edges reachable from `start` going upstream (child -> parent): the chart of one cluster."""
    parents: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for edge in provenance:
        parents[edge["child"]].append(edge)
    seen, todo, kept = set(start), list(start), []
    while todo:
        for edge in parents.get(todo.pop(), []):
            kept.append(edge)
            if edge["parent"] not in seen:
                seen.add(edge["parent"])
                todo.append(edge["parent"])
    return kept


def _readable(nodes: dict[str, dict[str, Any]], edges: Counter[tuple[str, str]]) -> tuple[dict[str, dict[str, Any]], Counter[tuple[str, str]]]:
    """Junk sources dropped, and sources of one name (case and a leading "the" aside) drawn once."""
    alias: dict[str, str] = {}
    first: dict[tuple[str, str], str] = {}
    for key, node in sorted(nodes.items()):
        label = node["label"].strip()
        if node["kind"] != "document" and _JUNK_LABEL.match(label):
            continue
        alias[key] = first.setdefault((node["kind"], re.sub(r"^the\s+", "", label.casefold())), key)
    kept: dict[str, dict[str, Any]] = {}
    for key, target in alias.items():
        node = kept.setdefault(target, {**nodes[target], "documents": set(nodes[target]["documents"])})
        if key != target:
            node["documents"] |= nodes[key]["documents"]
            node["claims"] += nodes[key]["claims"]
    merged: Counter[tuple[str, str]] = Counter()
    for (a, b), weight in edges.items():
        if a in alias and b in alias and alias[a] != alias[b]:
            merged[(alias[a], alias[b])] += weight
    return kept, merged


def source_graph(store: Store, *, documents: set[str] | None = None) -> dict[str, Any]:
    """Nodes (with grades) and edges of the provenance graph; laid out in layers from the documents.

    With `documents`, only what those documents got their information from (a cluster's chart).
    """
    grades = {name: c.value for name, c in cx.source_grades(store).items()}
    provenance = list_provenance(store, PageRequest(limit=MAX_SCAN * 4, offset=0)).items
    if documents is not None:
        provenance = _upstream(provenance, documents)
    if provenance:
        nodes, edges = _sources_from_provenance(store, provenance)
        basis = "provenance edges"
    else:
        nodes, edges = _sources_from_claims(store)
        basis = "attribution chains (provenance edges not computed yet)"
    if documents:  # a cluster's own documents are on its chart, whether or not they cite anyone
        with store.engine.connect() as connection:
            labels = _document_labels(connection, documents)
        for document_id in documents:
            _node(nodes, document_id, labels.get(document_id, document_id), "document")["documents"].add(document_id)
    nodes, edges = _readable(nodes, edges)
    ranked = sorted(nodes.values(), key=lambda n: (-len(n["documents"]) - n["claims"], n["id"]))[:GRAPH_NODE_CAP]
    kept = {n["id"] for n in ranked}
    edge_list = [{"source": a, "target": b, "weight": w} for (a, b), w in edges.items() if a in kept and b in kept]
    positions, width, height = _layout(kept, edge_list)
    out_nodes = [
        {
            "id": n["id"],
            "label": n["label"],
            "kind": n["kind"],
            "documents": sorted(n["documents"]),
            "claims": n["claims"],
            "grade": grades.get(n["id"], cx.DEFAULT_GRADE),
            "graded": n["id"] in grades,
            "x": positions[n["id"]][0],
            "y": positions[n["id"]][1],
        }
        for n in ranked
    ]
    return {"basis": basis, "nodes": out_nodes, "edges": edge_list, "total_nodes": len(nodes), "width": width, "height": height}


NODE_W, NODE_H, COL_GAP, ROW_GAP, ROWS = 200, 28, 70, 12, 14


def _layout(names: set[str], edges: list[dict[str, Any]]) -> tuple[dict[str, tuple[int, int]], int, int]:
    """Layers left to right (documents first, then who they cite); a long layer wraps into
    sub-columns of ROWS nodes; within a layer, nodes sit near the nodes that point at them."""
    layer = _layers(names, edges)
    by_layer: dict[int, list[str]] = defaultdict(list)
    for name in sorted(names, key=lambda n: n.casefold()):
        by_layer[layer[name]].append(name)
    parents: dict[str, list[str]] = defaultdict(list)
    for edge in edges:
        parents[edge["target"]].append(edge["source"])
    rank: dict[str, float] = {}
    positions: dict[str, tuple[int, int]] = {}
    x = 30
    for depth in sorted(by_layer):
        names_here = by_layer[depth]
        if depth:
            names_here.sort(key=lambda n: (sum(rank.get(p, 0) for p in parents[n]) / max(1, len(parents[n])), n.casefold()))
        for index, name in enumerate(names_here):
            rank[name] = index
            column, row = divmod(index, ROWS)
            positions[name] = (x + column * (NODE_W + 20), 30 + row * (NODE_H + ROW_GAP))
        columns = (len(names_here) + ROWS - 1) // ROWS
        x += columns * (NODE_W + 20) + COL_GAP
    rows = min(ROWS, max((len(v) for v in by_layer.values()), default=1))
    return positions, x, 60 + rows * (NODE_H + ROW_GAP)


def _layers(names: set[str], edges: list[dict[str, Any]]) -> dict[str, int]:
    """Longest distance from a node nobody points at, capped so cycles end."""
    layer = {name: 0 for name in names}
    for _ in range(8):
        changed = False
        for edge in edges:
            if layer[edge["target"]] < layer[edge["source"]] + 1 <= 8:
                layer[edge["target"]] = layer[edge["source"]] + 1
                changed = True
        if not changed:
            break
    return layer


def list_sources(store: Store, page: PageRequest, *, query: str | None = None) -> Paged:
    graph = source_graph(store)
    nodes = [n for n in graph["nodes"] if not query or query.casefold() in (n["id"] + " " + n["label"]).casefold()]
    items = [{k: v for k, v in n.items() if k not in ("x", "y")} for n in nodes[page.offset : page.offset + page.limit]]
    return Paged(items=items, total=len(nodes), limit=page.limit, offset=page.offset)


def source_detail(store: Store, name: str, page: PageRequest) -> dict[str, Any]:
    """A source: its grade and history, the documents it appears in, the claims that pass through it."""
    key = cx.source_key(name)
    core = key.removeprefix("source:")
    # The longest word of the name, as json.dumps writes it: chains are stored as JSON text.
    word = max(re.findall(r"\w+", core) or [core], key=len)
    escape = lambda text: "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"  # noqa: E731
    pattern, plain = escape(json.dumps(word)[1:-1]), escape(word)
    labels: list[str] = []
    claim_ids: list[str] = []
    with store.engine.connect() as connection:
        # A cheap text match first, then the exact key on each chain entry.
        for claim_id, chain_json in connection.execute(
            select(t.claims.c.id, t.claims.c.chain_json).where(t.claims.c.chain_json.ilike(pattern, escape="\\")).limit(20_000)
        ):
            names = [n for n in json.loads(chain_json) if cx.source_key(n) == key]
            if names:
                claim_ids.append(claim_id)
                labels += names
        outlet_docs = [
            r.id for r in connection.execute(
                select(t.documents.c.id, t.documents.c.outlet).where(t.documents.c.outlet.ilike(plain, escape="\\"))
            ) if cx.source_key(r.outlet) == key
        ]
    grades = cx.source_grades(store)
    if not claim_ids and not outlet_docs and key not in grades:
        raise NotFound(f"no source {name!r} in the ledger (see /api/sources)")
    grade = grades.get(key)
    grade_value = grade.value if grade and grade.value else cx.DEFAULT_GRADE  # a grade always has its value
    history, _ = cx.list_corrections(store, source=key, limit=100)
    claims = list_claims(store, ClaimFilter(claim_ids=tuple(claim_ids)), page)
    label = Counter(labels).most_common(1)[0][0] if labels else (name if not name.startswith("source:") else core)
    return {
        "key": key,
        "name": label,
        "grade": grade_value,
        "grade_meaning": cx.GRADE_MEANING[grade_value],
        "graded_by": grade.author if grade else None,
        "graded_at": grade.created_at if grade else None,
        "history": [vars_of(c) for c in history],
        "documents": _titled(store, sorted(set(outlet_docs) | {cid.split(":")[0] for cid in claim_ids})),
        "claims": claims.as_json(),
    }


def _titled(store: Store, ids: list[str]) -> list[dict[str, Any]]:
    with store.engine.connect() as connection:
        rows = connection.execute(
            select(t.documents.c.id, t.documents.c.title, t.documents.c.outlet, t.documents.c.origin).where(t.documents.c.id.in_(ids))
        ).all()
        names = document_names(connection, ids)
    outlets = {r.id: r.outlet for r in rows}
    return [{"id": i, "title": names.get(i, i), "outlet": outlets.get(i)} for i in ids]


def vars_of(correction: cx.Correction) -> dict[str, Any]:
    from dataclasses import asdict

    return {**asdict(correction), "active": correction.active}
