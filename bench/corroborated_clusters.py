"""List the clusters that two or more independent lines back, member by member, for reading through.

    .venv/bin/claimgraph --db /tmp/c.db run ../shared/corpus
    .venv/bin/python bench/corroborated_clusters.py /tmp/c.db [--pairs OTHER.db]

These are the clusters whose grade says "corroborated": a wrong member there tells the analyst
that independent sources agree when they do not. No gold exists for ../shared/corpus, so this
prints what a reader judges (docs/linking.md gives the last read-through). --pairs compares the
cross-document pairs inside clusters with another ledger of the same documents (say, linked by
an earlier version): the pairs each one has alone.
"""

from __future__ import annotations

import argparse
from typing import Any

from claimgraph.export import export_ledger
from claimgraph.store import open_store


def _ledger(db: str) -> dict[str, Any]:
    with open_store(db) as store:
        return export_ledger(store)


def _cross_pairs(ledger: dict[str, Any]) -> dict[frozenset[str], str]:
    pairs = {}
    for cluster in ledger["clusters"]:
        ids = [m["claim"] for m in cluster["members"]]
        for i, a in enumerate(ids):
            for b in ids[i + 1:]:
                if a.split(":")[0] != b.split(":")[0]:
                    pairs[frozenset((a, b))] = cluster["anchor_text"]
    return pairs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db")
    parser.add_argument("--pairs", metavar="OTHER_DB", help="another ledger of the same documents")
    args = parser.parse_args()
    ledger = _ledger(args.db)
    claims = {c["id"]: c for c in ledger["claims"]}
    outlets = {d["id"]: d.get("outlet") or d.get("title") or d["origin"] for d in ledger["documents"]}
    assessed = {a["cluster"]: a for a in ledger["assessments"]}
    corroborated = [c for c in ledger["clusters"] if len(assessed.get(c["id"], {}).get("supporting_lines", [])) >= 2]
    print(f"{len(ledger['clusters'])} clusters, {len(corroborated)} backed by two or more independent lines, "
          f"{len(_cross_pairs(ledger))} cross-document pairs inside clusters")
    for cluster in corroborated:
        grade = assessed[cluster["id"]]
        print(f"\n{cluster['id']} ({len(grade['supporting_lines'])} lines, credibility {grade['credibility']}): "
              f"{cluster['anchor_text']}")
        for member in cluster["members"]:
            claim = claims[member["claim"]]
            print(f"  {member['relation']:<13} {outlets[claim['document_id']][:28]:<28} {claim['content'][:110]}")
    if args.pairs:
        mine, other = _cross_pairs(ledger), _cross_pairs(_ledger(args.pairs))
        for label, pairs, names in (("only here", set(mine) - set(other), mine), ("only there", set(other) - set(mine), other)):
            print(f"\n{label}: {len(pairs)} pairs")
            for pair in sorted(pairs, key=lambda p: names[p]):
                a, b = sorted(pair)
                print(f"  [{names[pair][:40]}] {claims.get(a, {}).get('content', a)[:70]} || {claims.get(b, {}).get('content', b)[:70]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
