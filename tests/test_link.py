"""Linking: the neighbour index, incremental clustering, and quality floors on the seed gold."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from claimgraph.link import HashingEmbedder, LinkOptions, Linker, NeighbourIndex, StructuralJudge, link_corpus
from claimgraph.link.embed import ModelMissing, OnnxMiniLM
from claimgraph.link.proposition import people, proposition, strip_frames
from claimgraph.models import Analysis, Claim, Document, Entity, Mention

SHARED = Path(__file__).resolve().parents[2] / "shared"
# Floors measured on gold claims (bench/bench_link.py); raise them when the linker improves.
# With the per-channel int8 MiniLM precision fell to 0.667 (floor 0.66 for a while); with
# meta-claims left out of linking it is 0.703 (37 pairs, 26 right), recall 0.388, F1 0.500.
FLOORS = {"f1": 0.49, "precision": 0.70}


def shared_path(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: the shared corpus and gold live beside the project in CI")
    return path


def minilm() -> OnnxMiniLM:
    pytest.importorskip("onnxruntime")
    pytest.importorskip("tokenizers")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        return OnnxMiniLM()
    except ModelMissing as err:
        pytest.skip(str(err))


def _document(doc_id: str, published: str, contents: list[str]) -> tuple[Document, Analysis]:
    doc = Document(id=doc_id, content_hash=doc_id, origin=doc_id, version=1, media_type="text/plain",
                   text=" ".join(contents), published=published)
    claims = [Claim(id=f"{doc_id}-C{i}", sentence_index=i, start=0, end=1, sentence_start=0, sentence_end=1,
                    text=c, content=c) for i, c in enumerate(contents)]
    return doc, Analysis(document_id=doc_id, claims=claims)


CORPUS = [
    _document("d1", "2021-07-15", ["Foreign Minister Lavrov may be the next to go.",
                                   "Putin is angry with senior officials who overpromised on Trump."]),
    _document("d2", "2021-07-16", ["Foreign Minister Lavrov could be the next one to go.",
                                   "Tensions have been rising between Putin and Biden."]),
    _document("d3", "2021-07-17", ["Putin was angry with the senior officials who had overpromised on Trump.",
                                   "The weather in Moscow was mild."]),
]


def test_index_round_trips_and_finds_neighbours(tmp_path: Path) -> None:
    vectors = HashingEmbedder().embed(["alpha beta", "alpha beta gamma", "delta epsilon"])
    index = NeighbourIndex(vectors.shape[1])
    index.add(["a", "b", "c"], vectors)
    index.add(["a"], vectors[:1])  # stable ids: adding again is a no-op
    assert len(index) == 3
    index.save(tmp_path / "claims.idx")
    loaded = NeighbourIndex.load(tmp_path / "claims.idx")
    hits = loaded.query(vectors[:1], 2)[0]
    assert [h.id for h in hits] == ["a", "b"] and hits[0].similarity == pytest.approx(1.0, abs=1e-4)


def test_clusters_cross_documents_and_keep_unrelated_apart() -> None:
    result = link_corpus(CORPUS, embedder=HashingEmbedder(), options=LinkOptions())
    groups = sorted(sorted(c.claim_ids) for c in result.clusters)
    assert ["d1-C0", "d2-C0"] in groups
    assert all("d3-C1" not in g for g in groups)
    exported = result.to_dict()
    assert set(exported) >= {"clusters", "links", "lines", "provenance", "assessments"}
    assert {"id", "anchor", "parent", "members"} <= set(exported["clusters"][0])
    json.dumps(exported)


def test_adding_a_document_judges_only_its_neighbours() -> None:
    linker = Linker(embedder=HashingEmbedder())
    for doc, analysis in CORPUS[:2]:
        linker.add_document(doc, analysis)
    pairs = linker.add_document(*CORPUS[2])
    assert pairs and all("d3-" in a or "d3-" in b for a, b in pairs)
    assert linker.add_document(*CORPUS[2]) == []  # an unchanged document changes nothing
    batch = link_corpus(CORPUS, embedder=HashingEmbedder())
    assert sorted(sorted(c.claim_ids) for c in linker.result().clusters) == sorted(
        sorted(c.claim_ids) for c in batch.clusters)


def test_minilm_embeds_normalised_and_sorted_batches_match_single() -> None:
    embedder = minilm()
    texts = ["Putin authorised a spy agency to help Trump.", "Short.", "A much longer sentence " * 5]
    batch = embedder.embed(texts)
    assert batch.shape == (3, 384)
    assert np.allclose(np.linalg.norm(batch, axis=1), 1.0, atol=1e-4)
    single = np.stack([embedder.embed([t])[0] for t in texts])
    # Exactly: a vector depends on its text alone, not on what else was embedded with it.
    assert np.array_equal(batch, single)
    assert np.array_equal(embedder.embed(list(reversed(texts)))[::-1], batch)


def test_missing_model_file_is_a_clear_error(tmp_path: Path) -> None:
    pytest.importorskip("onnxruntime")
    pytest.importorskip("tokenizers")
    with pytest.raises(ModelMissing, match="no such file"):
        OnnxMiniLM(model_path=tmp_path / "absent.onnx", tokenizer_path=tmp_path / "tokenizer.json")


@pytest.mark.corpus
def test_gold_claims_cluster_above_floors_and_lines_are_exact() -> None:
    from claimgraph.link.gold import evaluate_links, gold_inputs

    gold = json.loads(shared_path("gold", "seeds.json").read_text(encoding="utf-8"))
    inputs = gold_inputs(gold, shared_path("corpus", "seeds"))
    result = link_corpus(inputs, embedder=minilm())
    scores = evaluate_links(gold, result)
    assert scores["hard_negatives_checked"] >= 6 and scores["hard_negatives_merged"] == []
    assert scores["lines_exact"], scores["lines_predicted"]
    for name, floor in FLOORS.items():
        assert scores[name] >= floor, (name, scores)


def test_saved_state_restores_and_stays_incremental() -> None:
    from claimgraph.link.state import linker_from_bytes, linker_to_bytes

    linker = Linker(embedder=HashingEmbedder())
    for doc, analysis in CORPUS[:2]:
        linker.add_document(doc, analysis)
    restored = linker_from_bytes(linker_to_bytes(linker), CORPUS[:2], embedder=HashingEmbedder())
    pairs = restored.add_document(*CORPUS[2])
    assert pairs and all("d3-" in a or "d3-" in b for a, b in pairs)
    batch = link_corpus(CORPUS, embedder=HashingEmbedder())
    assert restored.result().to_dict()["clusters"] == batch.to_dict()["clusters"]


# -- the bare proposition a claim is compared by: frames stripped, entity names canonical --

def test_leading_reporting_frames_and_openers_are_stripped() -> None:
    assert strip_frames("Reported on recent developments concerning the Kremlin's operation to support Trump",
                        "reported") == "the Kremlin's operation to support Trump"
    assert strip_frames("According to the Kremlin insider, Cohen was engaged in a cover-up") == \
        "Cohen was engaged in a cover-up"
    assert strip_frames("Continuing on this theme, the senior leadership figure commented that a stream of "
                        "hacked material had been injected") == "a stream of hacked material had been injected"
    assert strip_frames("It is reported that Moscow believes there were benefits from a Trump win") == \
        "Moscow believes there were benefits from a Trump win"
    assert strip_frames("Trump and Putin are long said to have had ties with one another") == \
        "Trump and Putin had ties with one another"
    assert strip_frames("Asked to explain why Putin had launched such an operation in the first place the MFA "
                        "official") == "Putin had launched such an operation"
    # A time adverbial says when, not what: the timeline keeps the time, the comparison drops it.
    assert strip_frames("At the point of Putin giving these orders, Trump was already winning the race") == \
        "Trump was already winning the race"
    assert strip_frames("By the time Trump was the frontrunner in the race") == \
        "By the time Trump was the frontrunner in the race"
    # Too little would be left: the text stays as it is.
    assert strip_frames("He said so") == "He said so"


def _span_claim(text: str, start: int, content: str | None = None) -> Claim:
    return Claim(id="c1", sentence_index=0, start=start, end=len(text), sentence_start=0, sentence_end=len(text),
                 text=text[start:], content=content or text[start:])


def test_names_are_canonical_and_relative_clauses_get_their_antecedent() -> None:
    text = "TRUMP supported by Kremlin, which ran the operation"
    analysis = Analysis(
        document_id="d",
        entities=[Entity(key="E1", name="Donald Trump", type="PER"), Entity(key="E2", name="The Kremlin", type="ORG")],
        mentions=[Mention(entity="E1", start=0, end=5, text="TRUMP"), Mention(entity="E2", start=19, end=26, text="Kremlin")],
    )
    whole = _span_claim(text, 0, "Trump supported by Kremlin")
    whole.end = 26
    assert proposition(whole, analysis, text) == "Donald Trump supported by The Kremlin"
    assert people("Donald Trump supported by The Kremlin", analysis) == ["trump"]
    relative = _span_claim(text, 28)
    assert proposition(relative, analysis, text) == "The Kremlin ran the operation"


def test_pronouns_take_the_last_named_person_and_characterisations_become_is() -> None:
    text = ("A psychological assessment of Donald Trump was leaked. He is an impulsive individual. "
            "To date, Putin has repeatedly denied accusations that he interferes in democracies.")
    analysis = Analysis(
        document_id="d",
        entities=[Entity(key="E1", name="Donald Trump", type="PER"), Entity(key="E2", name="Vladimir Putin", type="PER"),
                  Entity(key="E3", name="spy chiefs", type="PER")],
        mentions=[Mention(entity="E1", start=30, end=42, text="Donald Trump"),
                  Mention(entity="E2", start=text.index("Putin"), end=text.index("Putin") + 5, text="Putin"),
                  Mention(entity="E3", start=0, end=1, text="A")],
    )
    first = Claim(id="c0", sentence_index=0, start=0, end=49, sentence_start=0, sentence_end=50, text=text[:49],
                  content=text[:49])
    start = text.index("He is")
    he = Claim(id="c1", sentence_index=1, start=start, end=start + 33, sentence_start=start, sentence_end=start + 34,
               text=text[start:start + 33], content="He is an impulsive individual")
    start = text.index("To date")
    # The span runs over the speaker; the pronoun takes the person named before it inside the span.
    denied = Claim(id="c2", sentence_index=2, start=start, end=len(text) - 1, sentence_start=start,
                   sentence_end=len(text), text=text[start:-1], content="he interferes in democracies", polarity="denied")
    analysis.claims = [first, he, denied]
    assert proposition(he, analysis, text) == "Donald Trump is an impulsive individual"
    assert proposition(denied, analysis, text) == "Vladimir Putin interferes in democracies"
    # Nobody named before it: the pronoun stays.
    alone = _span_claim("He is an impulsive individual", 0)
    assert proposition(alone, Analysis(document_id="d", claims=[alone]), alone.text) == "He is an impulsive individual"
    assert strip_frames("Donald Trump was branded 'mentally unstable' in the session") == \
        "Donald Trump is 'mentally unstable' in the session"
    assert strip_frames("Trump was widely viewed as divisive") == "Trump is divisive"


def test_a_general_cluster_counts_the_support_of_its_sub_clusters() -> None:
    from claimgraph.link.clusters import Cluster, ClusterMember, ClusterState
    from claimgraph.link.index import NeighbourIndex
    from claimgraph.link.judge import ClaimView
    from claimgraph.link.lines import LineState
    from claimgraph.link.readout import Layer, ReadOut

    general = Cluster(id="K1", anchor="s1", anchor_text="Trump supported by Kremlin",
                      members=[ClusterMember(claim="s1", relation="same")])
    specific = Cluster(id="K2", anchor="g1", anchor_text="Putin ordered the spy agencies to support Trump",
                       members=[ClusterMember(claim="g1", relation="same"), ClusterMember(claim="g2", relation="contradicts")])
    state = ClusterState(NeighbourIndex(8), StructuralJudge())
    state.views.update({
        "s1": ClaimView(id="s1", document_id="memo", content="Trump supported by Kremlin"),
        "g1": ClaimView(id="g1", document_id="news", content="Putin ordered the spy agencies to support Trump"),
        "g2": ClaimView(id="g2", document_id="news", content="Putin ordered nothing", polarity="denied"),
    })
    layer = Layer()
    layer.put(general, denial=False)
    layer.put(specific, denial=False)
    layer.set_parent(specific, "K1")
    readout = ReadOut(state, layer, LineState())
    # The sub-cluster's assertion supports the general claim; its denial stays with the detail.
    assert readout._with_descendants(general) == [("s1", "same"), ("g1", "more_specific")]
    assert readout._with_descendants(specific) == [("g1", "same"), ("g2", "contradicts")]


def test_a_truncated_denial_is_completed_and_an_anaphoric_one_takes_the_lede() -> None:
    text = ("Putin authorised a spy agency to help Trump win. The Russians have denied these allegations. "
            "Peskov said that the idea that Russian leaders had met and agreed to support Trump was 'pulp fiction'")
    lede = Claim(id="c0", sentence_index=0, start=0, end=47, sentence_start=0, sentence_end=48, text=text[:47],
                 content="Putin authorised a spy agency to help Trump win")
    start = text.index("The Russians")
    anaphor = Claim(id="c1", sentence_index=1, start=start, end=start + 41, sentence_start=start,
                    sentence_end=start + 42, text=text[start:start + 41], content="These allegations", polarity="denied")
    start = text.index("Peskov")
    cut = Claim(id="c2", sentence_index=2, start=start, end=len(text), sentence_start=start, sentence_end=len(text),
                text=text[start:], content="Russian leaders had met and", polarity="denied")
    analysis = Analysis(document_id="d", claims=[lede, anaphor, cut])
    assert proposition(anaphor, analysis, text) == "Putin authorised a spy agency to help Trump win"
    assert proposition(cut, analysis, text) == "Russian leaders had met and agreed to support Trump"
    # An asserted claim is left as it is; so is a denial whose object is not an anaphor.
    assert proposition(_span_claim("These allegations are old", 0), analysis, text) == "These allegations are old"


def _denied_document(doc_id: str, published: str, contents: list[str]) -> tuple[Document, Analysis]:
    doc, analysis = _document(doc_id, published, contents)
    for claim in analysis.claims:
        claim.polarity = "denied"
    return doc, analysis


def test_a_denial_hangs_under_the_cluster_it_denies_without_joining_it() -> None:
    corpus = [
        _document("d1", "2021-07-15", ["The Kremlin supported Trump in the 2016 election campaign.",
                                       "The weather in Moscow was mild."]),
        _document("d2", "2021-07-16", ["The Kremlin supported Trump during the 2016 election campaign.",
                                       "Tensions have been rising between Putin and Biden."]),
        _denied_document("d3", "2021-07-17", ["The Kremlin supported Trump in the 2016 election.",
                                              "Russia interfered in Ukraine."]),
    ]
    result = link_corpus(corpus, embedder=HashingEmbedder(), options=LinkOptions())
    by_claim = {m: c for c in result.clusters for m in c.claim_ids}
    general, denial = by_claim["d1-C0"], by_claim["d3-C0"]
    assert general is not denial and denial.parent == general.id  # flat clusters stay one stance each
    assert [m.relation for m in denial.members] == ["contradicts"]
    assert "d3-C1" not in by_claim  # a lone denial of nothing in the corpus is not shown
    sourcing = {s.cluster: s for s in result.sourcing}[general.id]
    assert sourcing.denying_lines and sourcing.supporting_lines


def test_a_fragment_is_not_the_anchor_while_a_member_reads_as_a_statement() -> None:
    from claimgraph.link.clusters import _fragment

    assert _fragment("The FBI could have, and") and _fragment("When he briefed the president-elect about it")
    assert _fragment("Which took place in January 2016") and not _fragment("Lavrov may be next")
    corpus = [
        _document("d1", "2021-07-15", ["Foreign Minister Lavrov may be the next to go, and",
                                       "The weather in Moscow was mild."]),
        _document("d2", "2021-07-16", ["Foreign Minister Lavrov could be the next one to go.",
                                       "Tensions have been rising between Putin and Biden."]),
    ]
    result = link_corpus(corpus, embedder=HashingEmbedder(), options=LinkOptions())
    cluster = next(c for c in result.clusters if "d1-C0" in c.claim_ids)
    assert "d2-C0" in cluster.claim_ids and cluster.anchor == "d2-C0"


def test_negated_assertions_hang_under_what_they_deny_like_denials() -> None:
    corpus = [
        _document("d1", "2016-06-20", ["The Kremlin had compromising material on Trump.",
                                       "The weather in Moscow was mild."]),
        _document("d2", "2017-01-10", ["The Kremlin had compromising material on Trump, officials said.",
                                       "Tensions have been rising between Putin and Biden."]),
        _document("d3", "2017-01-11", ["The Kremlin has no compromising material on Trump.",
                                       "Russia interfered in Ukraine."]),
    ]
    result = link_corpus(corpus, embedder=HashingEmbedder(), options=LinkOptions())
    by_claim = {m: c for c in result.clusters for m in c.claim_ids}
    general, negated = by_claim["d1-C0"], by_claim["d3-C0"]
    # Either a contradicting member of the cluster (as the gold guidelines put it) or a denial
    # sub-cluster under it: never a cluster of its own that the general claim does not know of.
    if negated is general:
        assert {m.claim: m.relation for m in general.members}["d3-C0"] == "contradicts"
    else:
        assert negated.parent == general.id and [m.relation for m in negated.members] == ["contradicts"]
    sourcing = {s.cluster: s for s in result.sourcing}[general.id]
    assert sourcing.denying_lines or sourcing.contradicting_lines


def test_a_negated_assertion_too_far_to_merge_still_hangs_under_what_it_denies() -> None:
    from claimgraph.link.clusters import ClusterState
    from claimgraph.link.judge import ClaimView, Judgement

    texts = {"g1": "The Kremlin had kompromat on Trump.", "g2": "Moscow holds kompromat on Trump.",
             "n1": "The Kremlin has no compromising materials on Trump."}

    class Scores:
        name = "scores"

        def judge(self, a: ClaimView, b: ClaimView) -> Judgement:
            if {a.id, b.id} == {"g1", "g2"}:
                return Judgement(relation="same", score=0.9, method=self.name)
            # Below the merge score, above the denial score: it stays out, and hangs under.
            return Judgement(relation="contradicts", score=0.45, method=self.name)

    state = ClusterState(NeighbourIndex(HashingEmbedder().dim), Scores())
    vectors = HashingEmbedder().embed(list(texts.values()))
    state.add([ClaimView(id=k, document_id=f"d{i}", content=t, vector=v)
               for i, ((k, t), v) in enumerate(zip(texts.items(), vectors))])
    from claimgraph.link.lines import LineState
    from claimgraph.link.readout import Layer, ReadOut

    layer = Layer()
    ReadOut(state, layer, LineState()).update(state.take_touched(), set())
    clusters = {m: c for c in layer.clusters.values() for m in c.claim_ids}
    assert clusters["g1"] is clusters["g2"] and clusters["n1"].parent == clusters["g1"].id
    assert [m.relation for m in clusters["n1"].members] == ["contradicts"]


def test_a_cluster_a_claim_joins_keeps_its_parent_and_weighs_only_the_pairs_that_changed() -> None:
    """A stable cluster (same id and anchor after a claim joined) weighs again the pair that
    placed it under its parent and the pairs touching claims whose cluster changed, not every
    pair of its members: that is what keeps an add O(document) as clusters grow."""
    from claimgraph.link.clusters import ClusterState
    from claimgraph.link.judge import ClaimView, Judgement
    from claimgraph.link.lines import LineState
    from claimgraph.link.readout import Layer, ReadOut

    texts = {
        "g1": "Kremlin backed Trump", "g2": "The Kremlin backed Trump",
        "s1": "The Kremlin backed Trump with money in the 2016 campaign",
        "s2": "The Kremlin backed Trump with money in the 2016 election campaign",
        "s3": "The Kremlin backed Trump with money in the 2016 presidential election campaign",
        "s4": "The Kremlin backed Trump with money in the 2016 US presidential election campaign",
        "h1": "Kremlin backed Trump with money", "h2": "The Kremlin backed Trump with money",
    }
    score = {frozenset(p): s for p, s in [
        (("g1", "g2"), 0.9), (("s1", "s2"), 0.9), (("s1", "s3"), 0.9), (("s2", "s3"), 0.9), (("h1", "h2"), 0.9),
        (("s1", "s4"), 0.9), (("s2", "s4"), 0.9), (("s3", "s4"), 0.9),
        (("s1", "g1"), 0.40),  # places the specific cluster under the general one
        (("s3", "h1"), 0.45),  # the newcomer's pair to a closer general claim: a better parent
    ]}

    class Scores:
        name = "scores"

        def judge(self, a: ClaimView, b: ClaimView) -> Judgement:
            s = score.get(frozenset((a.id, b.id)), 0.1)
            return Judgement(relation="more_specific" if s < 0.9 else "same", score=s, method=self.name)

    embedder = HashingEmbedder()
    state = ClusterState(NeighbourIndex(embedder.dim), Scores())
    vectors = dict(zip(texts, embedder.embed(list(texts.values()))))
    layer = Layer()
    readout = ReadOut(state, layer, LineState())
    asked: list[list[str]] = []
    judged_across = state.judged_across
    state.judged_across = lambda groups, floor: asked.extend(groups) or judged_across(groups, floor)  # type: ignore[method-assign]

    def add(*ids: str) -> None:
        state.add([ClaimView(id=i, document_id=f"d-{i}", content=texts[i], vector=vectors[i]) for i in ids])
        readout.update(state.take_touched(), set())

    def cluster_of(claim: str):
        return layer.clusters[layer.cluster_of[claim]]

    add("g1", "g2", "s1", "s2")
    specific = cluster_of("s1")
    assert specific.parent == cluster_of("g1").id and layer.parent_pairs[specific.id] == ("s1", "g1")
    asked.clear()
    add("h1", "h2")
    assert cluster_of("s1").parent == cluster_of("g1").id  # nothing of the specific cluster changed
    asked.clear()
    add("s3")
    assert cluster_of("s3").id == specific.id  # joined: same id and anchor
    assert cluster_of("s3").parent == cluster_of("h1").id and layer.parent_pairs[specific.id] == ("s3", "h1")
    assert sorted(cluster_of("s3").claim_ids) not in [sorted(g) for g in asked]  # not every pair of its members
    asked.clear()
    add("s4")  # joins with no pair of its own to a general claim: the pair that placed it still does
    assert cluster_of("s4").id == specific.id and cluster_of("s4").parent == cluster_of("h1").id
    assert sorted(cluster_of("s4").claim_ids) not in [sorted(g) for g in asked]
