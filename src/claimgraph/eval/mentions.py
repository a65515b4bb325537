"""Entity mention detection: gold mention instances against ledger mentions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from claimgraph.eval.match import OVERLAP_THRESHOLD, match_spans
from claimgraph.eval.scores import PRF


@dataclass
class MentionScores:
    exact: PRF = field(default_factory=PRF)
    overlap: PRF = field(default_factory=PRF)

    def to_dict(self) -> dict[str, Any]:
        return {"exact": self.exact.to_dict(), "overlap": self.overlap.to_dict()}


def score_mentions(
    gold_mentions: dict[str, list[dict[str, Any]]],
    system_mentions: dict[str, list[dict[str, Any]]],
    matched: set[str],
) -> MentionScores:
    """P/R/F1 over mention spans, per document, summed over the gold documents.

    Gold documents without a ledger document count all their mentions as missed.
    Entity identity is not checked here: this is mention detection.
    """
    scores = MentionScores()
    for doc_id, gold in gold_mentions.items():
        system = system_mentions.get(doc_id, []) if doc_id in matched else []
        gold_spans = [(m["start"], m["end"]) for m in gold]
        system_spans = [(m["start"], m["end"]) for m in system]
        for prf, threshold in ((scores.exact, 1.0), (scores.overlap, OVERLAP_THRESHOLD)):
            pairs = match_spans(gold_spans, system_spans, threshold)
            prf.true_positives += len(pairs)
            prf.system_correct += len(pairs)
            prf.gold += len(gold_spans)
            prf.system += len(system_spans)
    return scores
