"""Approximate nearest-neighbour index over claim vectors (usearch HNSW, cosine).

Adding a document costs about that document: its vectors go into the graph and only its
claims are queried, so the linker never compares all pairs.

A store keeps the graph as a frozen base (read as a view of its saved bytes, never rewritten
by an add) and the vectors added since in its claim-view rows: queries search both, the
recent ones exhaustively, and `compact` moves them into the graph once they are many.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import numpy as np

from claimgraph.errors import ClaimgraphError
from claimgraph.records import frame, unframe

if TYPE_CHECKING:
    from usearch.index import Index

_MAGIC = b"CGIX1"


def _usearch_index() -> type[Index]:
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

    def __init__(self, dim: int, *, connectivity: int = 16, expansion_search: int = 64, empty: bool = False) -> None:
        self.dim = dim
        # `empty`: no graph yet (from_bytes sets the saved one; making one to throw away costs 50 ms)
        self._index: Index | None = None if empty else _usearch_index()(
            ndim=dim, metric="cos", dtype="f32", connectivity=connectivity, expansion_search=expansion_search
        )
        self._ids: list[str] = []  # usearch keys are positions in this list
        self._keys: dict[str, int] = {}
        # A frozen base (`freeze`): later vectors wait here, searched exhaustively, until `compact`.
        self.frozen = False
        self._recent_ids: list[str] = []
        self._recent: list[np.ndarray] = []
        self._stacked: np.ndarray | None = None  # np.stack(self._recent), made once per change
        self._recent_keys: set[str] = set()
        self._buffer: memoryview | None = None  # the saved bytes a viewed base reads from

    def __len__(self) -> int:
        return len(self._ids) + len(self._recent_ids)

    def __contains__(self, claim_id: object) -> bool:
        return claim_id in self._keys or claim_id in self._recent_keys

    @property
    def base_size(self) -> int:
        """Vectors in the graph (the rest were added since it was frozen)."""
        return len(self._ids)

    @property
    def recent_size(self) -> int:
        return len(self._recent_ids)

    compact_at = 2_000  # vectors waiting outside the graph before it is compacted, at least

    def crowded(self) -> bool:
        """Enough vectors wait outside the graph that it is time to `compact` (a tenth of the
        graph, at least `compact_at`: exhaustive search over them stays a few milliseconds a query)."""
        return self.recent_size >= max(self.compact_at, self.base_size // 10)

    def freeze(self) -> None:
        """Keep the graph as it is: vectors added from now on are searched exhaustively."""
        self.frozen = True

    def add_recent(self, ids: Sequence[str], vectors: np.ndarray) -> None:
        """Vectors added after the graph was frozen (restored from the store's rows)."""
        vectors = np.asarray(vectors, dtype=np.float32).reshape(len(ids), self.dim)
        for claim_id, vector in zip(ids, vectors):
            if claim_id not in self:
                self._recent_ids.append(claim_id)
                self._recent.append(vector)
                self._stacked = None
                self._recent_keys.add(claim_id)

    def compact(self) -> None:
        """Move the recent vectors into the graph (in the order they came) and thaw it."""
        if self._buffer is not None:  # a view cannot grow: copy it first
            self._index = _usearch_index().restore(bytearray(self._buffer))
            self._buffer = None
        ids, vectors = self._recent_ids, self._recent
        self._recent_ids, self._recent, self._recent_keys, self._stacked = [], [], set(), None
        self.frozen = False
        if ids:
            self.add(ids, np.stack(vectors))

    def add(self, ids: Sequence[str], vectors: np.ndarray, *, threads: int = 1) -> None:
        """Add vectors; an id already present is skipped (claim ids are stable across runs).

        `threads` > 1 (0: all cores) inserts in parallel, faster for a bulk load but with a
        graph, hence neighbours, that differ from run to run.
        """
        vectors = np.asarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[1] != self.dim or len(ids) != len(vectors):
            raise IndexError_(f"expected {len(ids)} vectors of dimension {self.dim}, got shape {vectors.shape}")
        fresh = [row for row, claim_id in enumerate(ids) if claim_id not in self]
        if not fresh:
            return
        if self.frozen:
            self.add_recent([ids[row] for row in fresh], vectors[fresh])
            return
        keys = np.arange(len(self._ids), len(self._ids) + len(fresh), dtype=np.uint64)
        for row in fresh:
            self._keys[ids[row]] = len(self._ids)
            self._ids.append(ids[row])
        # One thread by default: usearch's parallel insert makes a different graph from run to
        # run, so the same claims in the same order would get different neighbours (and clusters).
        self._graph.add(keys, vectors[fresh], threads=threads)

    @property
    def _graph(self) -> Index:
        assert self._index is not None, "an index made `empty` gets its graph from from_bytes"
        return self._index

    def query(self, vectors: np.ndarray, k: int) -> list[list[Neighbour]]:
        """The k nearest stored claims for each query vector, most similar first."""
        vectors = np.asarray(vectors, dtype=np.float32)
        if len(vectors) == 0 or not len(self):
            return [[] for _ in range(len(vectors))]
        # Below `exact_below` vectors, search exhaustively: exact neighbours do not depend on
        # how the HNSW graph was built, and a graph restored from bytes grows differently from
        # one built in a single pass (its level generator starts afresh), so approximate
        # neighbours could make an incremental link differ from a full relink.
        exact = len(self) <= self.exact_below
        # Exhaustive answers are put in one order whatever the layout: most similar first, then
        # the earlier added. Each part is asked for more than k, so that claims tied with the
        # k-th (equal vectors: re-reported sentences) are all seen before the cut.
        wanted = 4 * k if exact else k
        out: list[list[tuple[float, int, str]]] = [[] for _ in range(len(vectors))]
        if self._ids:
            self._collect(out, self._graph.search(vectors, min(wanted, len(self._ids)), exact=exact), self._ids, 0)
        if self._recent_ids:
            from usearch.index import search

            # The same kernel as the graph's exhaustive search, so the same similarities.
            if self._stacked is None:
                self._stacked = np.stack(self._recent)
            recent = self._stacked
            self._collect(out, search(recent, vectors, min(wanted, len(recent)), "cos", exact=True), self._recent_ids,
                          len(self._ids))
        return [[Neighbour(claim_id, 1.0 - distance) for distance, _, claim_id in sorted(row)[:k]] for row in out]

    @staticmethod
    def _collect(out: list[list[tuple[float, int, str]]], matches: object, ids: list[str], offset: int) -> None:
        keys = np.atleast_2d(matches.keys)  # type: ignore[attr-defined]
        distances = np.atleast_2d(matches.distances)  # type: ignore[attr-defined]
        # usearch answers one query with Matches (no counts) and several with BatchMatches.
        counts = np.atleast_1d(matches.counts) if hasattr(matches, "counts") else np.array([keys.shape[1]])
        for row, (count, row_keys, row_distances) in enumerate(zip(counts.tolist(), keys.tolist(), distances.tolist())):
            out[row].extend((d, offset + k, ids[k]) for k, d in zip(row_keys[:count], row_distances[:count]))

    def to_bytes(self) -> bytes:
        """The graph (and its ids); vectors added since it was frozen are not in it: compact first."""
        if self._recent_ids:
            raise IndexError_("the index holds vectors outside its graph; compact it before saving")
        return frame(_MAGIC, {"dim": self.dim, "ids": self._ids}) + bytes(self._graph.save())  # type: ignore[arg-type]  # bytes: save() with no path

    @classmethod
    def from_bytes(cls, data: bytes, *, view: bool = False) -> "NeighbourIndex":
        """A saved index; `view` reads the graph in place (no copy), frozen: later vectors wait
        outside it until `compact`."""
        framed = unframe(data, _MAGIC)
        if framed is None:
            raise IndexError_("not a claimgraph neighbour index (bad header); rebuild it with `link_corpus`")
        header, offset = framed
        index = cls(int(header["dim"]), empty=True)
        index._ids = list(header["ids"])
        index._keys = {claim_id: key for key, claim_id in enumerate(index._ids)}
        if view:
            index._buffer = memoryview(data)[offset:]
            index._index = _usearch_index().restore(index._buffer, view=True)
            index.frozen = True
        else:
            index._index = _usearch_index().restore(bytearray(data[offset:]))
        return index

    def save(self, path: str | Path) -> None:
        Path(path).write_bytes(self.to_bytes())

    @classmethod
    def load(cls, path: str | Path) -> "NeighbourIndex":
        try:
            return cls.from_bytes(Path(path).read_bytes())
        except OSError as err:
            raise IndexError_(f"{path}: cannot read the neighbour index ({err})") from err
