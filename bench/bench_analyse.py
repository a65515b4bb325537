"""Time analyse_document against the bare spaCy pipeline on the shared corpus (seeds + dev).

    .venv/bin/python bench/bench_analyse.py [--repeat N]

The target: the whole per-document step stays within 2x the bare parse of the same texts.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

from claimgraph.analyse import analyse_document, load_nlp
from claimgraph.analyse.pipeline import _entities, _prepare
from claimgraph.models import Document

SHARED = Path(__file__).resolve().parents[2] / "shared"


def corpus() -> list[Document]:
    paths = sorted((SHARED / "corpus" / "seeds").glob("*.txt")) + sorted((SHARED / "corpus" / "dev").glob("*.txt"))
    return [Document(id=p.name, content_hash="", origin=str(p), version=1, media_type="text/plain",
                     text=p.read_text(encoding="utf-8")) for p in paths]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs (default 3)")
    args = parser.parse_args()
    documents = corpus()
    if not documents:
        print(f"no documents under {SHARED / 'corpus'}", file=sys.stderr)
        return 1
    warnings.simplefilter("ignore")
    nlp = load_nlp()
    for document in documents[:3]:  # warm-up: first calls pay for lazy loading
        nlp(document.text)
        analyse_document(document, nlp=nlp)
    bare = full = float("inf")
    claims = 0
    for _ in range(args.repeat):
        start = time.perf_counter()
        for document in documents:
            nlp(_prepare(document.text))
        bare = min(bare, time.perf_counter() - start)
        start = time.perf_counter()
        claims = sum(len(analyse_document(document, nlp=nlp).claims) for document in documents)
        full = min(full, time.perf_counter() - start)
    # The entity step (a sibling module) separately: it dominates the cost above the parse.
    parsed = [(nlp(_prepare(d.text)), d) for d in documents]
    start = time.perf_counter()
    for doc, document in parsed:
        _entities(doc, document, document.zones)
    entities = time.perf_counter() - start
    chars = sum(len(d.text) for d in documents)
    print(f"documents {len(documents)}  chars {chars}  claims {claims}")
    print(f"bare spaCy   {bare:7.3f} s  ({bare / len(documents) * 1000:6.1f} ms/doc)")
    print(f"analyse      {full:7.3f} s  ({full / len(documents) * 1000:6.1f} ms/doc)")
    print(f"  entities   {entities:7.3f} s  (of the above; analyse.entities.find_entities)")
    print(f"ratio        {full / bare:7.2f}x  (target <= 2.0)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
