"""End to end on ../shared/corpus (or folders given): ingest + analyse + link, against bare spaCy.

Usage: .venv/bin/python bench/bench_pipeline.py [--copies N] [--repeat N] [--serial] [FOLDER ...]

Runs what `claimgraph run` runs (ingest_paths, then ledger.run_store: analyse, embedding each
document's claims beside the parse, then link) into a fresh store, then times bare spaCy
(`nlp.pipe` over the same texts, the pipeline load_nlp() gives) in the same process and
prints the ratio (issue 4's target: <= 2x). Medians over --repeat runs; the spaCy model is
loaded once, before timing (its load time is printed apart). Runs after the first find warm
caches (the same texts again): for figures to compare, run fresh processes. --serial links after analysing
instead (analyse_store then link_store), to see what the overlap buys. --copies N repeats the
corpus N times (each copy's text made unique by a marker line) to see whether time grows
linearly and memory stays flat as the corpus grows.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
import warnings
from pathlib import Path

from claimgraph.analyse import load_nlp
from claimgraph.analyse.pipeline import _prepare
from claimgraph.pipeline import ingest_paths
from claimgraph.ledger import analyse_store, link_store, run_store
from claimgraph.store import open_store

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def _copy(folders: list[Path], target: Path, copies: int) -> None:
    for n in range(copies):
        for folder in folders:
            for path in sorted(folder.rglob("*.txt")):
                out = target / f"copy{n}" / path.name
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_text(path.read_text(encoding="utf-8") + f"\n\nCopy {n}.\n", encoding="utf-8")


def _pipeline(corpus: Path, db: Path, nlp: object, serial: bool) -> tuple[dict[str, float], list[str], str]:
    timings: dict[str, float] = {}
    with open_store(str(db)) as store:
        start = time.perf_counter()
        ingested = ingest_paths(store, [corpus])
        timings["ingest"] = time.perf_counter() - start
        mark = time.perf_counter()
        if serial:
            analysed = analyse_store(store, nlp=nlp)
            timings["analyse"] = time.perf_counter() - mark
            mark = time.perf_counter()
            linked = link_store(store)
            timings["link"] = time.perf_counter() - mark
        else:
            analysed, linked = run_store(store, nlp=nlp)
            timings["analyse+link"] = time.perf_counter() - mark
        timings["total"] = time.perf_counter() - start
        texts = [_prepare(document.text) for document in store.documents(with_text=True)]
    summary = (f"documents {ingested.counts['ingested']}, claims {analysed.claims}, "
               f"clusters {linked.clusters}, lines {linked.lines}")
    return timings, texts, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", type=Path, default=[DEFAULT])
    parser.add_argument("--copies", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1, help="runs (medians are printed)")
    parser.add_argument("--serial", action="store_true", help="analyse, then link (no overlap)")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    start = time.perf_counter()
    nlp = load_nlp()
    load = time.perf_counter() - start
    runs: list[dict[str, float]] = []
    bare: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        _copy(args.folders, corpus, args.copies)
        for n in range(args.repeat):
            timings, texts, summary = _pipeline(corpus, Path(tmp) / f"bench{n}.db", nlp, args.serial)
            runs.append(timings)
            start = time.perf_counter()
            for _ in nlp.pipe(texts):
                pass
            bare.append(time.perf_counter() - start)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    median = {stage: statistics.median(run[stage] for run in runs) for stage in runs[0]}
    bare_median = statistics.median(bare)
    documents = int(summary.split()[1].rstrip(","))
    print(summary)
    print(f"runs {args.repeat} ({'serial' if args.serial else 'overlapped'}), medians; spaCy model load {load:.2f} s (not counted)")
    for stage, seconds in median.items():
        spread = f"  [{min(r[stage] for r in runs):.2f}..{max(r[stage] for r in runs):.2f}]" if args.repeat > 1 else ""
        print(f"{stage:<12} {seconds:7.2f} s{spread}")
    print(f"bare spaCy   {bare_median:7.2f} s  (nlp.pipe over the same {len(texts)} texts)")
    print(f"ratio        {median['total'] / bare_median:7.2f}x  whole pipeline / bare spaCy (target <= 2.0)")
    print(f"throughput   {documents / median['total']:.1f} documents/s end to end")
    print(f"peak RSS {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
