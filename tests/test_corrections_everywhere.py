"""An analyst's claim corrections apply in the CLI, the export and the link stage, not only the web."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from claimgraph.cli import main
from claimgraph.export import export_ledger
from claimgraph.pipeline import ingest_document
from claimgraph.ledger import current_inputs
from claimgraph.models import Analysis, Claim, RawDocument, Zone
from claimgraph.store import open_store
from claimgraph.store.corrections import correct_claim

TEXT = "The minister said the talks failed. Officials denied the report."


def _ledger(db: str) -> str:
    with open_store(db) as store:
        outcome = ingest_document(store, RawDocument(origin="a.txt", media_type="text/plain", text=TEXT,
                                                     zones=[Zone(start=0, end=len(TEXT), kind="body")]))
        doc = outcome.document_id
        claims = [
            Claim(id=f"{doc}:c000", sentence_index=0, start=18, end=34, sentence_start=0, sentence_end=35,
                  text=TEXT[18:34], content="the talks failed", speaker="The minister", hedging="low", step="t", model="m"),
            Claim(id=f"{doc}:c001", sentence_index=1, start=36, end=63, sentence_start=36, sentence_end=64,
                  text=TEXT[36:63], content="Officials denied the report", step="t", model="m"),
        ]
        store.save_analysis(Analysis(document_id=doc, claims=claims, step="t", model="m"), analysed_at="now")
        correct_claim(store, document_id=doc, start=18, end=34, field="polarity", value="denied", author="ana")
        correct_claim(store, document_id=doc, start=36, end=63, field="wrong", value="true", author="ana")
    return doc


def test_corrections_reach_cli_export_and_link_inputs(tmp_path: Path) -> None:
    db = str(tmp_path / "l.db")
    doc = _ledger(db)
    listed = CliRunner().invoke(main, ["--db", db, "claims"])
    assert "DENIED" in listed.output and "1 claim(s)" in listed.output  # the wrong one is not evidence
    with open_store(db) as store:
        claims = {c["id"]: c for c in export_ledger(store)["claims"]}
        assert claims[f"{doc}:c000"]["polarity"] == "denied"
        assert claims[f"{doc}:c001"]["wrong"] is True
        [(_, analysis)] = current_inputs(store)
        assert [c.id for c in analysis.claims] == [f"{doc}:c000"]
        assert analysis.claims[0].polarity == "denied"
