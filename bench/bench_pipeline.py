"""End to end on ../shared/corpus (or folders given): ingest + analyse + link, documents/s and peak memory.

Usage: .venv/bin/python bench/bench_pipeline.py [--copies N] [FOLDER ...]
--copies N repeats the corpus N times (each copy's text made unique by a marker line) to see
whether time grows linearly and memory stays flat as the corpus grows.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from claimgraph.ingest import ingest_paths
from claimgraph.ledger import analyse_store, link_store
from claimgraph.store import open_store

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def _copy(folders: list[Path], target: Path, copies: int) -> None:
    for n in range(copies):
        for folder in folders:
            for path in sorted(folder.rglob("*.txt")):
                out = target / f"copy{n}" / path.name
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_text(path.read_text(encoding="utf-8") + f"\n\nCopy {n}.\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folders", nargs="*", type=Path, default=[DEFAULT])
    parser.add_argument("--copies", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        _copy(args.folders, corpus, args.copies)
        with open_store(str(Path(tmp) / "bench.db")) as store:
            timings = {}
            start = time.perf_counter()
            ingested = ingest_paths(store, [corpus])
            timings["ingest"] = time.perf_counter() - start
            mark = time.perf_counter()
            analysed = analyse_store(store)
            timings["analyse"] = time.perf_counter() - mark
            mark = time.perf_counter()
            linked = link_store(store)
            timings["link"] = time.perf_counter() - mark
            total = time.perf_counter() - start
    documents = ingested.counts["ingested"]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"documents {documents}, claims {analysed.claims}, clusters {linked.clusters}, lines {linked.lines}")
    for stage, seconds in timings.items():
        print(f"{stage:<8} {seconds:7.2f} s")
    print(f"total    {total:7.2f} s  -> {documents / total:.1f} documents/s end to end (models loaded once)")
    print(f"peak RSS {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
