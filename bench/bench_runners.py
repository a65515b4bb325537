"""Documents per second of ingest+analyse, local runner against DaskRunner with 1 and 2 workers.

    PYTHONPATH=src HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_runners.py [PATHS ...] [--repeat N]

Each run starts from an empty SQLite ledger. "cold" counts from the call to run() to the last
analysis stored, with the cluster's start and spaCy's loads inside; "warm" starts the cluster and
loads spaCy (every worker's, or the local one) before the clock starts. Link runs after, in the
one writer, whatever the runner, and is timed apart. The load average is printed before and
after each run: the machine is shared. Exports are compared with the local run's
(comparable_export): a runner that disagrees is reported.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from claimgraph.api import export_ledger, open_ledger
from claimgraph.pipeline import LocalRunner, comparable_export

SHARED = Path(__file__).resolve().parents[2] / "shared"


def one_run(config: str, paths: list[Path], *, warm: bool) -> dict[str, Any]:
    from claimgraph.pipeline.dask_runner import DaskRunner

    workers = int(config.split("-")[1]) if config.startswith("dask") else 0
    with tempfile.TemporaryDirectory() as folder:
        store = open_ledger(Path(folder) / "ledger.db")
        clock = time.perf_counter()
        if config == "local":
            from claimgraph.analyse import load_nlp

            runner: Any = LocalRunner(nlp=load_nlp() if warm else None)
        else:
            runner = DaskRunner(workers=workers)
            if warm:
                runner.warm()
        prepared = time.perf_counter() - clock
        load_before = os.getloadavg()[0]
        try:
            with runner:
                result = runner.run(store, paths)
            export = comparable_export(json.loads(json.dumps(export_ledger(store))))
        finally:
            store.close()
    documents = len(result.analysed.analysed)
    seconds = result.timings["ingest+analyse"]
    return {"config": config, "warm": warm, "documents": documents, "claims": result.analysed.claims,
            "prepare_s": round(prepared, 2), "ingest_analyse_s": round(seconds, 2),
            "docs_per_s": round(documents / seconds, 2), "link_s": round(result.timings["link"], 2),
            "load_before": round(load_before, 2), "load_after": round(os.getloadavg()[0], 2), "export": export}


def writer_ceiling(paths: list[Path], analysed_from: str) -> dict[str, Any]:
    """Seconds per document of what the one writer does whatever the number of workers: store a
    read document (ingest_document, reading excluded) and store its analysis (save_analysis,
    analyses taken from the ledger at `analysed_from`), into an empty SQLite ledger."""
    from datetime import datetime, timezone

    from claimgraph.pipeline import ingest_document
    from claimgraph.ingest.files import iter_files
    from claimgraph.ingest.readers import read_manifest, read_path

    files = [p for p in iter_files(paths) if isinstance(p, Path) and not read_manifest(p)]
    raws = [raw for path in files for raw in read_path(path).documents]
    source = open_ledger(analysed_from)
    analyses = source.load_analyses(list(source.analysed()))
    source.close()
    with tempfile.TemporaryDirectory() as folder:
        store = open_ledger(Path(folder) / "ledger.db")
        clock = time.perf_counter()
        for raw in raws:
            ingest_document(store, raw)
        ingested = time.perf_counter() - clock
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        clock = time.perf_counter()
        for analysis in analyses.values():
            store.save_analysis(analysis, analysed_at=now)
        saved = time.perf_counter() - clock
        store.close()
    return {"documents": len(raws), "analyses": len(analyses), "ingest_document_s_per_doc": round(ingested / len(raws), 4),
            "save_analysis_s_per_doc": round(saved / len(analyses), 4),
            "writer_docs_per_s": round(1 / (ingested / len(raws) + saved / len(analyses)), 1),
            "load": round(os.getloadavg()[0], 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", type=Path, default=[SHARED / "corpus"])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--configs", default="local,dask-1,dask-2")
    parser.add_argument("--cold", action="store_true", help="Also time cold runs (cluster start and model loads inside).")
    parser.add_argument("--writer", metavar="LEDGER", help="Only time the writer's own work per document, with the "
                        "analyses of this analysed ledger of the same PATHS (e.g. one `claimgraph run` made).")
    args = parser.parse_args()
    if not all(path.exists() for path in args.paths):
        sys.exit(f"missing: {[str(p) for p in args.paths if not p.exists()]} (../shared/corpus lives beside the repo)")
    if args.writer:
        for _ in range(args.repeat):
            print(json.dumps(writer_ceiling(args.paths, args.writer)), flush=True)
        return
    reference: dict[str, Any] | None = None
    rows: dict[tuple[str, bool], list[dict[str, Any]]] = {}
    for _ in range(args.repeat):
        for config in args.configs.split(","):
            for warm in ([False, True] if args.cold else [True]):
                row = one_run(config, args.paths, warm=warm)
                export = row.pop("export")
                reference = reference or export
                row["same_export_as_first"] = export == reference
                print(json.dumps(row), flush=True)
                rows.setdefault((config, warm), []).append(row)
    print("\nconfig      warm  docs  median docs/s  median ingest+analyse s  median link s  load (before→after)")
    for (config, warm), runs in rows.items():
        loads = ", ".join(f"{r['load_before']}→{r['load_after']}" for r in runs)
        print(f"{config:<11} {str(warm):<5} {runs[0]['documents']:>4}  {statistics.median(r['docs_per_s'] for r in runs):>13.2f}"
              f"  {statistics.median(r['ingest_analyse_s'] for r in runs):>23.2f}  {statistics.median(r['link_s'] for r in runs):>13.2f}"
              f"  {loads}")


if __name__ == "__main__":
    main()
