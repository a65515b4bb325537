"""Ingest throughput on ../shared/corpus (or any folders given): documents per second.

Usage: .venv/bin/python bench/bench_ingest.py [--repeat N] [FOLDER ...]
Each repeat ingests into a fresh SQLite store in a temporary folder.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from claimgraph.pipeline import ingest_paths
from claimgraph.store import open_store

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folders", nargs="*", type=Path, default=[DEFAULT])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rates = []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            with open_store(str(Path(tmp) / "bench.db")) as store:
                start = time.perf_counter()
                report = ingest_paths(store, args.folders)
                elapsed = time.perf_counter() - start
        stored = report.counts["ingested"]
        rates.append(stored / elapsed)
        print(f"ingested {stored} documents ({report.counts}) in {elapsed:.2f} s: {stored / elapsed:.1f} documents/s")
    rates.sort()
    print(f"median over {len(rates)} runs: {rates[len(rates) // 2]:.1f} documents/s (SQLite, fresh store each run)")


if __name__ == "__main__":
    main()
