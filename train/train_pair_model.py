"""Train the claim pair model (src/claimgraph/data/pair_model.json) on half the corpus lines gold.

    claimgraph --db /tmp/c.db run ../shared/corpus
    HF_HUB_OFFLINE=1 .venv/bin/python train/train_pair_model.py /tmp/c.db [--out src/claimgraph/data/pair_model.json]

The stored analyses are relinked in memory (the structural judge, no pair model) and every claim
of the corpus lines gold (src/claimgraph/eval/goldsets/corpus_lines.json) is matched to a ledger
claim. Training pairs: two matched claims of odd-numbered propositions (P01, P03, ...), both in
dev/ documents (never seeds/, whose gold is the other test), of different documents, same polarity, that reach the
judge's score (not one sentence, enough content, not different people): positive when they state
one proposition. A logistic model (L2, balanced classes, numpy only) is fitted over
`judge.pair_features`; its logit is mapped onto the structural score's scale (same mean and
spread over the training pairs, in logit space) so that the judge's thresholds keep their meaning. Held out and
printed: ROC AUC on the even-numbered propositions' pairs, against the structural score's.

--news-pairs DIR (the output of train/build_pairs.py: ECB+ coreferent / non-coreferent sentence
pairs and CLEF-2020 tweet -> verified claim pairs) fits the model on those instead, and the whole
corpus lines gold is its test. Their sentences have no entity analysis: a name is a capitalised
word not at the start of the sentence, and IDF weights come from their own texts.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import os
import sys
from itertools import combinations
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from probe_clusters import CachedEmbedder, matched_claims, relink  # noqa: E402

from claimgraph.export import export_ledger  # noqa: E402
from claimgraph.ledger import current_inputs  # noqa: E402
from claimgraph.link import OnnxMiniLM  # noqa: E402
from claimgraph.link.judge import PAIR_FEATURES, ClaimView, StructuralJudge, Vocabulary, pair_features  # noqa: E402
from claimgraph.store import open_store  # noqa: E402

VERSION = "pair_model.v1"  # bump with any change of judge.pair_features or of the training pairs
OUT = Path(__file__).resolve().parents[1] / "src" / "claimgraph" / "data" / "pair_model.json"


def reaches_score(judge: StructuralJudge, a: ClaimView, b: ClaimView) -> bool:
    """Would the judge score this pair at all (the gates before `similarity` in `judge`)?"""
    if a.document_id == b.document_id and a.sentence_index == b.sentence_index:
        return False
    if min(len(set(a.terms)), len(set(b.terms))) < judge.options.min_terms:
        return False
    return not (a.people and b.people and not set(a.people) & set(b.people))


def gold_pairs(db: str) -> tuple[list[dict], StructuralJudge]:
    """Every same-polarity pair of matched gold claims that reaches the judge's score, with its features."""
    with open_store(db) as store:
        ledger, inputs = export_ledger(store), current_inputs(store)
    judge = StructuralJudge(vocabulary=Vocabulary())
    from claimgraph.link import LinkOptions

    linker = relink(inputs, CachedEmbedder(OnnxMiniLM()), LinkOptions(), judge=judge)
    state = linker.state
    ledger = dict(ledger, clusters=linker.result().to_dict()["clusters"])
    rows = []
    for x, y in combinations(matched_claims(ledger), 2):
        if x["system"] == y["system"] or x["polarity"] != y["polarity"]:
            continue
        if x["system"] not in state or y["system"] not in state:
            continue
        a, b = state.views[x["system"]], state.views[y["system"]]
        if a.document_id == b.document_id or not reaches_score(judge, a, b):
            continue  # the model scores pairs across documents only
        half = {int(x["proposition"][1:]) % 2, int(y["proposition"][1:]) % 2}
        rows.append({
            "features": pair_features(judge, a, b), "same": x["proposition"] == y["proposition"],
            "split": "train" if half == {1} else "heldout" if half == {0} else "across",
            "seeds": x["document"].startswith("seeds/") or y["document"].startswith("seeds/"),
            "structural": judge.similarity(a, b),
        })
    return rows, judge


_NAME = re.compile(r"(?<=\S\s)[A-Z][\w'.-]*(?:\s+[A-Z][\w'.-]*)*")


def news_pairs(directory: Path, embedder: CachedEmbedder) -> list[dict]:
    """The train split of build_pairs.py's news pairs (one order of each), with pair features."""
    from claimgraph.link.judge import content_terms

    rows = []
    for path in sorted(directory.glob("*_pairs.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            seen = set()
            for line in handle:
                row = json.loads(line)
                pair = frozenset((row["premise"], row["hypothesis"]))
                if row["split"] != "train" or pair in seen:
                    continue
                seen.add(pair)
                rows.append(row)
    texts = sorted({t for r in rows for t in (r["premise"], r["hypothesis"])})
    vectors = dict(zip(texts, embedder.embed(texts)))
    vocabulary = Vocabulary()
    views = {}
    for i, text in enumerate(texts):
        names = sorted({t for m in _NAME.findall(text) for t in content_terms(m)})
        views[text] = ClaimView(id=str(i), document_id=str(i), content=text, names=names, vector=vectors[text])
        vocabulary.add(views[text].terms)
    judge = StructuralJudge(vocabulary=vocabulary)
    out = []
    for row in rows:
        a, b = views[row["premise"]], views[row["hypothesis"]]
        if not reaches_score(judge, a, b):
            continue
        out.append({"features": pair_features(judge, a, b), "same": row["label"] == "entailment",
                    "source": row["source"]})
    return out


def fit(x: np.ndarray, y: np.ndarray, *, l2: float = 0.01, steps: int = 4000, rate: float = 0.1) -> tuple[np.ndarray, float]:
    """Logistic regression, classes weighted to balance, full-batch gradient descent."""
    weight = np.where(y == 1, (1 - y.mean()) / y.mean(), 1.0)
    w, b = np.zeros(x.shape[1]), 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(x @ w + b)))
        g = (p - y) * weight / weight.sum()
        w -= rate * (x.T @ g + l2 * w)
        b -= rate * g.sum()
    return w, b


def auc(scores: np.ndarray, y: np.ndarray) -> float:
    pos, neg = scores[y == 1], scores[y == 0]
    return float((pos[:, None] > neg[None, :]).mean() + 0.5 * (pos[:, None] == neg[None, :]).mean())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", help="a database after `claimgraph run ../shared/corpus`")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--news-pairs", type=Path, help="fit on build_pairs.py's ECB+ / CLEF pairs in this folder instead")
    args = parser.parse_args()
    rows, _ = gold_pairs(args.db)
    x = np.array([r["features"] for r in rows], dtype=np.float64)
    y = np.array([r["same"] for r in rows], dtype=np.float64)
    structural = np.array([r["structural"] for r in rows])
    train = np.array([r["split"] == "train" and not r["seeds"] for r in rows])
    heldout = np.array([r["split"] == "heldout" for r in rows])
    if args.news_pairs:
        news = news_pairs(args.news_pairs, CachedEmbedder(OnnxMiniLM()))
        fit_x = np.array([r["features"] for r in news], dtype=np.float64)
        fit_y = np.array([r["same"] for r in news], dtype=np.float64)
        print(f"news pairs: {len(news)} ({int(fit_y.sum())} same)")
        heldout = np.ones(len(rows), dtype=bool)  # the whole corpus lines gold is unseen
    else:
        fit_x, fit_y = x[train], y[train]
    mean, std = fit_x.mean(axis=0), fit_x.std(axis=0) + 1e-9
    w, b = fit((fit_x - mean) / std, fit_y)
    logit = ((x - mean) / std) @ w + b
    # Same mean and spread as the structural score over the training pairs, in logit space.
    clipped = np.clip(structural[train], 0.02, 0.98)
    target = np.log(clipped / (1 - clipped))
    scale = float(target.std() / logit[train].std())
    shift = float(target.mean() - scale * logit[train].mean())
    report = {}
    parts = (("heldout", heldout), ("heldout_dev_only", heldout & ~np.array([r["seeds"] for r in rows])))
    if not args.news_pairs:
        parts = (("train", train), *parts)
    for name, mask in parts:
        report[name] = {"pairs": int(mask.sum()), "same": int(y[mask].sum()),
                        "auc": round(auc(logit[mask], y[mask]), 3), "structural_auc": round(auc(structural[mask], y[mask]), 3)}
        print(f"{name:18s} pairs {mask.sum():5d} (same {int(y[mask].sum()):4d})  pair model AUC {report[name]['auc']:.3f}  "
              f"structural score AUC {report[name]['structural_auc']:.3f}")
    model = {
        "version": VERSION,
        "about": "Logistic claim pair model (link/judge.py PairModel) over judge.pair_features, trained by "
                 "train/train_pair_model.py " + (
                     f"on news pairs from train/build_pairs.py ({args.news_pairs.name}); the corpus lines gold and the "
                     "seeds gold are its test." if args.news_pairs else
                     "on the odd-numbered propositions of the corpus lines gold, dev/ documents only; the "
                     "even-numbered ones and the seeds gold are its test."),
        "features": list(PAIR_FEATURES),
        "mean": [round(float(v), 6) for v in mean], "std": [round(float(v), 6) for v in std],
        "weights": [round(float(v), 6) for v in w], "bias": round(float(b), 6),
        "scale": round(scale, 6), "shift": round(shift, 6),
        "measured": report,
    }
    args.out.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
