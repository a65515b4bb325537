"""Whole responses to read requests, kept for as long as the ledger has not changed.

    app = ResponseCache(app, LedgerRevision(store))

Every GET the read model answers is a function of the ledger's committed state (and of the
request's path, query and Host). So a response is kept under the ledger's revision - a token
that changes with every commit, by this server or any other process - and a request at the same
revision is answered from memory. A write moves the revision on and no kept response is served
again, so the cache never answers with data older than what the request could have read.
Requests for the same response at the same revision wait for one computation instead of each
running it (50 readers arriving after a write cost one page, not 50).

Each kept response carries an ETag (a hash of its body) and `Cache-Control: no-cache`: a browser
asks again every time, and gets a 304 without the body while the content is the same.
"""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import anyio

from claimgraph.store import Store
from claimgraph.web.security import ASGIApp, Message, Receive, Scope, Send

# Routes a GET may write on or that hold state outside the ledger: never kept.
# (/ach pre-fills empty cells with the judge and embeds hypotheses with the app's model.)
UNCACHED_PREFIXES = ("/static/", "/ach", "/api/ach")


class LedgerRevision:
    """A token for the ledger's committed state: equal tokens mean the same data.

    SQLite: `PRAGMA data_version` on a connection of our own that never writes, so it changes
    with every commit made by any other connection, this process's pool included. PostgreSQL:
    the current snapshot (xmin, xmax and the transactions in progress), which decides exactly
    what a reader sees. None (no caching) for an in-memory SQLite database or where the token
    cannot be read.
    """

    def __init__(self, store: Store) -> None:
        url = store.engine.url
        self.dialect = url.get_backend_name()
        self._store = store
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None
        if self.dialect == "sqlite" and url.database and url.database != ":memory:" and "mode=memory" not in url.database:
            self._connection = sqlite3.connect(
                url.database, uri=url.database.startswith("file:"), check_same_thread=False, isolation_level=None
            )
            self._connection.execute("PRAGMA busy_timeout=5000")
            self._connection.execute("PRAGMA query_only=ON")

    @property
    def blocking(self) -> bool:
        """True where reading the token is a round trip to a server (run it off the event loop)."""
        return self.dialect != "sqlite"

    def __call__(self) -> str | None:
        try:
            if self._connection is not None:
                with self._lock:
                    return f"sqlite:{self._connection.execute('PRAGMA data_version').fetchone()[0]}"
            if self.dialect == "postgresql":
                with self._store.engine.connect() as connection:
                    return "pg:" + str(connection.exec_driver_sql("SELECT txid_current_snapshot()::text").scalar())
        except Exception:  # noqa: BLE001 - no token means no caching, never a failed request
            return None
        return None

    def close(self) -> None:
        if self._connection is not None:
            with self._lock:
                self._connection.close()
                self._connection = None


@dataclass(frozen=True)
class Kept:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: bytes


@dataclass
class _Flight:
    """One computation of a response, and what it gave the requests that waited on it."""

    done: asyncio.Event = field(default_factory=asyncio.Event)
    kept: Kept | None = None


def _etag(body: bytes) -> bytes:
    return b'"' + hashlib.blake2b(body, digest_size=16).hexdigest().encode() + b'"'


def _matches(if_none_match: bytes | None, etag: bytes) -> bool:
    if not if_none_match:
        return False
    offered = [part.strip().removeprefix(b"W/") for part in if_none_match.split(b",")]
    return b"*" in offered or etag in offered


class ResponseCache:
    """ASGI middleware: GET responses kept per ledger revision (see the module's docstring)."""

    def __init__(self, app: ASGIApp, revision: Callable[[], str | None], *, max_entries: int = 512,
                 max_bytes: int = 64_000_000, max_entry_bytes: int = 4_000_000) -> None:
        self.app = app
        self.revision = revision
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.max_entry_bytes = max_entry_bytes
        self.entries: OrderedDict[tuple[Any, ...], Kept] = OrderedDict()
        self.size = 0
        self.current: str | None = None
        self.flights: dict[tuple[Any, ...], _Flight] = {}
        self.hits = self.misses = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"].startswith(UNCACHED_PREFIXES):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        revision = await self._revision()
        if revision is None:
            await self.app(scope, receive, send)
            return
        if revision != self.current:  # what was kept is for an older ledger: nobody can ask for it again
            self.current = revision
            self.entries.clear()
            self.size = 0
        accept_json = b"application/json" in headers.get(b"accept", b"")  # errors are JSON or a page by it
        key = (revision, scope["path"], scope.get("query_string", b""), headers.get(b"host", b""), accept_json)
        kept = self._get(key)
        flight = self.flights.get(key) if kept is None else None
        if flight is not None:
            # Its computation began after the revision was read, and this request read the same
            # revision later: nothing was committed in between, so its answer is this one's too,
            # whether or not it could be kept (the revision may have moved since).
            await flight.done.wait()
            kept = flight.kept
        if kept is None:
            self.misses += 1
            kept = await self._compute(key, scope, receive, send)
            if kept is None:
                return  # answered already (not keepable)
        else:
            self.hits += 1
        await self._answer(kept, send, headers.get(b"if-none-match"))

    async def _revision(self) -> str | None:
        if getattr(self.revision, "blocking", False):
            return await anyio.to_thread.run_sync(self.revision)
        return self.revision()

    def _get(self, key: tuple[Any, ...]) -> Kept | None:
        kept = self.entries.get(key)
        if kept is not None:
            self.entries.move_to_end(key)
        return kept

    async def _compute(self, key: tuple[Any, ...], scope: Scope, receive: Receive, send: Send) -> Kept | None:
        """Run the app once for everyone asking `key`; the response if it can be kept, else None
        once it has been sent as it came."""
        flight = _Flight()
        leader = key not in self.flights
        if leader:
            self.flights[key] = flight
        start: Message | None = None
        chunks: list[bytes] = []
        size = 0
        passing = False  # too large or not a 200: sent through as it comes, not kept

        async def capture(message: Message) -> None:
            nonlocal start, size, passing
            if passing:
                await send(message)
                return
            if message["type"] == "http.response.start":
                start = message
                passing = message["status"] != 200 or any(k.lower() == b"set-cookie" for k, _ in message.get("headers", []))
                if passing:
                    await send(message)
                return
            if message["type"] != "http.response.body":  # e.g. the test client's http.response.debug
                await send(message)
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.max_entry_bytes and message.get("more_body", False):
                passing = True
                assert start is not None
                await send(start)
                await send({"type": "http.response.body", "body": b"".join(chunks), "more_body": True})

        try:
            await self.app(scope, receive, capture)
            if passing or start is None:
                return None
            body = b"".join(chunks)
            headers = [(k, v) for k, v in start.get("headers", []) if k.lower() not in (b"etag", b"cache-control")]
            kept = Kept(status=start["status"], headers=headers, body=body, etag=_etag(body))
            if leader:
                flight.kept = kept
                if len(body) <= self.max_entry_bytes and key[0] == self.current:
                    self._keep(key, kept)
            return kept
        finally:
            if leader:
                del self.flights[key]
                flight.done.set()

    def _keep(self, key: tuple[Any, ...], kept: Kept) -> None:
        self.entries[key] = kept
        self.size += len(kept.body)
        while self.entries and (len(self.entries) > self.max_entries or self.size > self.max_bytes):
            _, gone = self.entries.popitem(last=False)
            self.size -= len(gone.body)

    async def _answer(self, kept: Kept, send: Send, if_none_match: bytes | None) -> None:
        validators = [(b"etag", kept.etag), (b"cache-control", b"no-cache")]
        if _matches(if_none_match, kept.etag):
            await send({"type": "http.response.start", "status": 304, "headers": validators})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": kept.status, "headers": kept.headers + validators})
        await send({"type": "http.response.body", "body": kept.body})
