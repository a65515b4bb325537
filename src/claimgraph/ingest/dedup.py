"""Exact and near-duplicate detection: a content hash, and MinHash with LSH band buckets."""

from __future__ import annotations

import hashlib
import re
import unicodedata

import numpy as np
from datasketch import MinHash

from claimgraph.models import Zone

NUM_PERM = 128
BANDS = 32  # 32 bands of 4 rows: pairs above ~0.42 Jaccard share a bucket with high probability
ROWS = NUM_PERM // BANDS
SHINGLE = 3
WORD = re.compile(r"\w+")
# Text that is not the document's own content: a near-duplicate is about the body.
NOT_CONTENT = frozenset({"header", "furniture", "related_link", "caption"})


def normalise(text: str) -> str:
    """Content as compared for exact duplicates: NFKC, quotes unified, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text)
    text = text.translate(str.maketrans("‘’“”", "''\"\""))
    return " ".join(text.split())


def content_hash(text: str) -> str:
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()


def content_text(text: str, zones: list[Zone]) -> str:
    """The document's own content: the text less header, furniture, captions and promos."""
    if not zones:
        return text
    parts = [text[z.start : z.end] for z in sorted(zones, key=lambda z: z.start) if z.kind not in NOT_CONTENT]
    return "\n".join(parts)


def minhash(text: str) -> MinHash:
    words = [w.lower() for w in WORD.findall(normalise(text))]
    signature = MinHash(num_perm=NUM_PERM, seed=1)
    shingles = {" ".join(words[i : i + SHINGLE]) for i in range(max(1, len(words) - SHINGLE + 1))}
    signature.update_batch([s.encode("utf-8") for s in shingles if s])
    return signature


def band_buckets(signature: MinHash) -> list[tuple[int, str]]:
    """The LSH keys of a signature: one (band, bucket) per band."""
    values = signature.hashvalues
    return [
        (band, hashlib.blake2b(values[band * ROWS : (band + 1) * ROWS].tobytes(), digest_size=16).hexdigest())
        for band in range(BANDS)
    ]


def to_bytes(signature: MinHash) -> bytes:
    return signature.hashvalues.astype(np.uint64).tobytes()


def similarity(signature: MinHash, stored: bytes) -> float:
    """Estimated Jaccard similarity between a signature and a stored one."""
    other = np.frombuffer(stored, dtype=np.uint64)
    return float(np.count_nonzero(signature.hashvalues.astype(np.uint64) == other)) / NUM_PERM
