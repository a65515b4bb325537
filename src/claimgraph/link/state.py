"""Saving and restoring a `Linker` between runs, so adding a document later stays incremental.

Two forms. `linker_to_bytes`: one blob holding everything (claim views, judged pairs, cluster
membership, vocabulary, the read-out, lines, provenance logs, vectors and the neighbour
index), for a linker kept outside a store. `linker_rows`: what the store keeps
(pipeline/link_step.py), a head (cluster membership, vocabulary, the order documents were added in,
what lines were last resolved from, the neighbour index) plus one row per claim view, judged
pair and document provenance log, of which a run writes only those it made: the views and
judged pairs a linker holds only grow, in order, so the rows saved before plus its new ones
are the whole of it. The store keeps the read-out in its layer tables and reads all of these
back on demand (`pipeline.link_step.restore_linker`).
"""

from __future__ import annotations

import json
import struct
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from claimgraph.errors import ClaimgraphError
from claimgraph.link.corpus import Linker, LinkOptions
from claimgraph.link.embed import Embedder
from claimgraph.link.index import NeighbourIndex
from claimgraph.link.judge import ClaimView, Judge, Judgement, Vocabulary
from claimgraph.link.lines import ClaimSource, LineState
from claimgraph.link.origins import voice_groups
from claimgraph.link.readout import layer_dict, layer_from_dict
from claimgraph.models import Analysis, Document, TimeExpression
from claimgraph.records import frame, unframe

_MAGIC = b"CGLS2"  # bump when the layout changes
_VIEW_FIELDS = ("id", "document_id", "content", "proposition", "people", "names", "sentence_index", "polarity", "hedging",
                "speaker", "chain", "published", "terms", "dating")


class StateError(ClaimgraphError):
    """A saved linker state cannot be read; relink the corpus with `link_corpus`."""


def linker_to_bytes(linker: Linker) -> bytes:
    """A linker held in memory as one blob (`linker_from_bytes` reads it back)."""
    state = linker.state
    if state.rows is not None:
        raise StateError("a linker restored from a store reads its rows on demand; save it with linker_rows")
    ids = list(state.views)
    header: dict[str, Any] = {
        **head(linker),
        "views": [{f: _plain(getattr(state.views[i], f)) for f in _VIEW_FIELDS + ("times",)} for i in ids],
        "judged": [[a, b, j.to_dict()] for (a, b), j in state.judged.items()],
        "layer": layer_dict(linker.layer),
        "claim_lines": lines_claims(linker.lines, list(linker.lines.claim_line)),
        "provenance": {d: linker.provenance.log[d] for d in linker.order if d in linker.provenance.log},
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
    check_head(header, embedder)
    vectors = np.frombuffer(data[offset : offset + vector_size], dtype=np.float32).reshape(-1, embedder.dim)
    offset += vector_size
    lines = LineState()
    linker = Linker(embedder=embedder, judge=judge, options=options, index=NeighbourIndex.from_bytes(data[offset:]),
                    layer=layer_from_dict(header["layer"]), lines=lines)
    state = linker.state
    for row, fields_ in enumerate(header["views"]):
        state.views[fields_["id"]] = view(fields_, vector=vectors[row])
    for a, b, saved in header["judged"]:
        state._keep((a, b), judgement(saved), new=False)
    restore_head(linker, header)
    for claim_id, (line, source) in header["claim_lines"].items():
        lines.claim_line[claim_id] = line
        lines.hold(claim_id, ClaimSource(**source))
    by_id = {document.id: (document, analysis) for document, analysis in inputs}
    for document_id in linker.order:
        if document_id not in by_id:
            raise StateError(f"the saved linker holds document {document_id}, which the inputs lack; relink")
        document, analysis = by_id[document_id]
        linker.inputs[document_id] = (document, analysis)
        linker.provenance.replay(document, header["provenance"][document_id])
    return linker


_ROWS_MAGIC = b"CGLS6"  # bump when the head's layout or the rows' fields change
ROW_FIELDS = tuple(f for f in _VIEW_FIELDS if f not in ("id", "document_id")) + ("times",)


@dataclass(kw_only=True)
class LinkerRows:
    """A Linker as the store keeps it: a head rewritten by each run, rows only appended."""

    head: bytes
    index: bytes | None = None  # the neighbour index's graph, when this run changed it
    views: list[dict[str, Any]] = field(default_factory=list)  # seq, claim_id, document_id, view_json, vector
    judged: list[dict[str, Any]] = field(default_factory=list)  # seq, a, b, score, judgement_json
    provenance: list[dict[str, Any]] = field(default_factory=list)  # seq, document_id, data_json
    quotes: list[dict[str, Any]] = field(default_factory=list)  # digest, document_id, seq, start, end


def linker_rows(linker: Linker, *, since: tuple[int, int, int] = (0, 0, 0)) -> LinkerRows:
    """The head, and the rows made after `since`: the (views, judged pairs, documents) it was
    restored with. The neighbour index's graph comes too when it is not frozen (a linker built
    in this run) or has grown crowded (its recent vectors are moved into it); else the graph
    saved before stays, and the views added since are its recent vectors."""
    state = linker.state
    views_from, judged_from, documents_from = since
    counts = [views_from + len(state.added_views), judged_from + len(state.added_judged)]
    index = state.index
    graph = None
    if not index.frozen or index.crowded():
        index.compact()
        graph = index.to_bytes()
    framed = frame(_ROWS_MAGIC, {**head(linker), "counts": counts, "index_count": index.base_size})
    views = [
        {"seq": seq, "claim_id": claim_id, "document_id": state.views[claim_id].document_id,
         "view_json": json.dumps({f: _plain(getattr(state.views[claim_id], f)) for f in ROW_FIELDS}),
         "vector": np.asarray(state.views[claim_id].vector, dtype=np.float32).tobytes()}
        for seq, claim_id in enumerate(state.added_views, start=views_from)
    ]
    judged = [
        {"seq": seq, "a": a, "b": b, "score": float(state.judged[(a, b)].score),
         "judgement_json": json.dumps(state.judged[(a, b)].to_dict())}
        for seq, (a, b) in enumerate(state.added_judged, start=judged_from)
    ]
    provenance = [
        {"seq": seq, "document_id": document_id, "data_json": json.dumps(linker.provenance.log[document_id])}
        for seq, document_id in enumerate(linker.order[documents_from:], start=documents_from)
    ]
    quotes = list({
        (digest, document_id): {"digest": digest, "document_id": document_id, "seq": seq, "start": start, "end": end}
        for seq, document_id in enumerate(linker.order[documents_from:], start=documents_from)
        for digest, (start, end) in linker.provenance.log[document_id]["quotes"]
    }.values())
    return LinkerRows(head=framed, index=graph,
                      views=views, judged=judged, provenance=provenance, quotes=quotes)


def read_head(data: bytes, embedder: Embedder) -> dict[str, Any]:
    """The saved head's fields."""
    framed = unframe(data, _ROWS_MAGIC)
    if framed is None:
        raise StateError("not a saved claimgraph linker head (an older layout?); relink the corpus")
    header = framed[0]
    check_head(header, embedder)
    return header


def head(linker: Linker) -> dict[str, Any]:
    """What both forms keep besides rows (read back by `restore_head`)."""
    lines = linker.lines
    return {
        "embedder": linker.embedder.name,
        "dim": linker.embedder.dim,
        "members": linker.state.groups_in_order(),
        "vocabulary": linker.vocabulary.to_dict(),
        "documents": list(linker.order),  # in the order they were added
        "lines": {"roots": lines.roots, "resolved": lines.resolved, "outlet_keys": sorted(lines.outlet_keys),
                  "authors": lines.authors, "line_roots": lines.line_roots,
                  "voice_pairs": sorted(lines.voice_pairs)},
        "reliability": dict(linker.options.reliability),
    }


def check_head(header: dict[str, Any], embedder: Embedder) -> None:
    if header["embedder"] != embedder.name or header["dim"] != embedder.dim:
        raise StateError(f"the state was built with embedder {header['embedder']!r}, not {embedder.name!r}; relink")


def restore_head(linker: Linker, header: dict[str, Any]) -> None:
    """Vocabulary, cluster membership, the documents in the order they were added, and what the
    lines were last resolved from."""
    vocabulary = Vocabulary.from_dict(header["vocabulary"])
    linker.vocabulary.n, linker.vocabulary.df = vocabulary.n, vocabulary.df
    linker.state.set_groups(header["members"])
    linker.restored(header["documents"])
    saved, lines = header["lines"], linker.lines
    lines.roots, lines.resolved, lines.authors = dict(saved["roots"]), dict(saved["resolved"]), dict(saved["authors"])
    lines.outlet_keys = set(saved["outlet_keys"])
    lines.line_roots = dict(saved["line_roots"])
    lines.voice_pairs = {(a, b) for a, b in saved.get("voice_pairs", [])}
    lines.voice_group = voice_groups(lines.voice_pairs)
    lines.document_ids = set(header["documents"])


def lines_claims(lines: LineState, ids: list[str]) -> dict[str, Any]:
    return {c: [lines.claim_line[c], asdict(lines.claim_source[c])] for c in ids}


def view(fields_: dict[str, Any], **more: Any) -> ClaimView:
    # Times date a claim for the judge (incompatible dates).
    fields_["times"] = [TimeExpression(**t) for t in fields_.get("times", [])]
    return ClaimView(**fields_, **more)


def judgement(saved: dict[str, Any]) -> Judgement:
    return Judgement(**{**saved, "reasons": tuple(saved.get("reasons", ()))})


def _plain(value: Any) -> Any:
    """JSON-ready: time expressions as dicts."""
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return asdict(value) if isinstance(value, TimeExpression) else value
