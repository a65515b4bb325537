"""Build news-domain "same claim / same event" pairs for the relation model.

    python train/build_pairs.py --shared ../shared --out .devcarry/pairs

Writes gzipped jsonl (premise, hypothesis, label, source, split, group) to OUT:

clef_pairs.jsonl.gz   CLEF-2020 CheckThat! task 2, train + dev tweets only (never test):
                      tweet -> its verified claim = entailment; the verified claims that a
                      BM25 ranking puts highest for the tweet, gold ones excluded = neutral.
ecbplus_pairs.jsonl.gz ECB+ validated sentences (ECBplus_coreference_sentences.csv): two
                      sentences of different documents of one topic that share a cross-document
                      event (ACTION_*/NEG_*) chain, with chain-set Jaccard >= 0.5 so that they are
                      mostly about the same events (--ecb-min-jaccard) = entailment; two of one
                      topic, both with event chains, that share none = neutral (up to half from the
                      same subtopic, ecb vs ecbplus, the rest across). Balanced, --ecb-cap rows.

Every pair is written in both orders (the relation is symmetric) with one `group`; about 5% of
the groups (CLEF tweets by crc32, ECB+ topics 2 and 41) get split "heldout" and the rest "train",
so the two orders of a pair never straddle the split. Never reads ../shared/gold or
../shared/corpus: those are the test.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import math
import random
import re
import xml.etree.ElementTree as ET
import zlib
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path

WORD = re.compile(r"[a-z0-9]+")
STOP = set("a an the of to in on and or for is are was were be been by with at from that this it as its his her "
           "their they he she we you i not no but has have had will would can could about after over into than "
           "s t rt via amp".split())


def words(text: str) -> list[str]:
    return [w for w in WORD.findall(text.lower()) if w not in STOP and len(w) > 1]


def clean_tweet(text: str) -> str:
    text = re.sub(r"https?://\S+|pic\.twitter\.com/\S+", "", text)
    text = re.sub(r"\s*[\u2014-]+\s*[^\u2014]{0,80}\(@\w+\)\s+\w+ \d{1,2}, \d{4}\s*$", "", text)  # "— Name (@x) May 1, 2020"
    text = re.sub(r"\s+", " ", text).strip()
    return text


class BM25:
    def __init__(self, docs: list[list[str]], k1: float = 1.5, b: float = 0.75):
        self.k1, self.b = k1, b
        self.lengths = [len(d) for d in docs]
        self.avg = sum(self.lengths) / max(len(docs), 1)
        self.index: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for i, doc in enumerate(docs):
            for w, n in Counter(doc).items():
                self.index[w].append((i, n))
        self.idf = {w: math.log(1 + (len(docs) - len(p) + 0.5) / (len(p) + 0.5)) for w, p in self.index.items()}

    def top(self, query: list[str], k: int) -> list[int]:
        scores: dict[int, float] = defaultdict(float)
        for w in sorted(set(query)):
            for i, n in self.index.get(w, ()):
                norm = n + self.k1 * (1 - self.b + self.b * self.lengths[i] / self.avg)
                scores[i] += self.idf[w] * n * (self.k1 + 1) / norm
        return [i for i, _ in sorted(scores.items(), key=lambda kv: (-round(kv[1], 9), kv[0]))[:k]]


def both(premise: str, hypothesis: str, label: str, source: str, split: str, group: str) -> list[dict]:
    row = {"premise": premise, "hypothesis": hypothesis, "label": label, "source": source, "split": split, "group": group}
    return [row, dict(row, premise=hypothesis, hypothesis=premise)]


def clef_pairs(root: Path, negatives: int, rng: random.Random) -> list[dict]:
    claims: dict[str, str] = {}
    with open(root / "verified_claims.docs.tsv", encoding="utf-8") as handle:
        next(handle)
        for line in handle:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 2 and parts[1].strip():
                claims[parts[0]] = parts[1].strip()
    ids = list(claims)
    bm25 = BM25([words(claims[i]) for i in ids])
    rows: list[dict] = []
    for part in ("train", "dev"):  # never test
        tweets = {}
        with open(root / part / "tweets.queries.tsv", encoding="utf-8") as handle:
            next(handle)
            for line in handle:
                tid, _, text = line.rstrip("\n").partition("\t")
                tweets[tid] = clean_tweet(text)
        gold: dict[str, set[str]] = defaultdict(set)
        for line in open(root / part / "tweet-vclaim-pairs.qrels", encoding="utf-8"):
            f = line.split()
            if len(f) == 4 and f[3] == "1":
                gold[f[0]].add(f[2])
        for tid, text in tweets.items():
            if not text or tid not in gold:
                continue
            group = f"clef:{part}:{tid}"
            split = "heldout" if zlib.crc32(group.encode()) % 20 == 0 else "train"
            golds = sorted(g for g in gold[tid] if g in claims)
            for g in golds:
                rows += both(text, claims[g], "entailment", "clef_pos", split, group)
            gold_words = [set(words(claims[g])) for g in golds]
            taken = 0
            for i in bm25.top(words(text), 15):
                cid = ids[i]
                if cid in gold[tid]:
                    continue
                cw = set(words(claims[cid]))
                # skip near-duplicates of the gold claim (Snopes repeats claims)
                if any(len(cw & gw) / max(len(cw | gw), 1) > 0.5 for gw in gold_words):
                    continue
                rows += both(text, claims[cid], "neutral", "clef_neg", split, group)
                taken += 1
                if taken >= negatives:
                    break
    return rows


def detok(tokens: list[str]) -> str:
    text = " ".join(tokens)
    text = re.sub(r" ([.,;:!?%)\]'])", r"\1", text)
    text = re.sub(r"([(\[$]) ", r"\1", text)
    text = re.sub(r" (n't|'s|'re|'ve|'ll|'d)\b", r"\1", text)
    return text.replace("`` ", '"').replace(" ''", '"')


def ecb_sentences(root: Path) -> dict[tuple[str, str, int], tuple[str, set[str]]]:
    """(topic, file, sentence) -> (text, cross-document event chain ids), validated sentences only."""
    selected: dict[tuple[str, str], set[int]] = defaultdict(set)
    with open(root / "ECBplus_coreference_sentences.csv", encoding="utf-8") as handle:
        for rec in csv.DictReader(handle):
            selected[(rec["Topic"], rec["File"])].add(int(rec["Sentence Number"]))
    out = {}
    for (topic, name), sentence_ids in selected.items():
        path = root / "ECB+" / topic / f"{topic}_{name}.xml"
        if not path.exists():
            continue
        doc = ET.parse(path).getroot()
        tokens: dict[str, tuple[int, str]] = {}
        by_sentence: dict[int, list[str]] = defaultdict(list)
        for tok in doc.iter("token"):
            s = int(tok.get("sentence"))
            tokens[tok.get("t_id")] = (s, tok.text or "")
            by_sentence[s].append(tok.text or "")
        mention_sentences: dict[str, set[int]] = {}
        markables = doc.find("Markables")
        for m in markables if markables is not None else []:
            if not (m.tag.startswith("ACTION") or m.tag.startswith("NEG")):
                continue
            anchors = [a.get("t_id") for a in m.findall("token_anchor")]
            mention_sentences[m.get("m_id")] = {tokens[a][0] for a in anchors if a in tokens}
        chains: dict[int, set[str]] = defaultdict(set)
        relations = doc.find("Relations")
        for rel in relations if relations is not None else []:
            if rel.tag != "CROSS_DOC_COREF":
                continue
            note = rel.get("note") or ""
            if not (note.startswith("ACT") or note.startswith("NEG")):
                continue
            for src in rel.findall("source"):
                for s in mention_sentences.get(src.get("m_id"), ()):
                    chains[s].add(note)
        for s in sentence_ids:
            text = detok(by_sentence.get(s, []))
            if len(text.split()) < 5 or "http" in text or len(text) > 400:
                continue
            out[(topic, name, s)] = (text, chains.get(s, set()))
    return out


def ecb_pairs(root: Path, cap: int, heldout_topics: set[str], rng: random.Random, args_min_jaccard: float = 0.5) -> list[dict]:
    sentences = ecb_sentences(root)
    by_topic: dict[str, list[tuple[str, str, int]]] = defaultdict(list)
    for key in sentences:
        by_topic[key[0]].append(key)
    pos, neg_same, neg_cross = [], [], []
    for topic, keys in by_topic.items():
        for a, b in combinations(sorted(keys), 2):
            if a[1] == b[1]:
                continue  # same document
            ca, cb = sentences[a][1], sentences[b][1]
            same_sub = a[1].endswith("ecbplus") == b[1].endswith("ecbplus")
            if ca & cb:
                # coreferent and mostly about the same events: a proxy for "the same claim"
                if len(ca & cb) / len(ca | cb) >= args_min_jaccard:
                    pos.append((a, b))
            elif not ca or not cb:
                continue  # a sentence with no event chain says nothing either way
            elif same_sub:
                neg_same.append((a, b))
            else:
                neg_cross.append((a, b))
    rng.shuffle(pos)
    rng.shuffle(neg_same)
    rng.shuffle(neg_cross)
    half = cap // 4  # cap counts rows, each pair gives two
    pos = pos[:half]
    negs = neg_same[: half // 2] + neg_cross[: half - min(half // 2, len(neg_same))]
    negs = negs[: len(pos)]
    rows = []
    for label, pairs in (("entailment", pos), ("neutral", negs)):
        for a, b in pairs:
            split = "heldout" if a[0] in heldout_topics else "train"
            src = "ecb_pos" if label == "entailment" else "ecb_neg"
            rows += both(sentences[a][0], sentences[b][0], label, src, split, f"ecb:{a[0]}")
    print(f"ECB+: {len(sentences)} sentences; kept pos {len(pos)}, "
          f"neg same-subtopic {len(neg_same)}, cross-subtopic {len(neg_cross)}; kept neg {len(negs)}")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / ".devcarry" / "pairs")
    parser.add_argument("--clef-negatives", type=int, default=3)
    parser.add_argument("--ecb-cap", type=int, default=20000, help="rows (both orders) from ECB+")
    parser.add_argument("--ecb-min-jaccard", type=float, default=0.5,
                        help="positives: shared / all event chains of the two sentences at least this")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    data = args.shared / "data"
    args.out.mkdir(parents=True, exist_ok=True)
    outputs = {
        "clef_pairs.jsonl.gz": clef_pairs(data / "clef2020-checkthat-task2", args.clef_negatives, rng),
        "ecbplus_pairs.jsonl.gz": ecb_pairs(data / "ecbplus", args.ecb_cap, {"2", "41"}, rng, args.ecb_min_jaccard),
    }
    for name, rows in outputs.items():
        with gzip.open(args.out / name, "wt", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        counts = Counter((r["source"], r["split"]) for r in rows)
        print(name, len(rows), dict(sorted(counts.items())))


if __name__ == "__main__":
    main()
