"""Resolve a large store's canonical entities in full, then after adding one document (incremental).

    .venv/bin/python bench/bench_entities.py [--claims 5000 20000] [--work /tmp/entbench] [--adds 3]

For each size: build (once, kept in --work) a store of about that many claims from
bench_store_add's synthetic copies of the shared corpus (rewritten analyses: no spaCy, no
linking), then, each in a fresh process as `claimgraph link` runs: `resolve_store_entities` in
full; `--adds` times one more synthetic document saved and `resolve_store_entities` again (which
adds only it); last a full resolution of the grown store, whose canonical entities must equal
what the adds left. Prints one JSON line per size: seconds of the resolution calls alone, the
store's sizes, peak RSS.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_store_add import _Mutator, _add_copies, _base, _copy_name, _rewrite  # noqa: E402


def _base_inputs(work: Path) -> list[tuple[object, object]]:
    from claimgraph.ledger import current_inputs
    from claimgraph.store import open_store

    with open_store(str(_base(work))) as base_store:
        return current_inputs(base_store)


def build(db: Path, claims: int, work: Path) -> None:
    from claimgraph.store import open_store

    base = _base_inputs(work)
    per_copy = sum(len(a.claims) for _, a in base)  # type: ignore[attr-defined]
    mutate = _Mutator([d.text for d, _ in base])  # type: ignore[attr-defined]
    start = time.perf_counter()
    with open_store(str(db)) as store:
        made = _add_copies(store, base, mutate, range(1, max(1, round(claims / per_copy)) + 1), work / "copies")
    print(json.dumps({"built_claims": made, "build_s": round(time.perf_counter() - start, 1)}), flush=True)


def _add_one(store: object, base: list[tuple[object, object]], mutate: _Mutator, n: int, work: Path) -> str:
    """One more synthetic document (a copy of a ~50-claim one), ingested with its rewritten analysis."""
    from claimgraph.pipeline import ingest_paths

    def claims(pair: tuple[object, object]) -> int:
        count = len(pair[1].claims)  # type: ignore[attr-defined]
        return count if count <= 60 else 0

    document, analysis = max(base, key=claims)
    folder = work / "new"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / _copy_name(document.origin, n)  # type: ignore[attr-defined]
    path.write_text(mutate(document.text, n) or "", encoding="utf-8")  # type: ignore[attr-defined]
    try:
        outcome = ingest_paths(store, [path]).outcomes[0]  # type: ignore[arg-type]
    finally:
        path.unlink()
    store.save_analysis(_rewrite(analysis, outcome.document_id, mutate, n),  # type: ignore[attr-defined]
                        analysed_at="2026-01-01T00:00:00+00:00")
    return outcome.document_id


def _rss_mb() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def full(db: Path) -> dict[str, object]:
    """A full resolution, and whether it equals what the store held (after incremental adds)."""
    from claimgraph.pipeline.entity_step import resolve_store_entities
    from claimgraph.store import open_store
    from claimgraph.store.entities import count_canonical_entities, load_canonical_entities

    with open_store(str(db)) as store:
        with store.engine.connect() as connection:
            claims = connection.exec_driver_sql("SELECT count(*) FROM claims").scalar_one()
        before = load_canonical_entities(store) if count_canonical_entities(store) else None
        start = time.perf_counter()
        report = resolve_store_entities(store, full=True)
        seconds = time.perf_counter() - start
        same = None if before is None else load_canonical_entities(store) == before
    return {"claims": claims, "documents": report.documents, "document_entities": report.document_entities,
            "canonical_entities": report.entities, "full_s": round(seconds, 3), "same_as_before": same,
            "peak_rss_mb": _rss_mb()}


def add(db: Path, work: Path) -> dict[str, object]:
    """One more document's analysis saved, then resolve_store_entities as `link` calls it (incremental)."""
    from claimgraph.pipeline.entity_step import resolve_store_entities
    from claimgraph.store import open_store

    base = _base_inputs(work)
    mutate = _Mutator([d.text for d, _ in base])  # type: ignore[attr-defined]
    with open_store(str(db)) as store:
        _add_one(store, base, mutate, 10**6 + store.count_documents(), work)
        start = time.perf_counter()
        report = resolve_store_entities(store)
        seconds = time.perf_counter() - start
    return {"incremental_s": round(seconds, 3), "incremental": report.incremental, "changed": report.changed,
            "peak_rss_mb": _rss_mb()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, nargs="+", default=[5000, 20000])
    parser.add_argument("--work", type=Path, default=None, help="keep the stores here (default: a temporary folder)")
    parser.add_argument("--adds", type=int, default=3, help="documents added one after another per size")
    parser.add_argument("--step", choices=["build", "full", "add"], help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step == "build":
        build(args.db, args.claims[0], args.work)
        return 0
    if args.step:
        print(json.dumps(full(args.db) if args.step == "full" else add(args.db, args.work)), flush=True)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        for claims in args.claims:
            db = work / f"entities-{claims}.db"
            common = ["--claims", str(claims), "--db", str(db), "--work", str(work)]
            if not db.exists():
                subprocess.run([sys.executable, __file__, "--step", "build", *common], check=True)

            def step(name: str) -> dict[str, object]:
                # Each step in its own process, as `link` runs: its peak RSS is its own.
                done = subprocess.run([sys.executable, __file__, "--step", name, *common], check=True,
                                      capture_output=True, text=True)
                return json.loads(done.stdout.splitlines()[-1])

            first = step("full")
            adds = [step("add") for _ in range(args.adds)]
            last = step("full")
            print(json.dumps({
                "claims": first["claims"], "documents": first["documents"], "document_entities": first["document_entities"],
                "canonical_entities": first["canonical_entities"], "full_s": first["full_s"],
                "full_peak_rss_mb": first["peak_rss_mb"], "incremental_s": [a["incremental_s"] for a in adds],
                "incremental": [a["incremental"] for a in adds], "changed": [a["changed"] for a in adds],
                "incremental_peak_rss_mb": max(a["peak_rss_mb"] for a in adds), "full_after_s": last["full_s"],
                "incremental_equals_full": last["same_as_before"],
            }), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
