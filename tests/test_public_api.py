"""The public Python API: pinned names, five lines on the bundled example, pure functions without a store."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import EXAMPLES

import claimgraph
from claimgraph.errors import IngestError

PUBLIC = {
    "Analysis", "Claim", "ClaimgraphError", "Document", "IngestError", "NotFound", "RawDocument", "StoreError",
    "Zone", "__version__", "RunReport", "analyse_document", "analyse_ledger", "build_report", "export_ledger",
    "ingest_paths", "link_ledger", "open_ledger", "read_documents", "run_ledger",
}


def test_the_public_names_are_pinned() -> None:
    assert set(claimgraph.__all__) == PUBLIC
    for name in claimgraph.__all__:
        assert getattr(claimgraph, name) is not None, name
    with pytest.raises(AttributeError):
        claimgraph.no_such_function  # noqa: B018


def test_five_lines_run_the_main_job(tmp_path: Path) -> None:
    ledger = claimgraph.open_ledger(tmp_path / "story.db")
    done = claimgraph.run_ledger(ledger, EXAMPLES)
    top = claimgraph.build_report(ledger, top=3)
    data = claimgraph.export_ledger(ledger)
    assert not done.failed
    assert done.ingested.counts["ingested"] == 3
    assert len(data["documents"]) == 3 and data["claims"] and data["lines"]
    assert top["clusters"] and len(top["clusters"]) <= 3
    # Rerunning finds nothing new to store or analyse.
    again = claimgraph.run_ledger(ledger, EXAMPLES)
    assert again.ingested.counts["unchanged"] == 3 and not again.analysed.analysed
    assert "Guardian" in claimgraph.build_report(ledger, top=1, fmt="text")
    ledger.close()


def test_read_and_analyse_without_a_store(tmp_path: Path) -> None:
    path = next(iter(sorted(EXAMPLES.glob("*.txt"))))
    (document,) = claimgraph.read_documents(path)
    assert document.text and document.content_hash and document.id.startswith("d")
    analysis = claimgraph.analyse_document(document)
    assert analysis.claims and analysis.sentences
    assert any(claim.chain for claim in analysis.claims)
    empty = tmp_path / "empty.txt"
    empty.write_text("   \n", encoding="utf-8")
    with pytest.raises(IngestError, match="empty.txt"):
        claimgraph.read_documents(empty)
