"""Attribution on PolNeAR-format data: ingest + analyse into a temporary SQLite ledger, export, score.

    .venv/bin/python bench/bench_polnear.py ../shared/data/polnear/dev [--limit N] [--json] [--missed FILE]
        [--export FILE] [--ceiling SHARE]

DIR holds text/*.txt and attributions/*.ann (brat: Source, Cue, Content). The scores are those of
the steering scorer (shared/tools/score-polnear), computed by claimgraph.eval.polnear, plus the
accuracy of pronoun sources. Tune on train; dev is the held-out measure.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from claimgraph.eval.polnear import oracle_export, score_polnear  # noqa: E402
from claimgraph.export import export_ledger  # noqa: E402
from claimgraph.pipeline import ingest_paths  # noqa: E402
from claimgraph.ledger import analyse_store  # noqa: E402
from claimgraph.store import open_store  # noqa: E402


def run(folder: Path, *, limit: int | None = None, keep_missed: bool = False,
        export_to: Path | None = None, ceiling: float | None = None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Scores of the first `limit` articles of folder (all without a limit), and the misses when asked."""
    texts = sorted((folder / "text").glob("*.txt"))
    if not texts:
        raise SystemExit(f"no articles under {folder / 'text'}: DIR must hold text/*.txt and attributions/*.ann")
    texts = texts[:limit] if limit else texts
    with tempfile.TemporaryDirectory() as tmp, open_store(str(Path(tmp) / "polnear.db")) as store:
        ingest_paths(store, texts)
        started = time.perf_counter()
        report = analyse_store(store)
        seconds = time.perf_counter() - started
        export = export_ledger(store)
    if export_to is not None:
        export_to.write_text(json.dumps(export, ensure_ascii=False), encoding="utf-8")
    if ceiling is not None:
        export = oracle_export(export, folder, share=ceiling)
    score = score_polnear(export, folder, keep_missed=keep_missed)
    result = score.as_dict()
    result["analyse_seconds"] = round(seconds, 1)
    result["failed"] = len(report.failed)
    return result, score.missed


def format_table(result: dict[str, Any]) -> str:
    rows = [
        ("documents", str(result["documents"])),
        ("attributions (gold)", str(result["attributions"])),
        ("attributions recalled", f"{result['attributions_recalled']:.3f}"),
        ("content tokens P/R/F1", "/".join(f"{v:.3f}" for v in result["content_tokens_PRF"])),
        ("cue tokens P/R/F1", "/".join(f"{v:.3f}" for v in result["cue_tokens_PRF"])),
        ("named-source accuracy", f"{result['source_acc_named']:.3f}  ({result['source_scored']} scored)"),
        ("pronoun-source accuracy", f"{result['source_acc_pronoun']:.3f}  ({result['pronoun_scored']} scored)"),
        ("analyse seconds", f"{result['analyse_seconds']}"),
    ]
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="a PolNeAR split: text/ and attributions/")
    parser.add_argument("--limit", type=int, default=None, help="only the first N articles (by file name)")
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    parser.add_argument("--missed", type=Path, default=None, help="write the missed gold attributions (JSONL)")
    parser.add_argument("--export", type=Path, default=None, help="also write the ledger's JSON export there")
    parser.add_argument("--ceiling", type=float, default=None, metavar="SHARE",
                        help="score an oracle instead: a claim is attributed when SHARE of its words are gold content "
                             "(the most that deciding attribution can reach with these claim units)")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    result, missed = run(args.folder, limit=args.limit, keep_missed=args.missed is not None,
                          export_to=args.export, ceiling=args.ceiling)
    if args.missed is not None:
        args.missed.write_text("".join(json.dumps(m, ensure_ascii=False) + "\n" for m in missed), encoding="utf-8")
    print(json.dumps(result) if args.json else format_table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
