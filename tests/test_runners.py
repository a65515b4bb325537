"""The runners of the main job: `claimgraph run --runner dask` gives the ledger the local run
gives, a worker killed mid-run loses and duplicates nothing, a failed analysis is resumed by a
rerun (PostgreSQL); registered step names follow the data files' contents."""

from __future__ import annotations

import json
import os
import signal
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from claimgraph.api import export_ledger, link_ledger, open_ledger, run_ledger
from claimgraph.cli import main
from claimgraph.pipeline import comparable_export, step
from conftest import EXAMPLES

distributed = pytest.importorskip("distributed", reason="the optional extra `dask` (in `test`) is not installed")


def invoke(*args: str) -> Any:
    result = CliRunner().invoke(main, ["--db", *args[:1], "run", "--no-progress", *args[1:]], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def comparable(url: str) -> dict[str, Any]:
    store = open_ledger(url)
    try:
        return comparable_export(json.loads(json.dumps(export_ledger(store))))
    finally:
        store.close()


@pytest.fixture(scope="module")
def local_ledger(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The seeds run by `claimgraph run` (the local runner), as comparable_export gives it."""
    db = str(tmp_path_factory.mktemp("local") / "ledger.db")
    invoke(db, str(EXAMPLES))
    return comparable(db)


@pytest.fixture(scope="module")
def cluster() -> Any:
    """Two worker processes of one thread each, shared by the tests that kill or fail a task."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as made:
        yield made


def test_dask_run_gives_the_local_ledger(tmp_path: Path, local_ledger: dict[str, Any]) -> None:
    db = str(tmp_path / "ledger.db")
    result = invoke(db, "--runner", "dask", "--workers", "2", str(EXAMPLES))
    assert "ingested 3," in result.output and "analysed 3 document(s)" in result.output
    ledger = comparable(db)
    assert ledger["claims"] and ledger["clusters"] and ledger["lines"]
    for records in ("documents", "claims", "clusters", "links", "lines", "provenance", "events", "assessments"):
        assert ledger[records] == local_ledger[records], records
    assert ledger == local_ledger


def test_a_worker_killed_mid_run_loses_and_duplicates_nothing(tmp_path: Path, cluster: Any,
                                                              local_ledger: dict[str, Any]) -> None:
    from claimgraph.pipeline import DaskRunner

    db = str(tmp_path / "ledger.db")
    killed: list[int] = []
    outcomes: list[Any] = []

    def kill_a_busy_worker(outcome: Any) -> None:
        # The second file is stored: the first document's analysis is on a worker (loading spaCy
        # or parsing); kill that worker's process.
        outcomes.append(outcome)
        if len(outcomes) != 2:
            return
        client = runner.client
        for _ in range(100):
            busy = [address for address, keys in client.processing().items() if keys]
            if busy:
                break
            time.sleep(0.05)
        pid = client.run(os.getpid, workers=busy[:1])[busy[0]]
        os.kill(pid, signal.SIGKILL)
        killed.append(pid)

    store = open_ledger(db)
    try:
        with DaskRunner(scheduler=cluster.scheduler_address) as runner:
            first = runner.run(store, [EXAMPLES], on_outcome=kill_a_busy_worker)
    finally:
        store.close()
    assert killed
    # The lost task ran again elsewhere; whatever could not is left for the rerun to finish.
    assert len(first.analysed.analysed) + len(first.analysed.failed) == 3
    rerun = invoke(db, "--runner", "dask", "--scheduler", cluster.scheduler_address, str(EXAMPLES))
    assert "ingested 0, new versions 0, unchanged 3, duplicates 0, failed 0" in rerun.output
    assert f"analysed {len(first.analysed.failed)} document(s)" in rerun.output
    assert comparable(db) == local_ledger


@pytest.mark.postgres
def test_a_failed_analysis_is_resumed_by_a_rerun_on_postgres(postgres_url: str, cluster: Any,
                                                             local_ledger: dict[str, Any]) -> None:
    from claimgraph.pipeline import DaskRunner
    from claimgraph.pipeline.dask_runner import analyse_on_worker

    def analyse_all_but_the_memo(document: Any) -> Any:  # sent to the workers by value (cloudpickle)
        if "Company Intelligence Report" in document.text:
            raise RuntimeError("worker lost mid-document")
        return analyse_on_worker(document)

    store = open_ledger(postgres_url)
    try:
        with DaskRunner(scheduler=cluster.scheduler_address, analyse=analyse_all_but_the_memo) as runner:
            first = runner.run(store, [EXAMPLES])
        assert len(first.analysed.analysed) == 2 and len(first.analysed.failed) == 1
        assert "RuntimeError: worker lost mid-document" in first.analysed.failed[0][1]
        assert first.linked.documents == 2
        with DaskRunner(scheduler=cluster.scheduler_address) as runner:
            second = run_ledger(store, EXAMPLES, runner=runner)  # the public API's way
        assert [o.status for o in second.ingested.outcomes] == ["unchanged"] * 3
        assert (len(second.analysed.analysed), len(second.analysed.skipped)) == (1, 2)
        assert second.linked.incremental and len(second.linked.added) == 1
    finally:
        store.close()
    # Nothing lost or duplicated: every document's analysis is the local run's.
    ledger = comparable(postgres_url)
    for records in ("documents", "sentences", "entities", "mentions", "claims", "times"):
        assert ledger[records] == local_ledger[records], records
    # The incremental link added the third document to the two linked; linking the same store
    # from scratch gives the local run's layer (the incremental one may differ in a few links:
    # see docs/scaling.md).
    store = open_ledger(postgres_url)
    try:
        link_ledger(store, full=True)
    finally:
        store.close()
    ledger = comparable(postgres_url)
    for records in ("clusters", "links", "lines", "provenance", "events", "assessments"):
        assert ledger[records] == local_ledger[records], records


def test_registered_names_follow_the_data_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from importlib import resources

    from claimgraph.analyse.pipeline import STEP

    analyse = step("analyse")
    assert analyse.name == STEP and analyse.pure and "claims" in analyse.writes  # the name analyses are stored under
    assert not step("link").pure
    # The link steps whose names are stamped on their records are built as analyse's is.
    from claimgraph.link.events import EVENTS_STEP
    from claimgraph.link.lines import LINES_STEP
    from claimgraph.link.provenance import PROVENANCE_STEP

    assert (step("link.lines").name, step("link.provenance").name, step("link.events").name) == \
        (LINES_STEP, PROVENANCE_STEP, EVENTS_STEP)
    assert "data/provenance.json" in step("link.lines").data  # the lines' rules read the provenance lexicon
    # The same rules' files, one of them edited: a new name although nobody bumped STEP.
    root = resources.files("claimgraph")
    for name in analyse.data:
        copy = tmp_path / name
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_bytes(root.joinpath(name).read_bytes())
    monkeypatch.setattr("claimgraph.pipeline.steps._package_root", lambda: tmp_path)
    assert replace(analyse).name == analyse.name
    lexicon = tmp_path / "data" / "lexicon.json"
    lexicon.write_text(lexicon.read_text("utf-8").replace("}", ' }', 1), "utf-8")
    assert replace(analyse).name != analyse.name
