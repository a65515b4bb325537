"""The development gold for per-document claims on news text (eval/goldsets/dev_news_claims.json).

The file is in the format of shared/gold/seeds.json but stores offsets only, no article text: each
document names its file under shared/corpus ('path') and the file's sha1. `load_news_gold` reads it,
validates it with the seeds validator and, given the corpus folder, checks every file's sha1 and
fills each claim's 'span' and 'sentence' from the file, so the gold reads like the seeds gold.
The scorer itself (claimgraph.eval.evaluate) needs no text from the gold. See docs/evaluation.md,
"Development gold on news".
"""

from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path
from typing import Any

from claimgraph.errors import GoldFormatError
from claimgraph.eval.gold import load_gold

NEWS_GOLD = "dev_news_claims.json"
# Half C: two further documents of shared/corpus/dev, annotated before anyone looked at claimgraph's
# output on them; held out from all rule work (halves A and B are cut from NEWS_GOLD).
NEWS_GOLD_C = "dev_news_claims_c.json"
HALVES = ("A", "B", "C")


def packaged_news_gold(half: str | None = None) -> Path:
    """The gold shipped with claimgraph: eval/goldsets/dev_news_claims.json, or for half 'C' its own file."""
    name = NEWS_GOLD_C if half == "C" else NEWS_GOLD
    return Path(str(resources.files("claimgraph") / "eval" / "goldsets" / name))


def find_news_corpus_root(gold: dict[str, Any], ledger: dict[str, Any]) -> Path | None:
    """The folder the gold documents' 'path' is relative to, from the ledger's document origins."""
    relatives = [Path(document["path"]) for document in gold["documents"] if document.get("path")]
    for document in ledger.get("documents") or []:
        for origin in [document.get("origin") or ""] + list(document.get("origins") or []):
            origin_path = Path(str(origin).split("#", 1)[0])
            for relative in relatives:
                parts = relative.parts
                if len(origin_path.parts) > len(parts) and origin_path.parts[-len(parts):] == parts and origin_path.exists():
                    return Path(*origin_path.parts[: -len(parts)])
    return None


def fill_texts(gold: dict[str, Any], corpus_root: str | Path) -> list[str]:
    """Check each document's file against its sha1 and fill claims' 'span'/'sentence' from the files.

    Returns the doc_ids whose file is missing or differs (their claims keep no text); raises
    GoldFormatError when a claim's offsets fall outside its file.
    """
    root = Path(corpus_root)
    texts: dict[str, str] = {}
    problems: list[str] = []
    for document in gold["documents"]:
        file = root / document.get("path", document["doc_id"])
        if not file.is_file():
            problems.append(document["doc_id"])
            continue
        data = file.read_bytes()
        if document.get("sha1") and hashlib.sha1(data).hexdigest() != document["sha1"]:
            problems.append(document["doc_id"])
            continue
        texts[document["doc_id"]] = data.decode("utf-8")
    for claim in gold["claims"]:
        text = texts.get(claim["doc_id"])
        if text is None:
            continue
        for name, start, end in (("span", "span_start", "span_end"), ("sentence", "sentence_start", "sentence_end")):
            if start not in claim:
                continue
            if claim[end] > len(text):
                raise GoldFormatError(f"claim {claim['id']}: {name} [{claim[start]}, {claim[end]}) lies outside {claim['doc_id']}")
            claim[name] = text[claim[start] : claim[end]]
    return problems


def load_news_gold(
    path: str | Path | None = None, corpus_root: str | Path | None = None, half: str | None = None
) -> tuple[dict[str, Any], list[str]]:
    """The news gold (packaged by default), validated; with corpus_root, texts filled and files checked.
    With `half` and no path: that half of the packaged gold (A and B cut from one file, C its own file).

    Returns (gold, doc_ids whose file is missing or whose sha1 differs).
    """
    gold = load_gold(path or packaged_news_gold(half))
    problems = fill_texts(gold, corpus_root) if corpus_root is not None else []
    if half in ("A", "B"):
        gold = half_of_news_gold(gold, half)
    elif half is not None and half not in HALVES:
        raise ValueError(f"half must be one of {HALVES}, not {half!r}")
    return gold, problems


def half_of_news_gold(gold: dict[str, Any], half: str) -> dict[str, Any]:
    """The gold cut to half 'A' (even positions of the sorted doc_ids) or 'B' (odd positions).

    Work looks at errors in A only; B is the honest figure for a change tuned on A.
    """
    if half not in ("A", "B"):
        raise ValueError(f"half must be 'A' or 'B', not {half!r}")
    keys = sorted(document["doc_id"] for document in gold["documents"])
    kept = set(keys[half == "B" :: 2])
    return {
        **gold,
        "documents": [d for d in gold["documents"] if d["doc_id"] in kept],
        "claims": [c for c in gold["claims"] if c["doc_id"] in kept],
        "entities": [
            {**e, "mentions": {d: m for d, m in e["mentions"].items() if d in kept}}
            for e in gold.get("entities", [])
            if set(e["mentions"]) & kept
        ],
    }


def evaluate_news(
    ledger: dict[str, Any], path: str | Path | None = None, half: str | None = None
) -> tuple[Any, Path | None, list[str]]:
    """Score a ledger export against the news gold (or one half of it: A or B, see half_of_news_gold,
    or the held-out file C): (EvalReport, the corpus folder found from the ledger's document origins
    or None, doc_ids whose file is missing or differs from the gold)."""
    from claimgraph.eval.evaluation import evaluate

    gold, _ = load_news_gold(path, half=half)
    root = find_news_corpus_root(gold, ledger)
    problems: list[str] = []
    if root is not None:
        gold, problems = load_news_gold(path, root, half=half)
    return evaluate(ledger, gold), root, problems
