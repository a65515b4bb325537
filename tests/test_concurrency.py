"""Concurrent writers (issue 17, items 10 and 11): two real processes on one store at once.

Each test starts two `claimgraph` processes that wait for the same instant and then run, so
both race on the unique content hash (identical files at two paths) and on creating the schema
of a brand-new store; on SQLite and on PostgreSQL, a few times over.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy

from claimgraph.store import open_store
from tests.conftest import PG_SERVER, ROOT

N_FILES = 100
ROUNDS = 2  # each round a new store; the race shows in every round on the old code (about half lost)

# The CLI itself, started at an agreed instant so the two processes overlap from the first write.
_AT_ONCE = (
    "import sys, time\n"
    "time.sleep(max(0.0, float(sys.argv[1]) - time.time()))\n"
    "from claimgraph.cli import main\n"
    "main(sys.argv[2:], prog_name='claimgraph')\n"
)


@pytest.fixture(params=["sqlite", "postgres"])
def new_store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], str]]:
    """A maker of brand-new, empty stores (a new SQLite file, or a new PostgreSQL schema)."""
    schemas: list[str] = []
    engine = sqlalchemy.create_engine(PG_SERVER) if request.param == "postgres" else None

    def make() -> str:
        name = f"cg_{uuid.uuid4().hex[:12]}"
        if engine is None:
            return str(tmp_path / f"{name}.db")
        with engine.begin() as connection:
            connection.exec_driver_sql(f"CREATE SCHEMA {name}")
        schemas.append(name)
        return f"postgresql://postgres@127.0.0.1:5432/test?options=-csearch_path%3D{name}"

    yield make
    if engine is not None:
        with engine.begin() as connection:
            for name in schemas:
                connection.exec_driver_sql(f"DROP SCHEMA {name} CASCADE")
        engine.dispose()


def _same_files_at_two_paths(root: Path, n: int) -> tuple[Path, Path]:
    """`n` small files with different contents, the same set under two folders."""
    first, second = root / "copy-a", root / "copy-b"
    for folder in (first, second):
        folder.mkdir()
        for i in range(n):
            (folder / f"note-{i:04d}.txt").write_text(
                f"Note {i}. The minister said on Monday that bridge {i} would reopen in spring, "
                f"according to a statement seen by reporters in district {i * 7}.\n",
                encoding="utf-8",
            )
    return first, second


def _run_at_once(*commands: list[str]) -> list[subprocess.CompletedProcess[str]]:
    """Run `claimgraph <args>` once per command, all starting at the same instant."""
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])),
                       HF_HUB_OFFLINE="1")
    start = f"{time.time() + 0.8:.3f}"  # time for every interpreter to start and import
    processes = [
        subprocess.Popen([sys.executable, "-c", _AT_ONCE, start, *args], env=environment, cwd=ROOT,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for args in commands
    ]
    finished = []
    for process, args in zip(processes, commands):
        stdout, stderr = process.communicate(timeout=120)
        finished.append(subprocess.CompletedProcess(args, process.returncode, stdout, stderr))
    return finished


def _origins(url: str) -> list[str]:
    with open_store(url) as store:
        return sorted(origin for document in store.documents(with_text=False) for origin in document.origins)


@pytest.mark.parametrize("existing", [False, True], ids=["new-store", "existing-store"])
def test_two_ingests_of_the_same_files_at_two_paths_record_every_origin(
    new_store_url: Callable[[], str], tmp_path: Path, existing: bool
) -> None:
    first, second = _same_files_at_two_paths(tmp_path, N_FILES)
    expected = sorted(str(folder / f"note-{i:04d}.txt") for folder in (first, second) for i in range(N_FILES))
    for _ in range(ROUNDS):
        url = new_store_url()
        if existing:
            open_store(url).close()  # the schema is there: only the content-hash race is left
        runs = _run_at_once(["ingest", "--no-progress", "--db", url, str(first)],
                            ["ingest", "--no-progress", "--db", url, str(second)])
        for run in runs:
            assert run.returncode == 0, f"{run.args} exited {run.returncode}:\n{run.stderr[-2000:]}"
            assert "error" not in run.stderr.lower(), run.stderr[-2000:]
        recorded = _origins(url)
        assert len(recorded) == len(expected), f"{len(recorded)} of {len(expected)} origins recorded"
        assert recorded == expected
        with open_store(url) as store:
            assert store.count_documents() == N_FILES


def test_two_processes_opening_a_brand_new_store_both_succeed(new_store_url: Callable[[], str]) -> None:
    for _ in range(2 * ROUNDS):
        url = new_store_url()
        runs = _run_at_once(["--db", url, "documents"], ["--db", url, "documents"])
        for run in runs:
            assert run.returncode == 0, f"{run.args} exited {run.returncode}:\n{run.stderr[-2000:]}"
        with open_store(url) as store:
            assert store.migrations() and store.count_documents() == 0
