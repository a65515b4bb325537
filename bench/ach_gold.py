"""A small gold of ACH ratings on the seeds (examples/seeds): hypotheses written in an analyst's
words, not the reporting's, rated against the seeds' clusters by hand.

A cluster is named by a phrase of one of its claims (lower case), so the gold survives cluster
ids that change when linking changes; every cluster the phrases do not name is N (it does not
bear on the hypothesis). Ratings are C (consistent), I (inconsistent), N; CC and II count as C
and I. Used by bench/bench_ach_prefill.py and tests/test_ach.py.

Judgement calls, written down: a report that presupposes the operation (the expert department's
advice, the spy agencies' decree, the move of its lead to the FSB) is consistent with "the
leaders agreed to back him"; a denial of the operation ("pulp fiction", "have denied these
allegations") is inconsistent with it and consistent with its negation; the kompromat and
the material gathered on visits bear only on the kompromat hypothesis.
"""

from __future__ import annotations

OPERATION = ["all possible force", "strategic objectives", "closed session", "secret spy agency operation",
             "supported by kremlin", "three spy agencies", "lead on trump operation"]
DENIALS = ["pulp fiction", "coming together to agree", "these allegations"]

GOLD: dict[str, dict[str, str]] = {
    "Russia holds compromising material on Trump": {
        "kompromat": "C", "non-official visits": "C",
    },
    "Russia's leaders agreed to back Trump in the election": {
        **{phrase: "C" for phrase in OPERATION}, **{phrase: "I" for phrase in DENIALS},
    },
    "Moscow did not intervene to get Trump elected": {
        **{phrase: "I" for phrase in OPERATION}, **{phrase: "C" for phrase in DENIALS},
    },
    "Putin was unhappy with how the operation turned out": {
        "overpromised": "C", "disappointed that leaked": "C", "buyer’s remorse": "C", "lavrov may be next": "C",
    },
    "The Russians judged Trump psychologically unstable": {
        "inferiority complex": "C",
    },
    "Trump and the Russian president had a close personal relationship": {
        "trump and putin were close": "C",
    },
}


def resolve(phrase: str, claims_by_cluster: dict[str, list[str]]) -> str:
    """The one cluster with a claim containing the phrase (lower case)."""
    found = {c for c, texts in claims_by_cluster.items() for text in texts if phrase in text.lower()}
    if len(found) != 1:
        raise LookupError(f"gold phrase {phrase!r} names {len(found)} clusters: {sorted(found)}")
    return found.pop()


def gold_cells(claims_by_cluster: dict[str, list[str]]) -> dict[tuple[str, str], str]:
    """(hypothesis text, cluster id) -> C | I | N for every hypothesis x cluster."""
    cells = {(h, c): "N" for h in GOLD for c in claims_by_cluster}
    for hypothesis, ratings in GOLD.items():
        for phrase, rating in ratings.items():
            cells[(hypothesis, resolve(phrase, claims_by_cluster))] = rating
    return cells


def sign(rating: str) -> str:
    return {"CC": "C", "II": "I", "NA": "N"}.get(rating, rating)
