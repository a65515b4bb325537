"""The report: clusters ranked by independent lines, sub-cluster support shown, every format renders."""

from __future__ import annotations

import json

from claimgraph.pipeline import ingest_paths
from claimgraph.models import Analysis, Claim
from claimgraph.report import build_report, render_report
from claimgraph.store.links import save_layer
from conftest import EXAMPLES


def _claim(document_id: str, n: int, text: str, **values) -> Claim:
    return Claim(id=f"{document_id}:c{n:03d}", sentence_index=n, start=0, end=len(text), sentence_start=0,
                 sentence_end=len(text), text=text, content=text, step="t", model="m", **values)


def test_report_ranks_by_lines_and_shows_sub_cluster_support(store) -> None:
    ingest_paths(store, [EXAMPLES])
    ids = {d.origin.rsplit("/", 1)[-1][:3]: d.id for d in store.documents(with_text=False)}
    a, b = ids["000"], ids["002"]
    store.save_analysis(Analysis(document_id=a, claims=[_claim(a, 0, "Putin ordered spy agencies to help Trump",
                                                               chain=["The Guardian", "the documents"]),
                                                        _claim(a, 1, "Peskov called it <b>pulp fiction</b>", polarity="denied")],
                                 step="t", model="m"), analysed_at="now")
    store.save_analysis(Analysis(document_id=b, claims=[_claim(b, 0, "The Kremlin backed Trump")], step="t", model="m"),
                        analysed_at="now")
    cluster = lambda cid, parent, members: {"id": cid, "anchor": members[0][0], "anchor_text": cid, "parent": parent,  # noqa: E731
                                            "documents": [], "members": [{"claim": c, "relation": r} for c, r in members]}
    save_layer(store, {
        "clusters": [cluster("general", None, [(f"{b}:c000", "same")]),
                     cluster("specific", "general", [(f"{a}:c000", "same"), (f"{a}:c001", "contradicts")]),
                     cluster("lonely", None, [(f"{a}:c001", "same")]),
                     cluster("peskov denies", "general", [(f"{a}:c001", "contradicts")])],
        "links": [], "provenance": [], "events": [], "sourcing": [],
        "lines": [{"id": "L1", "root": "source:guardian", "documents": [a], "claims": [f"{a}:c000", f"{a}:c001"], "root_kind": "source", "sources": ["the Guardian"]},
                  {"id": "L2", "root": b, "documents": [b], "claims": [f"{b}:c000"], "root_kind": "document", "sources": []}],
        "assessments": [{"cluster": "general", "credibility": 2, "label": "probably true", "reliability": "F",
                         "supporting_lines": ["L1", "L2"], "contradicting_lines": [], "denying_lines": ["L1"], "reasons": ["2 lines"]},
                        {"cluster": "lonely", "credibility": 3, "label": "possibly true", "reliability": "F",
                         "supporting_lines": ["L1"], "contradicting_lines": [], "denying_lines": [], "reasons": []}],
    })
    report = build_report(store)
    top = report["clusters"][0]
    # Sources by the name the texts give them, not by their lower-cased node key; a document
    # without outlet or title by its headline, never by its file name.
    assert top["id"] == "general" and top["supporting_lines"] == ["The Guardian", "Company Intelligence Report 2016/130"]
    assert report["lines"][0]["root"] == "The Guardian" and report["lines"][0]["sources"] == ["The Guardian"]
    assert [m["via"] for m in top["members"]] == [None, "peskov denies", "specific", "specific"]
    assert any(d["polarity"] == "denied" for d in top["denials"])
    html = render_report(report, "html")
    assert "<b>pulp" not in html and "&lt;b&gt;pulp fiction&lt;/b&gt;" in html  # document text is escaped
    assert json.loads(render_report(report, "json"))["clusters"][0]["id"] == "general"
    assert "2 independent lines" in render_report(report, "md")
    # A group of denials is read under what it denies, not as a claim of its own in the ranking.
    assert next(c for c in report["clusters"] if c["id"] == "peskov denies")["denial_of"] == "general"
    assert ". peskov denies" not in render_report(report, "md") and ". lonely" in render_report(report, "md")


def test_a_line_names_each_carrier_once_with_its_count() -> None:
    from claimgraph.report import render_markdown

    report = {"clusters": [], "provenance": [], "timeline": [], "entities": [], "documents": 4, "claims": 9,
              "lines": [{"id": "L1", "root": "Christopher Steele", "sources": ["Source E"],
                         "documents": ["Christopher Steele", "Christopher Steele", "BuzzFeed News", "Christopher Steele"]}]}
    text = render_markdown(report)
    assert "- **Christopher Steele**: Christopher Steele (3), BuzzFeed News; its sources: Source E" in text


def test_the_entity_index_does_not_add_up_entities_that_share_a_name() -> None:
    from claimgraph.report import entity_index

    ledger = {"canonical_entities": [
        {"name": "report", "type": "DOC", "documents": ["d1"]}, {"name": "report", "type": "DOC", "documents": ["d2"]},
        {"name": "Vladimir Putin", "type": "PER", "documents": ["d1", "d2"]}], "entities": []}
    assert entity_index(ledger) == [{"name": "Vladimir Putin", "type": "PER", "documents": 2},
                                    {"name": "report", "type": "DOC", "documents": 1},
                                    {"name": "report", "type": "DOC", "documents": 1}]


def _small_ledger(store) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    ingest_paths(store, [EXAMPLES])
    ids = {d.origin.rsplit("/", 1)[-1][:3]: d.id for d in store.documents(with_text=False)}
    a, b = ids["000"], ids["002"]
    store.save_analysis(Analysis(document_id=a, claims=[_claim(a, 0, "Putin ordered spy agencies to help Trump", speaker="The Guardian"),
                                                        _claim(a, 1, "The Kremlin denied it", polarity="denied")],
                                 step="t", model="m"), analysed_at="now")
    store.save_analysis(Analysis(document_id=b, claims=[_claim(b, 0, "The Kremlin backed Trump")], step="t", model="m"),
                        analysed_at="now")
    save_layer(store, {
        "clusters": [{"id": "K-1", "anchor": f"{b}:c000", "anchor_text": "The Kremlin backed Trump", "parent": None, "documents": [a, b],
                      "members": [{"claim": f"{b}:c000", "relation": "same"}, {"claim": f"{a}:c000", "relation": "same"}]},
                     {"id": "K-2", "anchor": f"{a}:c001", "anchor_text": "The Kremlin denied it", "parent": "K-1", "documents": [a],
                      "members": [{"claim": f"{a}:c001", "relation": "contradicts"}]}],
        "links": [], "provenance": [], "events": [],
        # a's first claim restates what b reports: it is counted on b's line (LineState.derived_lines)
        "sourcing": [{"cluster": "K-1", "derived": {f"{a}:c000": "L2"}}],
        "lines": [{"id": "L1", "root": "source:guardian", "documents": [a], "claims": [f"{a}:c000", f"{a}:c001"], "root_kind": "source",
                   "sources": ["the Guardian"]},
                  {"id": "L2", "root": b, "documents": [b], "claims": [f"{b}:c000"], "root_kind": "document", "sources": []}],
        "assessments": [{"cluster": "K-1", "credibility": 3, "label": "possibly true", "reliability": "F",
                         "supporting_lines": ["L2"], "contradicting_lines": [], "denying_lines": ["L1"], "reasons": []}],
    })
    return a, b


def test_the_report_reads_what_it_shows_not_every_analysis(store, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from claimgraph.store.corrections import correct_claim
    from claimgraph.store.sql import Store

    a, b = _small_ledger(store)
    claim = next(c for c in store.load_analysis(a).claims if c.id.endswith("c000"))
    correct_claim(store, document_id=a, start=claim.start, end=claim.end, field="speaker", value="Luke Harding", author="ann")

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("the report read every document's analysis")

    monkeypatch.setattr(Store, "load_analyses", refuse)
    report = build_report(store, top=1)
    assert [c["id"] for c in report["clusters"]] == ["K-1"] and report["claims"] == 3 and report["documents"] >= 2
    members = {m["claim"]: m for m in report["clusters"][0]["members"]}
    assert members[f"{a}:c000"]["speaker"] == "Luke Harding"  # the analyst's correction
    # the derived claim is on the line it is counted in, and that line lists its document
    assert members[f"{a}:c000"]["line"] == members[f"{b}:c000"]["line"]
    line = next(l for l in report["lines"] if l["id"] == "L2")
    assert len(line["documents"]) == 2
    assert [m["via"] for m in report["clusters"][0]["members"]] == [None, None, "K-2"]


def test_members_are_counted_without_a_join_unless_a_claim_is_missing(store) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import event, insert

    from claimgraph.report import cluster_ranking
    from claimgraph.store import schema as t

    _small_ledger(store)
    statements: list[str] = []
    listen = lambda _c, _cur, statement, *_: statements.append(statement)  # noqa: E731
    event.listen(store.engine, "before_cursor_execute", listen)
    try:
        assert cluster_ranking(store) == ["K-1", "K-2"]
        # every member's claim is an analysed one: members counted as they are, no join to each claim
        assert not [s for s in statements if "JOIN claims" in s and "cluster_members" in s]
        # K-3's members name claims the ledger does not hold: they count for nothing (K-2's one claim ranks above)
        with store.transaction() as connection:
            connection.execute(insert(t.clusters).values(id="K-3", anchor="gone", anchor_claim="gone:c000", parent=None,
                                                         data_json="{}"))
            connection.execute(insert(t.cluster_members), [{"cluster_id": "K-3", "claim_id": f"gone:c00{n}", "relation": "same"}
                                                           for n in range(2)])
        statements.clear()
        assert cluster_ranking(store) == ["K-1", "K-2", "K-3"]
        assert [s for s in statements if "JOIN claims" in s]
    finally:
        event.remove(store.engine, "before_cursor_execute", listen)


def test_a_ranking_handed_to_the_report_is_not_worked_out_again(store, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import claimgraph.report as report_module

    _small_ledger(store)
    ranking = report_module.rank_clusters(store)
    whole = build_report(store, top=1)
    monkeypatch.setattr(report_module, "_ranked", lambda *_: (_ for _ in ()).throw(AssertionError("ranked again")))
    assert build_report(store, top=1, ranking=ranking) == whole


def test_the_collector_rests_while_the_report_is_read_and_comes_back(store, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import gc

    import claimgraph.report as report_module

    _small_ledger(store)
    build = report_module._build
    seen: list[bool] = []
    monkeypatch.setattr(report_module, "_build", lambda *args: seen.append(gc.isenabled()) or build(*args))
    assert gc.isenabled()
    build_report(store, top=1)
    assert seen == [False] and gc.isenabled()
    gc.disable()
    try:
        build_report(store, top=1)
        assert not gc.isenabled()  # paused by the caller: left paused
    finally:
        gc.enable()
