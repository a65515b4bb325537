"""Grades that cannot overstate: a re-report claiming more access than its origin ("seen by" ->
"obtained by"), a quotation that nearly repeats an earlier text's words (a misquote), and a
report number abbreviated in a list ("2016/135 and /136"). Invented texts only; each test fails
when its signal is removed."""

from __future__ import annotations

from claimgraph.assess import assess_cluster
from claimgraph.link.lines import cluster_sourcing
from claimgraph.link.provenance import ProvenanceBuilder
from claimgraph.models import Analysis, Document


def document(doc_id: str, text: str, *, outlet: str | None = None, published: str | None = None,
             title: str | None = None) -> Document:
    return Document(id=doc_id, content_hash=doc_id, origin=doc_id, version=1, media_type="text/plain", text=text,
                    outlet=outlet, published=published, title=title)


def built(*documents: Document) -> ProvenanceBuilder:
    builder = ProvenanceBuilder()
    for doc in documents:
        builder.add(doc, Analysis(document_id=doc.id))
    return builder


def restored(first: ProvenanceBuilder, *, texts: dict[str, str]) -> ProvenanceBuilder:
    """A builder as a later run restores it: documents without their texts, quotes and edges read on demand."""
    builder = ProvenanceBuilder()
    documents = {d.id: Document(**{**d.__dict__, "text": ""}) for d in first.documents.values()}
    builder.restore(documents, dict(first.weights),
                    lambda digests: {d: list(first._quote_owner[d]) for d in digests if d in first._quote_owner},
                    lambda keys: [first.edges[k] for k in keys if k in first.edges])
    builder.texts = lambda ids: {i: texts[i] for i in ids if i in texts}
    return builder


ORIGIN = document("g", "Documents seen by the Morning Ledger show a plot to rig the vote.", outlet="Morning Ledger",
                  published="2021-07-15")


def test_a_re_report_claiming_more_access_than_its_origin_is_flagged() -> None:
    upgraded = document("u", "Documents obtained by the Morning Ledger show a plot to rig the vote.",
                        outlet="Evening Star", published="2021-07-16")
    faithful = document("v", "Papers seen by the Morning Ledger show a plot to rig the vote.",
                        outlet="Weekly Courier", published="2021-07-16")
    leaked = document("w", "The papers, leaked to the ML, show a plot.", outlet="Noon Gazette",
                      published="2021-07-17")
    builder = built(ORIGIN, upgraded, faithful, leaked)
    assert builder.access_upgrades("g", ["u", "v", "w"]) == {"u": "seen by -> obtained by", "w": "seen by -> leaked to"}
    # an origin that says nothing of its access: nothing to compare with
    silent = document("s", "A plot to rig the vote, the Morning Ledger can reveal.", outlet="Morning Ledger",
                      published="2021-07-15")
    assert built(silent, upgraded).access_upgrades("s", ["u"]) == {}

    members = [("g:c1", "same"), ("u:c1", "same"), ("v:c1", "same")]
    sourcing = cluster_sourcing("K", members, claim_line={c: "L1" for c, _ in members}, polarity={},
                                hedging={c: "none" for c, _ in members}, published={}, line_roots={"L1": "g"},
                                provenance=builder)
    assert sourcing.upgraded == {"u": "seen by -> obtained by"}
    assessment = assess_cluster(sourcing)
    assert "1 re-report claims more access than its origin (seen by -> obtained by)" in assessment.reasons
    assert assessment.to_dict()["upgraded"] == {"u": "seen by -> obtained by"}  # in the export
    # A later run, restored from the store, still knows each document's access.
    again = restored(builder, texts={})
    assert again.access_upgrades("g", ["u", "v"]) == {"u": "seen by -> obtained by"}


def test_a_quotation_that_nearly_repeats_an_earlier_text_is_a_misquote() -> None:
    memo = document("m", "Source B admitted there was a well-planned scheme of collaboration between them and Moscow.",
                    outlet="Jane Ostrova", published="2016-09-01")
    paper = document("n", 'It cited sources who claimed there was a "well-planned scheme of coordination" between them.',
                     outlet="Daily Paper", published="2021-12-01")
    for order in ([paper, memo], [memo, paper]):  # whichever arrives first
        builder = built(*order)
        edges = [e for e in builder.result() if e.relation == "quotes"]
        assert [(e.child, e.parent) for e in edges] == [("n", "m")]
    evidence = edges[0].evidence[0]
    assert evidence.kind == "misquote"
    assert "well-planned scheme of coordination" in evidence.text and "well-planned scheme of collaboration" in evidence.text
    assert paper.text[evidence.start:evidence.end] == "well-planned scheme of coordination"
    # surfaced in the cluster's sourcing and the assessment's reasons
    members = [("m:c1", "same"), ("n:c1", "same")]
    sourcing = cluster_sourcing("K", members, claim_line={"m:c1": "L1", "n:c1": "L1"}, polarity={},
                                hedging={}, published={}, line_roots={"L1": "m"}, provenance=builder)
    assert list(sourcing.misquoted) == ["n"]
    assert any("misquotes another" in r and "coordination" in r for r in assess_cluster(sourcing).reasons)
    # A later run restored from the store: the earlier text is read to align the quotation.
    for first, then in ((memo, paper), (paper, memo)):
        again = restored(built(first), texts={first.id: first.text})
        again.add(then, Analysis(document_id=then.id))
        assert [(e.child, e.parent, e.evidence[0].kind) for e in again.result() if e.relation == "quotes"] \
            == [("n", "m", "misquote")]
        assert again.misquotes({"m", "n"})[0][:2] == ("n", "m")


def test_what_is_not_a_misquote() -> None:
    memo = document("m", "Source B admitted there was a well-planned scheme of collaboration between them and Moscow.",
                    outlet="Jane Ostrova", published="2016-09-01")

    def quotes(text: str, published: str = "2021-12-01", first: Document = memo) -> list[tuple[str, str, str]]:
        paper = document("n", text, outlet="Daily Paper", published=published)
        found = [[(e.child, e.parent, e.evidence[0].kind) for e in built(*order).result() if e.relation == "quotes"]
                 for order in ([first, paper], [paper, first])]
        assert found[0] == found[1]  # whichever arrives first
        return found[0]

    assert quotes('There was a "widely mocked scheme of coordination" between them.') == []  # two words of four differ
    assert quotes('There was a "well-planned scheme of collaboration" between them.') == [("n", "m", "quoted_text")]
    assert quotes('There was a "well-planned scheme of coordination".', published="2016-01-01") == []  # written before
    # words the earlier text itself quotes are not its own
    quoting = document("m", 'He said there was "a well-planned scheme of collaboration" with them.', outlet="Jane Ostrova",
                       published="2016-09-01")
    assert quotes('There was a "well-planned scheme of coordination" between them.', first=quoting) == []


def test_an_abbreviated_number_continuing_a_list_is_cited_too() -> None:
    first = document("a", "Memo text.", title="Company Intelligence Report 2016/135 - ONE", published="2016-10-19")
    second = document("b", "Memo text too.", title="Company Intelligence Report 2016/136 - TWO", published="2016-10-20")
    later = document("c", "We reported previously (2016/135 and /136) on secret meetings.",
                     title="Company Intelligence Report 2016/166", published="2016-12-13")
    for order in ([later, second, first], [first, second, later]):
        cites = {(e.child, e.parent): e.evidence[0].text for e in built(*order).result() if e.relation == "cites"}
        assert set(cites) == {("c", "a"), ("c", "b")}
    assert cites[("c", "b")] == "cites number /136 (2016/136)"  # the citing text, read as it is added


def test_the_linker_flags_an_access_upgrade_in_the_assessment() -> None:
    from claimgraph.link import HashingEmbedder, LinkOptions, link_corpus
    from claimgraph.models import Claim

    said = "the minister approved a secret payment to the contractor"

    def story(doc_id: str, outlet: str, published: str, frame: str) -> tuple[Document, Analysis]:
        text = f"Documents {frame} by the Morning Ledger show that {said}."
        start = text.index(said)
        claim = Claim(id=f"{doc_id}:c1", sentence_index=0, start=start, end=start + len(said), sentence_start=0,
                      sentence_end=len(text), text=said, content=said)
        return document(doc_id, text, outlet=outlet, published=published), Analysis(document_id=doc_id, claims=[claim])

    inputs = [story("g", "Morning Ledger", "2021-07-15", "seen"), story("u", "Evening Star", "2021-07-16", "obtained")]
    result = link_corpus(inputs, embedder=HashingEmbedder(), options=LinkOptions())
    (assessment,) = [a for a in result.assessments if a.upgraded]
    assert assessment.upgraded == {"u": "seen by -> obtained by"}
    assert "1 re-report claims more access than its origin (seen by -> obtained by)" in assessment.reasons
