"""Does a relation model help the seed clusters? Relink the seeds in memory with each judge.

    .venv/bin/claimgraph --db /tmp/s.db run examples/seeds
    .venv/bin/python bench/probe_judge_model.py /tmp/s.db MODEL.onnx

Prints cluster pairwise P/R/F1 and B-cubed F1 against ../shared/gold/seeds.json for the
structural judge, for `NliJudge` (the model confirms or overrides the relation of pairs the
structural judge relates: what `--judge-model` does) and for blends in which the model's
entailment probability (the larger of both directions) moves the structural score:
score = sim + w * (entailment - 0.5) for pairs with sim >= 0.25.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from claimgraph.eval.evaluation import evaluate
from claimgraph.export import export_ledger
from claimgraph.ledger import current_inputs
from claimgraph.link import NliJudge, StructuralJudge, link_corpus
from claimgraph.link.embed import OnnxMiniLM
from claimgraph.link.judge import ClaimView, Judgement
from claimgraph.store import open_store

SHARED = Path(__file__).resolve().parents[2] / "shared"
GATES = {"same sentence", "too little content", "different people"}


class Blend:
    """The structural judge with the model's entailment probability added to its score."""

    def __init__(self, model: NliJudge, weight: float, band: float = 0.25) -> None:
        self.fallback = StructuralJudge()
        self.vocabulary = self.fallback.vocabulary
        self.model, self.weight, self.band = model, weight, band
        self.name = f"blend:{weight}"

    def judge(self, a: ClaimView, b: ClaimView) -> Judgement:
        base = self.fallback.judge(a, b)
        sim = self.fallback.similarity(a, b)
        if set(base.reasons) & GATES or sim < self.band:
            return base
        forward = self.model._probabilities(a.basis, b.basis)
        backward = self.model._probabilities(b.basis, a.basis)
        score = sim + self.weight * (max(forward["entailment"], backward["entailment"]) - 0.5)
        relation, specific, reasons = self.fallback.stance(a, b)
        options = self.fallback.options
        if score < (options.contradiction_floor if relation == "contradicts" else options.same_score):
            return Judgement(relation="unrelated", score=round(score, 4), method=self.name)
        return Judgement(relation=relation, score=round(score, 4), method=self.name, specific=specific,
                         reasons=tuple(reasons))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db")
    parser.add_argument("model", type=Path)
    parser.add_argument("--weights", type=float, nargs="*", default=[0.1, 0.2])
    args = parser.parse_args()
    gold = json.loads((SHARED / "gold" / "seeds.json").read_text(encoding="utf-8"))
    with open_store(args.db) as store:
        ledger, inputs = export_ledger(store), current_inputs(store)
    embedder = OnnxMiniLM()
    model = NliJudge(args.model)
    judges: list[tuple[str, Any]] = [("structural", StructuralJudge()), ("NliJudge (--judge-model)", model)]
    judges += [(f"blend w={w}", Blend(model, w)) for w in args.weights]
    for name, judge in judges:
        started = time.perf_counter()
        result = link_corpus(inputs, embedder=embedder, judge=judge).to_dict()
        clusters = evaluate(dict(ledger, clusters=result["clusters"]), gold).to_dict()["clusters"]
        pair, bcubed = clusters["pairwise"], clusters["bcubed"]
        print(f"{name:26s} P {pair['precision']:.3f} R {pair['recall']:.3f} F1 {pair['f1']:.3f}  "
              f"B-cubed F1 {bcubed['f1']:.3f}  {time.perf_counter() - started:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
