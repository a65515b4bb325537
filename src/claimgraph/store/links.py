"""Reading and writing the across-document layer: clusters, links, lines, events, assessments.

The linker that makes it, saved and restored between runs, is `store/linker.py`.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any, Iterable, TypeVar

from sqlalchemy import delete, func, insert, select

from claimgraph.sources import ClaimOrigin, document_label, line_name
from claimgraph.store import schema as t
from claimgraph.store.sql import Store

CHUNK = 5000  # rows per INSERT: bounded memory in the driver on a full relink of a large ledger
_T = TypeVar("_T")
_IN = 500  # ids per IN (...) list: well under SQLite's and PostgreSQL's parameter limits


def chunks(ids: Iterable[_T], size: int = _IN) -> Iterable[list[_T]]:
    ids = list(ids)
    for begin in range(0, len(ids), size):
        yield ids[begin : begin + size]


# ---------------------------------------------------------------- reading on demand


def layer_counts(store: Store) -> tuple[int, int, int]:
    """(clusters, lines with a claim, events) saved."""
    with store.engine.connect() as connection:
        return (
            connection.execute(select(func.count()).select_from(t.clusters)).scalar_one(),
            connection.execute(select(func.count(func.distinct(t.claim_lines.c.line_id)))).scalar_one(),
            connection.execute(select(func.count()).select_from(t.events)).scalar_one(),
        )


def save_layer(store: Store, layer: dict[str, Any]) -> None:
    """Replace the whole derived layer with one in the export's shape (imports and tests; the link
    stage writes through `save_linker`). Analyst input is never touched. One transaction."""
    claim_document = {claim.id: document_id for document_id, claim in
                      store.claims(ids=[c for line in layer.get("lines", []) for c in line["claims"]])}
    with store.transaction() as connection:
        for table in t.LINK_TABLES:
            connection.execute(delete(table))
        sourcing = {s["cluster"]: s for s in layer.get("sourcing", [])}
        claim_lines = []
        for line in layer.get("lines", []):
            for i, claim_id in enumerate(line["claims"]):
                source = line["sources"][i] if i < len(line.get("sources", [])) else None
                claim_lines.append(dict(claim_id=claim_id, document_id=claim_document.get(claim_id, (line["documents"] or [""])[0]),
                                        line_id=line["id"], source=source, source_key=None, author=None))
        rows = {
            t.clusters: [
                dict(id=c["id"], anchor=c["anchor_text"], anchor_claim=c["anchor"], parent=c["parent"],
                     data_json=json.dumps({"documents": c["documents"], "sourcing": sourcing.get(c["id"])}))
                for c in layer["clusters"]
            ],
            t.cluster_members: [
                dict(cluster_id=c["id"], claim_id=m["claim"], relation=m["relation"])
                for c in layer["clusters"] for m in c["members"]
            ],
            t.links: list({(l["a"], l["b"]): dict(a=l["a"], b=l["b"], relation=l["relation"], score=float(l["score"]),
                                                   method=l["method"]) for l in layer["links"]}.values()),
            t.provenance: list({(e["child"], e["parent"], e["relation"]): dict(
                child=e["child"], parent=e["parent"], relation=e["relation"],
                data_json=json.dumps({"evidence": e["evidence"]})) for e in layer["provenance"]}.values()),
            t.lines: [dict(id=l["id"], root=l["root"], data_json=json.dumps({"root_kind": l["root_kind"]})) for l in layer["lines"]],
            t.claim_lines: claim_lines,
            t.events: [
                dict(id=e["id"], date=e["date"], precision=e["precision"], qualifier=e["qualifier"],
                     data_json=json.dumps({k: v for k, v in e.items() if k not in ("id", "date", "precision", "qualifier")}))
                for e in layer["events"]
            ],
            t.assessments: [
                dict(cluster_id=a["cluster"], credibility=a["credibility"], data_json=json.dumps(a))
                for a in layer["assessments"]
            ],
        }
        for table, values in rows.items():
            if values:
                connection.execute(insert(table), values)


# ---------------------------------------------------------------- reading the layer


def load_layer(store: Store) -> dict[str, Any]:
    """The stored layer in the export's shape (empty lists before the first `claimgraph link`)."""
    with store.engine.connect() as connection:
        members: dict[str, list[dict[str, str]]] = {}
        for row in connection.execute(select(t.cluster_members).order_by(t.cluster_members.c.claim_id)):
            members.setdefault(row.cluster_id, []).append({"claim": row.claim_id, "relation": row.relation})
        clusters, sourcing = [], []
        for row in connection.execute(select(t.clusters).order_by(t.clusters.c.id)):
            data = json.loads(row.data_json)
            clusters.append({"id": row.id, "anchor": row.anchor_claim, "anchor_text": row.anchor, "parent": row.parent,
                             "documents": data["documents"], "members": members.get(row.id, [])})
            if data.get("sourcing"):
                sourcing.append(data["sourcing"])
        lines = load_lines(connection, moved_claims(sourcing), _document_labels(connection))
        return {
            "clusters": clusters,
            "links": [dict(row._mapping) for row in connection.execute(select(t.links).order_by(t.links.c.a, t.links.c.b))],
            "lines": lines,
            "provenance": [
                {"child": row.child, "parent": row.parent, "relation": row.relation, **json.loads(row.data_json)}
                for row in connection.execute(select(t.provenance).order_by(t.provenance.c.child, t.provenance.c.parent))
            ],
            "events": [
                {"id": row.id, "date": row.date, "precision": row.precision, "qualifier": row.qualifier, **json.loads(row.data_json)}
                for row in connection.execute(select(t.events).order_by(t.events.c.date, t.events.c.id))
            ],
            "assessments": [
                json.loads(row.data_json)
                for row in connection.execute(select(t.assessments).order_by(t.assessments.c.credibility, t.assessments.c.cluster_id))
            ],
            "sourcing": sourcing,
        }


def moved_claims(sourcing: Iterable[dict[str, Any]]) -> dict[str, str]:
    """A claim counted in another line than its own (a restatement of what its document credits
    elsewhere: LineState.derived_lines) -> the line it is counted in, from the clusters' sourcing."""
    moved: dict[str, str] = {}
    for saved in sourcing:
        moved.update(saved.get("derived") or {})
    return moved


def read_moved_claims(connection: Any) -> dict[str, str]:
    """moved_claims of the stored clusters. Only a cluster whose sourcing has derived claims moves a
    claim to another line: its JSON (json.dumps, as store.links and store.linker write it) holds a
    non-empty `"derived": {"…`; the others are not parsed."""
    return moved_claims(sourcing for (data,) in connection.execute(
        select(t.clusters.c.data_json).where(t.clusters.c.data_json.like('%"derived": {"%')).order_by(t.clusters.c.id)).all()
        if (sourcing := json.loads(data).get("sourcing")))


def analysed_claim_count(connection: Any) -> int:
    """The claims of documents whose analysis is stored (export_ledger's claims)."""
    return int(connection.execute(select(func.count()).select_from(t.claims)
                                  .where(t.claims.c.document_id.in_(select(t.analyses.c.document_id)))).scalar_one())


def load_lines(connection: Any, moved: dict[str, str], labels: dict[str, str]) -> list[dict[str, Any]]:
    """The lines in the export's shape (id order), each named in words, its claims read from claim_lines;
    `moved` from moved_claims, `labels` the documents in words (_document_labels)."""
    on_line: dict[str, dict[str, list[Any]]] = {}
    c = t.claim_lines.c
    for claim_id, document_id, line_id, source, inner, voice, origin in connection.execute(
            select(c.claim_id, c.document_id, c.line_id, c.source, c.inner, c.voice, c.origin).order_by(c.claim_id)).all():
        line = on_line.setdefault(line_id, {"claims": [], "documents": [], "sources": [], "origins": []})
        line["claims"].append(claim_id)
        line["documents"].append(document_id)
        if source:
            line["sources"].append(source)
        line["origins"].append(ClaimOrigin(claim=claim_id, document=document_id, origin=origin,
                                           inner=inner or source, voice=voice, source=source))
    for line_id_, line in list(on_line.items()):
        keep = [i for i, claim_id in enumerate(line["claims"]) if moved.get(claim_id, line_id_) == line_id_]
        kept = set(keep)  # a set: a line of 10^4 claims is not scanned once per claim
        for i in range(len(line["claims"])):
            if i not in kept:
                target = on_line.setdefault(moved[line["claims"][i]], {"claims": [], "documents": [], "sources": [], "origins": []})
                target["claims"].append(line["claims"][i])
                target["documents"].append(line["documents"][i])
        line["claims"] = [line["claims"][i] for i in keep]
        line["documents"] = [line["documents"][i] for i in keep]
    lines = []
    for row in connection.execute(select(t.lines).order_by(t.lines.c.id)).all():
        if row.id in on_line:
            line = on_line[row.id]
            data = json.loads(row.data_json)
            lines.append({"id": row.id, "root": row.root, **data,
                          "name": line_name(row.root, data.get("root_kind", "source"), line["origins"], labels),
                          "documents": sorted(set(line["documents"])), "claims": sorted(line["claims"]),
                          "derived": sorted(c for c in line["claims"] if c in moved),
                          "sources": sorted(set(line["sources"])),
                          "origins": {o.claim: o.origin for o in line["origins"] if o.origin}})
    return lines


def line_summaries(connection: Any, moved: dict[str, str], labels: dict[str, str]) -> list[dict[str, Any]]:
    """What load_lines gives of each line (id, root, name, documents, sources), counted in the database
    rather than read claim by claim: claims alike in document, sources and voice are one row with its count."""
    c = t.claim_lines.c
    origins: dict[str, list[ClaimOrigin]] = {}
    documents: dict[str, Counter[str]] = {}
    sources: dict[str, set[str]] = {}
    for line_id, document_id, source, inner, voice, origin, n in connection.execute(
            select(c.line_id, c.document_id, c.source, c.inner, c.voice, c.origin, func.count())
            .group_by(c.line_id, c.document_id, c.source, c.inner, c.voice, c.origin)).all():
        # line_name counts origins and never reads their claim: one object stands for the n alike
        origins.setdefault(line_id, []).extend(
            [ClaimOrigin(claim="", document=document_id, origin=origin, inner=inner or source, voice=voice, source=source)] * n)
        documents.setdefault(line_id, Counter())[document_id] += n
        if source:
            sources.setdefault(line_id, set()).add(source)
    for chunk in chunks(sorted(moved)):  # a claim counted in another line than its own moves there with its document
        for claim_id, line_id, document_id in connection.execute(
                select(c.claim_id, c.line_id, c.document_id).where(c.claim_id.in_(chunk))).all():
            if moved[claim_id] != line_id:
                documents[line_id][document_id] -= 1
                documents.setdefault(moved[claim_id], Counter())[document_id] += 1
    lines = []
    for row in connection.execute(select(t.lines).order_by(t.lines.c.id)).all():
        if row.id in documents:
            data = json.loads(row.data_json)
            lines.append({"id": row.id, "root": row.root, **data,
                          "name": line_name(row.root, data.get("root_kind", "source"), origins.get(row.id, []), labels),
                          "documents": sorted(d for d, n in documents[row.id].items() if n > 0),
                          "sources": sorted(sources.get(row.id, ()))})
    return lines


def claim_lines(connection: Any, claim_ids: list[str], moved: dict[str, str], lines: set[str]) -> dict[str, str]:
    """These claims' lines as load_lines files them (a moved claim on the line it is counted in), among `lines`."""
    c = t.claim_lines.c
    found = {}
    for chunk in chunks(sorted(claim_ids)):
        for claim_id, line_id in connection.execute(select(c.claim_id, c.line_id).where(c.claim_id.in_(chunk))).all():
            line_id = moved.get(claim_id, line_id)
            if line_id in lines:
                found[claim_id] = line_id
    return found


def line_names(connection: Any, line_ids: list[str]) -> dict[str, str]:
    """These lines in words (sources.line_name), read from their claims' rows: for the web's pages."""
    c = t.claim_lines.c
    rows: list[Any] = []
    origins: dict[str, list[ClaimOrigin]] = {}
    for chunk in chunks(sorted(set(line_ids))):
        rows += connection.execute(select(t.lines).where(t.lines.c.id.in_(chunk))).all()
        for claim_id, document_id, line_id, source, inner, voice, origin in connection.execute(
                select(c.claim_id, c.document_id, c.line_id, c.source, c.inner, c.voice, c.origin).where(c.line_id.in_(chunk))):
            origins.setdefault(line_id, []).append(ClaimOrigin(claim=claim_id, document=document_id, origin=origin,
                                                               inner=inner or source, voice=voice, source=source))
    labels = _document_labels(connection, [row.root for row in rows])
    return {row.id: line_name(row.root, json.loads(row.data_json).get("root_kind", "source"), origins.get(row.id, []), labels)
            for row in rows}


def _document_labels(connection: Any, ids: list[str] | None = None) -> dict[str, str]:
    """Documents in words (sources.document_label), all or these; texts and zones are read only
    for the few without an outlet or a title."""
    d, z = t.documents.c, t.zones.c
    if ids is None:
        rows = connection.execute(select(d.id, d.outlet, d.title, d.origin)).all()
    else:
        rows = []
        for chunk in chunks(sorted(set(ids))):
            rows += connection.execute(select(d.id, d.outlet, d.title, d.origin).where(d.id.in_(chunk))).all()
    bare = [row.id for row in rows if not (row.outlet or "").strip() and not (row.title or "").strip()]
    texts: dict[str, str] = {}
    zones: dict[str, list[tuple[int, int, str]]] = {}
    for chunk in chunks(bare):
        texts.update((row[0], row[1]) for row in connection.execute(select(d.id, d.text).where(d.id.in_(chunk))))
        for document_id, start, end, kind in connection.execute(
                select(z.document_id, z.start, z.end, z.kind).where(z.document_id.in_(chunk))):
            zones.setdefault(document_id, []).append((start, end, kind))
    return {row.id: document_label(row.outlet, row.title, row.origin, texts.get(row.id), zones.get(row.id, []))
            for row in rows}


def source_grades(store: Store) -> dict[str, str]:
    """Analyst-set reliability per source key (Admiralty A-F); written by store.corrections.grade_source."""
    with store.engine.connect() as connection:
        return {row.source: row.reliability for row in connection.execute(select(t.source_grades))}
