"""Score analyse_document on the seeds with the project's evaluation (claims and attributes).

    .venv/bin/python bench/score_seeds.py [--zones]

--zones reads each seed through ingest.readers so claims come only from claim zones; without
it the whole text is analysed with the step's fallback zones.
"""

from __future__ import annotations

import argparse
import json
import warnings
from dataclasses import asdict
from pathlib import Path
from typing import Any

from claimgraph.analyse import analyse_document, load_nlp
from claimgraph.eval.evaluation import evaluate
from claimgraph.models import Document

SHARED = Path(__file__).resolve().parents[2] / "shared"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--zones", action="store_true", help="take zones from ingest.readers")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    gold = json.loads((SHARED / "gold" / "seeds.json").read_text(encoding="utf-8"))
    nlp = load_nlp()
    ledger: dict[str, list[dict[str, Any]]] = {"documents": [], "claims": [], "entities": [], "mentions": []}
    for meta in gold["documents"]:
        path = SHARED / "corpus" / "seeds" / meta["doc_id"]
        text = path.read_text(encoding="utf-8")
        zones = []
        if args.zones:
            from claimgraph.ingest.readers import read_path

            zones = read_path(path).documents[0].zones
        document = Document(id=meta["doc_id"], content_hash="", origin=str(path), version=1,
                            media_type="text/plain", text=text, zones=zones, outlet=meta.get("outlet"),
                            published=meta.get("date"))
        analysis = analyse_document(document, nlp=nlp)
        ledger["documents"].append({"id": document.id, "origin": str(path), "version": 1, "text": document.text})
        for section, rows in (("claims", analysis.claims), ("entities", analysis.entities),
                              ("mentions", analysis.mentions)):
            ledger[section] += [{**asdict(row), "document_id": document.id} for row in rows]
    report = evaluate(ledger, gold).to_dict()
    spans = report["claims"]["overlap"]
    print(f"claims (overlap >= 0.5): recall {spans['recall']:.3f}  precision {spans['precision']:.3f}  "
          f"({spans['tp']}/{spans['gold']} required, {spans['system_correct']}/{spans['system']} system)")
    for name, value in report["attributes"].items():
        score = value.get("accuracy", value.get("f1"))
        print(f"  {name:26s} {score:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
