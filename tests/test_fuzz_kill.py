"""kill -9 during ingest, analyse and link (issue 17), the fast version: one random kill of each
stage, a rerun, then the store equals an uninterrupted one (nothing lost or duplicated) and its
integrity holds. The long version: bench/kill_runs.py --rounds 10."""

from __future__ import annotations

import importlib.util
import random
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _kill_runs():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("kill_runs", ROOT / "bench" / "kill_runs.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    kill_runs = _kill_runs()
    work = tmp_path_factory.mktemp("kill")
    return kill_runs, work, kill_runs.prepare(work, files=8, seed=17)


@pytest.mark.parametrize("stage", ["ingest", "analyse", "link"])
def test_a_stage_killed_at_a_random_moment_then_rerun_loses_and_duplicates_nothing(reference, stage: str) -> None:
    kill_runs, work, stores = reference
    outcome = kill_runs.kill_round(work, stores, stage, random.Random(), 0)
    assert outcome["problems"] == [], outcome
    if stage != "link":  # its kill is timed, and a fast run may end first; the others wait for a write
        assert outcome["killed"], outcome


def test_the_comparison_sees_a_lost_and_a_duplicated_row(reference, tmp_path: Path) -> None:
    import sqlite3

    kill_runs, _, stores = reference
    analysed = stores["stores"]["analyse"]
    damaged = tmp_path / "damaged.db"
    kill_runs._copy_store(analysed, damaged)
    with sqlite3.connect(damaged) as connection:
        connection.execute("DELETE FROM claims WHERE id = (SELECT min(id) FROM claims)")
        connection.execute("INSERT INTO origins SELECT origin || '#copy', document_id, version, seen_at FROM origins LIMIT 1")
    problems = kill_runs.differences(kill_runs.snapshot(damaged), kill_runs.snapshot(analysed))
    assert any(p.startswith("claims differ") for p in problems) and any(p.startswith("origins differ") for p in problems)
