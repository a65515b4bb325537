"""Cluster families: which cluster a cluster hangs under as a more specific version (link/readout.py).

A scripted judge gives the pair scores, so each test says which pairs the judge found close and
checks only the read-out's rules on top of them.
"""

from __future__ import annotations

from claimgraph.link import HashingEmbedder, NeighbourIndex
from claimgraph.link.clusters import Cluster, ClusterState
from claimgraph.link.judge import ClaimView, Judgement
from claimgraph.link.lines import LineState
from claimgraph.link.readout import Layer, ReadOut


def _families(texts: dict[str, str], scores: dict[tuple[str, str], float], *,
              names: dict[str, list[str]] | None = None) -> dict[str, Cluster]:
    """Cluster the texts (each its own document) with the scripted judge; claim id -> its cluster."""
    score = {frozenset(pair): s for pair, s in scores.items()}

    class Scores:
        name = "scores"

        def judge(self, a: ClaimView, b: ClaimView) -> Judgement:
            s = score.get(frozenset((a.id, b.id)), 0.1)
            return Judgement(relation="same" if s >= 0.9 else "more_specific" if s > 0 else "unrelated",
                             score=s, method=self.name)

    embedder = HashingEmbedder()
    state = ClusterState(NeighbourIndex(embedder.dim), Scores())
    vectors = embedder.embed(list(texts.values()))
    state.add([ClaimView(id=k, document_id=f"d-{k}", content=t, vector=v, names=(names or {}).get(k, []))
               for (k, t), v in zip(texts.items(), vectors)])
    layer = Layer()
    ReadOut(state, layer, LineState()).update(state.take_touched(), set())
    return {m: c for c in layer.clusters.values() for m in c.claim_ids}


def test_a_child_must_say_what_its_parent_predicates_not_only_of_whom() -> None:
    """"The Kremlin fed Trump secret intelligence" holds the names of "Kremlin backed Trump" (two
    of its three terms) but not its predicate: another proposition about the same parties."""
    names = {k: ["kremli", "trump"] for k in ("g1", "g2", "f1", "f2", "m1", "m2")}
    texts = {
        "g1": "Kremlin backed Trump", "g2": "The Kremlin backed Trump",
        "f1": "The Kremlin fed Trump secret intelligence about rivals",
        "f2": "The Kremlin fed Trump secret intelligence about his rivals",
        "m1": "The Kremlin backed Trump with money in the campaign",
        "m2": "The Kremlin backed Trump with money in the election campaign",
    }
    clusters = _families(texts, {("g1", "g2"): 0.9, ("f1", "f2"): 0.9, ("m1", "m2"): 0.9,
                                 ("f1", "g1"): 0.45, ("m1", "g1"): 0.45}, names=names)
    assert clusters["m1"].parent == clusters["g1"].id
    assert clusters["f1"].parent is None


def test_no_parent_whose_anchor_the_judge_vetoes_with_the_childs() -> None:
    """The words of the general anchor are in the specific one, but the judge vetoes the two
    anchors (as it does claims about different people): no parent."""
    texts = {
        "g1": "Russians hold compromising material on him", "g2": "The Russians hold compromising material on him",
        "c1": "The Russians hold compromising material on the rival and collated a dossier",
        "c2": "The Russians hold compromising material on the rival and collated a thick dossier",
    }
    scores = {("g1", "g2"): 0.9, ("c1", "c2"): 0.9, ("c2", "g2"): 0.45}
    assert _families(texts, scores)["c1"].parent == _families(texts, scores)["g1"].id
    vetoed = _families(texts, {**scores, ("g1", "c1"): 0.0})
    assert vetoed["c1"].parent is None


def test_a_cluster_no_parent_contains_takes_the_parent_of_a_sibling_it_nearly_restates() -> None:
    """"Putin paid to help the Republican win" has none of "Kremlin backed Trump"'s words, but it
    nearly restates a cluster placed under it by its words: it hangs there too, whatever the order
    the clusters are placed in. A weaker pair to the sibling does not place it, nor does a close
    pair to a cluster placed that way itself (one step, no chains)."""
    texts = {
        "g1": "Kremlin backed Trump", "g2": "The Kremlin backed Trump",
        "s1": "The Kremlin backed Trump with money in the campaign",
        "s2": "The Kremlin backed Trump with money in the election campaign",
        "o1": "Putin paid agents to help the Republican win",
        "o2": "Putin paid spies to help the Republican candidate win",
        "q1": "His agents were told to assist the candidate", "q2": "His agents were told to assist that candidate",
    }
    scores = {("g1", "g2"): 0.9, ("s1", "s2"): 0.9, ("o1", "o2"): 0.9, ("q1", "q2"): 0.9, ("s1", "g1"): 0.45,
              ("q1", "o1"): 0.7}
    clusters = _families(texts, {**scores, ("o1", "s1"): 0.7})
    assert clusters["s1"].parent == clusters["g1"].id
    assert clusters["o1"].id != clusters["s1"].id and clusters["o1"].parent == clusters["g1"].id
    assert clusters["q1"].id != clusters["o1"].id and clusters["q1"].parent is None
    assert _families(texts, {**scores, ("o1", "s1"): 0.5})["o1"].parent is None
