"""A long property-based run over the API's OpenAPI schema (schemathesis) on the seeds, analysed
by the real pipeline and linked: server errors and schema violations, which must both be 0.

    PYTHONPATH=src:tests .venv/bin/python bench/bench_api_fuzz.py [--seconds 300] [--seed 0]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from api_fuzz import fuzz_api  # noqa: E402
from claimgraph.pipeline import ingest_paths  # noqa: E402
from claimgraph.ledger import analyse_store, link_store  # noqa: E402
from claimgraph.link import HashingEmbedder  # noqa: E402
from claimgraph.store import open_store  # noqa: E402
from claimgraph.web.app import WebOptions, asgi_app  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(str(Path(folder) / "ledger.db"))
        ingest_paths(store, [ROOT / "examples" / "seeds"])
        analyse_store(store)
        link_store(store, embedder=HashingEmbedder())
        report = fuzz_api(asgi_app(WebOptions(allowed_hosts=None), store=store, embedder=HashingEmbedder()),
                          seconds=args.seconds, seed=args.seed)
        store.close()
    print(report.summary())
    for (mode, operation, what), n in Counter(report.failures).most_common():
        print(f"{n:4d}  {mode:8s} {operation}: {what[:300]}")
    return 1 if report.server_errors or report.violations else 0


if __name__ == "__main__":
    raise SystemExit(main())
