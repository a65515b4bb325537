"""Gold claims of a seeds-format gold (the seeds, or the news development gold) beside the ledger
claim matched to each, for one attribute: where speaker, hedging or denial go wrong.

usage: python bench/claims_diagnose.py EXPORT.json [--news | GOLD.json] [--attribute denied|speaker|hedging|chain]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from claimgraph.eval.match import match_spans
from claimgraph.eval.news_gold import find_news_corpus_root, load_news_gold


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("export")
    parser.add_argument("gold", nargs="?")
    parser.add_argument("--news", action="store_true")
    parser.add_argument("--attribute", default="denied")
    args = parser.parse_args()
    ledger = json.loads(Path(args.export).read_text(encoding="utf-8"))
    if args.news or not args.gold:
        gold, _ = load_news_gold(None, None)
        gold, _ = load_news_gold(None, find_news_corpus_root(gold, ledger))
    else:
        gold = json.loads(Path(args.gold).read_text(encoding="utf-8"))
    by_name = {Path(d["origin"]).name: d for d in ledger["documents"]}
    for document in gold["documents"]:
        name = Path(document.get("path") or document.get("file") or document["doc_id"]).name
        system_doc = by_name.get(name)
        if system_doc is None:
            continue
        system = [c for c in ledger["claims"] if c["document_id"] == system_doc["id"]]
        gold_claims = [c for c in gold["claims"] if c["doc_id"] == document["doc_id"] and c.get("required")]
        found = match_spans([(c["span_start"], c["span_end"]) for c in gold_claims], [(c["start"], c["end"]) for c in system], 0.5)
        for i, claim in enumerate(gold_claims):
            sys = system[found[i]] if i in found else None
            if args.attribute == "denied":
                g, s = claim["polarity"] == "denied", sys is not None and sys["polarity"] == "denied"
            elif args.attribute == "speaker":
                g, s = claim.get("speaker"), sys and sys.get("speaker")
            elif args.attribute == "hedging":
                g, s = claim.get("hedging"), sys and sys.get("hedging")
            else:
                g, s = claim.get("source_chain"), sys and sys.get("chain")
            if g != s and (args.attribute != "denied" or g or s):
                print(f"{name[:22]:<22} gold={g!s:<26.26} sys={s!s:<26.26} | {(sys or {}).get('cue')!s:<16.16} | {claim['span'][:90]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
