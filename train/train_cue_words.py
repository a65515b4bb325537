"""Learn the cue nouns and cue adjectives of data/lexicon.json from PolNeAR train.

    HF_HUB_OFFLINE=1 .venv/bin/python train/train_cue_words.py ../shared/data/polnear/train \
        [--counts /tmp/cue_words.json] [--min-count 3] [--min-rate 0.15] [--lexicon src/claimgraph/data/lexicon.json]

A noun held by a source ("her criticism of", "the senator's claim that") and a predicate
adjective said of one ("they are wary of", "she was confident that") is an attribution cue in
some words and not in others ("his campaign's money", "they are ready"). Every such noun and
adjective of train, parsed as the analysis parses it, counts as a cue where it overlaps a gold
Cue span whose Source its holder (possessor, subject) overlaps; the lemmas that are cues at least min-rate of the time (and min-count times) are kept.
Every ninth article (the 9th, 18th, ...) is left out, as train_cue_model.py leaves it out, to
measure the rules on; dev is never read.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import claimgraph.analyse  # noqa: F401  (the package first: pipeline imports attribution)
from claimgraph.analyse.attribution import cue_holder, predicate_adjective
from claimgraph.analyse.pipeline import _prepare, load_nlp
from claimgraph.eval.polnear import read_brat


def held_cue(token):  # type: ignore[no-untyped-def]
    """("noun" | "adjective", the source token) where the token has the shape of a held cue, else None."""
    if token.pos_ == "NOUN":
        holder = cue_holder(token)
        return None if holder is None else ("noun", holder)
    subject = predicate_adjective(token)[1]
    return None if subject is None else ("adjective", subject)


def _overlaps(token, spans: list[tuple[int, int]]) -> bool:  # type: ignore[no-untyped-def]
    return any(s < token.idx + len(token.text) and token.idx < e for s, e in spans)


def count(split: Path) -> dict[str, tuple[Counter[str], Counter[str]]]:
    nlp = load_nlp()
    counts: dict[str, tuple[Counter[str], Counter[str]]] = {"noun": (Counter(), Counter()),
                                                            "adjective": (Counter(), Counter())}
    for number, path in enumerate(sorted((split / "text").glob("*.txt"))):
        anns = sorted((split / "attributions").glob(path.stem + "*.ann"))
        if number % 9 == 8 or not anns:
            continue
        gold = [(a.cue[0], a.source[0]) for a in read_brat(anns[0]) if a.cue and a.source]
        for token in nlp(_prepare(path.read_text(encoding="utf-8"))):
            found = held_cue(token)
            if found is None:
                continue
            kind, source = found
            lemma = token.lemma_.lower() if kind == "noun" else token.lower_
            counts[kind][1][lemma] += 1
            # A cue only where its holder is the gold source ("he was asked": the asker speaks).
            if any(_overlaps(token, cue) and _overlaps(source, spans) for cue, spans in gold):
                counts[kind][0][lemma] += 1
        if number % 100 == 0:
            print(f"parsed {number}", file=sys.stderr)
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("split", type=Path, help="PolNeAR train: text/ and attributions/")
    parser.add_argument("--min-count", type=int, default=3)
    parser.add_argument("--min-rate", type=float, default=0.15)
    parser.add_argument("--lexicon", type=Path, default=Path("src/claimgraph/data/lexicon.json"))
    parser.add_argument("--counts", type=Path, default=None, help="cache of the counts (JSON)")
    args = parser.parse_args(argv)
    if args.counts is not None and args.counts.exists():
        raw = json.loads(args.counts.read_text(encoding="utf-8"))
        counts = {k: (Counter(v[0]), Counter(v[1])) for k, v in raw.items()}
    else:
        counts = count(args.split)
        if args.counts is not None:
            args.counts.write_text(json.dumps(counts), encoding="utf-8")
    lexicon = json.loads(args.lexicon.read_text(encoding="utf-8"))
    for kind, key in (("noun", "cue_nouns"), ("adjective", "cue_adjectives")):
        cue, seen = counts[kind]
        kept = sorted(w for w, n in seen.items() if cue[w] >= args.min_count and cue[w] / n >= args.min_rate
                      and w.isalpha())
        lexicon[key] = kept
        print(f"{key}: {len(kept)} of {len(seen)} lemmas")
    args.lexicon.write_text(json.dumps(lexicon, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
