"""The lines gold scorer: each metric can fail, and the packaged gold's spans hold on shared/corpus."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from claimgraph.cli import main
from claimgraph.errors import GoldFormatError
from claimgraph.eval.lines_gold import (
    LINES_FORMAT,
    format_lines_report,
    packaged_lines_gold,
    proposition_subset,
    read_lines_gold,
    score_lines_gold,
    validate_lines_gold,
)

from conftest import shared_path

TEXT_A = "Alpha said the plan was real. Beta agreed. " * 3
TEXT_B = "Gamma wrote that the plan was real. Delta denied it. " * 2
SHA = lambda text: hashlib.sha1(text.encode("utf-8")).hexdigest()  # noqa: E731


def synthetic_gold() -> dict[str, Any]:
    """Two documents; P1 is stated twice in a.txt (origin X) and once in b.txt (origin Y), denied by Z."""
    return {
        "format": LINES_FORMAT,
        "about": "test",
        "corpus": "corpus",
        "documents": {
            "dev/a.txt": {"sha1": SHA(TEXT_A), "derivations": []},
            "dev/b.txt": {"sha1": SHA(TEXT_B), "derivations": [{"parent": "dev/a.txt", "kind": "re_reports", "evidence": [[0, 5]]}]},
        },
        "origins": {
            "x": {"name": "X", "kind": "person", "group": "GX"},
            "x2": {"name": "X's paper", "kind": "document", "group": "GX"},
            "y": {"name": "Y", "kind": "person", "group": "GY"},
            "z": {"name": "Z", "kind": "person", "group": "GZ"},
        },
        "groups": {"GX": {"name": "X"}, "GY": {"name": "Y"}, "GZ": {"name": "Z"}},
        "propositions": [
            {
                "id": "P1",
                "gloss": "the plan was real",
                "claims": [
                    {"document": "dev/a.txt", "start": 11, "end": 28, "origin": "x", "polarity": "asserted"},
                    {"document": "dev/a.txt", "start": 54, "end": 71, "origin": "x2", "polarity": "asserted"},
                    {"document": "dev/b.txt", "start": 17, "end": 34, "origin": "y", "polarity": "asserted"},
                    {"document": "dev/b.txt", "start": 36, "end": 51, "origin": "z", "polarity": "denied"},
                ],
            },
            {
                "id": "P2",
                "gloss": "Beta agreed",
                "claims": [{"document": "dev/a.txt", "start": 30, "end": 41, "origin": "y", "polarity": "asserted"}],
            },
        ],
    }


def synthetic_ledger() -> dict[str, Any]:
    """A ledger that gets everything right."""
    claims = [
        {"id": "a:1", "document_id": "A", "start": 0, "end": 29, "polarity": "asserted"},
        {"id": "a:2", "document_id": "A", "start": 30, "end": 42, "polarity": "asserted"},
        {"id": "a:3", "document_id": "A", "start": 43, "end": 72, "polarity": "asserted"},
        {"id": "b:1", "document_id": "B", "start": 0, "end": 35, "polarity": "asserted"},
        {"id": "b:2", "document_id": "B", "start": 36, "end": 52, "polarity": "denied"},
    ]
    return {
        "claimgraph_export": 1,
        "documents": [
            {"id": "A", "origin": "/nowhere/dev/a.txt", "version": 1, "text": TEXT_A},
            {"id": "B", "origin": "/nowhere/dev/b.txt", "version": 1, "text": TEXT_B},
        ],
        "claims": claims,
        "lines": [
            {"id": "LX", "claims": ["a:1", "a:3"]},
            {"id": "LY", "claims": ["a:2", "b:1"]},
            {"id": "LZ", "claims": ["b:2"]},
        ],
        "clusters": [
            {"id": "K1", "members": [{"claim": c, "relation": "same"} for c in ("a:1", "a:3", "b:1", "b:2")]},
            {"id": "K2", "members": [{"claim": "a:2", "relation": "same"}]},
        ],
        "assessments": [
            {"cluster": "K1", "supporting_lines": ["LX", "LY"], "denying_lines": ["LZ"]},
            {"cluster": "K2", "supporting_lines": ["LY"]},
        ],
        "provenance": [{"child": "B", "parent": "A", "relation": "re_reports"}],
    }


def score(ledger: dict[str, Any], gold: dict[str, Any] | None = None) -> dict[str, Any]:
    return score_lines_gold(ledger, gold or synthetic_gold(), None)


def test_synthetic_spans_are_what_they_say() -> None:
    gold = synthetic_gold()
    texts = {"dev/a.txt": TEXT_A, "dev/b.txt": TEXT_B}
    spans = [texts[c["document"]][c["start"] : c["end"]] for p in gold["propositions"] for c in p["claims"]]
    assert spans == ["the plan was real", "the plan was real", "the plan was real", "Delta denied it", "Beta agreed"]


def test_a_right_ledger_scores_full_marks() -> None:
    result = score(synthetic_ledger())
    assert result["claims"]["matched"] == result["claims"]["gold"] == 5
    assert result["lines_pairwise"]["f1"] == 1.0
    assert result["clusters_pairwise"]["f1"] == 1.0
    assert result["propositions"]["exact"] == 2 and result["propositions"]["over"] == result["propositions"]["under"] == 0
    assert result["corroboration"] == {"corroborated_clusters": 1, "checkable": 1, "overstated": 0, "examples": []}
    assert result["derivations"]["precision"] == result["derivations"]["recall"] == 1.0
    assert "lines pairwise" in format_lines_report(result)


def test_a_missed_claim_counts_against_claims_only() -> None:
    ledger = synthetic_ledger()
    ledger["claims"] = [c for c in ledger["claims"] if c["id"] != "a:2"]
    result = score(ledger)
    assert result["claims"]["matched"] == 4
    assert result["lines_pairwise"]["f1"] == 1.0


def test_a_claim_covering_under_half_the_gold_span_does_not_match() -> None:
    ledger = synthetic_ledger()
    ledger["claims"][0]["end"] = 18  # covers 7 of the 17 characters
    assert score(ledger)["claims"]["matched"] == 4


def test_splitting_one_line_is_an_over_count() -> None:
    ledger = synthetic_ledger()
    ledger["lines"] = [{"id": "LX1", "claims": ["a:1"]}, {"id": "LX2", "claims": ["a:3"]}, *ledger["lines"][1:]]
    result = score(ledger)
    p1 = next(i for i in result["propositions"]["items"] if i["id"] == "P1")
    assert (p1["gold_groups"], p1["system_lines"], p1["verdict"]) == (2, 3, "over")
    assert result["propositions"]["over"] == 1
    assert result["lines_pairwise"]["recall"] < 1.0 and result["lines_pairwise"]["precision"] == 1.0


def test_merging_lines_is_an_under_count_and_costs_precision() -> None:
    ledger = synthetic_ledger()
    ledger["lines"] = [{"id": "L", "claims": ["a:1", "a:2", "a:3", "b:1", "b:2"]}]
    result = score(ledger)
    assert result["propositions"]["under"] == 1
    assert result["lines_pairwise"]["precision"] < 1.0 and result["lines_pairwise"]["recall"] == 1.0


def test_an_overstated_corroboration_is_counted() -> None:
    gold = synthetic_gold()
    gold["propositions"][0]["claims"][2]["origin"] = "x"  # b.txt now re-reports X: one line, not two
    result = score(synthetic_ledger(), gold)
    assert result["corroboration"]["checkable"] == 1
    assert result["corroboration"]["overstated"] == 1
    assert result["corroboration"]["examples"][0]["gold_group"] == "GX"
    assert result["propositions"]["over"] == 1


def test_cluster_errors_cost_pairwise_scores() -> None:
    ledger = synthetic_ledger()
    ledger["clusters"] = [{"id": "K", "members": [{"claim": c["id"]} for c in ledger["claims"]]}]
    assert score(ledger)["clusters_pairwise"]["precision"] < 1.0
    ledger["clusters"] = []
    assert score(ledger)["clusters_pairwise"]["recall"] == 0.0


def test_cluster_pairs_are_scored_over_a_subset_of_propositions() -> None:
    """Odd / even halves: a pair counts for a half when one of its claims states a proposition of it,
    so a claim of the half merged with a claim of the other half is a wrong pair of both."""
    gold = synthetic_gold()
    assert proposition_subset(gold, "odd") == {"P1"} and proposition_subset(gold, "even") == {"P2"}
    assert proposition_subset(gold, "P2, P1") == {"P1", "P2"}
    with pytest.raises(GoldFormatError, match="P9"):
        proposition_subset(gold, "P9")
    ledger = synthetic_ledger()
    right = score_lines_gold(ledger, gold, None, propositions={"P1"})
    assert right["clusters_pairwise_subset"]["f1"] == 1.0 and right["subset"] == ["P1"]
    assert "clusters_pairwise_subset" not in score(ledger)
    ledger["clusters"] = [{"id": "K", "members": [{"claim": c["id"]} for c in ledger["claims"]]}]
    even = score_lines_gold(ledger, gold, None, propositions=proposition_subset(gold, "even"))
    # P2's one claim merged with P1's four: four wrong pairs, no gold pair.
    assert even["clusters_pairwise_subset"]["system"] == 4 and even["clusters_pairwise_subset"]["tp"] == 0
    assert even["cluster_families_pairwise_subset"]["system"] == 4
    odd = score_lines_gold(ledger, gold, None, propositions={"P1"})
    assert odd["clusters_pairwise_subset"] == odd["clusters_pairwise"]  # every pair has a P1 claim
    assert "clusters      P" in format_lines_report(even)


def test_derivation_errors_cost_precision_and_recall() -> None:
    ledger = synthetic_ledger()
    ledger["provenance"] = [{"child": "B", "parent": "A", "relation": "relays"}]  # not a document relation
    assert score(ledger)["derivations"]["recall"] == 0.0
    ledger["provenance"] = [{"child": "A", "parent": "B", "relation": "near_duplicate"}]  # direction does not matter
    assert score(ledger)["derivations"]["recall"] == 1.0
    gold = synthetic_gold()
    gold["documents"]["dev/b.txt"]["derivations"] = []
    assert score(ledger, gold)["derivations"]["precision"] == 0.0


def test_a_changed_text_is_not_scored() -> None:
    ledger = synthetic_ledger()
    ledger["documents"][1]["text"] = "x" + TEXT_B
    result = score(ledger)
    assert result["documents"]["text_mismatch"] == ["dev/b.txt"]
    assert result["claims"]["matched"] == 3


def test_validation_names_the_problem() -> None:
    gold = synthetic_gold()
    gold["propositions"][0]["claims"][0]["origin"] = "nobody"
    with pytest.raises(GoldFormatError, match="unknown origin"):
        validate_lines_gold(gold)
    gold = synthetic_gold()
    gold["origins"]["x"]["group"] = "G?"
    with pytest.raises(GoldFormatError, match="no known group"):
        validate_lines_gold(gold)


def test_read_lines_gold_leaves_other_formats_alone(tmp_path: Path) -> None:
    other = tmp_path / "seeds.json"
    other.write_text(json.dumps({"documents": [], "claims": []}))
    assert read_lines_gold(other) is None
    mine = tmp_path / "lines.json"
    mine.write_text(json.dumps(synthetic_gold()))
    assert read_lines_gold(mine)["format"] == LINES_FORMAT


def test_cli_needs_a_gold_or_lines(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "x.db"), "eval"])
    assert result.exit_code != 0 and "--lines" in result.output


# ---------------------------------------------------------------- the packaged gold on shared/corpus


def test_packaged_gold_is_valid_and_its_spans_hold_on_the_corpus() -> None:
    gold = json.loads(packaged_lines_gold().read_text(encoding="utf-8"))
    validate_lines_gold(gold)
    corpus = shared_path("corpus")
    assert len(gold["documents"]) == 30
    texts = {}
    for relative, entry in gold["documents"].items():
        data = (corpus / relative).read_bytes()
        assert hashlib.sha1(data).hexdigest() == entry["sha1"], f"{relative} changed since the gold was made"
        texts[relative] = data.decode("utf-8")
        for derivation in entry["derivations"]:
            assert derivation["kind"] in {"re_reports", "copies", "cites", "quotes", "wire", "companion"}
            for start, end in derivation["evidence"]:
                assert 0 <= start < end <= len(texts[relative]), (relative, start, end)
    seen = set()
    for proposition in gold["propositions"]:
        for claim in proposition["claims"]:
            text = texts[claim["document"]]
            span = text[claim["start"] : claim["end"]]
            assert 0 <= claim["start"] < claim["end"] <= len(text)
            assert span == span.strip() and len(span) >= 10, (proposition["id"], span)
            key = (claim["document"], claim["start"], claim["end"])
            assert key not in seen, key
            seen.add(key)
    assert len(gold["propositions"]) >= 25


def test_the_packaged_gold_scores_a_ledger_made_from_it_perfectly() -> None:
    """A ledger that is the gold (claims = gold spans, lines = groups, clusters = propositions)."""
    gold = json.loads(packaged_lines_gold().read_text(encoding="utf-8"))
    corpus = shared_path("corpus")
    ids = {relative: f"D{n}" for n, relative in enumerate(gold["documents"])}
    ledger: dict[str, Any] = {"documents": [], "claims": [], "lines": [], "clusters": [], "assessments": [], "provenance": []}
    for relative in gold["documents"]:
        ledger["documents"].append({"id": ids[relative], "origin": str(corpus / relative), "text": (corpus / relative).read_text(encoding="utf-8")})
    lines: dict[str, list[str]] = {}
    for proposition in gold["propositions"]:
        members = []
        for n, claim in enumerate(proposition["claims"]):
            claim_id = f"{proposition['id']}:{n}"
            ledger["claims"].append({"id": claim_id, "document_id": ids[claim["document"]], "start": claim["start"], "end": claim["end"], "polarity": claim["polarity"]})
            lines.setdefault(gold["origins"][claim["origin"]]["group"], []).append(claim_id)
            members.append({"claim": claim_id})
        ledger["clusters"].append({"id": proposition["id"], "members": members})
    ledger["lines"] = [{"id": group, "claims": claims} for group, claims in lines.items()]
    for relative, entry in gold["documents"].items():
        for derivation in entry["derivations"]:
            if derivation["parent"] in ids:
                ledger["provenance"].append({"child": ids[relative], "parent": ids[derivation["parent"]], "relation": "cites"})
    result = score_lines_gold(ledger, copy.deepcopy(gold), corpus)
    assert result["documents"]["sha1_mismatch"] == [] and result["documents"]["text_mismatch"] == []
    assert result["claims"]["matched"] == result["claims"]["gold"]
    assert result["lines_pairwise"]["f1"] == result["clusters_pairwise"]["f1"] == 1.0
    assert result["propositions"]["exact"] == result["propositions"]["total"]
    assert result["derivations"]["f1"] == 1.0


def test_a_denial_group_under_what_it_denies_is_one_family() -> None:
    ledger = synthetic_ledger()
    ledger["clusters"] = [
        {"id": "K1", "members": [{"claim": c, "relation": "same"} for c in ("a:1", "a:3", "b:1")]},
        {"id": "KD", "parent": "K1", "members": [{"claim": "b:2", "relation": "contradicts"}]},
        {"id": "K2", "members": [{"claim": "a:2", "relation": "same"}]},
    ]
    result = score(ledger)
    assert result["clusters_pairwise"]["recall"] < 1.0  # the denial is not in the flat cluster
    assert result["cluster_families_pairwise"]["f1"] == 1.0
    ledger["clusters"][1]["parent"] = None
    assert score(ledger)["cluster_families_pairwise"]["recall"] < 1.0
