"""How long an analyst's edits take to take effect through the API, on ../shared/corpus (30
documents) analysed and linked with the real models: a grade that reassesses, its undo, an upload
analysed and linked incrementally, and the freshness read every page makes.

    PYTHONPATH=src .venv/bin/python bench/bench_edits.py [--corpus ../shared/corpus]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter
from pathlib import Path

from fastapi.testclient import TestClient

from claimgraph.pipeline import ingest_paths
from claimgraph.ledger import run_store
from claimgraph.link.embed import LazyMiniLM
from claimgraph.store import open_store
from claimgraph.web.app import WebOptions, asgi_app

ROOT = Path(__file__).resolve().parents[1]
WRITE = {"X-Claimgraph-CSRF": "1"}
UPLOAD = (b"Title: Harbour plan approved\nOutlet: Harbour Gazette\nDate: 2024-03-04\n=====\n\n"
          b"The minister approved the harbour plan in secret, the Daily Ledger reported on Monday, citing two officials.\n")


def timed(label: str, call):  # noqa: ANN001, ANN201
    began = time.perf_counter()
    answer = call()
    print(f"{label:55s} {time.perf_counter() - began:7.2f} s  -> {answer.status_code}")
    return answer


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(str(Path(folder) / "ledger.db"))
        ingest_paths(store, [args.corpus])
        began = time.perf_counter()
        embedder = LazyMiniLM()
        run_store(store, embedder=embedder)
        print(f"{'run (analyse + link) of the corpus':55s} {time.perf_counter() - began:7.2f} s")
        with TestClient(asgi_app(WebOptions(allowed_hosts=None), store=store, embedder=embedder)) as client:
            # The origin of the line that supports most clusters: its grade is what their assessments read.
            support = Counter(line for a in client.get("/api/assessments?limit=500").json()["items"] for line in a["supporting_lines"])
            roots = {line["id"]: line["root"] for line in client.get("/api/lines?limit=500").json()["items"]}
            line = next(line for line, _ in support.most_common() if roots.get(line, "").startswith("source:"))
            source = {"id": roots[line]}
            print(f"grading {source['id']}, the origin of a line supporting {support[line]} clusters")
            before = {a["cluster"]: a["reliability"] for a in client.get("/api/assessments?limit=500").json()["items"]}
            made = timed("POST /api/sources/grade (B, reassesses)", lambda: client.post(
                "/api/sources/grade", json={"source": source["id"], "grade": "B"}, headers=WRITE))
            if made.status_code != 201:
                raise SystemExit(made.text)
            after = {a["cluster"]: a["reliability"] for a in client.get("/api/assessments?limit=500").json()["items"]}
            print(f"  assessments whose best reliability changed: {sum(before[k] != after.get(k) for k in before)} of {len(before)}")
            timed("POST /api/corrections/{id}/undo (reassesses)", lambda: client.post(
                f"/api/corrections/{made.json()['id']}/undo", headers=WRITE))
            timed("GET /api/freshness", lambda: client.get("/api/freshness"))
            upload = timed("POST /api/documents, analyse=true (analysed + linked)", lambda: client.post(
                "/api/documents", data={"analyse": "true"}, files=[("files", ("harbour.txt", UPLOAD, "text/plain"))], headers=WRITE))
            print(f"  freshness after the upload: {upload.json()['freshness']}")
        store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
