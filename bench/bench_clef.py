"""CLEF-2020 CheckThat! Task 2 (English): retrieve the verified claim a tweet repeats; MAP@5.

Usage: .venv/bin/python bench/bench_clef.py [--split test] [--threads N]
Data: ../shared/data/clef2020-checkthat-task2 (see its SOURCE_AND_LICENSE.md). Methods: BM25
(bm25s) over claim + title, the project's MiniLM embedder (cosine over claim and title), and
their fusion; the fusion weight is chosen on the dev split and then applied to the asked split.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import sys
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from claimgraph.link.embed import EmbedOptions, OnnxMiniLM  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "clef2020-checkthat-task2"


def read_tsv(path: Path, *, quoted: bool = True) -> list[list[str]]:
    # The claims file quotes fields that span lines; tweets contain bare quote marks.
    csv.field_size_limit(sys.maxsize)
    quoting = csv.QUOTE_MINIMAL if quoted else csv.QUOTE_NONE
    with path.open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.reader(handle, delimiter="\t", quoting=quoting)]


def load_split(split: str) -> tuple[dict[str, str], dict[str, set[str]]]:
    tweets = {r[0]: r[1] for r in read_tsv(DATA / split / "tweets.queries.tsv", quoted=False) if len(r) >= 2 and r[0] != "tweet_id"}
    qrels: dict[str, set[str]] = {}
    for line in (DATA / split / "tweet-vclaim-pairs.qrels").read_text().split("\n"):
        parts = line.split()
        if len(parts) >= 4 and parts[3] != "0":
            qrels.setdefault(parts[0], set()).add(parts[2])
    return tweets, qrels


def clean_tweet(text: str) -> str:
    # URLs and the trailing "— Name (@handle) date" signature carry no claim content.
    text = re.sub(r"https?://\S+|pic\.twitter\.com/\S+", " ", text)
    text = re.sub(r"\u2014\s*[^\u2014]*\(@\w+\)[^\u2014]*$", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def map_at_5(scores: np.ndarray, query_ids: list[str], doc_ids: list[str], qrels: dict[str, set[str]]) -> float:
    total = 0.0
    for row, qid in enumerate(query_ids):
        relevant = qrels.get(qid, set())
        top = np.argsort(-scores[row])[:5]
        hits, ap = 0, 0.0
        for rank, col in enumerate(top, start=1):
            if doc_ids[col] in relevant:
                hits += 1
                ap += hits / rank
        total += ap / len(relevant) if relevant else 0.0
    return total / len(query_ids)


def bm25_scores(corpus: list[str], queries: list[str]) -> np.ndarray:
    import bm25s

    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(corpus, stopwords="en", show_progress=False), show_progress=False)
    tokenized = bm25s.tokenize(queries, stopwords="en", return_ids=False, show_progress=False)
    return np.stack([retriever.get_scores(tokens) for tokens in tokenized]).astype(np.float32)


def minmax(scores: np.ndarray) -> np.ndarray:
    low, high = scores.min(axis=1, keepdims=True), scores.max(axis=1, keepdims=True)
    return (scores - low) / np.clip(high - low, 1e-9, None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", default="test", choices=["train", "dev", "test"])
    parser.add_argument("--threads", type=int, default=0)
    args = parser.parse_args()
    if not DATA.is_dir():
        raise SystemExit(f"{DATA} is absent")
    rows = [r for r in read_tsv(DATA / "verified_claims.docs.tsv") if len(r) >= 3 and r[0] != "vclaim_id"]
    doc_ids = [r[0] for r in rows]
    embedder = OnnxMiniLM(options=EmbedOptions(threads=args.threads))
    start = time.perf_counter()
    claim_vectors = embedder.embed([r[1] for r in rows])
    title_vectors = embedder.embed([r[2] for r in rows])
    embed_seconds = time.perf_counter() - start
    out: dict[str, object] = {"verified_claims": len(rows),
                              "embeddings_per_s": round(2 * len(rows) / embed_seconds, 1)}

    def scores_for(split: str) -> tuple[list[str], dict[str, set[str]], np.ndarray, np.ndarray]:
        tweets, qrels = load_split(split)
        query_ids = [q for q in tweets if q in qrels]
        queries = [clean_tweet(tweets[q]) for q in query_ids]
        bm25 = bm25_scores([f"{r[1]} {r[2]}" for r in rows], queries)
        vectors = embedder.embed(queries)
        dense = np.maximum(vectors @ claim_vectors.T, vectors @ title_vectors.T)
        return query_ids, qrels, bm25, dense

    dev_ids, dev_qrels, dev_bm25, dev_dense = scores_for("dev")
    weights = [round(w, 2) for w in np.arange(0.0, 1.01, 0.1)]
    dev_map = {w: map_at_5(w * minmax(dev_dense) + (1 - w) * minmax(dev_bm25), dev_ids, doc_ids, dev_qrels)
               for w in weights}
    best = max(dev_map, key=lambda w: (dev_map[w], -abs(w - 0.5)))
    ids, qrels, bm25, dense = scores_for(args.split)
    out.update({
        "split": args.split,
        "queries": len(ids),
        "map@5_bm25": round(map_at_5(bm25, ids, doc_ids, qrels), 4),
        "map@5_minilm": round(map_at_5(dense, ids, doc_ids, qrels), 4),
        "fusion_weight_from_dev": best,
        "map@5_dev_by_weight": {str(w): round(v, 4) for w, v in dev_map.items()},
        "map@5_fusion": round(map_at_5(best * minmax(dense) + (1 - best) * minmax(bm25), ids, doc_ids, qrels), 4),
    })
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
