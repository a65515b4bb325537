"""Time the ACH matrix at 100 hypotheses x 200 evidence clusters (a synthetic ledger).

    PYTHONPATH=src HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_ach.py [--embedder minilm|minilm-nospin|minilm-ach|hashing] [--hypotheses 100] [--clusters 200]
    ... bench/bench_ach.py --db LINKED.db [--hypotheses 85]   # a copy of a real ledger, synthetic hypotheses added

Prints: the first read (every cell judged and stored, the texts' vectors kept in the ledger), the
first read of a new process (a memo of its own, a model not loaded, every cell judged again: the
vectors come from the ledger; the target is under 1 s), a second read (every judge cell cached),
a read after one more hypothesis (its column only is judged), a read with all 200 clusters chosen
as evidence, and GET /api/ach warm through the web app.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import delete

from claimgraph.assess.matrix import VectorMemo, judge_embedder
from claimgraph.link import HashingEmbedder
from claimgraph.link.embed import EmbedOptions, LazyMiniLM
from claimgraph.models import Analysis, Claim, RawDocument
from claimgraph.pipeline import ingest_document
from claimgraph.pipeline.ach_step import ach_matrix, load_evidence
from claimgraph.store import ach, open_store
from claimgraph.store.links import save_layer

ACTORS = ["the agency", "the ministry", "the minister", "the committee", "the bank", "the envoy", "the council", "the mayor",
          "the governor", "the board"]
ACTS = ["paid", "met", "warned", "funded", "recorded", "briefed", "hid documents from", "threatened", "lobbied", "advised"]
TARGETS = ["the candidate", "the contractor", "the rival party", "the court", "the press office", "the donors",
           "the auditors", "the regulator", "the union", "the embassy"]
WHEN = ["in March", "before the vote", "last year", "after the summit", "during the campaign"]


def sentence(rng: random.Random) -> str:
    return f"{rng.choice(ACTORS).capitalize()} {rng.choice(ACTS)} {rng.choice(TARGETS)} {rng.choice(WHEN)}"


def build(db: str, hypotheses: int, clusters: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    with open_store(db) as store:
        texts = [sentence(rng) for _ in range(clusters * 3)]
        made = ingest_document(store, RawDocument(origin="synthetic.txt", media_type="text/plain", text=". ".join(texts) + "."))
        doc = made.document_id
        claims, start = [], 0
        for i, text in enumerate(texts):
            polarity = "denied" if i % 3 == 0 and (i // 3) % 5 == 0 else "asserted"
            claims.append(Claim(id=f"{doc}:c{i:04d}", sentence_index=i, start=start, end=start + len(text),
                                sentence_start=start, sentence_end=start + len(text) + 1, text=text, content=text,
                                polarity=polarity))
            start += len(text) + 2
        store.save_analysis(Analysis(document_id=doc, claims=claims), analysed_at="2026-01-01T00:00:00+00:00")
        layer_clusters, links, assessments = [], [], []
        for k in range(clusters):
            members = claims[3 * k : 3 * k + 3]
            if (k % 5) == 0:  # a denial cluster: all its claims denied
                members = [Claim(**{**m.__dict__, "polarity": "denied"}) for m in members]
            layer_clusters.append({"id": f"K-{k:04d}", "anchor": members[0].id, "anchor_text": members[0].content,
                                   "parent": f"K-{k - 1:04d}" if k % 5 == 0 and k else None, "documents": [doc],
                                   "members": [{"claim": m.id, "relation": "same"} for m in members]})
            if k % 5 == 0 and k:
                links.append({"a": members[0].id, "b": claims[3 * (k - 1)].id, "relation": "contradicts", "score": 0.6,
                              "method": "bench"})
            assessments.append({"cluster": f"K-{k:04d}", "credibility": 1 + k % 6, "label": "", "reliability": "F",
                                "supporting_lines": [f"L{k % 40}"]})
        save_layer(store, {"clusters": layer_clusters, "links": links, "provenance": [], "lines": [], "events": [],
                           "assessments": assessments, "sourcing": []})
        for _ in range(hypotheses):
            ach.add_hypothesis(store, sentence(rng) + f" ({rng.randrange(10**6)})", who="bench")


def timed(label: str, call) -> object:  # type: ignore[no-untyped-def]
    began, cpu = time.perf_counter(), time.process_time()
    out = call()
    # CPU seconds of this process too: on a shared machine the wall clock counts other people's work
    print(f"{label:<52} {time.perf_counter() - began:7.3f} s  ({time.process_time() - cpu:6.3f} s CPU)")
    return out


def make_embedder(kind: str):  # type: ignore[no-untyped-def]
    if kind == "minilm-ach":
        return judge_embedder()
    if kind.startswith("minilm"):
        return LazyMiniLM(options=EmbedOptions(spin=kind == "minilm"))
    return HashingEmbedder()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embedder", choices=["minilm", "minilm-nospin", "minilm-ach", "hashing"], default="minilm",
                        help="minilm as the web app makes it; minilm-nospin with idle threads asleep; minilm-ach as "
                             "`claimgraph ach show` makes it (assess.matrix.judge_embedder: asleep, one thread)")
    parser.add_argument("--hypotheses", type=int, default=100)
    parser.add_argument("--clusters", type=int, default=200)
    parser.add_argument("--db", help="time a copy of this linked ledger instead of a synthetic one (its clusters)")
    args = parser.parse_args()
    embedder = make_embedder(args.embedder)
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "ach.db")
        if args.db:
            shutil.copy(args.db, db)
            with open_store(db) as store:
                rng = random.Random(7)
                for _ in range(args.hypotheses):
                    ach.add_hypothesis(store, sentence(rng) + f" ({rng.randrange(10**6)})", who="bench")
                args.clusters = len(load_evidence(store))
        else:
            build(db, args.hypotheses, args.clusters)
        with open_store(db) as store:
            embedder.embed(["warm the model up"])
            embedder = VectorMemo(embedder)  # as the web app keeps one
            first = timed(f"first read ({len(ach.list_hypotheses(store))}x{args.clusters}, every cell judged)",
                          lambda: ach_matrix(store, embedder=embedder))
            cells = len(ach.cells(store))
            second = timed("second read (judge cells cached)", lambda: ach_matrix(store, embedder=embedder))
            assert second["matrix"] == first["matrix"]  # type: ignore[index]
            ach.add_hypothesis(store, "The envoy hid documents from the auditors", who="bench")
            timed("after one more hypothesis (its column judged)", lambda: ach_matrix(store, embedder=embedder))
            for cluster in load_evidence(store):
                ach.add_evidence(store, cluster, who="bench")
            chosen = timed(f"all {args.clusters} clusters chosen as evidence", lambda: ach_matrix(store, embedder=embedder))
            print(f"cells stored: {cells}; rows now: {len(chosen['clusters'])}; "  # type: ignore[index]
                  f"non-N judge cells: {sum(c['rating'] != 'N' for c in chosen['cells'])}")  # type: ignore[index]

            from fastapi.testclient import TestClient

            from claimgraph.web.app import WebOptions, asgi_app

            with TestClient(asgi_app(WebOptions(allowed_hosts=None), store=store, embedder=embedder.embedder)) as client:
                client.get("/api/ach")
                response = timed("GET /api/ach (warm)", lambda: client.get("/api/ach"))
                assert response.status_code == 200  # type: ignore[attr-defined]
                timed("GET /ach?limit=50 (the page, warm)", lambda: client.get("/ach?limit=50"))
            # Last, not to change what the rows above read: a new process (a memo of its own, a model
            # not loaded) judging every cell again (say, a new judge version) takes the kept vectors.
            fresh = VectorMemo(make_embedder(args.embedder))
            cached = ach_matrix(store, embedder=embedder)
            with store.transaction() as connection:
                connection.execute(delete(ach.ach_cells))
            anew = timed(f"first read in a new process ({len(ach.list_hypotheses(store))}x{args.clusters}, vectors kept)",
                         lambda: ach_matrix(store, embedder=fresh))
            strip = lambda m: [{k: v for k, v in c.items() if k not in ("set_at", "origin", "set_by")} for c in m["cells"]]  # noqa: E731
            assert strip(anew) == strip(cached)
            print(f"{'':<52} model loaded: {getattr(fresh.embedder, '_model', None) is not None}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
