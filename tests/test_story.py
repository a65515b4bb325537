"""The story read model: allegations ranked by independent lines then grade, denials under what
they deny, fragments never a headline, and a stale layer said to be stale."""

from __future__ import annotations

from sqlalchemy import insert

from claimgraph.pipeline import ingest_document
from claimgraph.models import RawDocument
from claimgraph.store import schema as t
from claimgraph.store.links import save_layer
from claimgraph.web.queries import staleness
from claimgraph.web.story import allegation, grade_of, is_fragment, story


def test_fragments_are_not_allegations() -> None:
    for fragment in ("These allegations", "Where it remained", "By the time the minister was the frontrunner in the race",
                     "which took place in January"):
        assert is_fragment(fragment), fragment
    for statement in ("The minister authorised the payment to the contractor", "Officials were all present at the meeting"):
        assert not is_fragment(statement), statement


def test_grade_names_letter_number_and_words() -> None:
    assert grade_of({"reliability": "B", "credibility": 2, "label": "probably true"})["text"] == "B2 \u2014 probably true"


def _ledger(store) -> None:
    """Two documents; cluster K-two has two lines and a denial under it, K-one one line, K-frag a fragment."""
    ids = []
    for name, text in (("a.txt", "First report\n\nThe minister approved the secret payment to the firm. The ministry denied the payment.\n"),
                       ("b.txt", "Officials say the minister approved the secret payment to the firm.\n")):
        ids.append(ingest_document(store, RawDocument(origin=name, media_type="text/plain", text=text)).document_id)

    a, b = ids
    claims = {
        "a:c0": (a, "The minister approved the secret payment to the firm", "asserted", "factual"),
        "a:c1": (a, "The ministry denied the payment", "denied", "denial"),
        "b:c0": (b, "The minister approved the secret payment to the firm", "asserted", "factual"),
        "b:c1": (b, "Where it remained", "asserted", "factual"),
    }
    with store.transaction() as connection:
        for claim_id, (document_id, text, polarity, kind) in claims.items():
            connection.execute(insert(t.claims).values(
                id=f"{document_id}:{claim_id[-2:]}", document_id=document_id, sentence_index=0, start=0, end=len(text),
                sentence_start=0, sentence_end=len(text), text=text, content=text, zone="body", speaker=None,
                chain_json="[]", attribution="explicit", hedging="none", polarity=polarity, claim_type=kind, quote="none",
                entities_json="[]", times_json="[]", step="test", model="test"))
    cid = lambda key: f"{claims[key][0]}:{key[-2:]}"  # noqa: E731
    cluster = lambda k, anchor, members, parent=None, sourcing=None: {  # noqa: E731
        "id": k, "anchor": cid(anchor), "anchor_text": claims[anchor][1], "parent": parent, "documents": [a, b],
        "members": [{"claim": cid(m), "relation": r} for m, r in members]}
    assessment = lambda k, lines, credibility, denying=(): {  # noqa: E731
        "cluster": k, "credibility": credibility, "label": {2: "probably true", 3: "possibly true"}[credibility],
        "reliability": "F", "supporting_lines": list(lines), "contradicting_lines": [], "denying_lines": list(denying),
        "hedging_strongest": "none", "hedging_weakest": "low", "first_report": "2020-01-01", "last_report": "2020-02-01",
        "reasons": []}
    save_layer(store, {
        "clusters": [cluster("K-one", "b:c0", [("b:c0", "same")]), cluster("K-two", "a:c0", [("a:c0", "same"), ("b:c0", "same")]),
                     cluster("K-deny", "a:c1", [("a:c1", "contradicts")], parent="K-two"),
                     cluster("K-frag", "b:c1", [("b:c1", "same")])],
        "links": [], "provenance": [], "events": [],
        "lines": [{"id": "L-a", "root": a, "root_kind": "document", "claims": [cid("a:c0")], "documents": [a], "sources": []},
                  {"id": "L-b", "root": b, "root_kind": "document", "claims": [cid("b:c0")], "documents": [b], "sources": []},
                  {"id": "L-m", "root": "source:ministry", "root_kind": "source", "claims": [cid("a:c1")], "documents": [a],
                   "sources": ["The ministry"]}],
        "assessments": [assessment("K-one", ["L-b"], 2), assessment("K-two", ["L-a", "L-b"], 3, denying=["L-m"]),
                        assessment("K-deny", [], 3, denying=["L-m"]), assessment("K-frag", ["L-a", "L-b"], 2)],
        "sourcing": [{"cluster": "K-two", "claims_by_line": {"L-a": [cid("a:c0")], "L-b": [cid("b:c0")], "L-m": [cid("a:c1")]},
                      "carriers": {"L-a": 1, "L-b": 1}}],
    })


def test_story_ranks_by_lines_then_grade_and_puts_denials_under(store) -> None:
    _ledger(store)
    told = story(store, limit=10)
    assert [a["id"] for a in told["allegations"]] == ["K-two", "K-one"]  # two lines before one; no fragment, no denial
    first = told["allegations"][0]
    assert [line["name"] for line in first["supporting"]] == ["First report", "Officials say the minister approved the secret payment to the firm."]
    assert [(d["text"], d["role"]) for d in first["denials"]] == [("The ministry denied the payment", "denies")]
    assert first["grade"]["text"] == "F3 \u2014 possibly true"
    assert first["hedging"]["text"] == "from unhedged to lightly hedged"
    assert (first["first_report"], first["last_report"]) == ("2020-01-01", "2020-02-01")
    assert story(store, limit=1)["more"] and not story(store, limit=1, offset=1)["more"]
    assert allegation(store, "K-deny")["denial"]


def test_staleness_before_any_link(store) -> None:
    assert staleness(store) == {"linked": False, "stale": False, "documents": 0, "grades": [], "corrections": False}


def test_the_story_is_served_as_json(store) -> None:
    from fastapi.testclient import TestClient

    from claimgraph.link import HashingEmbedder
    from claimgraph.web.app import WebOptions, asgi_app

    _ledger(store)
    with TestClient(asgi_app(WebOptions(allowed_hosts=None), store=store, embedder=HashingEmbedder())) as client:
        told = client.get("/api/story", params={"limit": 1}).json()
        assert [a["id"] for a in told["allegations"]] == ["K-two"] and told["more"]
        assert told["allegations"][0]["grade"]["text"] == "F3 \u2014 possibly true"
        assert set(told["stale"]) >= {"stale", "grades"} and "link_stale" in told["freshness"]
        assert client.get("/api/story", params={"offset": 10**30}).status_code == 422
