"""Shared fixtures: a ledger store on SQLite and on the PostgreSQL server, and ../shared."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import sqlalchemy

from claimgraph.store import open_store

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
EXAMPLES = ROOT / "examples" / "seeds"
PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, skipping the test with the reason where it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: the shared corpus and gold live beside the project in CI")
    return path


@pytest.fixture(autouse=True, scope="session")
def _graph_cache(tmp_path_factory: pytest.TempPathFactory):
    """Graph files of stores that are not SQLite files go to a folder of the test run's own."""
    patch = pytest.MonkeyPatch()
    patch.setenv("CLAIMGRAPH_CACHE", str(tmp_path_factory.mktemp("graph-cache")))
    yield
    patch.undo()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return str(tmp_path / "ledger.db")


@pytest.fixture
def postgres_url():
    """A fresh schema on the PostgreSQL test server; dropped afterwards."""
    schema = f"cg_{uuid.uuid4().hex[:12]}"
    engine = sqlalchemy.create_engine(PG_SERVER)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    except sqlalchemy.exc.OperationalError as error:  # pragma: no cover - CI always has it
        pytest.fail(f"PostgreSQL on 127.0.0.1:5432 (database test) is required: {error}")
    yield f"postgresql://postgres@127.0.0.1:5432/test?options=-csearch_path%3D{schema}"
    with engine.begin() as connection:
        connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest) -> str:
    """The same test on both backends."""
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture
def store(store_url: str):
    ledger = open_store(store_url)
    yield ledger
    ledger.close()
