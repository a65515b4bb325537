"""Per proposition of the lines gold, each matched claim with its gold group and its line in the
ledger: where a count is over or under, which claims split or merged lines.

usage: python bench/lines_diagnose.py EXPORT.json [GOLD] [--all] [--names] [--score odd|even|P01,P03]
(--names: every line's name with its number of claims, largest first, to read them over;
--score HALF: the flat cluster and cluster-family pairwise figures over the pairs with a claim of
the odd- or even-numbered propositions, or of the ones listed, then stop: tune on one half, hold
out the other)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from claimgraph.eval.lines_gold import (
    _match_claims,
    find_corpus_root,
    gold_claims,
    packaged_lines_gold,
    proposition_subset,
    read_lines_gold,
    score_lines_gold,
)
from claimgraph.eval.match import match_documents


def main(argv: list[str]) -> int:
    show_all = "--all" in argv
    which = None
    if "--score" in argv:
        at = argv.index("--score")
        which, argv = argv[at + 1], argv[:at] + argv[at + 2:]
    args = [a for a in argv if a not in ("--all", "--names")]
    ledger = json.loads(Path(args[0]).read_text(encoding="utf-8"))
    if which is not None:
        return score_subset(ledger, Path(args[1] if len(args) > 1 else packaged_lines_gold()), which)
    if "--names" in argv:
        for line in sorted(ledger["lines"], key=lambda l: (-len(l["claims"]), l["id"])):
            print(f"{len(line['claims']):5} {line['root_kind']:<8} {line.get('name') or line['root']}")
        return 0
    gold = json.loads(Path(args[1] if len(args) > 1 else packaged_lines_gold()).read_text(encoding="utf-8"))
    by_name = {Path(path).name: path for path in gold["documents"]}
    documents = {by_name[n]: d for n, d in match_documents(ledger["documents"], list(by_name)).items()}
    claims = {c["id"]: c for c in ledger["claims"]}
    line_of = {c: line["id"] for line in ledger["lines"] for c in line["claims"]}
    names = {line["id"]: line.get("name") or line["root"] for line in ledger["lines"]}
    rows = gold_claims(gold)
    by_prop: dict[str, list[dict]] = {}
    for path, document in documents.items():
        system = [c for c in ledger["claims"] if c["document_id"] == document["id"]]
        doc_rows = [r for r in rows if r["document"] == path]
        for i, claim in _match_claims(doc_rows, system, True).items():
            by_prop.setdefault(doc_rows[i]["proposition"], []).append({**doc_rows[i], "system": claim["id"]})
    for proposition in gold["propositions"]:
        rows = by_prop.get(proposition["id"], [])
        asserted = [r for r in rows if r["polarity"] == "asserted"]
        g = {gold["origins"][r["origin"]]["group"] for r in asserted}
        s = {line_of.get(r["system"]) for r in asserted}
        if len(g) == len(s) and not show_all:
            continue
        print(f"== {proposition['id']} gold {len(g)} system {len(s)}: {proposition['gloss'][:90]}")
        for r in rows:
            claim = claims[r["system"]]
            print(f"   {r['polarity'][:4]} {gold['origins'][r['origin']]['group']:<14} {names.get(line_of.get(r['system']), '-')[:45]:<45} "
                  f"| {' > '.join(claim['chain'])[:40]:<40} | {claim['text'][:60]}")
    return 0


def score_subset(ledger: dict, gold_path: Path, which: str) -> int:
    """Flat and family cluster pairwise figures, all propositions and the subset `which`."""
    gold = read_lines_gold(gold_path)
    if gold is None:
        print(f"{gold_path}: not a lines gold")
        return 2
    subset = proposition_subset(gold, which)
    scored = score_lines_gold(ledger, gold, find_corpus_root(gold, ledger), propositions=subset)

    def prf(d: dict) -> str:
        return f"P {d['precision']:.3f} R {d['recall']:.3f} F1 {d['f1']:.3f} (tp {d['tp']}, gold {d['gold']}, system {d['system']})"

    print(f"all {len(gold['propositions'])} propositions  flat {prf(scored['clusters_pairwise'])}  "
          f"families {prf(scored['cluster_families_pairwise'])}")
    print(f"{which:<4} {len(subset)} propositions  flat {prf(scored['clusters_pairwise_subset'])}  "
          f"families {prf(scored['cluster_families_pairwise_subset'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
