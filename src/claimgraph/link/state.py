"""Saving and restoring a `Linker` between runs, so adding a document later stays incremental.

Two forms. `linker_to_bytes`: one blob, a JSON header (claim views without vectors, judged
pairs, cluster membership, vocabulary) followed by the float32 vectors and the neighbour
index. `linker_rows`: what the store keeps (store/links.py), a smaller head blob (cluster
membership, vocabulary, neighbour index) plus one row per claim view and per judged pair,
of which a run writes only those it made: the views and judged pairs a linker holds only
grow, in order, so the rows it restored from plus its new ones are the whole of it.
Documents and analyses are in neither: the store has them. Provenance is rebuilt from them
in the blob form; the rows form also keeps each document's provenance log and replays it.
"""

from __future__ import annotations

import json
import struct
from dataclasses import asdict, dataclass, field
from itertools import islice
from typing import Any

import numpy as np

from claimgraph.errors import ClaimgraphError
from claimgraph.link.corpus import Linker, LinkOptions
from claimgraph.link.embed import Embedder
from claimgraph.link.index import NeighbourIndex
from claimgraph.link.judge import ClaimView, Judge, Judgement, Vocabulary
from claimgraph.models import Analysis, Document, TimeExpression

_MAGIC = b"CGLS1"  # bump when the layout changes
_VIEW_FIELDS = ("id", "document_id", "content", "proposition", "people", "names", "sentence_index", "polarity", "hedging",
                "speaker", "chain", "published", "terms")


class StateError(ClaimgraphError):
    """A saved linker state cannot be read; relink the corpus with `link_corpus`."""


def linker_to_bytes(linker: Linker) -> bytes:
    state = linker.state
    ids = list(state.views)
    header: dict[str, Any] = {
        **_head(linker),
        "views": [{f: _plain(getattr(state.views[i], f)) for f in _VIEW_FIELDS + ("times",)} for i in ids],
        "judged": [[a, b, j.to_dict()] for (a, b), j in state.judged.items()],
    }
    vectors = np.stack([state.views[i].vector for i in ids]).astype(np.float32) if ids else np.zeros((0, 0), np.float32)
    raw_header = json.dumps(header).encode()
    index = state.index.to_bytes()
    return (_MAGIC + struct.pack("<QQ", len(raw_header), vectors.nbytes) + raw_header + vectors.tobytes() + index)


def linker_from_bytes(
    data: bytes,
    inputs: list[tuple[Document, Analysis]],
    *,
    embedder: Embedder,
    judge: Judge | None = None,
    options: LinkOptions | None = None,
) -> Linker:
    """A Linker as it was saved; `inputs` are the saved documents with their analyses."""
    if not data.startswith(_MAGIC):
        raise StateError("not a saved claimgraph linker state; relink the corpus with link_corpus")
    offset = len(_MAGIC)
    header_size, vector_size = struct.unpack_from("<QQ", data, offset)
    offset += 16
    header = json.loads(data[offset : offset + header_size])
    offset += header_size
    if header["embedder"] != embedder.name:
        raise StateError(f"the state was built with embedder {header['embedder']!r}, not {embedder.name!r}; relink")
    vectors = np.frombuffer(data[offset : offset + vector_size], dtype=np.float32).reshape(-1, embedder.dim)
    offset += vector_size
    linker = Linker(embedder=embedder, judge=judge, options=options, index=NeighbourIndex.from_bytes(data[offset:]))
    state = linker.state
    for row, fields_ in enumerate(header["views"]):
        state.views[fields_["id"]] = _view(fields_, vector=vectors[row])
    for a, b, judgement in header["judged"]:
        state.judged[(a, b)] = _judgement(judgement)
    _restore_rest(linker, header, inputs)
    return linker


_ROWS_MAGIC = b"CGLS4"  # bump when the head's layout or the rows' fields change
_ROW_FIELDS = tuple(f for f in _VIEW_FIELDS if f not in ("id", "document_id")) + ("times",)


@dataclass(kw_only=True)
class LinkerRows:
    """A Linker as the store keeps it: a head rewritten by each run, rows only appended."""

    head: bytes
    views: list[dict[str, Any]] = field(default_factory=list)  # seq, claim_id, document_id, view_json, vector
    judged: list[dict[str, Any]] = field(default_factory=list)  # seq, a, b, judgement_json
    provenance: list[dict[str, Any]] = field(default_factory=list)  # seq, document_id, data_json


def linker_rows(linker: Linker, *, since: tuple[int, int, int] = (0, 0, 0)) -> LinkerRows:
    """The head, and the rows made after `since`: the (views, judged pairs, documents) it was
    restored with."""
    state = linker.state
    views_from, judged_from, documents_from = since
    if len(state.views) < views_from or len(state.judged) < judged_from:
        raise StateError("the linker holds fewer claims or judged pairs than it was restored with; relink")
    header = {**_head(linker), "counts": [len(state.views), len(state.judged)]}
    raw = json.dumps(header).encode()
    views = [
        {"seq": seq, "claim_id": view.id, "document_id": view.document_id,
         "view_json": json.dumps({f: _plain(getattr(view, f)) for f in _ROW_FIELDS}),
         "vector": np.asarray(view.vector, dtype=np.float32).tobytes()}
        for seq, view in enumerate(islice(state.views.values(), views_from, None), start=views_from)
    ]
    judged = [
        {"seq": seq, "a": a, "b": b,
         "judgement_json": json.dumps(j.to_dict())}
        for seq, ((a, b), j) in enumerate(islice(state.judged.items(), judged_from, None), start=judged_from)
    ]
    provenance = [
        {"seq": seq, "document_id": document_id, "data_json": json.dumps(linker.provenance.log[document_id])}
        for seq, document_id in enumerate(islice(linker.inputs, documents_from, None), start=documents_from)
    ]
    return LinkerRows(head=_ROWS_MAGIC + struct.pack("<Q", len(raw)) + raw + state.index.to_bytes(),
                      views=views, judged=judged, provenance=provenance)


def linker_from_rows(
    rows: LinkerRows,
    inputs: list[tuple[Document, Analysis]],
    *,
    embedder: Embedder,
    judge: Judge | None = None,
    options: LinkOptions | None = None,
) -> Linker:
    """A Linker as saved; `rows` holds every view and judged pair row, in `seq` order."""
    header, index = _read_head(rows.head)
    if header["embedder"] != embedder.name or header["dim"] != embedder.dim:
        raise StateError(f"the state was built with embedder {header['embedder']!r}, not {embedder.name!r}; relink")
    if header["counts"] != [len(rows.views), len(rows.judged)]:
        raise StateError("the saved linker's rows do not match its head (an interrupted save?); relink")
    linker = Linker(embedder=embedder, judge=judge, options=options, index=NeighbourIndex.from_bytes(index))
    state = linker.state
    # One JSON document per kind of row: parsing 300k small ones one by one costs seconds.
    views = json.loads("[" + ",".join(row["view_json"] for row in rows.views) + "]")
    for row, fields_ in zip(rows.views, views):
        state.views[row["claim_id"]] = _view(fields_, id=row["claim_id"], document_id=row["document_id"],
                                             vector=np.frombuffer(row["vector"], dtype=np.float32))
    judgements = json.loads("[" + ",".join(row["judgement_json"] for row in rows.judged) + "]")
    for row, judgement in zip(rows.judged, judgements):
        state.judged[(row["a"], row["b"])] = _judgement(judgement)
    replays = {row["document_id"]: json.loads(row["data_json"]) for row in rows.provenance}
    _restore_rest(linker, header, inputs, replays=replays)
    return linker


def _head(linker: Linker) -> dict[str, Any]:
    """What both forms keep besides views and judged pairs (read back by `_restore_rest`)."""
    return {
        "embedder": linker.embedder.name,
        "dim": linker.embedder.dim,
        "members": list(linker.state._members.values()),
        "vocabulary": linker.vocabulary.to_dict(),
        "documents": list(linker.inputs),  # in the order they were added
    }


def _view(fields_: dict[str, Any], **more: Any) -> ClaimView:
    # Times date a claim for the judge (incompatible dates); a state from before they were saved has none.
    fields_["times"] = [TimeExpression(**t) for t in fields_.get("times", [])]
    return ClaimView(**fields_, **more)


def _judgement(saved: dict[str, Any]) -> Judgement:
    return Judgement(**{**saved, "reasons": tuple(saved.get("reasons", ()))})


def _restore_rest(linker: Linker, header: dict[str, Any], inputs: list[tuple[Document, Analysis]], *,
                  replays: dict[str, dict[str, Any]] | None = None) -> None:
    """Vocabulary, cluster membership, and the documents back in the order they were first
    added (lines and provenance are built in it). Provenance is replayed from its saved log
    where `replays` has the document's, else rebuilt from the text."""
    vocabulary = Vocabulary.from_dict(header["vocabulary"])
    linker.vocabulary.n, linker.vocabulary.df = vocabulary.n, vocabulary.df
    state = linker.state
    for members in header["members"]:
        root = members[0]
        state._members[root] = list(members)
        for member in members:
            state._parent[member] = root
    by_id = {document.id: (document, analysis) for document, analysis in inputs}
    for document_id in header["documents"]:
        if document_id in by_id:
            document, analysis = by_id[document_id]
            linker.inputs[document_id] = (document, analysis)
            if replays is not None and document_id in replays:
                linker.provenance.replay(document, replays[document_id])
            else:
                linker.provenance.add(document, analysis)


def _read_head(data: bytes) -> tuple[dict[str, Any], bytes]:
    if not data.startswith(_ROWS_MAGIC):
        raise StateError("not a saved claimgraph linker head (an older layout?); relink the corpus")
    offset = len(_ROWS_MAGIC)
    (size,) = struct.unpack_from("<Q", data, offset)
    offset += 8
    return json.loads(data[offset : offset + size]), data[offset + size :]


def _plain(value: Any) -> Any:
    """JSON-ready: time expressions as dicts."""
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return asdict(value) if isinstance(value, TimeExpression) else value
