"""How often the ACH pre-fill agrees with a hand-rated gold on the seeds (bench/ach_gold.py).

    PYTHONPATH=src HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_ach_prefill.py [--db linked.db]

Without --db it ingests, analyses and links examples/seeds with MiniLM into a temporary ledger
(a minute or two); with --db it copies that ledger (the copy gets the hypotheses, the original
is left as it is). Prints accuracy over every hypothesis x cluster, and the recall of the C and I
cells (most cells are N, so accuracy alone flatters a judge that says N everywhere).
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path
import shutil
import sys
import tempfile

from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ach_gold import GOLD, gold_cells, sign  # noqa: E402

from claimgraph.ledger import ach_matrix  # noqa: E402
from claimgraph.store import ach, open_store  # noqa: E402
from claimgraph.store import schema as t  # noqa: E402

SEEDS = Path(__file__).resolve().parents[1] / "examples" / "seeds"


def claims_by_cluster(store) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    with store.engine.connect() as connection:
        for row in connection.execute(select(t.clusters.c.id, t.clusters.c.anchor)):
            out.setdefault(row.id, []).append(row.anchor)
        for cluster_id, content, text in connection.execute(
                select(t.cluster_members.c.cluster_id, t.claims.c.content, t.claims.c.text)
                .join(t.claims, t.claims.c.id == t.cluster_members.c.claim_id)):
            out.setdefault(cluster_id, []).extend([content, text])
    return out


def score(db: str) -> dict[str, float]:
    with open_store(db) as store:
        ids = {ach.add_hypothesis(store, text, who="bench"): text for text in GOLD}
        ach_matrix(store)
        predicted = {(ids[c.hypothesis], c.cluster): sign(c.rating) for c in ach.cells(store) if c.hypothesis in ids}
        gold = gold_cells(claims_by_cluster(store))
    pairs = sorted(gold)
    confusion = Counter((gold[p], predicted.get(p, "N")) for p in pairs)
    result = {"cells": len(pairs), "accuracy": sum(gold[p] == predicted.get(p, "N") for p in pairs) / len(pairs)}
    for label in ("C", "I"):
        total = sum(n for (g, _), n in confusion.items() if g == label)
        said = sum(n for (_, p), n in confusion.items() if p == label)
        result[f"{label} recall"] = confusion[(label, label)] / total if total else 0.0
        result[f"{label} precision"] = confusion[(label, label)] / said if said else 0.0
    print("gold \\ predicted  " + "  ".join(f"{x:>3}" for x in "CIN"))
    for g in "CIN":
        print(f"{g:>16}  " + "  ".join(f"{confusion[(g, p)]:>3}" for p in "CIN"))
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="a ledger of the seeds already linked (copied, never changed)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "seeds.db")
        if args.db:
            shutil.copy(args.db, db)
        else:
            from claimgraph.pipeline import ingest_paths
            from claimgraph.ledger import run_store

            with open_store(db) as store:
                ingest_paths(store, [SEEDS])
                run_store(store)
        for key, value in score(db).items():
            print(f"{key:>12}: {value:.3f}" if isinstance(value, float) else f"{key:>12}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
