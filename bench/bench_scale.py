"""Time the read side of a large ledger: report, overview, ACH matrix and export at 10^4 and 10^5 claims.

    PYTHONPATH=src HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_scale.py --work DIR [--sizes 10000 100000]
        [--repeat 3] [--hypotheses 5] [--skip export ach brief]

The first size is built as bench/bench_store_add.py builds its ledgers (the shared corpus's
analysed documents copied with words swapped, linked with word-hashing vectors under the
MiniLM's name; about 3 minutes for 10^4 claims on two cores), in its own process. A larger
size is that ledger's rows copied under suffixed ids (bench/bench_read_model.copy_rows) until it
holds that many claims, each copied assessment naming its own cluster again; events, provenance
and entities are not copied (they stay the first size's). Stores are kept in --work and reused.

Per size, the best of --repeat runs, wall and CPU seconds of this process (on a shared machine
the wall clock counts other people's work too):
- report_top10: build_report(store, top=10), as `claimgraph report` builds it;
- report_all: build_report(store), every cluster (the exports read this);
- brief: render_brief(store, "md"), read for what it shows (a report of the clusters it may name);
- overview: GET /api/overview through the web app in-process;
- ach_first / ach_second: ach_matrix with --hypotheses hypotheses against every cluster
  (HashingEmbedder: the model's own time, about 2 ms a text on one core, is not the ledger's);
- export: export_ledger (every document's analysis; once).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent


def _timed(call: Any, repeat: int) -> dict[str, float]:
    wall = cpu = float("inf")
    for _ in range(repeat):
        began, used = time.perf_counter(), time.process_time()
        call()
        wall, cpu = min(wall, time.perf_counter() - began), min(cpu, time.process_time() - used)
    return {"wall_s": round(wall, 3), "cpu_s": round(cpu, 3)}


def build(work: Path, claims: int, base: Path | None) -> Path:
    """A ledger of about `claims` claims in `work` (made once)."""
    db = work / f"scale-{claims}.db"
    if db.exists():
        return db
    if base is None:
        subprocess.run([sys.executable, str(BENCH / "bench_store_add.py"), "--step", "build", "--claims", str(claims),
                        "--db", str(db), "--work", str(work)], check=True)
        return db
    sys.path.insert(0, str(BENCH))
    from bench_read_model import copy_rows

    shutil.copy(base, db)
    with sqlite3.connect(base) as connection:
        have = connection.execute("SELECT count(*) FROM claims").fetchone()[0]
    copy_rows(str(db), max(1, round(claims / have)))
    with sqlite3.connect(db) as connection:  # a copied assessment names its own (copied) cluster
        connection.execute("UPDATE assessments SET data_json = json_set(data_json, '$.cluster', cluster_id) "
                           "WHERE instr(cluster_id, '~') > 0")
    return db


def measure(db: Path, *, repeat: int, hypotheses: int, skip: set[str]) -> dict[str, Any]:
    from claimgraph.report import build_report
    from claimgraph.store import open_store

    out: dict[str, Any] = {}
    with sqlite3.connect(db) as connection:
        out["ledger"] = {table: connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
                         for table in ("documents", "claims", "clusters", "lines", "links", "events")}
    with open_store(str(db)) as store:
        build_report(store, top=10)  # warm: imports done
        out["report_top10"] = _timed(lambda: build_report(store, top=10), repeat)
        out["report_all"] = _timed(lambda: build_report(store), 1)
        if "overview" not in skip:
            from fastapi.testclient import TestClient

            from claimgraph.link import HashingEmbedder
            from claimgraph.web.app import WebOptions, asgi_app

            client = TestClient(asgi_app(WebOptions(), store=store, embedder=HashingEmbedder()), base_url="http://127.0.0.1")
            status = client.get("/api/overview").status_code
            out["overview"] = _timed(lambda: client.get("/api/overview"), repeat) if status == 200 else f"HTTP {status}"
        if "brief" not in skip:
            from claimgraph.brief import render_brief

            out["brief"] = _timed(lambda: render_brief(store, "md"), 1)
        if "export" not in skip:
            from claimgraph.export import export_ledger

            out["export"] = _timed(lambda: export_ledger(store), 1)
    if "ach" not in skip:
        out.update(_ach(db, hypotheses))
    return out


def _ach(db: Path, hypotheses: int) -> dict[str, Any]:
    import random
    import tempfile

    sys.path.insert(0, str(BENCH))
    from bench_ach import sentence

    from claimgraph.assess.matrix import VectorMemo
    from claimgraph.link import HashingEmbedder
    from claimgraph.pipeline.ach_step import ach_matrix
    from claimgraph.store import ach, open_store

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "ach.db"
        shutil.copy(db, copy)
        with open_store(str(copy)) as store:
            rng = random.Random(7)
            for _ in range(hypotheses):
                ach.add_hypothesis(store, sentence(rng) + f" ({rng.randrange(10**6)})", who="bench")
            memo = VectorMemo(HashingEmbedder())
            first = _timed(lambda: ach_matrix(store, embedder=memo), 1)
            second = _timed(lambda: ach_matrix(store, embedder=memo), 1)
            return {"ach_first": first, "ach_second": second, "ach_cells": len(ach.cells(store))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, required=True, help="where the ledgers are built and kept")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--hypotheses", type=int, default=5)
    parser.add_argument("--skip", nargs="*", default=[], choices=["overview", "ach", "export", "brief"])
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    base: Path | None = None
    for claims in sorted(args.sizes):
        db = build(args.work, claims, base)
        base = base or db
        print(json.dumps({"claims_target": claims, **measure(db, repeat=args.repeat, hypotheses=args.hypotheses,
                                                              skip=set(args.skip))}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
