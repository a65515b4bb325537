"""The development gold for per-document claims on news text (eval/goldsets/dev_news_claims.json)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import shared_path

from claimgraph.cli import main
from claimgraph.eval import evaluate, load_gold
from claimgraph.eval.news_gold import HALVES, fill_texts, find_news_corpus_root, load_news_gold, packaged_news_gold

HEDGING = {"none", "low", "medium", "high"}
POLARITY = {"asserted", "denied"}
CLAIM_TYPES = {"factual", "evaluative", "prediction", "proposal", "inference", "denial", "meta"}
ATTRIBUTION = {"explicit", "implicit_context", "unattributed"}


@pytest.mark.parametrize(("half", "documents"), [(None, 6), ("C", 2)])
def test_packaged_gold_is_valid_and_holds_no_article_text(half: str | None, documents: int) -> None:
    gold = load_gold(packaged_news_gold(half))
    assert len(gold["documents"]) == documents
    assert all(document["path"].startswith("dev/") and len(document["sha1"]) == 40 for document in gold["documents"])
    ids = [claim["id"] for claim in gold["claims"]]
    assert len(ids) == len(set(ids))
    for claim in gold["claims"]:
        assert "span" not in claim and "sentence" not in claim, claim["id"]  # offsets only
        assert claim["hedging"] in HEDGING and claim.get("hedging_alt", "none") in HEDGING, claim["id"]
        assert claim["polarity"] in POLARITY and claim["claim_type"] in CLAIM_TYPES, claim["id"]
        assert claim["attribution"] in ATTRIBUTION, claim["id"]
        assert (claim["polarity"] == "denied") == (claim["claim_type"] == "denial"), claim["id"]
        assert claim["sentence_start"] <= claim["span_start"] < claim["span_end"] <= claim["sentence_end"], claim["id"]
        assert len(claim["source_chain_entities"]) == len(claim["source_chain"]), claim["id"]


@pytest.mark.parametrize("half", [None, "C"])
def test_packaged_gold_spans_hold_on_the_shared_corpus(half: str | None) -> None:
    corpus = shared_path("corpus", "dev").parent
    gold, problems = load_news_gold(corpus_root=corpus, half=half)
    assert problems == [], f"files changed since the gold was made: {problems}"
    for document in gold["documents"]:
        data = (corpus / document["path"]).read_bytes()
        assert hashlib.sha1(data).hexdigest() == document["sha1"], document["path"]
        text = data.decode("utf-8")
        body = text.index("=" * 20)  # claims lie below the Title/Outlet/Date/Source header block
        for claim in (c for c in gold["claims"] if c["doc_id"] == document["doc_id"]):
            span = claim["span"]
            assert claim["span_start"] > body, claim["id"]
            assert span and span == span.strip() and "\n" not in span, (claim["id"], span)
            assert span in claim["sentence"], claim["id"]
            cue = claim["cue"]
            if cue and not cue.startswith("("):  # each piece of a cue written in the text is in the claim's paragraph
                paragraph = text[text.rfind("\n", 0, claim["span_start"]) + 1 : text.find("\n", claim["span_end"])]
                for piece in cue.split(" (")[0].split(" ... "):
                    assert piece in paragraph, (claim["id"], piece)


def test_half_c_is_held_out_from_halves_a_and_b() -> None:
    halves = {half: {d["doc_id"] for d in load_news_gold(half=half)[0]["documents"]} for half in HALVES}
    assert halves["A"] and halves["B"] and halves["C"]
    assert not halves["A"] & halves["B"] and not (halves["A"] | halves["B"]) & halves["C"]
    with pytest.raises(ValueError):
        load_news_gold(half="D")


def _synthetic(tmp_path: Path) -> tuple[Path, dict]:
    text = "Title: T\n\n=====\n\nPeskov said the report is false. It was written in 2016.\n"
    folder = tmp_path / "corpus" / "dev"
    folder.mkdir(parents=True)
    (folder / "x.txt").write_text(text, encoding="utf-8")
    start = text.index("the report")
    sentence = text.index("Peskov")
    gold = {
        "documents": [{"doc_id": "x.txt", "path": "dev/x.txt", "sha1": hashlib.sha1(text.encode()).hexdigest()}],
        "claims": [
            {
                "id": "x-C01", "doc_id": "x.txt", "span_start": start, "span_end": start + len("the report is false"),
                "sentence_start": sentence, "sentence_end": text.index(" It was"), "zone": "body",
                "speaker": "Peskov", "source_chain": ["Peskov"], "attribution": "explicit", "cue": "said",
                "hedging": "low", "polarity": "denied", "claim_type": "denial", "required": True, "in_scope": True,
            }
        ],
    }
    return tmp_path / "corpus", gold


def test_the_loader_fills_texts_from_the_files(tmp_path: Path) -> None:
    root, gold = _synthetic(tmp_path)
    path = tmp_path / "gold.json"
    path.write_text(json.dumps(gold), encoding="utf-8")
    loaded, problems = load_news_gold(path, root)
    assert problems == []
    claim = loaded["claims"][0]
    assert claim["span"] == "the report is false"
    assert claim["sentence"] == "Peskov said the report is false."
    bare, _ = load_news_gold(path)  # without the corpus: offsets only
    assert "span" not in bare["claims"][0]


def test_a_changed_file_is_reported_and_not_filled(tmp_path: Path) -> None:
    root, gold = _synthetic(tmp_path)
    gold["documents"][0]["sha1"] = "0" * 40
    assert fill_texts(gold, root) == ["x.txt"]
    assert "span" not in gold["claims"][0]
    assert fill_texts(gold, tmp_path / "nowhere") == ["x.txt"]


def test_the_corpus_root_is_found_from_ledger_origins(tmp_path: Path) -> None:
    root, gold = _synthetic(tmp_path)
    ledger = {"documents": [{"id": "d1", "origin": str(root / "dev" / "x.txt")}]}
    assert find_news_corpus_root(gold, ledger) == root
    assert find_news_corpus_root(gold, {"documents": [{"id": "d1", "origin": "elsewhere/x.txt"}]}) is None


def test_the_seeds_scorer_scores_the_synthetic_gold(tmp_path: Path) -> None:
    root, gold = _synthetic(tmp_path)
    text = (root / "dev" / "x.txt").read_text(encoding="utf-8")
    claim = gold["claims"][0]
    ledger = {
        "documents": [{"id": "d1", "origin": str(root / "dev" / "x.txt"), "text": text}],
        "claims": [
            {
                "id": "c1", "document_id": "d1", "start": claim["span_start"], "end": claim["span_end"], "zone": "body",
                "speaker": "Peskov", "chain": ["Peskov"], "cue": "said", "hedging": "low", "polarity": "denied",
                "claim_type": "denial", "attribution": "explicit",
            }
        ],
    }
    report = evaluate(ledger, gold)
    assert report.claims.overlap.recall == 1.0 and report.claims.overlap.precision == 1.0
    assert report.attributes.speaker.accuracy == 1.0 and report.attributes.denied.f1 == 1.0


def test_cli_news_and_lines_are_exclusive(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "x.db"), "eval", "--news", "--lines"])
    assert result.exit_code != 0 and "--news" in result.output


def test_cli_news_on_an_empty_ledger_reports_every_claim_missed(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "x.db"), "eval", "--news", "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["documents"]["matched"] == 0 and report["claims"]["overlap"]["recall"] == 0.0
    assert report["news_gold"]["corpus_root"] is None


def test_halves_split_the_sorted_documents_and_stay_valid() -> None:
    from claimgraph.eval.gold import validate_gold
    from claimgraph.eval.news_gold import half_of_news_gold

    gold = load_gold(packaged_news_gold())
    keys = sorted(document["doc_id"] for document in gold["documents"])
    a, b = half_of_news_gold(gold, "A"), half_of_news_gold(gold, "B")
    assert [d["doc_id"] for d in sorted(a["documents"], key=lambda d: d["doc_id"])] == keys[0::2]
    assert [d["doc_id"] for d in sorted(b["documents"], key=lambda d: d["doc_id"])] == keys[1::2]
    assert len(a["claims"]) + len(b["claims"]) == len(gold["claims"])
    for half in (a, b):
        validate_gold(half)  # entity mentions of the other half's documents are dropped
        assert {c["doc_id"] for c in half["claims"]} <= {d["doc_id"] for d in half["documents"]}
