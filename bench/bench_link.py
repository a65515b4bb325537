"""Linker quality on the seed gold, and linker speed.

Usage:
  .venv/bin/python bench/bench_link.py                 # cluster P/R/F1, hard negatives, lines on gold claims
  .venv/bin/python bench/bench_link.py --speed 100000  # embeddings/s and one document's add into N claims
The gold run builds claims from ../shared/gold/seeds.json itself (the extractor is not involved).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from claimgraph.link import LinkOptions, NeighbourIndex, OnnxMiniLM, link_corpus  # noqa: E402
from claimgraph.link.clusters import ClusterState  # noqa: E402
from claimgraph.link.embed import EmbedOptions, normalise  # noqa: E402
from claimgraph.link.gold import evaluate_links, gold_inputs  # noqa: E402
from claimgraph.link.judge import ClaimView, StructuralJudge  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared"


def gold_run(threads: int) -> dict:
    gold = json.loads((SHARED / "gold" / "seeds.json").read_text(encoding="utf-8"))
    inputs = gold_inputs(gold, SHARED / "corpus" / "seeds")
    embedder = OnnxMiniLM(options=EmbedOptions(threads=threads))
    start = time.perf_counter()
    result = link_corpus(inputs, embedder=embedder, options=LinkOptions())
    scores = evaluate_links(gold, result)
    scores["seconds"] = round(time.perf_counter() - start, 2)
    scores["clusters"] = len(result.clusters)
    scores["grades"] = {c.anchor: a.line for c, a in zip(result.clusters, result.assessments)}
    return scores


def speed_run(n: int, threads: int, per_document: int = 40) -> dict:
    embedder = OnnxMiniLM(options=EmbedOptions(threads=threads))
    rng = np.random.default_rng(0)
    clef = SHARED / "data" / "clef2020-checkthat-task2" / "verified_claims.docs.tsv"
    if clef.is_file():  # real claim sentences make realistic neighbourhoods
        lines = clef.read_text(encoding="utf-8").splitlines()[1:]
        sentences = [line.split("\t")[1] for line in lines if line.count("\t") >= 2][:2048]
    else:
        words = "putin trump kremlin election spy agency leaked documents guardian report council moscow " \
                "sanctions campaign hacked emails memo source official minister security president".split()
        sentences = [" ".join(rng.choice(words, size=int(rng.integers(8, 30)))) for _ in range(2048)]
    start = time.perf_counter()
    vectors = embedder.embed(sentences)
    rate = len(sentences) / (time.perf_counter() - start)
    # n synthetic claims: random directions around the real vectors (no need to embed 10^5 texts).
    base = vectors[rng.integers(0, len(vectors), size=n)] + rng.normal(0, 0.05, size=(n, embedder.dim)).astype(np.float32)
    index = NeighbourIndex(embedder.dim)
    start = time.perf_counter()
    index.add([f"s{i}" for i in range(n)], normalise(base), threads=0)  # a bulk load: parallel, not reproducible
    build = time.perf_counter() - start
    state = ClusterState(index, StructuralJudge())
    for i in range(n):  # the clusterer only needs views for ids it meets as neighbours
        state.views[f"s{i}"] = ClaimView(id=f"s{i}", document_id=f"d{i // per_document}", content=sentences[i % len(sentences)],
                                         sentence_index=i % per_document, vector=base[i])
        state._parent[f"s{i}"] = f"s{i}"
        state._members[f"s{i}"] = [f"s{i}"]
    new_texts = sentences[:per_document]  # re-reports of stored claims: the worst case for judging
    start = time.perf_counter()
    new_vectors = embedder.embed(new_texts)
    views = [ClaimView(id=f"new{i}", document_id="new", content=t, sentence_index=i, vector=v)
             for i, (t, v) in enumerate(zip(new_texts, new_vectors))]
    pairs = state.add(views)
    add_one = time.perf_counter() - start
    return {"embeddings_per_s": round(rate, 1), "threads": threads or "ort-default", "index_claims": n,
            "index_build_s": round(build, 2), "document_claims": per_document,
            "add_document_s": round(add_one, 3), "pairs_judged": len(pairs)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--speed", type=int, metavar="N", help="index N synthetic claims and time one document's add")
    parser.add_argument("--threads", type=int, default=0, help="onnxruntime intra-op threads (0 = default)")
    args = parser.parse_args()
    if args.speed:
        print(json.dumps(speed_run(args.speed, args.threads), indent=2))
        return
    if not (SHARED / "gold" / "seeds.json").is_file():
        raise SystemExit(f"no gold at {SHARED / 'gold' / 'seeds.json'}")
    print(json.dumps(gold_run(args.threads), indent=2))


if __name__ == "__main__":
    main()
