"""Reading and writing the across-document layer: clusters, links, lines, events, assessments."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, insert, select

from claimgraph.store import schema as t
from claimgraph.store.sql import Store

if TYPE_CHECKING:  # the link package (numpy, models) only when a linker is loaded
    from claimgraph.link.state import LinkerRows

LINKER = "linker"  # link_state's row for the incremental linker's head (its rows: link_views, link_judged)
_CHUNK = 5000  # rows per INSERT: bounded memory in the driver on a full relink of a large ledger

LAYER_KEYS = ("clusters", "links", "lines", "events", "assessments", "provenance", "sourcing")


def save_layer(store: Store, layer: dict[str, Any]) -> None:
    """Replace the whole derived layer in one transaction (analyst input is never touched)."""
    with store.transaction() as connection:
        for table in t.LINK_TABLES:
            connection.execute(delete(table))
        sourcing = {s["cluster"]: s for s in layer.get("sourcing", [])}
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
            t.lines: [
                dict(id=l["id"], root=l["root"], data_json=json.dumps({k: l[k] for k in ("root_kind", "claims", "sources")}))
                for l in layer["lines"]
            ],
            t.line_documents: [dict(line_id=l["id"], document_id=d) for l in layer["lines"] for d in l["documents"]],
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
        line_documents: dict[str, list[str]] = {}
        for row in connection.execute(select(t.line_documents).order_by(t.line_documents.c.document_id)):
            line_documents.setdefault(row.line_id, []).append(row.document_id)
        return {
            "clusters": clusters,
            "links": [dict(row._mapping) for row in connection.execute(select(t.links).order_by(t.links.c.a, t.links.c.b))],
            "lines": [
                {"id": row.id, "root": row.root, "documents": line_documents.get(row.id, []), **json.loads(row.data_json)}
                for row in connection.execute(select(t.lines).order_by(t.lines.c.id))
            ],
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


def load_linker_rows(store: Store) -> tuple[str, LinkerRows] | None:
    """(key, rows) of the saved incremental linker, rows in the order it made them; None before the first link."""
    from claimgraph.link.state import LinkerRows

    with store.engine.connect() as connection:
        head = connection.execute(select(t.link_state).where(t.link_state.c.name == LINKER)).first()
        if head is None:
            return None
        views = _dicts(connection.execute(select(t.link_views).order_by(t.link_views.c.seq)))
        judged = _dicts(connection.execute(select(t.link_judged).order_by(t.link_judged.c.seq)))
        provenance = _dicts(connection.execute(select(t.link_provenance).order_by(t.link_provenance.c.seq)))
    return head.key, LinkerRows(head=head.data, views=views, judged=judged, provenance=provenance)


def _dicts(result: Any) -> list[dict[str, Any]]:
    # Plain tuples zipped with the column names once: a Row's mapping view asks for its keys
    # row by row, which was seconds at a few hundred thousand judged pairs.
    keys = list(result.keys())
    return [dict(zip(keys, row)) for row in result.tuples()]


def save_linker_rows(store: Store, key: str, rows: LinkerRows, *, replace: bool) -> None:
    """Save the head and append the rows; `replace` first drops every saved row (a full relink)."""
    with store.transaction() as connection:
        connection.execute(delete(t.link_state).where(t.link_state.c.name == LINKER))
        if replace:
            connection.execute(delete(t.link_views))
            connection.execute(delete(t.link_judged))
            connection.execute(delete(t.link_provenance))
        for table, values in ((t.link_views, rows.views), (t.link_judged, rows.judged),
                              (t.link_provenance, rows.provenance)):
            for begin in range(0, len(values), _CHUNK):
                connection.execute(insert(table), values[begin : begin + _CHUNK])
        connection.execute(insert(t.link_state).values(name=LINKER, key=key, data=rows.head))


def source_grades(store: Store) -> dict[str, str]:
    """Analyst-set reliability per source key (Admiralty A-F); written by store.corrections.grade_source."""
    with store.engine.connect() as connection:
        return {row.source: row.reliability for row in connection.execute(select(t.source_grades))}
