"""Analysis of Competing Hypotheses (Heuer): hypotheses x evidence clusters.

The analyst rates each cluster against each hypothesis (CC, C, N, I, II). Hypotheses are
ranked by weighted inconsistency (ACH looks for the least disconfirmed, not the most
confirmed); evidence that rests on the same single line of sourcing is counted once per
hypothesis, and diagnosticity shows which evidence separates the hypotheses at all: the mean
difference of its ratings over every pair of hypotheses (docs/ach.md), 0 for evidence rated
alike everywhere, as Heuer has it ("consistent with all hypotheses, no diagnostic value").
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from claimgraph.assess.credibility import Assessment

ACH_STEP = "assess.ach.v1"
SCORES = {"CC": 2, "C": 1, "N": 0, "NA": 0, "I": -1, "II": -2}
# A cluster's weight falls with its credibility grade; 6 ("cannot be judged") sits mid-way.
CREDIBILITY_WEIGHT = {1: 1.0, 2: 0.9, 3: 0.7, 4: 0.5, 5: 0.3, 6: 0.5}


@dataclass(kw_only=True)
class Hypothesis:
    id: str
    text: str
    ratings: dict[str, str] = field(default_factory=dict)  # cluster id -> CC | C | N | NA | I | II


@dataclass(kw_only=True)
class HypothesisScore:
    hypothesis: str
    inconsistency: float  # count of I (1) and II (2), evidence from one line counted once
    weighted_inconsistency: float  # the same, weighted by each cluster's credibility
    consistency: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(kw_only=True)
class AchResult:
    hypotheses: list[HypothesisScore]
    diagnosticity: dict[str, float]  # cluster id -> 0 (same rating everywhere) .. 1
    matrix: dict[str, dict[str, str]]  # hypothesis id -> cluster id -> rating
    step: str = ACH_STEP

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def score_ach(hypotheses: list[Hypothesis], assessments: list[Assessment]) -> AchResult:
    by_cluster = {a.cluster: a for a in assessments}
    clusters = sorted({c for h in hypotheses for c in h.ratings})
    # Per cluster, once: its credibility weight and the line set it rests on; the line sets in the
    # order the clusters first name them (the order the sums run in, whatever the ratings).
    weights: dict[str, float] = {}
    keys: dict[str, tuple[str, ...]] = {}
    for cluster in clusters:
        assessment = by_cluster.get(cluster)
        weights[cluster] = CREDIBILITY_WEIGHT[assessment.credibility] if assessment else 0.5
        keys[cluster] = tuple(sorted(assessment.supporting_lines)) if assessment and assessment.supporting_lines else (cluster,)
    order = list(dict.fromkeys(keys[cluster] for cluster in clusters))
    nothing = (0.0, 0.0, 0.0)
    scores: list[HypothesisScore] = []
    for hypothesis in hypotheses:
        # Evidence resting on the same line set is one piece of evidence: keep its strongest rating.
        # A cell rated N (or NA, or not at all) adds nothing to its group.
        groups: dict[tuple[str, ...], tuple[float, float, float]] = {}
        for cluster, rating in hypothesis.ratings.items():
            value = SCORES.get(rating.upper(), 0)
            if not value or cluster not in weights:
                continue
            weight, key = weights[cluster], keys[cluster]
            inc, winc, cons = max(0, -value), max(0, -value) * weight, max(0, value) * weight
            old = groups.get(key, nothing)
            groups[key] = (max(old[0], inc), max(old[1], winc), max(old[2], cons))
        # zeros where a group has nothing: the sums (and their float types) are those over every cluster
        summed = [groups.get(key, nothing) for key in order]
        scores.append(
            HypothesisScore(
                hypothesis=hypothesis.id,
                inconsistency=sum(g[0] for g in summed),
                weighted_inconsistency=round(sum(g[1] for g in summed), 4),
                consistency=round(sum(g[2] for g in summed), 4),
            )
        )
    scores.sort(key=lambda s: (s.weighted_inconsistency, -s.consistency, s.hypothesis))
    diagnosticity = {cluster: diagnosticity_of([h.ratings.get(cluster, "N") for h in hypotheses]) for cluster in clusters}
    matrix = {h.id: {c: h.ratings.get(c, "N") for c in clusters} for h in hypotheses}
    return AchResult(hypotheses=scores, diagnosticity=diagnosticity, matrix=matrix)


def diagnosticity_of(ratings: list[str]) -> float:
    """How much one piece of evidence's ratings differ across the hypotheses, 0..1.

    The mean absolute difference of the scores (CC 2 .. II -2) over every pair of hypotheses,
    divided by 4 (CC against II): 0 when all are rated alike, whatever the rating; 1 only when
    every pair is CC against II. NA (does not apply) leaves its hypothesis out of the pairs.
    Unlike the range (max - min), one odd rating among many hypotheses moves it a little, and
    evidence that splits the hypotheses in halves scores highest.
    """
    values = [SCORES[r.upper()] for r in ratings if r.upper() in SCORES and r.upper() != "NA"]
    n = len(values)
    if n < 2:
        return 0.0
    values.sort()
    # sum over pairs |x_i - x_j| of sorted values = sum_i x_i * (2i - n + 1)
    total = sum(x * (2 * i - n + 1) for i, x in enumerate(values))
    return round(total / (n * (n - 1) / 2) / 4, 4)
