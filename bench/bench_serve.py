"""Bounded load check of `claimgraph serve`: N concurrent clients for S seconds on loopback.

    .venv/bin/python bench/bench_serve.py [--clients 50] [--seconds 60] [--workers 1] [--db PATH] [--writer PATH [--wait-writer]] [--client raw|httpx]

Starts the real server (the serve command) in a subprocess on a free 127.0.0.1 port over a
ledger of the bundled seeds (ingested, analysed and linked), then prints requests, errors and
p50/p95/p99 latency per route and overall. With --writer, `claimgraph run PATH` (ingest + analyse +
link into the same ledger) runs beside the readers from the moment the load starts. Exits 1 if
any request failed.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "examples" / "seeds"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(db: str) -> list[str]:
    """Ingest and analyse the seeds (idempotent); the routes to hit."""
    from claimgraph.pipeline import ingest_paths
    from claimgraph.ledger import run_store
    from claimgraph.store import open_store

    store = open_store(db)
    ingest_paths(store, [SEEDS])
    run_store(store)
    documents = [d.id for d in store.documents(with_text=False)]
    claim = store.claims()[0][1].id
    store.close()
    return [
        "/api/documents",
        f"/api/documents/{documents[0]}",
        "/api/claims?limit=50",
        "/api/claims?hedging=medium&limit=20",
        "/api/claims?speaker=guardian",
        f"/api/claims/{claim}",
        "/api/search?q=Putin%20Trump",
        "/api/entities?q=putin",
        "/api/sources/graph",
        "/api/overview",
        "/api/clusters",
        "/api/story",
        "/",
        f"/documents/{documents[0]}",
        "/claims",
        "/timeline",
    ]


TIMEOUT = 30.0  # seconds a request may take before it counts as an error


async def _read_response(reader: asyncio.StreamReader) -> int:
    """One HTTP/1.1 response off a kept-alive connection, body and all; its status."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    fields = {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:] if line)}
    if "content-length" in fields:
        await reader.readexactly(int(fields["content-length"]))
    elif fields.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    return status


async def raw_client(base: str, routes: list[str], done: Callable[[], bool], offset: int, samples: dict[str, list[float]], errors: dict[str, int]) -> None:
    """A reader on one kept-alive connection, speaking plain HTTP/1.1: it costs a tenth of an httpx
    client's CPU, so on a small machine the latency measured is the server's, not the load
    generator's own queue (50 httpx clients need ~1.4 ms of CPU per request, the served
    request ~0.3 ms when it is kept)."""
    host, port = base.removeprefix("http://").rsplit(":", 1)
    connection: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
    index = offset
    while not done():
        route = routes[index % len(routes)]
        index += 1
        started = time.perf_counter()
        try:
            if connection is None:
                connection = await asyncio.wait_for(asyncio.open_connection(host, int(port)), TIMEOUT)
            reader, writer = connection
            writer.write(f"GET {route} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: */*\r\n\r\n".encode())
            ok = await asyncio.wait_for(_read_response(reader), TIMEOUT) == 200
        except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError, IndexError):
            ok = False
            if connection is not None:
                connection[1].close()
            connection = None
        samples[route].append(time.perf_counter() - started)
        if not ok:
            errors[route] += 1
    if connection is not None:
        connection[1].close()


async def httpx_client(base: str, routes: list[str], done: Callable[[], bool], offset: int, samples: dict[str, list[float]], errors: dict[str, int]) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=TIMEOUT) as http:
        index = offset
        while not done():
            route = routes[index % len(routes)]
            index += 1
            started = time.perf_counter()
            try:
                response = await http.get(route)
                ok = response.status_code == 200
            except httpx.HTTPError:
                ok = False
            samples[route].append(time.perf_counter() - started)
            if not ok:
                errors[route] += 1


def ledger_state(db: str) -> dict[str, int]:
    """How far a writer got: current documents, analysed, linked (the read model's freshness)."""
    from claimgraph.store import open_store
    from claimgraph.web.queries import freshness

    store = open_store(db)
    try:
        return {k: v for k, v in freshness(store).items() if k in ("documents", "analysed", "linked")}
    finally:
        store.close()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


CLIENTS = {"raw": raw_client, "httpx": httpx_client}


async def run(base: str, routes: list[str], clients: int, seconds: float, kind: str = "raw",
              also: Callable[[], bool] = lambda: True) -> tuple[dict[str, list[float]], dict[str, int]]:
    """`clients` readers for `seconds`, and then for as long as `also()` is false."""
    samples: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    until = time.monotonic() + seconds
    client = CLIENTS[kind]

    def done() -> bool:
        return time.monotonic() >= until and also()

    await asyncio.gather(*(client(base, routes, done, n, samples, errors) for n in range(clients)))
    return samples, errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=1, help="server processes (serve --workers)")
    parser.add_argument("--db", default=None, help="SQLite path or postgresql:// URL (default: a fresh temporary SQLite file)")
    parser.add_argument("--client", choices=sorted(CLIENTS), default="raw",
                        help="raw: plain HTTP/1.1 on kept-alive sockets (cheap); httpx: httpx.AsyncClient (~1.4 ms CPU a request)")
    parser.add_argument("--writer", default=None, help="a folder `claimgraph run` ingests, analyses and links while the readers run")
    parser.add_argument("--wait-writer", action="store_true",
                        help="read on past --seconds until the writer has finished (its link included; at most 30 min)")
    args = parser.parse_args()
    folder = tempfile.TemporaryDirectory()
    db = args.db or str(Path(folder.name) / "bench.db")
    routes = prepare(db)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", "from claimgraph.web.cli import serve_command; serve_command()",
         "--db", db, "--host", "127.0.0.1", "--port", str(port), "--workers", str(args.workers)],
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(base + "/api/documents", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                print("server did not start:", server.stderr.read().decode() if server.stderr else "", file=sys.stderr)
                return 2
            time.sleep(0.2)
        writer_log = open(Path(folder.name) / "writer.log", "w+b")  # noqa: SIM115 - closed below; a pipe nobody reads would stall the writer
        writer = subprocess.Popen(
            [sys.executable, "-c", "from claimgraph.cli import main; main()", "--db", db, "run", "--no-progress", args.writer],
            stdout=subprocess.DEVNULL, stderr=writer_log) if args.writer else None
        started = time.monotonic()
        writer_ended: list[float] = []
        if writer is not None:
            threading.Thread(target=lambda: (writer.wait(), writer_ended.append(time.monotonic() - started)), daemon=True).start()
        finished = (lambda: writer.poll() is not None or time.monotonic() > started + 1800) if writer and args.wait_writer else (lambda: True)
        samples, errors = asyncio.run(run(base, routes, args.clients, args.seconds, args.client, finished))
        elapsed = time.monotonic() - started
        if writer is not None:
            writer_done = writer.poll()
            print(f"writer `claimgraph run {args.writer}`: "
                  + (f"exited {writer_done} after {writer_ended[0] if writer_ended else elapsed:.0f} s of the {elapsed:.0f} s read"
                     if writer_done is not None else "still running at the end (stopped)"))
            if writer_done is None:
                writer.terminate()
                writer.wait(30)
            elif writer_done != 0:
                writer_log.seek(0)
                print(writer_log.read().decode(errors="replace")[-2000:])
            print("the ledger then:", ", ".join(f"{k} {v}" for k, v in ledger_state(db).items()))
        writer_log.close()
    finally:
        server.terminate()
        server.wait(10)
    everything = [value for values in samples.values() for value in values]
    total_errors = sum(errors.values())
    print(f"{args.clients} {args.client} clients x {elapsed:.0f}s on {base}, {args.workers} worker(s), "
          f"store {Path(db).name if '://' not in db else db}")
    print(f"{'route':<45} {'requests':>8} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for route in routes:
        values = samples.get(route, [])
        if values:
            print(f"{route[:45]:<45} {len(values):>8} {errors.get(route, 0):>6} {percentile(values, .5):>8.1f} "
                  f"{percentile(values, .95):>8.1f} {percentile(values, .99):>8.1f}")
    print(
        f"TOTAL requests {len(everything)} ({len(everything) / elapsed:.0f}/s), errors {total_errors}, "
        f"p50 {percentile(everything, .5):.1f} ms, p95 {percentile(everything, .95):.1f} ms, "
        f"p99 {percentile(everything, .99):.1f} ms, "
        f"mean {statistics.fmean(everything) * 1000:.1f} ms"
    )
    folder.cleanup()
    return 1 if total_errors else 0


if __name__ == "__main__":
    sys.exit(main())
