"""ACH: hypotheses entered by an analyst, cells pre-filled by the judge, analyst overrides, scores."""

from __future__ import annotations

import os
from pathlib import Path
import shutil
import sys

import numpy as np
import pytest
from click.testing import CliRunner
from sqlalchemy import delete, select, update

from claimgraph.assess.ach import Hypothesis, diagnosticity_of, score_ach
from claimgraph.assess.matrix import Evidence, Prefill, VectorMemo
from claimgraph.cli import main
from claimgraph.errors import NotFound
from claimgraph.ledger import ach_matrix, analyse_store, link_store
from claimgraph.link import HashingEmbedder
from claimgraph.pipeline import ingest_paths
from claimgraph.pipeline.ach_step import load_evidence
from claimgraph.store import ach, open_store
from claimgraph.store import schema as t
from conftest import EXAMPLES


@pytest.fixture(scope="module")
def seeds_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    db = str(tmp_path_factory.mktemp("ach") / "seeds.db")
    with open_store(db) as store:
        ingest_paths(store, [EXAMPLES])
        analyse_store(store)
        link_store(store, embedder=HashingEmbedder())
    return db


def test_prefill_then_analyst_override_changes_the_scores(seeds_db: str) -> None:
    with open_store(seeds_db) as store:
        support = ach.add_hypothesis(store, "Putin authorised an operation to help Trump win", who="t")
        against = ach.add_hypothesis(store, "The Kremlin never backed Trump", who="t")
        assert ach.add_hypothesis(store, "putin  authorised an operation to help Trump win", who="t") == support
        matrix = ach_matrix(store, embedder=HashingEmbedder())
        clusters = [c["id"] for c in matrix["clusters"]]
        assert clusters and {cell["origin"] for cell in matrix["cells"]} == {"judge"}
        assert len(matrix["cells"]) == 2 * len(clusters)  # every cell is filled
        before = {h["id"]: h["weighted_inconsistency"] for h in matrix["hypotheses"]}

        ach.set_cell(store, support, clusters[0], "II", who="analyst")
        ach.set_cell(store, support, clusters[0], "C", who="claimgraph", origin="judge")  # never overrides
        after = ach_matrix(store, embedder=HashingEmbedder())
        assert after["matrix"][support][clusters[0]] == "II"
        scores = {h["id"]: h["weighted_inconsistency"] for h in after["hypotheses"]}
        assert scores[support] > before[support]
        assert after["diagnosticity"][clusters[0]] > 0
        assert scores[against] == before[against]


def test_bad_ratings_and_unknown_hypotheses_are_clear_errors(seeds_db: str) -> None:
    with open_store(seeds_db) as store:
        with pytest.raises(ach.AchError, match="rating must be one of"):
            ach.set_cell(store, "H-x", "K-y", "maybe", who="t")
        with pytest.raises(NotFound, match="no hypothesis"):
            ach.set_cell(store, "H-missing", "K-y", "C", who="t")


def test_cli_round_trip(tmp_path: Path) -> None:
    db = str(tmp_path / "l.db")
    runner = CliRunner()
    assert runner.invoke(main, ["--db", db, "ingest", str(EXAMPLES)]).exit_code == 0
    added = runner.invoke(main, ["--db", db, "ach", "add", "Russia helped Trump"])
    hypothesis = added.output.strip()
    assert hypothesis.startswith("H-")
    shown = runner.invoke(main, ["--db", db, "ach", "show", "--json"])
    assert shown.exit_code == 0 and hypothesis in shown.output
    assert runner.invoke(main, ["--db", db, "ach", "remove", hypothesis]).exit_code == 0
    missing = runner.invoke(main, ["--db", db, "ach", "remove", hypothesis])
    assert missing.exit_code == 2 and "no hypothesis" in missing.output


# ---------------------------------------------------------------------- pre-fill


class TopicEmbedder:
    """Each text's vector is its topic's axis (texts mapped to a topic by hand); counts what it embeds."""

    name = "topics-fake"

    def __init__(self, topics: dict[str, int], dim: int = 8) -> None:
        self.topics, self.dim, self.embedded = topics, dim, []

    def embed(self, texts: list[str]) -> np.ndarray:
        self.embedded += list(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            out[i, self.topics.get(text, self.dim - 1)] = 1.0
        return out


MATERIAL = "The agency holds compromising material on the senator"
RESTATED = "Officials said the agency had compromising material on the senator"
DENIED = "The agency holding compromising material on the senator"
THIN = "These allegations"
WEATHER = "The weather in the capital stayed mild all week"
NEGATED = "The agency does not hold compromising material on the senator"


def evidence_layer() -> dict[str, Evidence]:
    return {
        "K-say": Evidence(id="K-say", anchor=RESTATED, parent=None, claims=[(RESTATED, "asserted")], denied=False),
        "K-deny": Evidence(id="K-deny", anchor=DENIED, parent=None, claims=[(DENIED, "denied")], denied=True),
        "K-thin": Evidence(id="K-thin", anchor=THIN, parent="K-say", claims=[(THIN, "denied")], denied=True),
        "K-other": Evidence(id="K-other", anchor=WEATHER, parent=None, claims=[(WEATHER, "asserted")], denied=False),
    }


def test_prefill_marks_restatement_consistent_denial_inconsistent_and_the_rest_neutral() -> None:
    topics = {MATERIAL: 0, RESTATED: 0, DENIED: 0, NEGATED: 0, THIN: 3, WEATHER: 2}
    judge = Prefill({"H-1": MATERIAL, "H-2": NEGATED}, evidence_layer(), embedder=TopicEmbedder(topics))
    pairs = [(h, c) for h in ("H-1", "H-2") for c in evidence_layer()]
    judge.prepare(pairs)
    rated = {pair: judge.rate(*pair)[0] for pair in pairs}
    assert rated[("H-1", "K-say")] == "C"
    assert rated[("H-1", "K-deny")] == "I"
    assert rated[("H-1", "K-thin")] == "I"  # too thin to compare: it denies the cluster it refines
    assert rated[("H-1", "K-other")] == "N"
    # the hypothesis that says it is not so: the denial is consistent with it, the report is not
    assert rated[("H-2", "K-say")] == "I" and rated[("H-2", "K-deny")] == "C" and rated[("H-2", "K-other")] == "N"
    assert rated[("H-2", "K-thin")] == "C"  # it denies a report inconsistent with "it is not so"
    assert "relevance 1.00" in judge.rate("H-1", "K-say")[2]


def test_judge_cells_are_cached_and_recomputed_only_when_hypothesis_or_cluster_changes(seeds_db: str, tmp_path: Path) -> None:
    with open_store(fresh_copy(seeds_db, tmp_path)) as store:
        first = ach.add_hypothesis(store, "Putin authorised an operation to help Trump win", who="t")
        embedder = CountingEmbedder()
        memo = VectorMemo(embedder)  # as the web app keeps one
        matrix = ach_matrix(store, embedder=memo)
        assert embedder.embedded  # the first read embeds the hypothesis and the clusters' claims
        cluster = matrix["clusters"][0]["id"]
        ach.set_cell(store, first, cluster, "II", who="ann")
        embedder.embedded.clear()
        again = ach_matrix(store, embedder=memo)
        assert embedder.embedded == [] and again["matrix"] == {**matrix["matrix"], first: {**matrix["matrix"][first], cluster: "II"}}
        # a new hypothesis embeds itself only (the clusters' vectors are kept), its column only is judged
        second = ach.add_hypothesis(store, "Nobody in Russia helped Trump", who="t")
        embedder.embedded.clear()
        ach_matrix(store, embedder=memo)
        assert embedder.embedded == ["Nobody in Russia helped Trump"]
        stamps = {(c.hypothesis, c.cluster): c.set_at + (c.basis or "") for c in ach.cells(store)}
        # a cluster whose claims change is judged again, against every hypothesis; the analyst's cell stays
        with store.transaction() as connection:
            member = connection.execute(select(t.cluster_members.c.claim_id).where(t.cluster_members.c.cluster_id == cluster)).first()
            connection.execute(update(t.claims).where(t.claims.c.id == member.claim_id).values(content="Something else entirely"))
        ach_matrix(store, embedder=memo)
        after = {(c.hypothesis, c.cluster): c for c in ach.cells(store)}
        changed = {pair for pair, c in after.items() if c.set_at + (c.basis or "") != stamps[pair]}
        # ... and so are the denials of it, which read its claims
        denials = {k for k, e in load_evidence(store).items() if e.denied and cluster in e.denies}
        assert changed == {(second, cluster)} | {(h, d) for h in (first, second) for d in denials}
        assert (after[(first, cluster)].rating, after[(first, cluster)].origin) == ("II", "analyst")


def fresh_copy(seeds_db: str, tmp_path: Path) -> str:
    """The linked seeds without the hypotheses other tests entered."""
    db = str(tmp_path / "copy.db")
    shutil.copy(seeds_db, db)
    with open_store(db) as store:
        for h, _ in ach.list_hypotheses(store):
            ach.remove_hypothesis(store, h)
        with store.transaction() as connection:  # and without the vectors their reads kept
            connection.execute(delete(ach.ach_vectors))
    return db


class CountingEmbedder(HashingEmbedder):
    def __init__(self) -> None:
        super().__init__()
        self.embedded: list[str] = []

    def embed(self, texts):  # type: ignore[no-untyped-def]
        self.embedded += list(texts)
        return super().embed(texts)


# ---------------------------------------------------------------------- diagnosticity and rows


def test_diagnosticity_is_zero_for_evidence_rated_alike_and_grows_with_disagreement() -> None:
    assert diagnosticity_of(["C", "C", "C"]) == diagnosticity_of(["I", "I"]) == diagnosticity_of(["N"]) == 0.0
    assert diagnosticity_of(["CC", "II"]) == 1.0
    assert diagnosticity_of(["C", "N", "N", "N"]) < diagnosticity_of(["C", "C", "I", "I"]) < diagnosticity_of(["CC", "II"])
    assert diagnosticity_of(["C", "NA", "C"]) == 0.0  # not applicable is left out, not counted as neutral
    hypotheses = [Hypothesis(id="H-a", text="a", ratings={"K-all": "C", "K-split": "C"}),
                  Hypothesis(id="H-b", text="b", ratings={"K-all": "C", "K-split": "I"})]
    result = score_ach(hypotheses, [])
    assert result.diagnosticity == {"K-all": 0.0, "K-split": 0.5}


def test_rows_follow_diagnosticity_and_the_evidence_set(seeds_db: str, tmp_path: Path) -> None:
    with open_store(fresh_copy(seeds_db, tmp_path)) as store:
        one = ach.add_hypothesis(store, "Putin authorised an operation to help Trump win", who="t")
        two = ach.add_hypothesis(store, "Trump and Putin were never close", who="t")
        proposed = ach_matrix(store, embedder=HashingEmbedder())
        assert proposed["evidence_chosen"] is False and proposed["clusters"]
        assert all(not c["chosen"] for c in proposed["clusters"])
        rows = [c["id"] for c in proposed["clusters"]]
        keys = [(-c["diagnosticity"], -c["relevance"], c["id"]) for c in proposed["clusters"]]
        assert keys == sorted(keys)
        split, alike = rows[-1], rows[-2]
        ach.set_cell(store, one, split, "CC", who="ann")
        ach.set_cell(store, two, split, "II", who="ann")
        ach.set_cell(store, one, alike, "C", who="ann")
        ach.set_cell(store, two, alike, "C", who="ann")
        for cluster in (alike, split):
            ach.add_evidence(store, cluster, who="ann")
        chosen = ach_matrix(store, embedder=HashingEmbedder())
        assert chosen["evidence_chosen"] is True
        assert [c["id"] for c in chosen["clusters"]] == [split, alike]  # the diagnostic one first
        assert chosen["diagnosticity"] == {split: 1.0, alike: 0.0}
        assert {cell["cluster"] for cell in chosen["cells"]} == {split, alike}
        assert all(p["cluster"] not in (split, alike) for near in chosen["proposals"].values() for p in near)
        ach.remove_evidence(store, split)
        assert [c["id"] for c in ach_matrix(store, embedder=HashingEmbedder())["clusters"]] == [alike]
        with store.transaction() as connection:  # a relink that no longer makes the chosen cluster
            connection.execute(t.cluster_members.delete().where(t.cluster_members.c.cluster_id == alike))
            connection.execute(t.clusters.delete().where(t.clusters.c.id == alike))
        gone = ach_matrix(store, embedder=HashingEmbedder())
        assert gone["evidence_gone"] == [alike] and gone["evidence_chosen"] is False
        with pytest.raises(NotFound, match="not in the evidence set"):
            ach.remove_evidence(store, split)
        with pytest.raises(NotFound, match="no cluster"):
            ach.add_evidence(store, "K-missing", who="ann")


def test_cli_and_api_choose_evidence(seeds_db: str, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from claimgraph.web.app import WebOptions, asgi_app

    db = fresh_copy(seeds_db, tmp_path)
    with open_store(db) as store:
        cluster_ids = sorted(load_evidence(store))
    runner = CliRunner()
    assert runner.invoke(main, ["--db", db, "ach", "evidence", "add", cluster_ids[0]]).exit_code == 0
    missing = runner.invoke(main, ["--db", db, "ach", "evidence", "add", "K-nope"])
    assert missing.exit_code == 2 and "no cluster" in missing.output
    with open_store(db) as store:
        assert list(ach.evidence(store)) == [cluster_ids[0]]
        with TestClient(asgi_app(WebOptions(allowed_hosts=None), store=store, embedder=HashingEmbedder())) as client:
            write = {"X-Claimgraph-CSRF": "1"}
            client.post("/api/ach/hypotheses", json={"text": "Russia helped Trump"}, headers=write)
            made = client.post("/api/ach/evidence", json={"cluster": cluster_ids[1], "author": "ann"}, headers=write)
            assert made.status_code == 201 and made.json()["added_by"] == "ann"
            assert client.post("/api/ach/evidence", json={"cluster": "K-nope"}, headers=write).status_code == 404
            assert client.post("/api/ach/evidence", json={"cluster": cluster_ids[2]}).status_code == 403  # CSRF
            matrix = client.get("/api/ach").json()
            assert matrix["evidence_chosen"] and {c["id"] for c in matrix["clusters"]} == set(cluster_ids[:2])
            page = client.get("/ach").text
            assert "Remove from evidence" in page and "your evidence set" in page
            assert client.delete(f"/api/ach/evidence/{cluster_ids[1]}", headers=write).status_code == 204
            assert client.delete(f"/api/ach/evidence/{cluster_ids[1]}", headers=write).status_code == 404
    assert runner.invoke(main, ["--db", db, "ach", "evidence", "remove", cluster_ids[0]]).exit_code == 0
    shown = runner.invoke(main, ["--db", db, "ach", "show"])
    assert "rows: proposed by relevance" in shown.output


# ---------------------------------------------------------------------- the gold on the seeds (MiniLM)


@pytest.fixture(scope="module")
def seeds_minilm(tmp_path_factory: pytest.TempPathFactory) -> str:
    pytest.importorskip("onnxruntime")
    from claimgraph.link.embed import ModelMissing, OnnxMiniLM

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        OnnxMiniLM()
    except ModelMissing as err:
        pytest.skip(str(err))
    from claimgraph.ledger import run_store

    db = str(tmp_path_factory.mktemp("ach-gold") / "seeds.db")
    with open_store(db) as store:
        ingest_paths(store, [EXAMPLES])
        run_store(store)
    return db


def test_prefill_agrees_with_the_gold_on_the_seeds(seeds_minilm: str) -> None:
    """Hypotheses in an analyst's words (bench/ach_gold.py) against the seeds' clusters in reporting
    language. Before (the structural judge's thresholds on the anchor alone): accuracy 0.808,
    C recall 0.18, I recall 0.11; now 0.842, 0.53, 0.44 (bench/bench_ach_prefill.py)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from bench_ach_prefill import score

    result = score(seeds_minilm)
    assert result["accuracy"] >= 0.8
    assert result["C recall"] >= 0.4 and result["I recall"] >= 0.4
    assert result["C precision"] >= 0.6 and result["I precision"] >= 0.6


# ---------------------------------------------------------------------- speed without a changed cell


class FixedEmbedder:
    """Given vectors per text (unit or not), one text per call as the MiniLM embeds."""

    name = "fixed"
    dim = 8

    def __init__(self, vectors: dict[str, np.ndarray]) -> None:
        self.vectors = vectors

    def embed(self, texts):  # type: ignore[no-untyped-def]
        return np.stack([self.vectors[x] for x in texts])


def test_the_nearest_claim_is_the_first_highest_np_dot_even_when_two_nearly_tie() -> None:
    rng = np.random.default_rng(3)
    vectors = {f"t{i}": rng.standard_normal(8).astype(np.float32) for i in range(60)}
    base = rng.standard_normal(8).astype(np.float32)
    vectors["near-a"] = base
    vectors["near-b"] = base + np.float32(1e-7)  # a tie the matrix product cannot tell apart
    vectors["same"] = base.copy()
    vectors["H"] = base + rng.standard_normal(8).astype(np.float32) * np.float32(0.1)
    clusters = {f"K-{k}": [f"t{i}" for i in rng.choice(60, size=1 + k % 6, replace=False)] for k in range(40)}
    clusters |= {"K-tie": ["t1", "near-a", "near-b"], "K-same": ["near-a", "same"], "K-one": ["t2"]}
    evidence = {k: Evidence(id=k, anchor=texts[0], parent=None, claims=[(x, "asserted") for x in texts], denied=False)
                for k, texts in clusters.items()}
    judge = Prefill({"H-1": "H"}, evidence, embedder=FixedEmbedder(vectors))
    judge.prepare([("H-1", k) for k in evidence])
    for k, e in evidence.items():
        h = judge._vectors["H"]
        scores = [float(np.dot(h, judge._vectors[x])) for x, _ in e.claims]
        assert judge._nearest("H", e) == (int(np.argmax(scores)), scores[int(np.argmax(scores))]), k


def _score_every_cluster(hypotheses: list[Hypothesis], assessments: list) -> list[dict]:  # type: ignore[type-arg]
    """score_ach's sums as they were first written: over every cluster, N included."""
    from claimgraph.assess.ach import CREDIBILITY_WEIGHT, SCORES

    by_cluster = {a.cluster: a for a in assessments}
    clusters = sorted({c for h in hypotheses for c in h.ratings})
    out = []
    for hypothesis in hypotheses:
        groups: dict = {}  # type: ignore[type-arg]
        for cluster in clusters:
            value = SCORES.get(hypothesis.ratings.get(cluster, "N").upper(), 0)
            a = by_cluster.get(cluster)
            weight = CREDIBILITY_WEIGHT[a.credibility] if a else 0.5
            key = tuple(sorted(a.supporting_lines)) if a and a.supporting_lines else (cluster,)
            inc, winc, cons = max(0, -value), max(0, -value) * weight, max(0, value) * weight
            old = groups.get(key, (0.0, 0.0, 0.0))
            groups[key] = (max(old[0], inc), max(old[1], winc), max(old[2], cons))
        out.append({"hypothesis": hypothesis.id, "inconsistency": sum(g[0] for g in groups.values()),
                    "weighted_inconsistency": round(sum(g[1] for g in groups.values()), 4),
                    "consistency": round(sum(g[2] for g in groups.values()), 4)})
    return sorted(out, key=lambda s: (s["weighted_inconsistency"], -s["consistency"], s["hypothesis"]))


def test_scores_summed_over_rated_cells_are_those_summed_over_every_cluster() -> None:
    from claimgraph.assess.credibility import Assessment

    rng = np.random.default_rng(5)
    clusters = [f"K-{k:03d}" for k in range(120)]
    assessments = [Assessment(cluster=c, credibility=int(rng.integers(1, 7)), label="", reliability="F",
                              supporting_lines=[f"L{int(rng.integers(0, 15))}"] if k % 4 else [])
                   for k, c in enumerate(clusters) if k % 7]
    ratings = ["CC", "C", "N", "N", "N", "NA", "I", "II", "n", "i"]
    hypotheses = [Hypothesis(id=f"H-{j}", text="", ratings={c: ratings[int(rng.integers(0, len(ratings)))]
                                                           for c in clusters if rng.random() < 0.8}) for j in range(30)]
    hypotheses.append(Hypothesis(id="H-none", text="", ratings={clusters[0]: "N"}))
    scored = [s.to_dict() for s in score_ach(hypotheses, assessments).hypotheses]
    expected = _score_every_cluster(hypotheses, assessments)
    assert scored == expected
    assert [type(s["inconsistency"]) for s in scored] == [type(s["inconsistency"]) for s in expected]  # 0.0 stays 0.0


def test_the_link_stages_vectors_are_reused_and_change_no_cell(seeds_db: str, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import json

    from claimgraph.pipeline import ach_step

    db = fresh_copy(seeds_db, tmp_path)
    with open_store(db) as store:
        with store.transaction() as connection:  # a claim whose text is its proposition, as most unframed claims are
            claim_id, view_json = connection.execute(
                select(t.link_views.c.claim_id, t.link_views.c.view_json)
                .where(t.link_views.c.claim_id.in_(select(t.cluster_members.c.claim_id)))).first()
            proposition = json.loads(view_json)["proposition"]
            connection.execute(update(t.claims).where(t.claims.c.id == claim_id).values(content=proposition))
        ach.add_hypothesis(store, "Putin authorised an operation to help Trump win", who="t")
    shutil.copy(db, tmp_path / "without.db")
    embedder = CountingEmbedder()
    with open_store(db) as store:
        reused = ach_matrix(store, embedder=VectorMemo(embedder))
    assert proposition not in embedder.embedded and embedder.embedded
    monkeypatch.setattr(ach_step, "linked_vectors", lambda *_: {})
    with open_store(str(tmp_path / "without.db")) as store:
        embedded = ach_matrix(store, embedder=VectorMemo(CountingEmbedder()))
    strip = lambda m: [{k: v for k, v in c.items() if k != "set_at"} for c in m["cells"]]  # noqa: E731
    assert strip(reused) == strip(embedded) and reused["hypotheses"] == embedded["hypotheses"]
    # linked with another embedder: nothing is taken from it
    with open_store(str(tmp_path / "without.db")) as store:
        assert ach_step.linked_vectors.__name__ == "<lambda>"
        monkeypatch.undo()
        assert ach_step.linked_vectors(store, load_evidence(store), "another-model") == {}


# ---------------------------------------------------------------------- vectors kept between processes (0020)


def synthetic_ledger(store, clusters: int = 6) -> None:  # type: ignore[no-untyped-def]
    """A small linked ledger without the NLP: `clusters` clusters of two claims each, every third a denial."""
    from claimgraph.pipeline import ingest_document
    from claimgraph.models import Analysis, Claim, RawDocument
    from claimgraph.store.links import save_layer

    actors = ["The agency", "The minister", "The bank", "The envoy", "The council", "The mayor"]
    texts = [f"{actors[k % len(actors)]} paid the contractor {'before the vote' if i else 'in March'} ({k})"
             for k in range(clusters) for i in range(2)]
    doc = ingest_document(store, RawDocument(origin="synthetic.txt", media_type="text/plain", text=". ".join(texts) + ".")).document_id
    claims, start = [], 0
    for i, text in enumerate(texts):
        claims.append(Claim(id=f"{doc}:c{i:03d}", sentence_index=i, start=start, end=start + len(text), sentence_start=start,
                            sentence_end=start + len(text) + 1, text=text, content=text,
                            polarity="denied" if (i // 2) % 3 == 2 else "asserted"))
        start += len(text) + 2
    store.save_analysis(Analysis(document_id=doc, claims=claims), analysed_at="2026-01-01T00:00:00+00:00")
    layer = [{"id": f"K-{k:03d}", "anchor": claims[2 * k].id, "anchor_text": claims[2 * k].content, "parent": None,
              "documents": [doc], "members": [{"claim": m.id, "relation": "same"} for m in claims[2 * k : 2 * k + 2]]}
             for k in range(clusters)]
    save_layer(store, {"clusters": layer, "links": [], "provenance": [], "lines": [], "events": [], "assessments": [],
                       "sourcing": []})


def test_vectors_are_kept_in_the_ledger_and_a_new_process_embeds_nothing_for_the_same_cells(store) -> None:  # type: ignore[no-untyped-def]
    synthetic_ledger(store)
    one = ach.add_hypothesis(store, "The agency paid the contractor in March", who="t")
    ach.add_hypothesis(store, "The mayor paid the contractor before the vote", who="t")
    first_process = VectorMemo(CountingEmbedder())
    first = ach_matrix(store, embedder=first_process)
    embedded = first_process.embedder.embedded
    assert embedded and len(embedded) == len(set(embedded))
    judged = sorted((c.hypothesis, c.cluster, c.rating, c.relevance, c.reason, c.basis) for c in ach.cells(store))
    # each embedded text's vector is kept under the embedder and its text's digest, as the memo made it
    kept = ach.load_vectors(store, first_process.kept_as or "", embedded)
    assert set(kept) == set(embedded)
    assert all(kept[x] == first_process.vectors([x])[x].tobytes() for x in embedded)
    # a new process (a new memo) judging every cell again (say, a new judge version) embeds nothing
    with store.transaction() as connection:
        connection.execute(delete(ach.ach_cells))
    second_process = VectorMemo(CountingEmbedder())
    again = ach_matrix(store, embedder=second_process)
    assert second_process.embedder.embedded == []
    assert sorted((c.hypothesis, c.cluster, c.rating, c.relevance, c.reason, c.basis) for c in ach.cells(store)) == judged
    assert again["matrix"] == first["matrix"] and again["hypotheses"] == first["hypotheses"]
    # a new hypothesis in a third process embeds itself only
    ach.add_hypothesis(store, "The envoy paid the contractor", who="t")
    third_process = VectorMemo(CountingEmbedder())
    ach_matrix(store, embedder=third_process)
    assert third_process.embedder.embedded == ["The envoy paid the contractor"]
    assert one in ach_matrix(store, embedder=third_process)["matrix"]


def test_vectors_are_kept_per_embedder_and_not_for_a_nameless_one(store) -> None:  # type: ignore[no-untyped-def]
    synthetic_ledger(store, clusters=3)
    ach.add_hypothesis(store, "The agency paid the contractor in March", who="t")

    class Nameless:
        def embed(self, texts):  # type: ignore[no-untyped-def]
            return HashingEmbedder(dim=64).embed(texts)

    memo = VectorMemo(Nameless())
    assert memo.kept_as is None
    ach_matrix(store, embedder=memo)
    with store.engine.connect() as connection:
        assert connection.execute(select(ach.ach_vectors)).all() == []
    with store.transaction() as connection:
        connection.execute(delete(ach.ach_cells))
    wide, narrow = VectorMemo(CountingEmbedder()), VectorMemo(HashingEmbedder(dim=64))
    assert wide.kept_as != narrow.kept_as  # the same name at another width is another embedder
    ach_matrix(store, embedder=wide)
    with store.transaction() as connection:
        connection.execute(delete(ach.ach_cells))
    counting = CountingEmbedder()
    counting.dim = 64
    ach_matrix(store, embedder=VectorMemo(counting))
    assert counting.embedded  # nothing kept for the 64-wide hashing vectors yet


def test_past_judged_clusters_the_judge_reads_those_nearest_each_hypothesis_and_says_so(store, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import claimgraph.assess.matrix as matrix

    synthetic_ledger(store, clusters=30)
    hypotheses = [ach.add_hypothesis(store, "The agency paid the contractor in March", who="t"),
                  ach.add_hypothesis(store, "The mayor paid the contractor before the vote", who="t")]
    cell = lambda c: (c.rating, c.relevance, c.reason, c.basis)  # noqa: E731
    ach_matrix(store, embedder=HashingEmbedder())
    whole = {(c.hypothesis, c.cluster): cell(c) for c in ach.cells(store)}
    assert len(whole) == 60
    with store.transaction() as connection:
        connection.execute(delete(ach.ach_cells))
    monkeypatch.setattr(matrix, "JUDGED", 4)
    saved: list[int] = []
    save = ach.save_judged
    monkeypatch.setattr(ach, "save_judged", lambda store_, judged, **kw: saved.append(len(judged)) or save(store_, judged, **kw))
    shown = ach_matrix(store, embedder=HashingEmbedder())
    judged = {(c.hypothesis, c.cluster): cell(c) for c in ach.cells(store)}
    # bounded: 4 clusters per hypothesis (no denials of them, no evidence chosen), each judged as a full read judges it
    assert saved == [8] and len(judged) == 8
    assert all(judged[pair] == whole[pair] for pair in judged)
    for h in hypotheses:  # the most relevant clusters of each are among them
        assert max(whole[p][1] for p in whole if p[0] == h) == max(judged[p][1] for p in judged if p[0] == h)
    # the rest are not judged, visibly: counted, and NA where they are in the rows
    assert shown["not_judged"] == 60 - 8
    not_judged = [(h, c) for h, row in shown["matrix"].items() for c, rating in row.items() if (h, c) not in judged]
    assert not_judged and all(shown["matrix"][h][c] == "NA" for h, c in not_judged)
    # the choice is the same on the next read: nothing judged again
    ach_matrix(store, embedder=HashingEmbedder())
    assert saved == [8]
    # a cluster chosen as evidence is judged against every hypothesis
    far = next(c for c in (f"K-{k:03d}" for k in range(30)) if all((h, c) not in judged for h in hypotheses))
    ach.add_evidence(store, far, who="t")
    chosen = ach_matrix(store, embedder=HashingEmbedder())
    assert saved == [8, 2] and all(chosen["matrix"][h][far] == whole[(h, far)][0] for h in hypotheses)


def test_a_stale_judge_cell_of_a_cluster_no_longer_read_goes_and_a_sound_one_stays(store, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import claimgraph.assess.matrix as matrix
    from claimgraph.pipeline import ach_step

    synthetic_ledger(store, clusters=12)
    h = ach.add_hypothesis(store, "The agency paid the contractor in March", who="t")
    ach_matrix(store, embedder=HashingEmbedder())  # every cluster judged
    monkeypatch.setattr(matrix, "JUDGED", 3)
    near = ach_step.preselect(store, VectorMemo(HashingEmbedder()), ach.list_hypotheses(store), load_evidence(store), [])
    assert near is not None and len(near[h]) == 3
    far = [c for c in load_evidence(store) if c not in near[h]]
    changed, kept = far[0], far[1]
    with store.transaction() as connection:  # what the judge read of one far cluster changes
        members = [m for (m,) in connection.execute(select(t.cluster_members.c.claim_id).where(t.cluster_members.c.cluster_id == changed))]
        connection.execute(update(t.claims).where(t.claims.c.id.in_(members)).values(content="The bank lent the union money"))
    shown = ach_matrix(store, embedder=HashingEmbedder())
    cells = {c.cluster for c in ach.cells(store)}
    assert changed not in cells and kept in cells and near[h] <= cells
    assert shown["not_judged"] == 1


def test_the_judge_embeds_on_one_sleeping_thread_the_vectors_of_any_thread_count() -> None:
    pytest.importorskip("onnxruntime")
    from claimgraph.assess.matrix import judge_embedder
    from claimgraph.link.embed import EmbedOptions, LazyMiniLM, ModelMissing, OnnxMiniLM

    embedder = judge_embedder()
    assert embedder._options == EmbedOptions(spin=False, threads=1)
    texts = ["The agency paid the contractor in March", "The ministry denied ordering the payment to the firm"]
    try:
        OnnxMiniLM()
    except ModelMissing as err:
        pytest.skip(str(err))
    assert np.array_equal(embedder.embed(texts), LazyMiniLM(options=EmbedOptions(threads=2)).embed(texts))


def test_the_collector_rests_while_the_matrix_is_read(store, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import gc

    from claimgraph.pipeline import ach_step

    synthetic_ledger(store, clusters=3)
    ach.add_hypothesis(store, "The agency paid the contractor in March", who="t")
    read = ach_step._ach_matrix
    seen: list[bool] = []
    monkeypatch.setattr(ach_step, "_ach_matrix", lambda *args, **kw: seen.append(gc.isenabled()) or read(*args, **kw))
    assert ach_matrix(store, embedder=HashingEmbedder())["computed"]
    assert seen == [False] and gc.isenabled()


def test_the_pairs_not_judged_are_said_by_the_api_the_page_and_the_cli(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    import claimgraph.assess.matrix as matrix
    from claimgraph.web.app import WebOptions, asgi_app

    db = str(tmp_path / "ach.db")
    with open_store(db) as store:
        synthetic_ledger(store, clusters=8)
        ach.add_hypothesis(store, "The agency paid the contractor in March", who="t")
    monkeypatch.setattr(matrix, "JUDGED", 3)
    monkeypatch.setattr(matrix, "judge_embedder", HashingEmbedder)
    shown = CliRunner().invoke(main, ["--db", db, "ach", "show"])
    assert shown.exit_code == 0 and "5 hypothesis x cluster pair(s) not judged (NA)" in shown.output
    assert " NA " in shown.output  # a proposed row the judge did not read
    with open_store(db) as store:
        with TestClient(asgi_app(WebOptions(allowed_hosts=None), store=store, embedder=HashingEmbedder())) as client:
            assert client.get("/api/ach").json()["not_judged"] == 5
            page = client.get("/ach").text
            assert 'id="ach-not-judged"' in page
            # each cell the judge did not read says so: NA, marked apart from "not rated yet"
            assert page.count('class="cell s-none o-unjudged"') == 5 and "Not rated yet" not in page
            assert page.count('selected disabled>NA</option>') == 5
