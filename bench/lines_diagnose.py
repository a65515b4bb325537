"""Per proposition of the lines gold, each matched claim with its gold group and its line in the
ledger: where a count is over or under, which claims split or merged lines.

usage: python bench/lines_diagnose.py EXPORT.json [GOLD] [--all] [--names] [--score odd|even|P01,P03]
       [--families odd|even|P01,P03]
(--names: every line's name with its number of claims, largest first, to read them over;
--score HALF: the flat cluster and cluster-family pairwise figures over the pairs with a claim of
the odd- or even-numbered propositions, or of the ones listed, then stop: tune on one half, hold
out the other)
--families HALF: each cluster family (a root cluster with its sub-clusters and denials) holding a
gold claim of that half, as a tree (each cluster's anchor, the gold propositions of its matched
claims), with the family pairs it gets wrong and the gold pairs of the half it splits across families
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
    families = None
    if "--families" in argv:
        at = argv.index("--families")
        families, argv = argv[at + 1], argv[:at] + argv[at + 2:]
    args = [a for a in argv if a not in ("--all", "--names")]
    ledger = json.loads(Path(args[0]).read_text(encoding="utf-8"))
    if which is not None or families is not None:
        gold_path = Path(args[1] if len(args) > 1 else packaged_lines_gold())
        lines_gold = read_lines_gold(gold_path)
        if lines_gold is None:
            print(f"{gold_path}: not a lines gold")
            return 2
        return score_subset(ledger, lines_gold, which) if which is not None else show_families(ledger, lines_gold, str(families))
    if "--names" in argv:
        for line in sorted(ledger["lines"], key=lambda l: (-len(l["claims"]), l["id"])):
            print(f"{len(line['claims']):5} {line['root_kind']:<8} {line.get('name') or line['root']}")
        return 0
    gold = json.loads(Path(args[1] if len(args) > 1 else packaged_lines_gold()).read_text(encoding="utf-8"))
    claims = {c["id"]: c for c in ledger["claims"]}
    line_of = {c: line["id"] for line in ledger["lines"] for c in line["claims"]}
    names = {line["id"]: line.get("name") or line["root"] for line in ledger["lines"]}
    by_prop: dict[str, list[dict]] = {}
    for row in matched_rows(ledger, gold):
        by_prop.setdefault(row["proposition"], []).append(row)
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


def matched_rows(ledger: dict, gold: dict) -> list[dict]:
    """The gold claims matched in the ledger, each with its system claim's id ("system")."""
    by_name = {Path(path).name: path for path in gold["documents"]}
    documents = {by_name[n]: d for n, d in match_documents(ledger["documents"], list(by_name)).items()}
    rows = gold_claims(gold)
    out = []
    for path, document in documents.items():
        system = [c for c in ledger["claims"] if c["document_id"] == document["id"]]
        doc_rows = [r for r in rows if r["document"] == path]
        out += [{**doc_rows[i], "system": claim["id"]} for i, claim in _match_claims(doc_rows, system, True).items()]
    return out


def score_subset(ledger: dict, gold: dict, which: str) -> int:
    """Flat and family cluster pairwise figures, all propositions and the subset `which`."""
    subset = proposition_subset(gold, which)
    scored = score_lines_gold(ledger, gold, find_corpus_root(gold, ledger), propositions=subset)

    def prf(d: dict) -> str:
        return f"P {d['precision']:.3f} R {d['recall']:.3f} F1 {d['f1']:.3f} (tp {d['tp']}, gold {d['gold']}, system {d['system']})"

    print(f"all {len(gold['propositions'])} propositions  flat {prf(scored['clusters_pairwise'])}  "
          f"families {prf(scored['cluster_families_pairwise'])}")
    print(f"{which:<4} {len(subset)} propositions  flat {prf(scored['clusters_pairwise_subset'])}  "
          f"families {prf(scored['cluster_families_pairwise_subset'])}")
    return 0


def show_families(ledger: dict, gold: dict, which: str) -> int:
    """The cluster families holding a gold claim of the subset `which`, their wrong and missed pairs."""
    subset = proposition_subset(gold, which)
    # system claim -> its gold proposition, with a "-" when it denies it
    prop_of = {r["system"]: r["proposition"] + ("-" if r["polarity"] == "denied" else "") for r in matched_rows(ledger, gold)}
    clusters = {c["id"]: c for c in ledger["clusters"]}
    children: dict[str, list[str]] = {}
    for c in ledger["clusters"]:
        if c.get("parent"):
            children.setdefault(c["parent"], []).append(c["id"])

    def root(cluster_id: str) -> str:
        seen = set()
        while clusters[cluster_id].get("parent") and cluster_id not in seen:
            seen.add(cluster_id)
            cluster_id = clusters[cluster_id]["parent"]
        return cluster_id

    family_of: dict[str, set[str]] = {}
    for c in ledger["clusters"]:
        for m in c["members"]:
            family_of.setdefault(m["claim"], set()).add(root(c["id"]))
    texts = {c["id"]: c["text"] for c in ledger["claims"]}

    def tree(cluster_id: str, depth: int) -> None:
        c = clusters[cluster_id]
        props = sorted({prop_of.get(m["claim"], "?") for m in c["members"]})
        print(f"{'  ' * depth}{cluster_id} [{len(c['members'])}] {','.join(props):<24} {c['anchor_text'][:90]}")
        for child in sorted(children.get(cluster_id, [])):
            tree(child, depth + 1)

    in_subset = lambda p: p.rstrip("-") in subset  # noqa: E731
    roots = sorted({f for claim, p in prop_of.items() if in_subset(p) for f in family_of.get(claim, ())})
    wrong = missed = 0
    for family in roots:
        claims = [m["claim"] for c in ledger["clusters"] if root(c["id"]) == family for m in c["members"]]
        gold_claims_ = [c for c in claims if c in prop_of]
        pairs = [(a, b) for i, a in enumerate(gold_claims_) for b in gold_claims_[i + 1:]
                 if (in_subset(prop_of[a]) or in_subset(prop_of[b])) and prop_of[a].rstrip("-") != prop_of[b].rstrip("-")]
        if not children.get(family) and not pairs:
            continue
        wrong += len(pairs)
        print(f"== family {family}: {len(pairs)} wrong pairs")
        tree(family, 1)
    print(f"wrong family pairs (a claim of {which}): {wrong}")
    by_prop: dict[str, list[str]] = {}
    for claim, p in prop_of.items():
        if in_subset(p):
            by_prop.setdefault(p.rstrip("-"), []).append(claim)
    for proposition, claims in sorted(by_prop.items()):
        groups: dict[str, list[str]] = {}
        for claim in claims:
            groups.setdefault(min(family_of.get(claim, {claim})), []).append(claim)
        n = len(claims)
        together = sum(len(g) * (len(g) - 1) // 2 for g in groups.values())
        missed += n * (n - 1) // 2 - together
        print(f"-- {proposition}: {n} claims in {len(groups)} families, {n * (n - 1) // 2 - together} pairs missed")
        for key, group in sorted(groups.items(), key=lambda kv: -len(kv[1])):
            label = key if key in clusters else "-"
            for claim in group:
                print(f"     {label:<13} {prop_of[claim]:<5} {texts[claim][:100]}")
    print(f"missed pairs (approx., claims in several clusters counted once): {missed}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
