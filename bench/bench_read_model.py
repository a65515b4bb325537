"""Time the read model an analyst's first screens use, on a large ledger.

    .venv/bin/python bench/bench_read_model.py LEDGER.db [--repeat 3] [--copies 5]

Build a ledger first (bench/bench_store_add.py --claims 20000 --work DIR --adds 0 leaves
DIR/ledger-20000.db). --copies N first copies its documents, claims and cross-document rows
N-1 more times under suffixed ids (a SQLite file only; it is changed in place, so point it
at a copy): 5 copies of a 20k-claim ledger give a 10^5-claim read model in a minute, where
building one through the pipeline takes a quarter of an hour. Each route is called in-process through the ASGI app (as a browser
would, guards included) and the best of --repeat runs is printed in seconds, with the
ledger's size. The report is timed as `claimgraph report` builds it.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any


def _best(call: Any, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - start)
    return round(best, 3)


# Per table, the columns holding an id that a copy suffixes (its first one tells originals from copies).
_IDS = {
    "documents": ("id", "content_hash"), "zones": ("document_id",), "analyses": ("document_id",),
    "claims": ("id", "document_id"), "clusters": ("id", "anchor_claim", "parent"),
    "cluster_members": ("cluster_id", "claim_id"), "links": ("a", "b"), "lines": ("id",),
    "claim_lines": ("claim_id", "document_id", "line_id"), "assessments": ("cluster_id",),
    "link_provenance": ("document_id",),
}


def copy_rows(db: str, copies: int) -> None:
    """The ledger's rows copied `copies - 1` more times, ids suffixed "~k" (SQLite)."""
    import sqlite3

    connection = sqlite3.connect(db)
    for k in range(1, copies):
        for table, ids in _IDS.items():
            columns = [row[1] for row in connection.execute(f'PRAGMA table_info("{table}")')]
            top = connection.execute(f'SELECT coalesce(max(seq), 0) + 1 FROM "{table}"').fetchone()[0] if "seq" in columns else 0
            values = [f"\"{c}\" || '~{k}'" if c in ids else (f"seq + {top}" if c == "seq" else f'"{c}"') for c in columns]
            quoted = ", ".join(f'"{c}"' for c in columns)
            connection.execute(f'INSERT INTO "{table}" ({quoted}) SELECT {", ".join(values)} FROM "{table}" '
                               f"WHERE instr(\"{ids[0]}\", '~') = 0")
        connection.commit()
    connection.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--report", action="store_true", help="also time the whole report (build_report)")
    parser.add_argument("--copies", type=int, default=1, help="copy the ledger's rows this many times first (changes the file)")
    args = parser.parse_args()
    if args.copies > 1:
        copy_rows(args.db, args.copies)

    from fastapi.testclient import TestClient
    from sqlalchemy import func, select

    from claimgraph.link import HashingEmbedder
    from claimgraph.store import open_store
    from claimgraph.store import schema as t
    from claimgraph.web.app import WebOptions, asgi_app

    store = open_store(args.db)
    with store.engine.connect() as connection:
        size = {name: connection.execute(select(func.count()).select_from(table)).scalar_one()
                for name, table in (("documents", t.documents), ("claims", t.claims), ("clusters", t.clusters),
                                    ("links", t.links), ("assessments", t.assessments))}
        biggest = connection.execute(
            select(t.cluster_members.c.cluster_id).group_by(t.cluster_members.c.cluster_id).order_by(func.count().desc()).limit(1)
        ).scalar()
    client = TestClient(asgi_app(WebOptions(), store=store, embedder=HashingEmbedder()), base_url="http://127.0.0.1")
    routes = ["/", "/overview", "/api/overview", "/clusters", "/api/clusters", f"/clusters/{biggest}", f"/api/clusters/{biggest}"]
    seconds: dict[str, Any] = {}
    for route in routes:
        status = client.get(route).status_code  # warm: templates compiled, imports done
        seconds[route] = _best(lambda: client.get(route), args.repeat) if status == 200 else f"HTTP {status}"
    if args.report:
        from claimgraph.report import build_report

        seconds["report"] = _best(lambda: build_report(store), 1)
    print(json.dumps({"ledger": size, "seconds": seconds}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
