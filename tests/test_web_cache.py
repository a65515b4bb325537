"""The web app's response cache (web/cache.py), on SQLite and PostgreSQL: kept per ledger revision,
never stale after a write (this process's or another's), ETags and 304s, one computation for
concurrent identical requests, bounded; readers answered while a writer holds a transaction open."""

from __future__ import annotations

import asyncio
import threading
import time

import httpx
import pytest
import sqlalchemy
from fastapi.testclient import TestClient

from claimgraph.pipeline import ingest_paths
from claimgraph.store import open_store
from claimgraph.web.app import WebOptions, asgi_app
from claimgraph.web.cache import LedgerRevision, ResponseCache

from conftest import EXAMPLES


@pytest.fixture
def ledger(store_url: str):
    store = open_store(store_url)
    ingest_paths(store, [EXAMPLES])
    yield store
    store.close()


@pytest.fixture
def client(ledger):
    with TestClient(asgi_app(WebOptions(allowed_hosts=None), store=ledger)) as test_client:
        yield test_client


def _cache(client: TestClient) -> ResponseCache:
    return client.app.app  # the Guard wraps the cache, which wraps the FastAPI app


def _rename_a_document(url: str, document_id: str, title: str) -> None:
    """A write from another connection (as `claimgraph run` in another process makes it)."""
    engine = sqlalchemy.create_engine(url if "://" in url else f"sqlite:///{url}")
    with engine.begin() as connection:
        connection.exec_driver_sql(f"UPDATE documents SET title = '{title}' WHERE id = '{document_id}'")
    engine.dispose()


def test_the_revision_moves_with_every_commit_from_any_connection(ledger, store_url) -> None:
    revision = LedgerRevision(ledger)
    first = revision()
    assert first is not None and revision() == first  # reading does not move it
    document = next(iter(ledger.documents(with_text=False)))
    _rename_a_document(store_url, document.id, "Renamed elsewhere")
    second = revision()
    assert second != first
    with ledger.transaction() as connection:  # this process's own pool
        connection.exec_driver_sql(f"UPDATE documents SET title = 'Renamed here' WHERE id = '{document.id}'")
    assert revision() not in (first, second)
    revision.close()


def test_a_response_is_kept_until_the_ledger_changes(client, ledger, store_url) -> None:
    cache = _cache(client)
    document = next(iter(ledger.documents(with_text=False)))
    first = client.get(f"/api/documents/{document.id}")
    assert first.status_code == 200 and cache.misses == 1
    again = client.get(f"/api/documents/{document.id}")
    assert again.content == first.content and cache.hits == 1 and cache.misses == 1
    _rename_a_document(store_url, document.id, "A title written by another process")
    fresh = client.get(f"/api/documents/{document.id}")
    assert fresh.json()["title"] == "A title written by another process" and cache.misses == 2
    page = client.get(f"/documents/{document.id}")
    assert "A title written by another process" in page.text


def test_a_write_through_the_api_is_seen_by_the_next_read(client) -> None:
    before = client.get("/api/documents").json()["total"]
    assert client.get("/api/documents").json()["total"] == before and _cache(client).hits == 1
    text = b"A new report. The minister said the talks had failed, according to two officials.\n" * 3
    made = client.post("/api/documents", files=[("files", ("new.txt", text, "text/plain"))], headers={"X-Claimgraph-CSRF": "1"})
    assert made.status_code == 201
    assert client.get("/api/documents").json()["total"] == before + 1


def test_etag_and_304(client, ledger, store_url) -> None:
    first = client.get("/api/documents")
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "no-cache"
    not_modified = client.get("/api/documents", headers={"If-None-Match": etag})
    assert not_modified.status_code == 304 and not_modified.content == b"" and not_modified.headers["etag"] == etag
    assert "content-security-policy" in not_modified.headers  # the guards' headers still apply
    assert client.get("/api/documents", headers={"If-None-Match": '"other"'}).status_code == 200
    document = next(iter(ledger.documents(with_text=False)))
    _rename_a_document(store_url, document.id, "Changed")
    changed = client.get("/api/documents", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag


def test_errors_writes_and_the_ach_matrix_are_not_kept(client) -> None:
    cache = _cache(client)
    for _ in range(2):
        assert client.get("/api/documents/nope").status_code == 404
    assert cache.hits == 0 and not cache.entries
    client.get("/api/ach?prefill=false")
    client.get("/static/app.css")
    assert not cache.entries


def test_the_cache_is_bounded() -> None:
    async def app(scope, receive, send) -> None:  # noqa: ANN001 - a bare ASGI app
        body = scope["path"].encode() * 100
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    cache = ResponseCache(app, lambda: "r1", max_entries=3, max_bytes=10_000)

    async def get(path: str) -> None:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=cache), base_url="http://test") as http:
            assert (await http.get(path)).status_code == 200

    for n in range(10):
        asyncio.run(get(f"/p{n}"))
    assert len(cache.entries) == 3 and [key[1] for key in cache.entries] == ["/p7", "/p8", "/p9"]
    asyncio.run(get("/" + "x" * 200))  # 20 kB alone: over max_bytes, so nothing older survives it
    assert cache.size <= 10_000


def test_concurrent_identical_requests_are_computed_once() -> None:
    calls = 0

    async def slow_app(scope, receive, send) -> None:  # noqa: ANN001
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.2)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"page"})

    cache = ResponseCache(slow_app, lambda: "r1")

    async def many() -> list[bytes]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=cache), base_url="http://test") as http:
            answers = await asyncio.gather(*(http.get("/same") for _ in range(20)))
        return [a.content for a in answers]

    assert asyncio.run(many()) == [b"page"] * 20
    assert calls == 1


def test_requests_waiting_on_a_computation_get_its_answer_after_a_write() -> None:
    """A write lands while a response is being computed: it is not kept (its revision is gone),
    but the requests that asked at the same revision as its computation still share it."""
    revision = {"now": "r1"}
    calls: dict[str, int] = {}

    async def app(scope, receive, send) -> None:  # noqa: ANN001
        calls[scope["path"]] = calls.get(scope["path"], 0) + 1
        if scope["path"] == "/same":
            await asyncio.sleep(0.3)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": scope["path"].encode()})

    cache = ResponseCache(app, lambda: revision["now"])

    async def scenario() -> list[bytes]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=cache), base_url="http://test") as http:
            async def write_then_read() -> httpx.Response:
                await asyncio.sleep(0.1)
                revision["now"] = "r2"
                return await http.get("/other")

            answers = await asyncio.gather(*(http.get("/same") for _ in range(20)), write_then_read())
        return [a.content for a in answers]

    assert asyncio.run(scenario()) == [b"/same"] * 20 + [b"/other"]
    assert calls == {"/same": 1, "/other": 1}
    assert [key[1] for key in cache.entries] == ["/other"]


def test_without_a_revision_nothing_is_kept() -> None:
    calls = 0

    async def app(scope, receive, send) -> None:  # noqa: ANN001
        nonlocal calls
        calls += 1
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"x"})

    cache = ResponseCache(app, lambda: None)

    async def twice() -> None:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=cache), base_url="http://test") as http:
            await http.get("/a")
            await http.get("/a")

    asyncio.run(twice())
    assert calls == 2 and not cache.entries


def test_readers_are_answered_while_a_writer_holds_a_transaction(ledger, store_url) -> None:
    """A writer (another process's `claimgraph run`) in the middle of a transaction: reads, kept or
    not, are answered at once from the last committed state; the write is seen once committed."""
    with TestClient(asgi_app(WebOptions(allowed_hosts=None), store=ledger)) as client:
        document = next(iter(ledger.documents(with_text=False)))
        before = client.get(f"/api/documents/{document.id}").json()["title"]
        engine = sqlalchemy.create_engine(store_url if "://" in store_url else f"sqlite:///{store_url}")
        opened, release = threading.Event(), threading.Event()

        def writer() -> None:
            with engine.connect() as connection:
                if connection.dialect.name == "sqlite":
                    connection.exec_driver_sql("BEGIN IMMEDIATE")  # the write lock, held
                else:
                    connection.exec_driver_sql("BEGIN")
                connection.exec_driver_sql(f"UPDATE documents SET title = 'mid-write' WHERE id = '{document.id}'")
                opened.set()
                release.wait(30)
                connection.exec_driver_sql("COMMIT")

        thread = threading.Thread(target=writer)
        thread.start()
        try:
            assert opened.wait(10)
            started = time.monotonic()
            for path in (f"/api/documents/{document.id}", "/api/documents", "/api/overview", f"/documents/{document.id}"):
                response = client.get(path)
                assert response.status_code == 200, path
            assert client.get(f"/api/documents/{document.id}").json()["title"] == before
            assert time.monotonic() - started < 5  # not waiting on the writer (busy_timeout is 30 s)
        finally:
            release.set()
            thread.join(30)
            engine.dispose()
        assert client.get(f"/api/documents/{document.id}").json()["title"] == "mid-write"
