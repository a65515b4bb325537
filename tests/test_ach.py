"""ACH: hypotheses entered by an analyst, cells pre-filled by the judge, analyst overrides, scores."""

from __future__ import annotations

import os
from pathlib import Path
import shutil
import sys

import numpy as np
import pytest
from click.testing import CliRunner
from sqlalchemy import select, update

from claimgraph.assess.ach import Hypothesis, diagnosticity_of, score_ach
from claimgraph.assess.matrix import Evidence, Prefill, VectorMemo, load_evidence
from claimgraph.cli import main
from claimgraph.errors import NotFound
from claimgraph.ingest import ingest_paths
from claimgraph.ledger import ach_matrix, analyse_store, link_store
from claimgraph.link import HashingEmbedder
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
