"""When two clusters merge: average linkage, or best-match linkage above a floor (link/clusters.py)."""

from __future__ import annotations

import numpy as np

from claimgraph.link.clusters import ClusterOptions, ClusterState, pair_key
from claimgraph.link.index import NeighbourIndex
from claimgraph.link.judge import ClaimView, Judgement


class Scores:
    """A judge reading pair scores from a table (every pair is a candidate: the vectors are alike)."""

    name = "scores"

    def __init__(self, table: dict[tuple[str, str], float]) -> None:
        self.table = {pair_key(*k): v for k, v in table.items()}

    def judge(self, a: ClaimView, b: ClaimView) -> Judgement:
        return Judgement(relation="same", score=self.table[pair_key(a.id, b.id)], method=self.name)


def groups(table: dict[tuple[str, str], float], ids: list[str], options: ClusterOptions | None = None,
           documents: dict[str, str] | None = None) -> list[list[str]]:
    state = ClusterState(NeighbourIndex(8), Scores(table), options)
    rng = np.random.default_rng(13)
    views = []
    for i, claim_id in enumerate(ids):
        vector = np.ones(8, np.float32) + 0.01 * rng.standard_normal(8).astype(np.float32)
        document = (documents or {}).get(claim_id, f"d{i}")
        views.append(ClaimView(id=claim_id, document_id=document, content=f"claim {claim_id} says something",
                               vector=vector / np.linalg.norm(vector)))
    state.add(views)
    return sorted(sorted(g) for g in state.groups_in_order())


def two_pairs(cross: dict[tuple[str, str], float]) -> dict[tuple[str, str], float]:
    return {("a1", "a2"): 0.9, ("b1", "b2"): 0.9, **cross}


def test_two_groups_whose_members_each_have_a_close_counterpart_merge() -> None:
    # Average across 0.45, below the merge score (0.485); each member's best match across is 0.6.
    table = two_pairs({("a1", "b1"): 0.6, ("a2", "b2"): 0.6, ("a1", "b2"): 0.3, ("a2", "b1"): 0.3})
    assert groups(table, ["a1", "a2", "b1", "b2"]) == [["a1", "a2", "b1", "b2"]]
    # Without best-match linkage (as before link.clusters.v2) they stay apart.
    apart = ClusterOptions(best_match_score=2.0)
    assert groups(table, ["a1", "a2", "b1", "b2"], apart) == [["a1", "a2"], ["b1", "b2"]]


def test_best_match_linkage_does_not_merge_groups_sharing_a_document() -> None:
    # As above, but a2 and b1 are claims of one document (another sentence): a writer elaborating,
    # not another document restating; only the average (0.45) decides, and it falls short.
    table = two_pairs({("a1", "b1"): 0.6, ("a2", "b2"): 0.6, ("a1", "b2"): 0.3, ("a2", "b1"): 0.3})
    ids = ["a1", "a2", "b1", "b2"]
    assert groups(table, ids, documents={"a2": "memo", "b1": "memo"}) == [["a1", "a2"], ["b1", "b2"]]


def test_one_close_pair_between_two_groups_does_not_merge_them() -> None:
    # a1 ~ b1 is close, a2 and b2 match nothing across: best-match (0.6 + 0.36) / 2 = 0.48 < 0.5.
    table = two_pairs({("a1", "b1"): 0.6, ("a2", "b2"): 0.36, ("a1", "b2"): 0.36, ("a2", "b1"): 0.36})
    assert groups(table, ["a1", "a2", "b1", "b2"]) == [["a1", "a2"], ["b1", "b2"]]


def test_best_match_linkage_needs_the_average_floor() -> None:
    # Each member matches one across at 0.6 but the rest at 0.2: average 0.33, below the floor (0.35).
    ids = ["a1", "a2", "a3", "b1", "b2", "b3"]
    table = {(x, y): 0.9 for x in ids[:3] for y in ids[:3] if x < y}
    table |= {(x, y): 0.9 for x in ids[3:] for y in ids[3:] if x < y}
    table |= {(x, y): (0.6 if x[1] == y[1] else 0.2) for x in ids[:3] for y in ids[3:]}
    assert groups(table, ids) == [["a1", "a2", "a3"], ["b1", "b2", "b3"]]
    assert groups(table, ids, ClusterOptions(best_match_floor=0.3)) == [ids]
