"""The evaluation gate: the whole pipeline on the seeds, scored against the gold, above the floors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from claimgraph.eval import check_floors, evaluate, gold_hash, load_gold
from claimgraph.export import export_ledger
from claimgraph.pipeline import ingest_paths
from claimgraph.ledger import analyse_store, link_store
from claimgraph.store import open_store
from conftest import EXAMPLES, shared_path

FLOORS = Path(__file__).with_name("eval_floors.json")


@pytest.fixture(scope="module")
def seeds_report(tmp_path_factory: pytest.TempPathFactory):
    gold_path = shared_path("gold", "seeds.json")
    with open_store(str(tmp_path_factory.mktemp("gate") / "seeds.db")) as store:
        ingest_paths(store, [EXAMPLES])
        analyse_store(store)
        link_store(store)
        report = evaluate(export_ledger(store), load_gold(gold_path))
    report.gold_hash = gold_hash(gold_path)
    return report


def test_seeds_meet_every_floor(seeds_report) -> None:
    floors = json.loads(FLOORS.read_text(encoding="utf-8"))
    failures = check_floors(seeds_report, floors)
    assert failures == [], "\n".join(failures)


def test_floors_are_pinned_to_the_gold_file() -> None:
    floors = json.loads(FLOORS.read_text(encoding="utf-8"))
    assert floors["gold_sha256"] == gold_hash(shared_path("gold", "seeds.json"))


def test_floors_are_only_lowered_with_a_noted_reason() -> None:
    floors = json.loads(FLOORS.read_text(encoding="utf-8"))
    history = floors["history"]
    assert history[-1]["metrics"] == floors["metrics"], "record every change of the floors in `history`"
    for before, after in zip(history, history[1:]):
        for name, value in after["metrics"].items():
            previous = before["metrics"].get(name)
            if previous is None or name == "hard_negatives.merged":
                continue
            if value < previous:
                assert name in after.get("reason", ""), f"{name} lowered from {previous} to {value} without a reason naming it"
