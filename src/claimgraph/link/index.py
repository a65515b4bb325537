"""Approximate nearest-neighbour index over claim vectors (usearch HNSW, cosine).

Adding a document costs about that document: its vectors go into the graph and only its
claims are queried, so the linker never compares all pairs.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from claimgraph.errors import ClaimgraphError

_MAGIC = b"CGIX1"


def _usearch_index() -> type:
    # onnxruntime must be loaded before usearch: the other order segfaults at the first
    # onnxruntime session (usearch 2.26.6 + onnxruntime 1.31.1, seen on Linux x86-64).
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        pass
    from usearch.index import Index

    return Index  # format marker: bump when the byte layout below changes


class IndexError_(ClaimgraphError):
    """The neighbour index could not be built, read or queried."""


@dataclass(frozen=True)
class Neighbour:
    id: str
    similarity: float  # cosine similarity, 1.0 = identical direction


class NeighbourIndex:
    """Claim id -> vector, with k-nearest-neighbour queries by cosine similarity."""

    # Exhaustive search up to this many vectors (3000 queries: 1.1 s over 5k vectors against
    # 0.75 s through the graph; over 20k, 5.0 s against 1.2 s, so larger ledgers stay approximate).
    exact_below = 5_000

    def __init__(self, dim: int, *, connectivity: int = 16, expansion_search: int = 64) -> None:
        self.dim = dim
        self._index = _usearch_index()(
            ndim=dim, metric="cos", dtype="f32", connectivity=connectivity, expansion_search=expansion_search
        )
        self._ids: list[str] = []  # usearch keys are positions in this list
        self._keys: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, claim_id: object) -> bool:
        return claim_id in self._keys

    def add(self, ids: Sequence[str], vectors: np.ndarray, *, threads: int = 1) -> None:
        """Add vectors; an id already present is skipped (claim ids are stable across runs).

        `threads` > 1 (0: all cores) inserts in parallel, faster for a bulk load but with a
        graph, hence neighbours, that differ from run to run.
        """
        vectors = np.asarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[1] != self.dim or len(ids) != len(vectors):
            raise IndexError_(f"expected {len(ids)} vectors of dimension {self.dim}, got shape {vectors.shape}")
        fresh = [row for row, claim_id in enumerate(ids) if claim_id not in self._keys]
        if not fresh:
            return
        keys = np.arange(len(self._ids), len(self._ids) + len(fresh), dtype=np.uint64)
        for row in fresh:
            self._keys[ids[row]] = len(self._ids)
            self._ids.append(ids[row])
        # One thread by default: usearch's parallel insert makes a different graph from run to
        # run, so the same claims in the same order would get different neighbours (and clusters).
        self._index.add(keys, vectors[fresh], threads=threads)

    def query(self, vectors: np.ndarray, k: int) -> list[list[Neighbour]]:
        """The k nearest stored claims for each query vector, most similar first."""
        vectors = np.asarray(vectors, dtype=np.float32)
        if len(vectors) == 0 or not self._ids:
            return [[] for _ in range(len(vectors))]
        k = min(k, len(self._ids))
        # Below `exact_below` vectors, search exhaustively: exact neighbours do not depend on
        # how the HNSW graph was built, and a graph restored from bytes grows differently from
        # one built in a single pass (its level generator starts afresh), so approximate
        # neighbours could make an incremental link differ from a full relink.
        matches = self._index.search(vectors, k, exact=len(self._ids) <= self.exact_below)
        keys = np.atleast_2d(matches.keys)
        distances = np.atleast_2d(matches.distances)
        # usearch answers one query with Matches (no counts) and several with BatchMatches.
        counts = np.atleast_1d(matches.counts) if hasattr(matches, "counts") else np.array([keys.shape[1]])
        out: list[list[Neighbour]] = []
        for row in range(len(vectors)):
            out.append(
                [
                    Neighbour(self._ids[int(keys[row, col])], float(1.0 - distances[row, col]))
                    for col in range(int(counts[row]))
                ]
            )
        return out

    def to_bytes(self) -> bytes:
        header = json.dumps({"dim": self.dim, "ids": self._ids}).encode()
        return _MAGIC + struct.pack("<Q", len(header)) + header + bytes(self._index.save())

    @classmethod
    def from_bytes(cls, data: bytes) -> "NeighbourIndex":
        if not data.startswith(_MAGIC):
            raise IndexError_("not a claimgraph neighbour index (bad header); rebuild it with `link_corpus`")
        offset = len(_MAGIC)
        (size,) = struct.unpack_from("<Q", data, offset)
        offset += 8
        header = json.loads(data[offset : offset + size])
        index = cls(int(header["dim"]))
        index._ids = list(header["ids"])
        index._keys = {claim_id: key for key, claim_id in enumerate(index._ids)}
        index._index = _usearch_index().restore(bytearray(data[offset + size :]))
        return index

    def save(self, path: str | Path) -> None:
        Path(path).write_bytes(self.to_bytes())

    @classmethod
    def load(cls, path: str | Path) -> "NeighbourIndex":
        try:
            return cls.from_bytes(Path(path).read_bytes())
        except OSError as err:
            raise IndexError_(f"{path}: cannot read the neighbour index ({err})") from err
