"""The linker as the store keeps it, restored to add documents and saved again.

A linker restored from the store (`restore_linker`) reads what it needs on demand: claim views
and judged pairs (`StoreRows`), clusters by claim, id or parent (`StoreLayer`), claims' lines
(`StoreLines`), and the texts of documents linked before (`StoreCorpus`). `save_linker` writes
back the rows it made and the layer rows it changed. Here, not in store/: a stage's classes
meet the store's tables (the store imports no stage).
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import JSON, Table, bindparam, cast, delete, func, insert, or_, select, tuple_, update

from claimgraph.link.clusters import Cluster, ClusterMember
from claimgraph.link.corpus import Linker, LinkOptions
from claimgraph.link.index import NeighbourIndex
from claimgraph.link.lines import ClaimSource, ClusterSourcing, LineState, may_name
from claimgraph.link.provenance import Evidence, ProvenanceEdge
from claimgraph.link.readout import Layer
from claimgraph.link.state import LinkerRows, StateError, judgement, read_head, restore_head, view
from claimgraph.store import schema as t
from claimgraph.store.links import CHUNK, chunks
from claimgraph.store.sql import Store

LINKER = "linker"  # link_state's row for the incremental linker's head (its rows: link_views, link_judged)
INDEX = "linker-index"  # link_state's row for its neighbour index's graph (rewritten only when it grows)


def _in(name: str) -> Any:
    return bindparam(name, expanding=True)


# The reads a restored linker makes, hundreds per added document: built once (building a
# statement with its list of ids costs more than running it on SQLite).
_v, _j, _m, _c, _l = t.link_views.c, t.link_judged.c, t.cluster_members.c, t.clusters.c, t.claim_lines.c
_VIEWS = select(_v.claim_id, _v.document_id, _v.view_json, _v.vector).where(_v.claim_id.in_(_in("ids")))
_BETWEEN = {side: select(_j.a, _j.b, _j.judgement_json).where(one.in_(_in("ids")), other.in_(_in("others")))
            for side, (one, other) in (("a", (_j.a, _j.b)), ("b", (_j.b, _j.a)))}
_ACROSS = {side: select(one, other, _j.seq).where(one.in_(_in("ids")), _j.score >= bindparam("floor"))
           for side, (one, other) in (("a", (_j.a, _j.b)), ("b", (_j.b, _j.a)))}
_JUDGED_BY_SEQ = select(_j.a, _j.b, _j.judgement_json).where(_j.seq.in_(_in("ids")))
_CLUSTERS_OF_CLAIMS = select(_m.cluster_id).where(_m.claim_id.in_(_in("ids")))
_CHILDREN = select(_c.id).where(_c.parent.in_(_in("ids")))
_CLUSTERS = select(t.clusters).where(_c.id.in_(_in("ids")))
_MEMBERS = select(t.cluster_members).where(_m.cluster_id.in_(_in("ids")))
_CLAIM_LINES = select(_l.claim_id, _l.document_id, _l.line_id, _l.source, _l.author, _l.inner, _l.voice,
                      _l.origin).where(_l.claim_id.in_(_in("ids")))


class StoreRows:
    """Saved claim views and judged pairs, read by claim id (`ClusterState`'s `RowSource`)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def views(self, ids: list[str]) -> dict[str, Any]:
        out = {}
        with self.store.engine.connect() as connection:
            for chunk in chunks(ids):
                for claim_id, document_id, view_json, vector in connection.execute(_VIEWS, {"ids": chunk}):
                    out[claim_id] = view(json.loads(view_json), id=claim_id, document_id=document_id,
                                         vector=np.frombuffer(vector, dtype=np.float32))
        return out

    def judged_between(self, ids: list[str], others: list[str]) -> dict[tuple[str, str], Any]:
        out = {}
        # Pairs are saved as (smaller id, larger id): among one list, one side of the query will do.
        sides = ("a",) if set(ids) == set(others) else ("a", "b")
        with self.store.engine.connect() as connection:
            for chunk in chunks(ids):
                for side in sides:
                    out.update(self._read(connection, _BETWEEN[side], {"ids": chunk, "others": others}))
        return out

    def judged_across(self, groups: list[list[str]], min_score: float) -> dict[tuple[str, str], Any]:
        """Saved pairs scoring `min_score` or more with one claim in a group and the other outside
        it: found from the indexes alone, so a large cluster's pairs among its own members (most of
        them) are skipped before any judgement is read."""
        group_of = {claim: n for n, group in enumerate(groups) for claim in group}
        across: list[int] = []
        with self.store.engine.connect() as connection:
            for chunk in chunks(list(group_of)):
                for side in ("a", "b"):
                    rows = connection.execute(_ACROSS[side], {"ids": chunk, "floor": min_score})
                    across += [seq for one, two, seq in rows if group_of[one] != group_of.get(two)]
            out = {}
            for seqs in chunks(sorted(set(across))):
                out.update(self._read(connection, _JUDGED_BY_SEQ, {"ids": seqs}))
        return out

    @staticmethod
    def _read(connection: Any, query: Any, params: dict[str, Any]) -> dict[tuple[str, str], Any]:
        rows = connection.execute(query, params).all()
        saved = json.loads("[" + ",".join(j for _, _, j in rows) + "]") if rows else []
        return {(a, b): judgement(s) for (a, b, _), s in zip(rows, saved)}


class StoreLayer(Layer):
    """The saved read-out, read cluster by cluster as the linker asks for it."""

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self._claims_read: set[str] = set()
        self._parents_read: set[str] = set()
        self._read: set[str] = set()  # cluster ids read (or found missing)

    def need_claims(self, claim_ids: list[str]) -> None:
        self._load_found(claim_ids, self._claims_read, _CLUSTERS_OF_CLAIMS)

    def need_children(self, ids: list[str]) -> None:
        self._load_found(ids, self._parents_read, _CHILDREN)

    def _load_found(self, ids: list[str], looked_up: set[str], query: Any) -> None:
        """Load the clusters `query` finds for the ids not looked up yet (their clusters, their children)."""
        wanted = [c for c in dict.fromkeys(ids) if c not in looked_up]
        if not wanted:
            return
        looked_up.update(wanted)
        found: set[str] = set()
        with self.store.engine.connect() as connection:
            for chunk in chunks(wanted):
                found.update(connection.execute(query, {"ids": chunk}).scalars())
        self.need_clusters(sorted(found))

    def need_clusters(self, ids: list[str]) -> None:
        wanted = [c for c in dict.fromkeys(ids) if c not in self._read and c not in self.clusters]
        if not wanted:
            return
        self._read.update(wanted)
        wanted = [c for c in wanted if c not in self.dropped]
        members: dict[str, list[Any]] = {}
        rows: list[Any] = []
        with self.store.engine.connect() as connection:
            for chunk in chunks(wanted):
                rows += connection.execute(_CLUSTERS, {"ids": chunk}).all()
                for row in connection.execute(_MEMBERS, {"ids": chunk}):
                    members.setdefault(row.cluster_id, []).append(ClusterMember(claim=row.claim_id, relation=row.relation))
        for row in rows:
            data = json.loads(row.data_json)
            self.restore(Cluster(id=row.id, anchor=row.anchor_claim, anchor_text=row.anchor, parent=row.parent,
                                 members=sorted(members.get(row.id, []), key=lambda m: m.claim),
                                 documents=data["documents"]), data)
            if data.get("sourcing"):
                self.sourcing[row.id] = ClusterSourcing(**data["sourcing"])

class StoreLines(LineState):
    """Claims' lines, read from `claim_lines` as the linker asks for them."""

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self._read: set[str] = set()

    def need(self, claim_ids: list[str]) -> None:
        wanted = [c for c in dict.fromkeys(claim_ids) if c not in self._read and c not in self.claim_line]
        if not wanted:
            return
        self._read.update(wanted)
        with self.store.engine.connect() as connection:
            for chunk in chunks(wanted):
                for claim_id, document_id, line_id, source, author, inner, voice, origin in connection.execute(
                        _CLAIM_LINES, {"ids": chunk}):
                    self.claim_line[claim_id] = line_id
                    self.hold(claim_id, ClaimSource(document=document_id, source=source, author=author,
                                                    inner=inner, voice=voice, origin=origin))

    def claims_of(self, documents: set[str], keys: set[str]) -> list[str]:
        c = t.claim_lines.c
        found = set(super().claims_of(documents, keys))
        with self.store.engine.connect() as connection:
            for chunk in chunks(sorted(documents)):
                found.update(connection.execute(select(c.claim_id).where(c.document_id.in_(chunk))).scalars())
            for chunk in chunks(sorted(keys)):
                query = select(c.claim_id).where(or_(c.source_key.in_(chunk), c.author.in_(chunk), c.voice.in_(chunk)))
                found.update(connection.execute(query).scalars())
        return sorted(found)

    def lines_of_documents(self, documents: set[str]) -> dict[str, set[str]]:
        c = t.claim_lines.c
        line_of: dict[str, tuple[str, str]] = {}
        with self.store.engine.connect() as connection:
            for chunk in chunks(sorted(documents)):
                for claim_id, document_id, line in connection.execute(
                        select(c.claim_id, c.document_id, c.line_id).where(c.document_id.in_(chunk))):
                    line_of[claim_id] = (document_id, line)
        for document_id in documents:  # what this run changed wins
            for claim_id in self.by_document.get(document_id, ()):
                line_of[claim_id] = (document_id, self.claim_line[claim_id])
        out: dict[str, set[str]] = {d: set() for d in documents}
        for document_id, line in line_of.values():
            out[document_id].add(line)
        return out

    def claims_naming(self, surnames: set[str]) -> list[str]:
        c = t.claim_lines.c
        found = set(super().claims_naming(surnames))
        with self.store.engine.connect() as connection:
            for column in (c.source, c.inner):
                names = [n for n in connection.execute(select(column).where(column.is_not(None)).distinct()).scalars()
                         if may_name(n, surnames)]
                for chunk in chunks(names):
                    found.update(connection.execute(select(c.claim_id).where(column.in_(chunk))).scalars())
        return sorted(found)



class StoreCorpus:
    """The texts of documents an earlier run linked, read when lines are worked out again (a new
    corpus author: any earlier "the dossier says" may be theirs)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def texts(self, ids: list[str]) -> dict[str, str]:
        return {d.id: d.text for d in self.store.documents(ids=list(ids), zones=False)}


# ---------------------------------------------------------------- the linker


def load_head(store: Store) -> tuple[str, bytes] | None:
    """(key, head) of the saved linker; None before the first link."""
    with store.engine.connect() as connection:
        row = connection.execute(select(t.link_state.c.key, t.link_state.c.data).where(t.link_state.c.name == LINKER)).first()
    return None if row is None else (row[0], row[1])


def saved_counts(store: Store) -> tuple[int, int, int]:
    """How many view, judged-pair and provenance rows are saved, by their last `seq` (rows are
    written in one transaction with the head, so a save is never cut short; a lost last row
    shows). Views and provenance rows are counted too: -1 where their `seq` has a gap."""
    out = []
    with store.engine.connect() as connection:
        for table in (t.link_views, t.link_judged, t.link_provenance):
            last = connection.execute(select(func.max(table.c.seq))).scalar()
            size = 0 if last is None else last + 1
            if table is not t.link_judged:  # a few thousand rows per 100k claims; judged pairs are millions
                count = connection.execute(select(func.count()).select_from(table)).scalar_one()
                size = size if count == size else -1
            out.append(size)
    return tuple(out)  # type: ignore[return-value]


def restore_linker(store: Store, head: bytes, documents: dict[str, Any], *, embedder: Any, judge: Any,
                   options: LinkOptions) -> tuple[Linker, tuple[int, int, int], dict[str, str]]:
    """The saved linker, reading its rows on demand; `documents` are the current documents
    (metadata) by id. Also the row counts it was saved with and the analyst's grades its
    assessments used. Raises StateError when the head and its rows disagree or a document it
    linked is gone."""

    header = read_head(head, embedder)
    counts = saved_counts(store)
    if list(counts[:2]) != header["counts"] or counts[2] != len(header["documents"]):
        raise StateError("the saved linker's rows do not match its head (an interrupted save?); relink")
    with store.engine.connect() as connection:
        index = NeighbourIndex.from_bytes(_read_graph(store, connection), view=True)
        if index.base_size != header["index_count"]:
            raise StateError("the saved neighbour index does not match the linker's head; relink")
        # The views added since the graph was saved are its recent vectors, in the order they came.
        recent = connection.execute(select(t.link_views.c.claim_id, t.link_views.c.vector)
                                    .where(t.link_views.c.seq >= header["index_count"]).order_by(t.link_views.c.seq)).all()
    if recent:
        index.add_recent([r[0] for r in recent], np.stack([np.frombuffer(r[1], dtype=np.float32) for r in recent]))
    linker = Linker(embedder=embedder, judge=judge, options=options, index=index,
                    rows=StoreRows(store), layer=StoreLayer(store), lines=StoreLines(store),
                    corpus=StoreCorpus(store))
    restore_head(linker, header)
    gone = [d for d in linker.order if d not in documents]
    if gone:
        raise StateError(f"document {gone[0]} is gone or superseded; relink")
    linker.provenance.restore({d: documents[d] for d in linker.order}, _edge_weights(store), partial(_quotes, store),
                              partial(_edges, store))
    return linker, counts, header.get("reliability", {})


def _edge_weights(store: Store) -> dict[tuple[str, str, str], int]:
    """Every saved provenance edge and its pieces of evidence (counted by the database: parsing
    every edge's evidence costs more than the rest of a restore)."""
    p = t.provenance.c
    if store.engine.dialect.name == "sqlite":
        weight = func.json_array_length(p.data_json, "$.evidence")
    else:
        weight = func.json_array_length(cast(p.data_json, JSON)["evidence"])
    with store.engine.connect() as connection:
        return {(child, parent, relation): n for child, parent, relation, n
                in connection.execute(select(p.child, p.parent, p.relation, weight))}


def _edges(store: Store, keys: list[tuple[str, str, str]]) -> list[Any]:
    """These saved provenance edges, with their evidence (the builder's own, as it left them)."""
    p = t.provenance.c
    rows: list[Any] = []
    with store.engine.connect() as connection:
        for chunk in chunks(keys):
            rows += connection.execute(select(p.child, p.parent, p.relation, p.data_json)
                                       .where(tuple_(p.child, p.parent, p.relation).in_(chunk))).all()
    return [ProvenanceEdge(child=child, parent=parent, relation=relation,
                           evidence=[Evidence(**e) for e in json.loads(data)["evidence"]])
            for child, parent, relation, data in rows]


def _quotes(store: Store, digests: list[str]) -> dict[str, list[tuple[str, tuple[int, int]]]]:
    """The documents that quote each of these passages (by digest), in the linker's order."""
    q = t.link_quotes.c
    out: dict[str, list[tuple[str, tuple[int, int]]]] = {}
    with store.engine.connect() as connection:
        for chunk in chunks(digests):
            query = select(q.digest, q.document_id, q.start, q.end).where(q.digest.in_(chunk)).order_by(q.seq, q.start)
            for digest, document_id, start, end in connection.execute(query):
                out.setdefault(digest, []).append((document_id, (start, end)))
    return out


def save_linker(store: Store, key: str, linker: Linker, rows: LinkerRows, *, replace: bool) -> None:
    """Write what this run changed: the layer rows of the clusters, events, links, provenance
    edges and claims' lines it touched, and the linker's new rows and head; `replace` first drops
    every derived row (a full relink). One transaction."""
    layer, state = linker.layer, linker.state
    written = sorted(layer.written & set(layer.clusters))
    clusters = [layer.clusters[c] for c in written]
    sourcing = [layer.sourcing[c.id] for c in clusters]
    assessments = linker.assess(sourcing)
    edges = linker.provenance.edges
    changed_edges = sorted(edges) if replace else sorted(linker.provenance.changed)
    changed_claims = sorted(linker.lines.claim_line) if replace else sorted(linker.lines.changed)
    events_gone = sorted(layer.events_written | layer.events_dropped)
    digest = None if rows.index is None else hashlib.sha1(rows.index).hexdigest()
    with store.transaction() as connection:
        if replace:
            for table in t.LINK_TABLES + (t.link_views, t.link_judged, t.link_provenance, t.link_quotes):
                connection.execute(delete(table))
        else:
            gone = sorted(layer.written | layer.dropped)
            for chunk in chunks(gone):
                connection.execute(delete(t.cluster_members).where(t.cluster_members.c.cluster_id.in_(chunk)))
                connection.execute(delete(t.clusters).where(t.clusters.c.id.in_(chunk)))
                connection.execute(delete(t.assessments).where(t.assessments.c.cluster_id.in_(chunk)))
            for chunk in chunks(events_gone):
                connection.execute(delete(t.events).where(t.events.c.id.in_(chunk)))
            for chunk in chunks(changed_claims):
                connection.execute(delete(t.claim_lines).where(t.claim_lines.c.claim_id.in_(chunk)))
            for child, parent, relation in changed_edges:
                p = t.provenance.c
                connection.execute(delete(t.provenance).where(p.child == child, p.parent == parent, p.relation == relation))
            connection.execute(delete(t.lines))
        links = state.links() if replace else state.added_links()
        values: dict[Table, list[dict[str, Any]]] = {
            t.clusters: [
                dict(id=c.id, anchor=c.anchor_text, anchor_claim=c.anchor, parent=c.parent,
                     data_json=json.dumps({"documents": c.documents, "sourcing": s.to_dict(), **layer.saved_fields(c.id)}))
                for c, s in zip(clusters, sourcing)
            ],
            t.cluster_members: [dict(cluster_id=c.id, claim_id=m.claim, relation=m.relation) for c in clusters for m in c.members],
            t.assessments: [dict(cluster_id=a.cluster, credibility=a.credibility, data_json=json.dumps(a.to_dict()))
                            for a in assessments],
            t.events: [
                dict(id=e.id, date=e.date, precision=e.precision, qualifier=e.qualifier,
                     data_json=json.dumps({k: v for k, v in e.to_dict().items() if k not in ("id", "date", "precision", "qualifier")}))
                for e in (layer.events[i] for i in sorted(layer.events_written) if i in layer.events)
            ],
            t.links: list({(l.a, l.b): dict(a=l.a, b=l.b, relation=l.relation, score=float(l.score), method=l.method)
                           for l in links}.values()),
            t.provenance: [dict(child=e.child, parent=e.parent, relation=e.relation,
                                data_json=json.dumps({"evidence": [ev.to_dict() for ev in e.evidence]}))
                           for e in (edges[k] for k in changed_edges)],
            t.lines: [dict(id=line_id, root=root, data_json=json.dumps({"root_kind": linker.lines.kind(root)}))
                      for line_id, root in sorted(linker.lines.line_roots.items())],
            t.claim_lines: [
                dict(claim_id=c, document_id=s.document, line_id=linker.lines.claim_line[c], source=s.source,
                     source_key=s.source_key, author=s.author, inner=s.inner, voice=s.voice, origin=s.origin)
                for c, s in ((c, linker.lines.claim_source[c]) for c in changed_claims)
            ],
        }
        for table, rows_ in values.items():
            for begin in range(0, len(rows_), CHUNK):
                connection.execute(insert(table), rows_[begin : begin + CHUNK])
        _save_rows(connection, key, rows, digest)
    if rows.index is not None and digest is not None:
        _write_graph_file(store, rows.index, digest)
    layer.saved()
    linker.lines.changed.clear()
    linker.provenance.changed.clear()


def regrade(store: Store, linker: Linker) -> None:
    """Assess every cluster again from its saved sourcing (the analyst's grades changed)."""
    with store.engine.connect() as connection:
        saved = [json.loads(d) for d in connection.execute(select(t.clusters.c.data_json)).scalars()]
    sourcing = [ClusterSourcing(**d["sourcing"]) for d in saved if d.get("sourcing")]
    assessments = linker.assess(sourcing)
    with store.transaction() as connection:
        connection.execute(delete(t.assessments))
        rows_ = [dict(cluster_id=a.cluster, credibility=a.credibility, data_json=json.dumps(a.to_dict())) for a in assessments]
        for begin in range(0, len(rows_), CHUNK):
            connection.execute(insert(t.assessments), rows_[begin : begin + CHUNK])


def _save_rows(connection: Any, key: str, rows: LinkerRows, digest: str | None) -> None:
    connection.execute(delete(t.link_state).where(t.link_state.c.name == LINKER))
    if rows.index is not None:
        connection.execute(delete(t.link_state).where(t.link_state.c.name == INDEX))
        meta = {"linker": key, "sha1": digest, "bytes": len(rows.index)}  # the digest names the graph's file
        connection.execute(insert(t.link_state).values(name=INDEX, key=json.dumps(meta), data=rows.index))
    for table, values in ((t.link_views, rows.views), (t.link_judged, rows.judged), (t.link_provenance, rows.provenance),
                          (t.link_quotes, rows.quotes)):
        for begin in range(0, len(values), CHUNK):
            connection.execute(insert(table), values[begin : begin + CHUNK])
    connection.execute(insert(t.link_state).values(name=LINKER, key=key, data=rows.head))


# ---------------------------------------------------------------- the graph as a file


def _graph_meta(key: str | None) -> dict[str, Any] | None:
    try:
        meta = json.loads(key or "")
    except ValueError:
        return None  # saved before graphs had files: read from the row
    return meta if isinstance(meta, dict) and {"sha1", "bytes"} <= meta.keys() else None


def graph_files(store: Store) -> tuple[Path, str] | None:
    """Where this store's graph files go, and their names' prefix: beside a SQLite database
    (`ledger.db-graph-<sha1>`), else in CLAIMGRAPH_CACHE (default ~/.cache/claimgraph) under a
    name made from the store's URL; None for an in-memory database."""
    url = store.engine.url
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            return None
        path = Path(url.database)
        return path.parent, f"{path.name}-graph-"
    folder = Path(os.environ.get("CLAIMGRAPH_CACHE") or Path.home() / ".cache" / "claimgraph")
    return folder, "graph-" + hashlib.sha1(url.render_as_string(hide_password=True).encode()).hexdigest()[:16] + "-"


def _read_graph(store: Store, connection: Any) -> Any:
    """The saved graph's bytes: mapped from its file when the file is there and whole (only the
    pages a query touches are read, and memory does not grow with the graph), else read from the
    store's row (and the file written for next time)."""
    key = connection.execute(select(t.link_state.c.key).where(t.link_state.c.name == INDEX)).scalar()
    if key is None:
        raise StateError("the saved linker has no neighbour index; relink")
    meta, files = _graph_meta(key), graph_files(store)
    if meta is not None and files is not None:
        path = files[0] / (files[1] + meta["sha1"])
        try:
            if path.stat().st_size == meta["bytes"]:
                return np.memmap(path, mode="r")
        except (OSError, ValueError):
            pass  # missing or unreadable: the row has it
    graph = connection.execute(select(t.link_state.c.data).where(t.link_state.c.name == INDEX)).scalar()
    if files is not None:
        if meta is None:  # saved before graphs had files: name this one
            meta = {"linker": key, "sha1": hashlib.sha1(graph).hexdigest(), "bytes": len(graph)}
            with store.transaction() as writing:
                writing.execute(update(t.link_state).where(t.link_state.c.name == INDEX, t.link_state.c.key == key)
                                .values(key=json.dumps(meta)))
        _write_graph_file(store, graph, meta["sha1"])
    return graph


def _write_graph_file(store: Store, graph: bytes, digest: str) -> None:
    """Write the graph's file (whole or not at all) and remove the store's older ones. The row
    stays the record: a file that cannot be written is read from the row next time."""
    files = graph_files(store)
    if files is None:
        return
    folder, prefix = files
    name = prefix + digest
    try:
        folder.mkdir(parents=True, exist_ok=True)
        partial_path = folder / (name + ".partial")
        partial_path.write_bytes(graph)
        os.replace(partial_path, folder / name)
        for old in folder.glob(prefix + "*"):
            if old.name != name:
                old.unlink(missing_ok=True)
    except OSError:
        return
