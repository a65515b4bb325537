"""Saving and restoring a `Linker` between runs, so adding a document later stays incremental.

One bytes blob: a JSON header (claim views without vectors, judged pairs, cluster
membership, vocabulary) followed by the float32 vectors and the neighbour index. Documents
and analyses are not in it: the store has them, and provenance is rebuilt from them
without embedding anything.
"""

from __future__ import annotations

import json
import struct
from typing import Any

import numpy as np

from claimgraph.errors import ClaimgraphError
from claimgraph.link.corpus import Linker, LinkOptions
from claimgraph.link.embed import Embedder
from claimgraph.link.index import NeighbourIndex
from claimgraph.link.judge import ClaimView, Judge, Judgement, Vocabulary
from claimgraph.models import Analysis, Document

_MAGIC = b"CGLS1"  # bump when the layout changes
_VIEW_FIELDS = ("id", "document_id", "content", "proposition", "people", "sentence_index", "polarity", "hedging", "speaker", "chain",
                "published", "terms")


class StateError(ClaimgraphError):
    """A saved linker state cannot be read; relink the corpus with `link_corpus`."""


def linker_to_bytes(linker: Linker) -> bytes:
    state = linker.state
    ids = list(state.views)
    header: dict[str, Any] = {
        "embedder": linker.embedder.name,
        "dim": linker.embedder.dim,
        "views": [{f: getattr(state.views[i], f) for f in _VIEW_FIELDS} for i in ids],
        "judged": [[a, b, j.to_dict()] for (a, b), j in state.judged.items()],
        "members": list(state._members.values()),
        "vocabulary": linker.vocabulary.to_dict(),
        "documents": sorted(linker.inputs),
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
    vocabulary = Vocabulary.from_dict(header["vocabulary"])
    linker.vocabulary.n, linker.vocabulary.df = vocabulary.n, vocabulary.df
    state = linker.state
    for row, fields in enumerate(header["views"]):
        state.views[fields["id"]] = ClaimView(**fields, vector=vectors[row])
    for a, b, judgement in header["judged"]:
        judgement["reasons"] = tuple(judgement.get("reasons", ()))
        state.judged[(a, b)] = Judgement(**judgement)
    for members in header["members"]:
        root = members[0]
        state._members[root] = list(members)
        for member in members:
            state._parent[member] = root
    saved = set(header["documents"])
    for document, analysis in inputs:
        if document.id in saved:
            linker.inputs[document.id] = (document, analysis)
            linker.provenance.add(document, analysis)
    return linker
