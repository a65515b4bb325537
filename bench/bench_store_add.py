"""Add one document to a large store-level ledger, end to end, and see what it costs.

    .venv/bin/python bench/bench_store_add.py [--claims 5000 20000] [--work DIR] [--adds 3]

For each size: build a store of about that many claims (synthetic documents: the shared
corpus's analysed documents with words swapped for others of the same length, so offsets,
sentences, mentions and claim spans stay valid and copies are lexically distinct), link it
once, then in a fresh process add one more document through the library calls that
`claimgraph ingest` + `analyse` + `link` use (ingest_paths, analyse_store with spaCy,
link_store with the MiniLM) and print the seconds per phase and that process's peak RSS.

Building skips spaCy and MiniLM (minutes per 10k claims on two cores): analyses are the
rewritten ones, and the build's vectors are word-hashing vectors saved under the MiniLM's
name. The timed add then embeds with the real MiniLM, so its neighbours among the synthetic
claims are not meaningful, but the work per claim (k neighbours, judging, clustering) and
all the store work are those of a real ledger. A benchmark, not a test: building 20k claims
takes about 3 minutes on two cores (a full link reads out after every document), 100k claims
about five times that.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import replace
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared" / "corpus"
WORD = re.compile(r"[A-Za-z]{4,}")


class _Mutator:
    """Copy n of a text: about half the words of 4+ letters swapped, same length, same case shape."""

    def __init__(self, texts: list[str]) -> None:
        by_length: dict[int, set[str]] = {}
        for text in texts:
            for word in WORD.findall(text):
                by_length.setdefault(len(word), set()).add(word.lower())
        self.words = {n: sorted(words) for n, words in by_length.items()}

    def __call__(self, text: str | None, n: int) -> str | None:
        if text is None:
            return None

        def swap(match: re.Match[str]) -> str:
            word = match.group(0)
            digest = hashlib.blake2b(f"{n}:{word.lower()}".encode(), digest_size=8).digest()
            if digest[0] % 2:
                return word
            choices = self.words[len(word)]
            other = choices[int.from_bytes(digest[1:5], "little") % len(choices)]
            return other.upper() if word.isupper() else other.capitalize() if word[0].isupper() else other

        return WORD.sub(swap, text)


class _BuildEmbedder:
    """Word-hashing vectors saved under the MiniLM's name: builds a large ledger in minutes."""

    def __init__(self) -> None:
        from claimgraph.link.embed import MODEL_NAME, HashingEmbedder

        self.name, self.dim = MODEL_NAME, 384
        self._hashing = HashingEmbedder(384)

    def embed(self, texts: list[str]) -> object:
        return self._hashing.embed(texts)


class _Timed:
    """The embedder, counting the seconds spent embedding (the added document's own work)."""

    def __init__(self, embedder: object) -> None:
        self.embedder, self.seconds = embedder, 0.0
        self.name, self.dim = embedder.name, embedder.dim  # type: ignore[attr-defined]

    def embed(self, texts: list[str]) -> object:
        start = time.perf_counter()
        try:
            return self.embedder.embed(texts)  # type: ignore[attr-defined]
        finally:
            self.seconds += time.perf_counter() - start


def _base(work: Path) -> Path:
    """The shared corpus ingested and analysed once (spaCy), reused by every size."""
    from claimgraph.pipeline import ingest_paths
    from claimgraph.ledger import analyse_store
    from claimgraph.store import open_store

    path = work / "base.db"
    if not path.exists():
        with open_store(str(path)) as store:
            ingest_paths(store, [SHARED])
            analyse_store(store)
    return path


def _copy_name(origin: str, n: int) -> str:
    # Keep the file name's outlet_date_ prefix: ingest reads metadata from it.
    stem = Path(origin).stem
    return f"{stem}-synthetic{n}.txt"


def _write_copy(document: object, analysis: object, mutate: _Mutator, n: int, folder: Path) -> tuple[Path, object]:
    text = mutate(document.text, n)  # type: ignore[attr-defined]
    path = folder / _copy_name(document.origin, n)  # type: ignore[attr-defined]
    path.write_text(text, encoding="utf-8")
    return path, analysis


def _rewrite(analysis: object, document_id: str, mutate: _Mutator, n: int) -> object:
    claims = [
        replace(c, id=f"{document_id}:{c.id.split(':')[-1]}", text=mutate(c.text, n), content=mutate(c.content, n),
                speaker=mutate(c.speaker, n), chain=[mutate(x, n) for x in c.chain], cue=mutate(c.cue, n))
        for c in analysis.claims  # type: ignore[attr-defined]
    ]
    entities = [replace(e, name=mutate(e.name, n), aliases=[mutate(a, n) for a in e.aliases])
                for e in analysis.entities]  # type: ignore[attr-defined]
    mentions = [replace(m, text=mutate(m.text, n)) for m in analysis.mentions]  # type: ignore[attr-defined]
    return replace(analysis, document_id=document_id, claims=claims, entities=entities, mentions=mentions)


def _add_copies(store: object, base: list[tuple[object, object]], mutate: _Mutator, copies: range, folder: Path) -> int:
    """Ingest `copies` rewritten copies of the base corpus and store their rewritten analyses."""
    from claimgraph.pipeline import ingest_paths

    folder.mkdir(parents=True, exist_ok=True)
    wanted: dict[str, tuple[object, int]] = {}
    for n in copies:
        for document, analysis in base:
            path, _ = _write_copy(document, analysis, mutate, n, folder)
            wanted[str(path)] = (analysis, n)
    report = ingest_paths(store, [folder])  # type: ignore[arg-type]
    claims = 0
    for outcome in report.outcomes:
        if outcome.status != "ingested" or outcome.origin not in wanted:
            continue
        analysis, n = wanted[outcome.origin]
        rewritten = _rewrite(analysis, outcome.document_id, mutate, n)
        store.save_analysis(rewritten, analysed_at="2026-01-01T00:00:00+00:00")  # type: ignore[attr-defined]
        claims += len(rewritten.claims)  # type: ignore[attr-defined]
    for path in wanted:
        Path(path).unlink()
    return claims


def build(db: str, claims: int, work: Path) -> None:
    from claimgraph.ledger import current_inputs, link_store
    from claimgraph.store import open_store

    with open_store(str(_base(work))) as base_store:
        base = current_inputs(base_store)
    per_copy = sum(len(a.claims) for _, a in base)
    mutate = _Mutator([d.text for d, _ in base])
    start = time.perf_counter()
    with open_store(str(db)) as store:
        made = _add_copies(store, base, mutate, range(1, max(1, round(claims / per_copy)) + 1), work / "copies")
        mark = time.perf_counter()
        report = link_store(store, embedder=_BuildEmbedder())
    print(json.dumps({"built_claims": made, "ingest_analyses_s": round(mark - start, 1),
                      "link_s": round(time.perf_counter() - mark, 1), "clusters": report.clusters,
                      "link_phases": {k: round(v, 2) for k, v in getattr(report, "timings", {}).items()}}))


def add(db: str, work: Path, n: int) -> None:
    """One more document, as `claimgraph ingest` + `analyse` + `link` would add it."""
    warnings.simplefilter("ignore")
    from claimgraph.analyse import load_nlp
    from claimgraph.pipeline import ingest_paths
    from claimgraph.ledger import analyse_store, current_inputs, link_store
    from claimgraph.link.embed import LazyMiniLM
    from claimgraph.store import open_store

    with open_store(str(_base(work))) as base_store:
        document, _ = max(current_inputs(base_store), key=lambda pair: len(pair[1].claims) if len(pair[1].claims) <= 60 else 0)
    mutate = _Mutator([document.text])
    folder = work / "new"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / _copy_name(document.origin, n)
    path.write_text(mutate(document.text, n) or "", encoding="utf-8")
    nlp, embedder = load_nlp(), _Timed(LazyMiniLM())
    embedder.embed(["warm up"])  # model loading is not the ledger's cost
    embedder.seconds = 0.0
    nlp("Warm up.")
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    timings: dict[str, float] = {}
    with open_store(str(db)) as store:
        start = time.perf_counter()
        ingest_paths(store, [path])
        timings["ingest"] = time.perf_counter() - start
        mark = time.perf_counter()
        analysed = analyse_store(store, nlp=nlp)
        timings["analyse"] = time.perf_counter() - mark
        mark = time.perf_counter()
        linked = link_store(store, embedder=embedder)
        timings["link"] = time.perf_counter() - mark
        timings["total"] = time.perf_counter() - start
    path.unlink()
    print(json.dumps({"added_claims": analysed.claims, "incremental": linked.incremental, "ledger_documents": linked.documents,
                      "seconds": {k: round(v, 3) for k, v in timings.items()},
                      "link_phases": {k: round(v, 3) for k, v in getattr(linked, "timings", {}).items()},
                      "embedding_s": round(embedder.seconds, 3),  # part of "add": the new claims' vectors
                      "rss_models_mb": round(rss_before), "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                      # After the add: RSS that is the process's own, and pages of mapped files (the graph's)
                      # that queries touched, which the kernel can drop (peak RSS counts both).
                      **_rss_now()}))


def _rss_now() -> dict[str, int]:
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return {}
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    return {f"{name.lower()}_mb_after": int(fields[name].split()[0]) // 1024 for name in ("RssAnon", "RssFile") if name in fields}


def _linked(db: str) -> bool:
    """Has this store a saved linker (built before)?"""
    if "://" not in db and not Path(db).exists():
        return False
    from claimgraph.store import open_store
    from claimgraph.pipeline.link_step import load_head

    with open_store(db) as store:
        return load_head(store) is not None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, nargs="+", default=[5000, 20000])
    parser.add_argument("--work", type=Path, default=None, help="keep the stores here (default: a temporary folder)")
    parser.add_argument("--adds", type=int, default=3, help="documents added one after another per size")
    parser.add_argument("--step", choices=["build", "add"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help="a store URL (e.g. PostgreSQL) to build in and add to, instead of SQLite files in --work (one size)")
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, default=10**6, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        (build(args.db, args.claims[0], args.work) if args.step == "build" else add(args.db, args.work, args.n))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        for claims in args.claims:
            db = args.url or str(work / f"ledger-{claims}.db")
            if not _linked(db):
                # Each step in its own process: its peak RSS is its own.
                subprocess.run([sys.executable, __file__, "--step", "build", "--claims", str(claims), "--db", db,
                                "--work", str(work)], check=True)
            for k in range(args.adds):
                subprocess.run([sys.executable, __file__, "--step", "add", "--db", db, "--work", str(work),
                                "--n", str(10**6 + k)], check=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
