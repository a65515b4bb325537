"""The command line through click's runner: ingest, documents, show, export, claims."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from click.testing import CliRunner

from claimgraph.cli import main
from claimgraph.export import ledger_schema
from conftest import EXAMPLES


def invoke(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_ingest_summary_and_exit_codes(tmp_path: Path) -> None:
    db = str(tmp_path / "l.db")
    result = invoke("--db", db, "ingest", str(EXAMPLES))
    assert result.exit_code == 0, result.output
    assert "ingested 3, new versions 0, unchanged 0, duplicates 0, failed 0" in result.output
    again = invoke("ingest", str(EXAMPLES), env={"CLAIMGRAPH_DB": db})
    assert "ingested 0, new versions 0, unchanged 3" in again.output

    (tmp_path / "bad.txt").write_bytes(b"\x00\x01\x02" * 100)
    bad = invoke("ingest", "--db", db, str(tmp_path / "bad.txt"), str(tmp_path / "missing.txt"))
    assert bad.exit_code == 1
    assert "bad.txt" in bad.output and "missing.txt" in bad.output
    assert "2 input(s) failed" in bad.output


def test_documents_show_and_export(tmp_path: Path) -> None:
    db = str(tmp_path / "l.db")
    invoke("--db", db, "ingest", str(EXAMPLES))
    listing = invoke("--db", db, "documents")
    assert listing.output.count("\n") == 5  # header, rule, three documents
    assert "2021-07-15" in listing.output and "2016-10-12" in listing.output

    shown = invoke("--db", db, "show", "002_446e0afcbd5d0a9b.txt")
    assert "published: 2016-10-12" in shown.output
    assert "furniture" in shown.output and "Act Now" in shown.output

    out = tmp_path / "ledger.json"
    exported = invoke("--db", db, "export", "--format", "json", "-o", str(out))
    assert exported.exit_code == 0
    ledger = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.validate(ledger, ledger_schema())
    assert len(ledger["documents"]) == 3
    by_name = {Path(d["origin"]).name: d for d in ledger["documents"]}
    assert by_name["000_d4f6d949c34f33dc.txt"]["text"] == (EXAMPLES / "000_d4f6d949c34f33dc.txt").read_text(encoding="utf-8")


def test_unknown_document_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = invoke("--db", str(tmp_path / "l.db"), "show", "nothing-here")
    assert result.exit_code == 2
    assert result.output.strip().startswith("error: no document 'nothing-here'")


def test_a_grade_is_only_for_a_source_the_ledger_names(tmp_path: Path) -> None:
    import shutil

    from seeds_ledger import linked_seeds

    db = str(tmp_path / "seeds.db")
    shutil.copy(linked_seeds(), db)
    unknown = invoke("--db", db, "source", "grade", "The Daily Nowhere", "B")
    assert unknown.exit_code == 2 and unknown.output.startswith("error: no source 'The Daily Nowhere'")
    graded = invoke("--db", db, "source", "grade", "The\u200b Guardian\x07", "B")
    assert graded.exit_code == 0 and "graded B" in graded.output, graded.output
