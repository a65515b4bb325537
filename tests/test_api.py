"""The web app in-process (fastapi TestClient), on SQLite and PostgreSQL: read API, writes, guards, pages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import insert, select

from claimgraph.pipeline import ingest_paths
from claimgraph.link import HashingEmbedder
from claimgraph.models import Analysis, Claim, Entity, Mention, Sentence, TimeExpression
from claimgraph.store import open_store
from claimgraph.store import schema as t
from claimgraph.store.corrections import corrections as corrections_table
from claimgraph.web.app import WebOptions, asgi_app, create_app
from claimgraph.web.cli import serve_command
from conftest import EXAMPLES

ROOT = Path(__file__).resolve().parents[1]
WRITE = {"X-Claimgraph-CSRF": "1"}
XSS = (
    "Title: <script>window.__xss=1</script>\nOutlet: <img src=x onerror=\"window.__xss=2\">\n"
    "=====\n\nThe minister said <script>document.title='pwned'</script> nothing.\n"
    "Click <a href=\"javascript:window.__xss=3\">here</a> and <svg onload=\"window.__xss=4\"><script>window.__xss=5</script></svg>.\n"
)


def national_id(store) -> str:
    return next(d.id for d in store.documents(with_text=False) if "001_" in d.origin)


def hand_made_analysis(document_id: str, text: str) -> Analysis:
    """Three claims with known spans, speakers, hedging and polarity (no NLP model needed)."""

    def span(needle: str) -> tuple[int, int]:
        start = text.index(needle)
        return start, start + len(needle)

    def claim(n: int, needle: str, **values) -> Claim:
        start, end = span(needle)
        return Claim(id=f"{document_id}:c{n:03d}", sentence_index=n, start=start, end=end, sentence_start=start,
                     sentence_end=end, text=needle, content=needle, step="test.v1", model="hand", **values)

    putin = span("Putin")
    when = TimeExpression(start=0, end=4, text="2016", value="2016-01", precision="month")
    return Analysis(
        document_id=document_id,
        sentences=[Sentence(index=0, start=0, end=10, zone="body")],
        entities=[Entity(key="E1", name="Vladimir Putin", type="PER", aliases=["Putin"])],
        mentions=[Mention(entity="E1", start=putin[0], end=putin[1], text="Putin", kind="name")],
        claims=[
            claim(0, "RUSSIAN president Vladimir Putin plotted to put Donald Trump in the White House",
                  speaker="leaked documents", chain=["The Guardian", "leaked documents"], hedging="medium",
                  entities=["E1"], times=[when]),
            claim(1, "The documents", speaker="Kremlin", chain=["Kremlin"], polarity="denied"),
            claim(2, "The Guardian", hedging="none"),
        ],
        times=[when],
        step="test.v1",
        model="hand",
    )


@pytest.fixture
def ledger(store_url: str):
    store = open_store(store_url)
    ingest_paths(store, [EXAMPLES])
    document = store.get_document(national_id(store))
    store.save_analysis(hand_made_analysis(document.id, document.text), analysed_at="2026-01-01T00:00:00+00:00")
    yield store
    store.close()


@pytest.fixture
def client(ledger):
    with TestClient(asgi_app(WebOptions(allowed_hosts=None), store=ledger, embedder=HashingEmbedder())) as test_client:
        yield test_client


# ---------------------------------------------------------------------- read API


def test_documents_are_paginated_with_text_and_zones(client, ledger) -> None:
    first = client.get("/api/documents?limit=2").json()
    assert first["total"] == 3 and len(first["items"]) == 2 and first["limit"] == 2
    rest = client.get("/api/documents?limit=2&offset=2").json()
    assert len(rest["items"]) == 1
    assert {d["id"] for d in first["items"] + rest["items"]} == {d.id for d in ledger.documents(with_text=False)}
    one = client.get(f"/api/documents/{national_id(ledger)}").json()
    assert one["text"].startswith("RUSSIAN president") and one["zones"] and one["analysis"]["model"] == "hand"
    missing = client.get("/api/documents/nope")
    assert missing.status_code == 404 and "no document 'nope'" in missing.json()["error"]["message"]


def test_claim_filters(client, ledger) -> None:
    everything = client.get("/api/claims").json()
    assert everything["total"] == 3
    assert [c["id"].split(":")[1] for c in client.get("/api/claims?speaker=LEAKED").json()["items"]] == ["c000"]
    assert client.get("/api/claims?polarity=denied").json()["items"][0]["speaker"] == "Kremlin"
    assert client.get("/api/claims?hedging=medium").json()["total"] == 1
    assert client.get("/api/claims?entity=putin").json()["total"] == 1
    assert client.get(f"/api/claims?entity={national_id(ledger)}:E1").json()["total"] == 1
    assert client.get("/api/claims?document=001_30970b00848ecda4.txt&limit=1&offset=2").json()["items"][0]["id"].endswith("c002")
    bad = client.get("/api/claims?hedging=sometimes")
    assert bad.status_code == 422 and "hedging" in bad.json()["error"]["message"]
    assert client.get("/api/claims?limit=0").status_code == 422


def test_entities_and_search(client, ledger) -> None:
    entities = client.get("/api/entities?q=putin").json()
    assert entities["items"][0]["name"] == "Vladimir Putin" and entities["items"][0]["mentions"] == 1
    detail = client.get(f"/api/entities/{national_id(ledger)}:E1").json()
    assert detail["mentions"][0]["text"] == "Putin"
    hits = client.get("/api/search?q=White House").json()
    kinds = {h["kind"] for h in hits["items"]}
    assert kinds == {"document", "claim"} and hits["total"] >= 2
    assert all(h["snippet"]["hit"].casefold() in ("white", "house") for h in hits["items"])
    paged = client.get("/api/search?q=White House&limit=1&offset=1").json()
    assert len(paged["items"]) == 1 and paged["total"] == hits["total"]
    assert client.get("/api/search?q=").status_code == 422


def test_cross_document_views_say_not_computed(client) -> None:
    for path in ("/api/clusters", "/api/links", "/api/lines", "/api/events", "/api/assessments", "/api/provenance"):
        body = client.get(path).json()
        assert body["computed"] is False and body["items"] == [], path
    timeline = client.get("/api/timeline").json()
    assert timeline["computed"] is False and timeline["items"][0]["date"] == "2016-01"
    ach = client.get("/api/ach").json()
    assert ach["computed"] is False and ach["hypotheses"] == ach["clusters"] == ach["cells"] == []
    graph = client.get("/api/sources/graph").json()
    assert "not computed" in graph["basis"]
    assert {"source:guardian", "source:leaked documents"} <= {n["id"] for n in graph["nodes"]}
    assert {"The Guardian", "leaked documents"} <= {n["label"] for n in graph["nodes"]}
    assert {"source": national_id_of(graph), "target": "source:guardian", "weight": 1} in graph["edges"]


def national_id_of(graph: dict) -> str:
    return next(n["id"] for n in graph["nodes"] if n["label"] == "The National")


def test_cross_document_views_read_the_store(client, ledger) -> None:
    doc = national_id(ledger)
    with ledger.transaction() as connection:
        connection.execute(insert(t.clusters).values(id="k1", anchor="Putin backed Trump", data_json=json.dumps({"documents": [doc]})))
        connection.execute(insert(t.cluster_members), [
            {"cluster_id": "k1", "claim_id": f"{doc}:c000", "relation": "same"},
            {"cluster_id": "k1", "claim_id": f"{doc}:c001", "relation": "same"}])
        connection.execute(insert(t.links).values(a=f"{doc}:c000", b=f"{doc}:c001", relation="contradicts", score=0.9, method="test"))
        connection.execute(insert(t.lines).values(id="L1", root="The Guardian", data_json="{}"))
        connection.execute(insert(t.claim_lines).values(claim_id=f"{doc}:c000", document_id=doc, line_id="L1", source="the Guardian"))
        connection.execute(insert(t.lines).values(id="L-gone", root="a line every claim left", data_json="{}"))
        connection.execute(insert(t.assessments).values(cluster_id="k1", credibility=3, data_json=json.dumps(
            {"cluster": "k1", "credibility": 3, "label": "F3", "reliability": "F", "reasons": ["one line"], "supporting_lines": ["L1"]})))
    listing = client.get("/api/clusters").json()
    assert listing["computed"] is True and listing["items"][0]["members"] == 2 and listing["items"][0]["contradictions"] == 1
    cluster = client.get("/api/clusters/k1").json()
    assert cluster["claims"]["total"] == 2 and cluster["lines"][0]["root"] == "The Guardian"
    # A line's documents, claims and sources come from its claims' rows; a line with none is not listed.
    lines = client.get("/api/lines").json()
    assert [(l["id"], l["documents"], l["claims"], l["sources"]) for l in lines["items"]] == [
        ("L1", [doc], [f"{doc}:c000"], ["the Guardian"])]
    assert cluster["assessment"]["reasons"] == ["one line"]
    context = client.get(f"/api/claims/{doc}:c000").json()["context"]
    assert context["clusters"][0]["id"] == "k1" and context["links"][0]["relation"] == "contradicts"
    assert client.get("/api/overview").json()["most_contested"][0]["id"] == "k1"
    for page in ("/clusters", "/clusters/k1", "/lines", "/ach", f"/documents/{doc}", "/"):
        assert client.get(page).status_code == 200, page
    assert "Putin backed Trump" in client.get(f"/documents/{doc}").text
    assert client.get("/api/ach").json()["computed"] is True


# ---------------------------------------------------------------------- corrections


def test_claim_corrections_apply_on_read_undo_and_survive_reanalysis(client, ledger) -> None:
    doc = national_id(ledger)
    made = client.post(f"/api/claims/{doc}:c002/corrections", json={"field": "hedging", "value": "high", "author": "ann"}, headers=WRITE)
    assert made.status_code == 201 and made.json()["author"] == "ann" and made.json()["created_at"]
    assert client.get("/api/claims?hedging=high").json()["items"][0]["id"] == f"{doc}:c002"
    assert [c["id"] for c in client.get("/api/claims?hedging=none").json()["items"]] == [f"{doc}:c001"]
    wrong = client.post(f"/api/claims/{doc}:c000/corrections", json={"field": "wrong", "value": "true"},
                        headers={**WRITE, "X-Claimgraph-User": "bob"})
    assert wrong.json()["author"] == "bob"
    client.post(f"/api/claims/{doc}:c001/corrections", json={"field": "speaker", "value": "The Kremlin"}, headers=WRITE)
    client.post(f"/api/claims/{doc}:c001/corrections", json={"field": "polarity", "value": "asserted"}, headers=WRITE)
    assert client.get("/api/claims?wrong=true").json()["items"][0]["id"] == f"{doc}:c000"
    one = client.get(f"/api/claims/{doc}:c001").json()
    assert one["speaker"] == "The Kremlin" and one["polarity"] == "asserted"
    assert one["corrections"]["speaker"]["original"] == "Kremlin"

    # Re-analysis rewrites the claims (new ids even); corrections follow the spans.
    document = ledger.get_document(doc)
    again = hand_made_analysis(doc, document.text)
    for claim in again.claims:
        claim.id = claim.id.replace(":c", ":r")
    ledger.save_analysis(again, analysed_at="2026-02-01T00:00:00+00:00")
    assert client.get(f"/api/claims/{doc}:r002").json()["hedging"] == "high"
    assert client.get(f"/api/claims/{doc}:r000").json()["wrong"] is True

    undone = client.post(f"/api/corrections/{made.json()['id']}/undo", json={"author": "cy"}, headers=WRITE).json()
    assert undone["active"] is False and undone["undone_by"] == "cy"
    assert client.get(f"/api/claims/{doc}:r002").json()["hedging"] == "none"
    history = client.get(f"/api/corrections?document={doc}").json()
    assert history["total"] == 4 and history["items"][0]["field"] == "polarity"

    bad = client.post(f"/api/claims/{doc}:r000/corrections", json={"field": "hedging", "value": "very"}, headers=WRITE)
    assert bad.status_code == 422 and "hedging must be one of" in bad.json()["error"]["message"]
    assert client.post("/api/claims/nope/corrections", json={"field": "wrong", "value": "true"}, headers=WRITE).status_code == 404
    assert client.post("/api/corrections/999/undo", headers=WRITE).status_code == 404


def test_source_grades_with_history_and_undo(client, ledger) -> None:
    first = client.post("/api/sources/grade", json={"source": "The Guardian", "grade": "B", "author": "ann"}, headers=WRITE)
    second = client.post("/api/sources/grade", json={"source": "The  Guardian", "grade": "A", "author": "bob"}, headers=WRITE)
    assert first.status_code == second.status_code == 201
    source = client.get("/api/source?name=The Guardian").json()
    assert source["grade"] == "A" and source["graded_by"] == "bob" and len(source["history"]) == 2
    assert source["key"] == "source:guardian" and source["name"] == "The Guardian"
    assert client.get("/api/source?name=source:guardian").json()["grade"] == "A"
    with ledger.engine.connect() as connection:  # what the assess stage reads
        assert connection.execute(select(t.source_grades.c.source, t.source_grades.c.reliability)).one() == ("source:guardian", "A")
    page = client.get(f"/claims/{national_id(ledger)}:c000").text  # its chain starts with The Guardian
    assert 'title="Admiralty reliability of The Guardian">A</span>' in page
    client.post(f"/api/corrections/{second.json()['id']}/undo", headers=WRITE)
    assert client.get("/api/source?name=The Guardian").json()["grade"] == "B"
    client.post(f"/api/corrections/{first.json()['id']}/undo", headers=WRITE)
    assert client.get("/api/source?name=The Guardian").json()["grade"] == "F"
    with ledger.engine.connect() as connection:
        assert connection.execute(select(t.source_grades)).first() is None
        assert len(connection.execute(select(corrections_table)).all()) == 2
    assert client.post("/api/sources/grade", json={"source": "X", "grade": "G"}, headers=WRITE).status_code == 422


def test_a_grade_under_any_spelling_is_the_one_the_link_stage_applies(client, ledger) -> None:
    from claimgraph.ledger import link_store
    from claimgraph.store.links import source_grades

    link_store(ledger, embedder=HashingEmbedder())
    with ledger.engine.connect() as connection:  # the line the link stage made for 'The Guardian' <- leaked documents
        root = connection.execute(select(t.lines.c.root).join(t.claim_lines, t.claim_lines.c.line_id == t.lines.c.id)
                                  .where(t.claim_lines.c.claim_id == f"{national_id(ledger)}:c000")).scalar_one()
    for spelling, grade in (("the Guardian\u2019s", "B"), ("GUARDIAN", "C"), ("  The  Guardian\t", "A")):
        made = client.post("/api/sources/grade", json={"source": spelling, "grade": grade}, headers=WRITE)
        assert made.status_code == 201 and made.json()["reassessed"] is True, made.text
        assert source_grades(ledger).get(root) == grade, spelling


def test_graph_reads_provenance_edges(client, ledger) -> None:
    doc = national_id(ledger)
    with ledger.transaction() as connection:
        connection.execute(insert(t.provenance), [
            {"child": doc, "parent": "source:guardian", "relation": "re_reports", "data_json": "{}"},
            {"child": "source:guardian", "parent": "source:leaked kremlin documents", "relation": "cites", "data_json": "{}"}])
    graph = client.get("/api/sources/graph").json()
    assert graph["basis"] == "provenance edges" and len(graph["edges"]) == 2
    by_id = {n["id"]: n for n in graph["nodes"]}
    assert by_id[doc]["kind"] == "document" and by_id[doc]["label"] == "The National"
    assert by_id[doc]["x"] < by_id["source:guardian"]["x"] < by_id["source:leaked kremlin documents"]["x"]
    # A source node reads as the texts spell it (chains say "The Guardian"), not as its key.
    assert by_id["source:guardian"]["label"] == "The Guardian"
    assert client.get("/sources").status_code == 200


# ---------------------------------------------------------------------- ACH


def ach_layer(ledger) -> list[str]:
    """Two evidence clusters (as the link stage stores them): one asserted, one denied; the first well sourced."""
    from claimgraph.store.links import save_layer

    doc = national_id(ledger)
    clusters = [
        {"id": "K-putin", "anchor": f"{doc}:c000", "anchor_text": "Putin plotted to put <b>Trump</b> in the White House",
         "parent": None, "documents": [doc], "members": [{"claim": f"{doc}:c000", "relation": "same"}]},
        {"id": "K-denial", "anchor": f"{doc}:c001", "anchor_text": "The documents are genuine", "parent": None,
         "documents": [doc], "members": [{"claim": f"{doc}:c001", "relation": "same"}]},
    ]
    assessments = [{"cluster": "K-putin", "credibility": 2, "label": "B2", "reliability": "B", "supporting_lines": ["L1"]}]
    save_layer(ledger, {"clusters": clusters, "links": [], "provenance": [], "lines": [], "events": [],
                        "assessments": assessments, "sourcing": []})
    return [c["id"] for c in clusters]


def test_ach_hypotheses_prefill_ratings_and_scores(client, ledger) -> None:
    ach_layer(ledger)
    made = client.post("/api/ach/hypotheses", json={"text": "Putin plotted to put Trump in the White House", "author": "ann"}, headers=WRITE)
    assert made.status_code == 201 and made.json()["id"].startswith("H-")
    support = made.json()["id"]
    other = client.post("/api/ach/hypotheses", json={"text": "A <i>forgery</i> by someone else"},
                        headers={**WRITE, "X-Claimgraph-User": "bob"}).json()["id"]
    again = client.post("/api/ach/hypotheses", json={"text": "putin plotted to put  Trump in the White House"}, headers=WRITE)
    assert again.json()["id"] == support

    matrix = client.get("/api/ach").json()
    assert matrix["computed"] is True and {c["id"] for c in matrix["clusters"]} == {"K-putin", "K-denial"}
    assert len(matrix["cells"]) == 4 and {c["origin"] for c in matrix["cells"]} == {"judge"}
    assert all(c["reason"] and c["set_by"] == "claimgraph" for c in matrix["cells"])
    assert set(matrix["matrix"]) == {support, other}
    before = {h["id"]: h for h in matrix["hypotheses"]}
    assert before[support]["text"] == "Putin plotted to put Trump in the White House"

    cell = client.post("/api/ach/cells", json={"hypothesis": support, "cluster": "K-putin", "rating": "II", "reason": "checked"},
                       headers={**WRITE, "X-Claimgraph-User": "cy"})
    assert cell.status_code == 200, cell.text
    assert cell.json() | {"set_at": None} == {"hypothesis": support, "cluster": "K-putin", "rating": "II", "origin": "analyst",
                                              "reason": "checked", "set_by": "cy", "set_at": None}
    after = client.get("/api/ach").json()
    scores = {h["id"]: h for h in after["hypotheses"]}
    assert after["matrix"][support]["K-putin"] == "II"
    assert scores[support]["weighted_inconsistency"] > before[support]["weighted_inconsistency"]
    assert scores[support]["weighted_inconsistency"] == pytest.approx(2 * 0.9 + before[support]["weighted_inconsistency"])
    assert after["hypotheses"][-1]["id"] == support  # now the most inconsistent: ranked last
    assert after["diagnosticity"]["K-putin"] > 0
    author = client.post("/api/ach/cells", json={"hypothesis": other, "cluster": "K-denial", "rating": "CC", "author": "dee"}, headers=WRITE)
    assert author.json()["set_by"] == "dee"

    page = client.get("/ach")
    assert page.status_code == 200
    assert "A &lt;i&gt;forgery&lt;/i&gt; by someone else" in page.text and "<i>forgery" not in page.text
    assert "Putin plotted to put &lt;b&gt;Trump&lt;/b&gt;" in page.text
    assert 'class="cell s-II o-analyst"' in page.text and "o-judge" in page.text
    assert 'href="/clusters/K-putin"' in page.text and "Pre-filled by the judge: " in page.text

    assert client.delete(f"/api/ach/hypotheses/{other}", headers=WRITE).status_code == 204
    assert [h["id"] for h in client.get("/api/ach").json()["hypotheses"]] == [support]
    gone = client.delete(f"/api/ach/hypotheses/{other}", headers=WRITE)
    assert gone.status_code == 404 and "no hypothesis" in gone.json()["error"]["message"]


def test_ach_errors_and_csrf(client, ledger) -> None:
    ach_layer(ledger)
    hypothesis = client.post("/api/ach/hypotheses", json={"text": "It was a leak"}, headers=WRITE).json()["id"]
    bad = client.post("/api/ach/cells", json={"hypothesis": hypothesis, "cluster": "K-putin", "rating": "maybe"}, headers=WRITE)
    assert bad.status_code == 422 and "rating" in bad.json()["error"]["message"]
    unknown = client.post("/api/ach/cells", json={"hypothesis": "H-nope", "cluster": "K-putin", "rating": "C"}, headers=WRITE)
    assert unknown.status_code == 404 and "no hypothesis" in unknown.json()["error"]["message"]
    no_cluster = client.post("/api/ach/cells", json={"hypothesis": hypothesis, "cluster": "K-nope", "rating": "C"}, headers=WRITE)
    assert no_cluster.status_code == 404 and "no cluster" in no_cluster.json()["error"]["message"]
    assert client.post("/api/ach/cells", json={"hypothesis": hypothesis}, headers=WRITE).status_code == 422
    blank = client.post("/api/ach/hypotheses", json={"text": "   "}, headers=WRITE)
    assert blank.status_code == 422 and "needs some text" in blank.json()["error"]["message"]
    assert client.post("/api/ach/hypotheses", json={"text": ""}, headers=WRITE).status_code == 422
    assert client.post("/api/ach/hypotheses", content=b"{not json", headers={**WRITE, "Content-Type": "application/json"}).status_code == 422
    for method, path, body in [("POST", "/api/ach/hypotheses", {"text": "x"}),
                               ("POST", "/api/ach/cells", {"hypothesis": hypothesis, "cluster": "K-putin", "rating": "C"}),
                               ("DELETE", f"/api/ach/hypotheses/{hypothesis}", None)]:
        refused = client.request(method, path, json=body)
        assert refused.status_code == 403 and "cross-site" in refused.json()["error"]["message"], path
        assert client.request(method, path, json=body, headers={"Origin": "http://evil.example"}).status_code == 403
    assert [h["id"] for h in client.get("/api/ach").json()["hypotheses"]] == [hypothesis]
    assert {c["origin"] for c in client.get("/api/ach").json()["cells"]} == {"judge"}


def test_ach_page_forms(client, ledger) -> None:
    ach_layer(ledger)
    same = {"Origin": "http://testserver"}
    added = client.post("/ach/hypotheses", data={"text": "The papers are genuine", "author": "ann", "next": "/ach?limit=1"},
                        headers=same, follow_redirects=False)
    assert added.status_code == 303 and added.headers["location"].startswith("/ach?limit=1#hyp-H-")
    hypothesis = client.get("/api/ach").json()["hypotheses"][0]["id"]
    first = client.get("/ach?limit=1")
    assert first.text.count('<tr id="row-') == 1 and "1–1 of 2" in first.text and "offset=1" in first.text
    rated = client.post("/ach/cells", data={"hypothesis": hypothesis, "cluster": "K-denial", "rating": "CC", "next": "//evil.example"},
                        headers=same, follow_redirects=False)
    assert rated.status_code == 303 and rated.headers["location"] == "/ach#row-K-denial"
    cell = next(c for c in client.get("/api/ach").json()["cells"] if c["cluster"] == "K-denial")
    assert (cell["rating"], cell["origin"], cell["set_by"]) == ("CC", "analyst", "analyst")
    assert client.post("/ach/cells", data={"hypothesis": hypothesis, "cluster": "K-denial", "rating": "X"}, headers=same).status_code == 422
    assert client.post("/ach/cells", data={"hypothesis": hypothesis, "cluster": "K-denial", "rating": "C"}).status_code == 403
    removed = client.post(f"/ach/hypotheses/{hypothesis}/remove", data={}, headers=same, follow_redirects=False)
    assert removed.status_code == 303 and client.get("/api/ach").json()["hypotheses"] == []
    assert "No hypotheses yet" in client.get("/ach").text


# ---------------------------------------------------------------------- uploads


def test_upload_uses_the_ingest_path(client, ledger) -> None:
    files = [("files", ("../../etc/story.txt", b"Title: Upload\n=====\n\nThe paper says the plan was real.\n", "text/plain"))]
    made = client.post("/api/documents", files=files, headers=WRITE)
    assert made.status_code == 201, made.text
    outcome = made.json()["outcomes"][0]
    assert outcome["status"] == "ingested" and outcome["origin"] == "upload:story.txt"
    assert client.get(f"/api/documents/{outcome['document_id']}").json()["title"] == "Upload"
    again = client.post("/api/documents", files=files, headers=WRITE)
    assert again.status_code == 200 and again.json()["outcomes"][0]["status"] == "unchanged"
    binary = client.post("/api/documents", files=[("files", ("x.txt", b"\x00\x01\x02" * 200, "text/plain"))], headers=WRITE)
    assert binary.status_code == 422 and binary.json()["outcomes"][0]["status"] == "failed"
    assert binary.json()["error"]["message"].startswith("upload:x.txt")


def test_body_size_limits(ledger) -> None:
    app = asgi_app(WebOptions(allowed_hosts=None, max_upload_bytes=1000, max_body_bytes=500), store=ledger, embedder=HashingEmbedder())
    with TestClient(app) as small:
        big = small.post("/api/documents", files=[("files", ("big.txt", b"word " * 50_000, "text/plain"))], headers=WRITE)
        assert big.status_code == 413 and "limit" in big.json()["error"]["message"]
        long_json = small.post("/api/sources/grade", content=json.dumps({"source": "x" * 2000, "grade": "A"}),
                               headers={**WRITE, "Content-Type": "application/json"})
        assert long_json.status_code == 413

        def chunks():  # no Content-Length: the body is counted as it arrives
            yield b'{"source": "'
            for _ in range(100):
                yield b"x" * 100
            yield b'", "grade": "A"}'

        chunked = small.post("/api/sources/grade", content=chunks(), headers={**WRITE, "Content-Type": "application/json"})
        assert chunked.status_code == 413 and "limit" in chunked.json()["error"]["message"]
        fine = small.post("/api/sources/grade", content=iter([b'{"source": "The Guardian", ', b'"grade": "A"}']),
                          headers={**WRITE, "Content-Type": "application/json"})
        assert fine.status_code == 201


# ---------------------------------------------------------------------- guards


def test_security_headers_and_csrf(client, ledger) -> None:
    page = client.get("/")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    body = {"source": "The Guardian", "grade": "A"}
    assert client.post("/api/sources/grade", json=body).status_code == 403
    cross = client.post("/api/sources/grade", json=body, headers={"Origin": "http://evil.example"})
    assert cross.status_code == 403 and "cross-site" in cross.json()["error"]["message"]
    assert client.post("/api/sources/grade", json=body, headers={"Origin": "http://testserver"}).status_code == 201
    form = client.post("/source/grade", data={"source": "The Guardian", "grade": "C", "author": "ann"},
                       headers={"Referer": "http://testserver/source?name=The+Guardian"}, follow_redirects=False)
    assert form.status_code == 303 and form.headers["location"] == "/source?name=source%3Aguardian"


def test_token_and_host_checks(ledger) -> None:
    with TestClient(asgi_app(WebOptions(token="s3cret-token-123", allowed_hosts=None), store=ledger)) as guarded:
        refused = guarded.get("/api/documents")
        assert refused.status_code == 401 and "token" in refused.json()["error"]["message"]
        assert guarded.get("/static/app.css").status_code == 401
        assert guarded.get("/api/documents", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert guarded.get("/api/documents", headers={"Authorization": "Bearer s3cret-token-123"}).status_code == 200
        entry = guarded.get("/documents?token=s3cret-token-123&limit=1", follow_redirects=False)
        assert entry.status_code == 303 and entry.headers["location"] == "/documents?limit=1"
        assert guarded.get("/documents").status_code == 200  # the cookie now carries the token
        sneaky = guarded.get("//evil.example/?token=s3cret-token-123", follow_redirects=False)
        assert not sneaky.headers.get("location", "/").startswith("//")
    with TestClient(asgi_app(WebOptions(), store=ledger), base_url="http://127.0.0.1:8000") as local:
        assert local.get("/api/documents").status_code == 200
        assert local.get("/api/documents", headers={"Host": "attacker.example"}).status_code == 421


def test_no_directory_traversal(client) -> None:
    for path in ("/static/../../etc/passwd", "/static/%2e%2e/%2e%2e/etc/passwd", "/static/..%2f..%2fetc%2fpasswd",
                 "/api/documents/..%2F..%2Fetc%2Fpasswd", "/documents/%2e%2e%2f%2e%2e%2fetc%2fpasswd"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "root:" not in response.text
    assert client.get("/static/app.css").status_code == 200


def test_document_content_is_escaped(client) -> None:
    made = client.post("/api/documents", files=[("files", ("xss.txt", XSS.encode(), "text/plain"))], headers=WRITE)
    document_id = made.json()["outcomes"][0]["document_id"]
    for page in (f"/documents/{document_id}", "/documents", "/search?q=minister", "/"):
        text = client.get(page).text
        assert "<script>window.__xss" not in text and "<script>document.title" not in text, page
        assert "onerror=\"window" not in text and "<svg onload" not in text and 'href="javascript:' not in text, page
    assert "&lt;script&gt;" in client.get(f"/documents/{document_id}").text


def test_every_page_renders(client, ledger) -> None:
    doc = national_id(ledger)
    for page in ("/", "/documents", f"/documents/{doc}", "/claims", "/claims?hedging=medium", f"/claims/{doc}:c000",
                 "/entities", f"/entities/{doc}:E1", "/clusters", "/lines", "/sources", "/source?name=The%20Guardian",
                 "/timeline", "/ach", "/search?q=Putin", "/upload"):
        response = client.get(page)
        assert response.status_code == 200, page
        assert response.headers["content-type"].startswith("text/html")
    missing = client.get("/clusters/nope")
    assert missing.status_code == 404 and "no cluster" in missing.text


def test_page_forms_correct_and_undo(client, ledger) -> None:
    doc = national_id(ledger)
    same = {"Origin": "http://testserver"}
    done = client.post(f"/documents/{doc}/claims/{doc}:c000/correct", data={"field": "polarity", "value": "denied", "author": "ann"},
                       headers=same, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].endswith(f"#claim-{doc}:c000")
    assert client.get(f"/api/claims/{doc}:c000").json()["polarity"] == "denied"
    correction = client.get("/api/corrections").json()["items"][0]
    undo = client.post(f"/corrections/{correction['id']}/undo", data={"next": "//evil.example/"}, headers=same, follow_redirects=False)
    assert undo.headers["location"] == "/"
    assert client.get(f"/api/claims/{doc}:c000").json()["polarity"] == "asserted"


def test_long_documents_page_their_claim_details(client, ledger) -> None:
    from claimgraph.pipeline import ingest_document
    from claimgraph.models import RawDocument

    sentence = "The minister reportedly said so. "
    made = ingest_document(ledger, RawDocument(origin="long.txt", media_type="text/plain", text=sentence * 250))
    claims = [
        Claim(id=f"{made.document_id}:c{i:03d}", sentence_index=i, start=i * len(sentence), end=(i + 1) * len(sentence) - 2,
              sentence_start=i * len(sentence), sentence_end=(i + 1) * len(sentence) - 1, text="x", content="x")
        for i in range(250)
    ]
    ledger.save_analysis(Analysis(document_id=made.document_id, claims=claims), analysed_at="2026-01-01T00:00:00+00:00")
    first = client.get(f"/documents/{made.document_id}").text
    assert first.count('class="claim-detail"') == 100 and first.count('data-claim="') == 250
    assert f'href="?window=2#claim-{made.document_id}:c249"' in first
    last = client.get(f"/documents/{made.document_id}?window=2").text
    assert last.count('class="claim-detail"') == 50 and f'id="claim-{made.document_id}:c249"' in last
    assert client.get("/api/claims?limit=500").json()["total"] == 253


# ---------------------------------------------------------------------- OpenAPI and CLI


def test_openapi_spec_in_the_repo_is_up_to_date(tmp_path: Path) -> None:
    from claimgraph.web.openapi import openapi_text

    spec = openapi_text(create_app(WebOptions(db=str(tmp_path / "spec.db"))))
    kept = (ROOT / "docs" / "openapi.json").read_text(encoding="utf-8")
    assert kept == spec, "docs/openapi.json is stale: run `python -m claimgraph.web.openapi docs/openapi.json`"


def test_serve_refuses_the_network_without_a_token(tmp_path: Path) -> None:
    result = CliRunner().invoke(serve_command, ["--db", str(tmp_path / "x.db"), "--host", "0.0.0.0"])
    assert result.exit_code == 2 and "--token" in result.output
    short = CliRunner().invoke(serve_command, ["--db", str(tmp_path / "x.db"), "--host", "0.0.0.0", "--token", "short"])
    assert short.exit_code == 2 and "at least 12" in short.output


def test_serve_command_serves(tmp_path: Path) -> None:
    import socket
    import subprocess
    import sys
    import time

    import httpx

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-c", "from claimgraph.web.cli import serve_command; serve_command()",
         "--db", str(tmp_path / "served.db"), "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/api/documents", timeout=1)
                break
            except httpx.HTTPError:
                assert server.poll() is None and time.monotonic() < deadline, "serve did not start"
                time.sleep(0.2)
        assert response.status_code == 200 and response.json()["total"] == 0
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert httpx.get(f"http://127.0.0.1:{port}/api/openapi.json").json()["info"]["title"] == "claimgraph"
    finally:
        server.terminate()
        server.wait(10)
