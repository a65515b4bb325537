"""ACH: hypotheses entered by an analyst, cells pre-filled by the judge, analyst overrides, scores."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from claimgraph.cli import main
from claimgraph.errors import NotFound
from claimgraph.ingest import ingest_paths
from claimgraph.ledger import ach_matrix, analyse_store, link_store
from claimgraph.link import HashingEmbedder
from claimgraph.store import ach, open_store
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
