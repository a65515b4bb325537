"""Show the gold clusters of the seeds next to the ledger's clusters, claim by claim.

    .venv/bin/claimgraph --db /tmp/s.db run examples/seeds
    .venv/bin/python bench/diagnose_clusters.py /tmp/s.db [--pairs]

For each gold cluster: its members, the matched ledger claim's proposition and the ledger
cluster it sits in. --pairs lists the gold pairs the ledger misses and the pairs it adds.
"""

from __future__ import annotations

import argparse
import json
from itertools import combinations
from pathlib import Path

from claimgraph.eval.claims import score_claims
from claimgraph.eval.evaluation import _by_document
from claimgraph.eval.gold import index_gold
from claimgraph.eval.match import match_documents
from claimgraph.export import export_ledger
from claimgraph.store import open_store

SHARED = Path(__file__).resolve().parents[2] / "shared"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db")
    parser.add_argument("--pairs", action="store_true")
    args = parser.parse_args()
    gold = json.loads((SHARED / "gold" / "seeds.json").read_text(encoding="utf-8"))
    with open_store(args.db) as store:
        ledger = export_ledger(store)
    index = index_gold(gold)
    documents = match_documents(ledger.get("documents") or [], index.doc_ids)
    ledger_to_gold = {str(d["id"]): doc_id for doc_id, d in documents.items()}
    _, matching = score_claims(index, _by_document(ledger["claims"], ledger_to_gold), set(documents))
    cluster_of: dict[str, str] = {}
    for cluster in ledger.get("clusters") or []:
        for member in cluster.get("members") or []:
            cluster_of[str(member["claim"] if isinstance(member, dict) else member)] = str(cluster["id"])
    gold_text = {c["id"]: c.get("text", "") for c in gold["claims"]}
    prop = {str(c["id"]): c.get("proposition") or c.get("content") or c.get("text") for c in ledger["claims"]}
    system_of = {}
    for gid, claim in matching.pairs.items():
        system_of[gid] = (str(claim["id"]), cluster_of.get(str(claim["id"]), "-"))
    for cluster in gold["clusters"]:
        print(f"\n{cluster['id']} (parent {cluster.get('parent')}): {cluster['anchor']}")
        for member in cluster["members"]:
            gid = member["claim"]
            sid, cid = system_of.get(gid, (None, "unmatched"))
            print(f"  {gid:9s} {member['relation']:13s} -> {cid:10s} | {(prop.get(sid) or gold_text[gid])[:110]}")
    if args.pairs:
        groups: dict[str, set[str]] = {}
        for cluster in gold["clusters"]:
            for member in cluster["members"]:
                groups.setdefault(member["claim"], set()).add(cluster["id"])
        claims = sorted(c["id"] for c in gold["claims"] if c["in_scope"] and c["id"] in matching.pairs)
        print("\nadded pairs (ledger only):")
        for a, b in combinations(claims, 2):
            same_sys = system_of[a][1] != "-" and system_of[a][1] == system_of[b][1]
            if same_sys and not groups.get(a, set()) & groups.get(b, set()):
                print(f"  {a} {b} in {system_of[a][1]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
