"""Gold claims of a seeds-format gold (the seeds, or the news development gold) beside the ledger
claim matched to each, for one attribute: where speaker, hedging or denial go wrong.

usage: python bench/claims_diagnose.py EXPORT.json [--news [--half A|B|C] | GOLD.json] [--attribute denied|speaker|hedging|chain]
       python bench/claims_diagnose.py EXPORT.json --news --score   # the news gold's figures on halves A, B, all (A+B) and C

The news gold's halves (eval.news_gold.half_of_news_gold) keep work honest: look at errors in A (or
B, once B is spent) only, and report the untouched half as the figure on text nobody tuned on. Half C
(eval/goldsets/dev_news_claims_c.json) is a separate file written for that: do not diagnose on it.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from claimgraph.eval.claims import NameBook, _chain_scores, speaker_ok
from claimgraph.eval.gold import index_gold
from claimgraph.eval.match import match_spans
from claimgraph.eval.news_gold import HALVES, evaluate_news, find_news_corpus_root, load_news_gold


def print_scores(ledger: dict) -> None:
    """Required claims P/R, speaker, nearest source, hedging and denial F1 per half of the news gold."""
    print(f"{'half':<5} {'claims P':>8} {'claims R':>8} {'speaker':>8} {'nearest':>8} {'hedging':>8} {'denial F1':>9}")
    for half in ("A", "B", None, "C"):
        report = evaluate_news(ledger, half=half)[0].to_dict()
        claims, attributes = report["claims"]["overlap"], report["attributes"]
        figures = [claims["precision"], claims["recall"]] + [
            attributes[name]["accuracy"] for name in ("speaker", "chain_nearest", "hedging")
        ] + [attributes["denied"]["f1"]]
        counts = f"({claims['tp']}/{claims['gold']} gold, {attributes['speaker']['total']} matched, {attributes['denied']['gold']} denied)"
        print(f"{half or 'all':<5} " + " ".join(f"{f:>8.3f}" for f in figures) + f"  {counts}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("export")
    parser.add_argument("gold", nargs="?")
    parser.add_argument("--news", action="store_true")
    parser.add_argument("--half", choices=HALVES)
    parser.add_argument("--score", action="store_true")
    parser.add_argument("--attribute", default="denied")
    args = parser.parse_args()
    ledger = json.loads(Path(args.export).read_text(encoding="utf-8"))
    if args.score:
        print_scores(ledger)
        return 0
    if args.news or not args.gold:
        gold, _ = load_news_gold(None, None, half=args.half)
        gold, _ = load_news_gold(None, find_news_corpus_root(gold, ledger), half=args.half)
    else:
        gold = json.loads(Path(args.gold).read_text(encoding="utf-8"))
    by_name = {Path(d["origin"]).name: d for d in ledger["documents"]}
    book = NameBook(index_gold(gold))
    entity_names = {
        (str(e.get("document_id", "")), str(e.get("key"))): [e.get("name") or "", *(e.get("aliases") or [])]
        for e in ledger.get("entities") or []
    }
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
                wrong = g != s
            elif args.attribute == "speaker":
                g, s = claim.get("speaker"), sys and sys.get("speaker")
                names = entity_names.get((str(system_doc["id"]), str((sys or {}).get("speaker_entity"))), [])
                wrong = sys is None or not speaker_ok(sys, claim, book, names)
            elif args.attribute == "hedging":
                g, s = claim.get("hedging"), sys and sys.get("hedging")
                wrong = s not in {g, claim.get("hedging_alt")}
            else:
                g, s = claim.get("source_chain"), sys and sys.get("chain")
                entities = claim.get("source_chain_entities") or []
                wrong = sys is None or not _chain_scores(list(s or []), g or [], entities, book)[0]
            if wrong and (args.attribute != "denied" or g or s):
                print(f"{name[:22]:<22} gold={g!s:<26.26} sys={s!s:<26.26} | {(sys or {}).get('cue')!s:<16.16} | {claim['span'][:90]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
