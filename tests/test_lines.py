"""Provenance edges with their evidence, independent lines, credibility grades and ACH."""

from __future__ import annotations

from claimgraph.assess import Hypothesis, assess_cluster, score_ach
from claimgraph.link.lines import ClusterSourcing, build_lines, cluster_sourcing
from claimgraph.link.provenance import ProvenanceBuilder, is_publication, source_key
from claimgraph.models import Analysis, Claim, Document


def document(doc_id: str, text: str, *, outlet: str | None = None, published: str | None = None,
             near: str | None = None) -> Document:
    return Document(id=doc_id, content_hash=doc_id, origin=doc_id, version=1, media_type="text/plain", text=text,
                    outlet=outlet, published=published, near_duplicate_of=near)


def claim(claim_id: str, content: str, chain: list[str] | None = None, sentence: int = 0) -> Claim:
    return Claim(id=claim_id, sentence_index=sentence, start=0, end=len(content), sentence_start=0,
                 sentence_end=len(content), text=content, content=content, chain=chain or [])


def build(pairs):
    builder = ProvenanceBuilder()
    for doc, analysis in pairs:
        builder.add(doc, analysis)
    return builder.result()


def test_phrases_make_edges_with_their_evidence_span() -> None:
    text = ("The papers, seen by The Guardian, show a plot. He told Sputnik it was false. "
            "According to BuzzFeed the memo is real. The Guardian reports more.")
    edges = build([(document("d1", text, outlet="Daily Example"), Analysis(document_id="d1"))])
    parents = {e.parent for e in edges if e.child == "d1"}
    # No publication is known by name: "seen by" makes the Guardian one; "told" and "according
    # to" name one only when it is known as such (a corpus outlet, another text's strong frame).
    assert parents == {"source:guardian"}
    seen = next(e for e in edges if e.parent == "source:guardian")
    spans = {text[ev.start:ev.end] for ev in seen.evidence}
    assert "seen by The Guardian" in spans
    edges = build([(document("s", "Our own report.", outlet="Sputnik"), Analysis(document_id="s")),
                   (document("b", "The memo exists, as BuzzFeed reported.", outlet="Other"), Analysis(document_id="b")),
                   (document("d1", text, outlet="Daily Example"), Analysis(document_id="d1"))])
    assert {"source:guardian", "source:sputnik", "source:buzzfeed"} <= {e.parent for e in edges if e.child == "d1"}


def test_a_person_in_a_strong_frame_is_not_a_publication() -> None:
    from claimgraph.models import Entity

    analysis = Analysis(document_id="d1", entities=[Entity(key="E1", name="John Harlow", type="PER", aliases=["Harlow"])])
    edges = build([(document("d1", "Harlow reported that the papers are real.", outlet="X"), analysis)])
    assert [e for e in edges if e.child == "d1"] == []


def test_chains_name_the_upstream_and_people_are_not_publications() -> None:
    analysis = Analysis(document_id="d1", claims=[
        claim("c1", "Putin authorised the plan.", ["The Guardian", "the documents"]),
        claim("c2", "The papers are spell-binding.", ["Andrew Wood"]),
    ])
    edges = build([(document("d1", "The papers were seen by the Guardian.", outlet="The National"), analysis)])
    assert [(e.child, e.parent, e.relation) for e in edges if e.child == "d1"] == [("d1", "source:guardian", "re_reports")]
    assert any(e.child == "source:guardian" and e.parent == "source:documents" for e in edges)
    assert is_publication("The Guardian", keys={"source:guardian"}) and not is_publication("Andrew Wood")
    assert is_publication("The Washington Post") and not is_publication("The Guardian")  # a newspaper word, not a name
    assert source_key("the Guardian’s") == source_key("The Guardian")


def test_re_reports_collapse_onto_one_line_and_own_sourcing_is_another() -> None:
    quote = "\u201cimpulsive, mentally unstable and unbalanced individual who suffers\u201d"
    inputs = [
        (document("a", f"Leaked documents, seen by The Guardian, call him {quote}.", outlet="UNILAD",
                  published="2021-07-15"), Analysis(document_id="a", claims=[claim("a1", "x", ["The Guardian"])])),
        (document("b", f"The papers call him {quote}, The Guardian reports.", outlet="The National",
                  published="2021-07-15"), Analysis(document_id="b", claims=[claim("b1", "y")])),
        (document("c", "A senior official told a trusted compatriot.", published="2016-10-12"),
         Analysis(document_id="c", claims=[claim("c1", "z", ["trusted compatriot", "senior official"])])),
        (document("d", "copy", near="c"), Analysis(document_id="d", claims=[claim("d1", "z")])),
    ]
    edges = build(inputs)
    assert any(e.relation == "shares_text" and {e.child, e.parent} == {"a", "b"} for e in edges)
    lines, claim_line = build_lines(inputs, edges)
    by_root = {line.root: line for line in lines}
    assert sorted(by_root["source:guardian"].documents) == ["a", "b"]
    assert sorted(by_root["c"].documents) == ["c", "d"]  # the near-duplicate joins its original's line
    assert claim_line["a1"] == claim_line["b1"] != claim_line["c1"]


def test_credibility_counts_independent_lines_not_documents() -> None:
    sourcing = cluster_sourcing("K", [("a1", "same"), ("b1", "same")], claim_line={"a1": "L1", "b1": "L1"},
                                polarity={}, hedging={"a1": "low", "b1": "low"}, published={})
    single = assess_cluster(sourcing)
    assert single.credibility == 3 and single.supporting_lines == ["L1"]
    two = assess_cluster(ClusterSourcing(cluster="K", supporting_lines=["L1", "L2"]))
    assert (two.credibility, two.reliability) == (2, "F")
    confirmed = assess_cluster(ClusterSourcing(cluster="K", supporting_lines=["L1", "L2"]),
                               reliability={"L1": "A", "L2": "B"})
    assert confirmed.credibility == 1
    denied = assess_cluster(ClusterSourcing(cluster="K", supporting_lines=["L1"], denying_lines=["L3"]))
    assert denied.credibility == 4 and any("denial" in r for r in denied.reasons)
    assert assess_cluster(ClusterSourcing(cluster="K", denying_lines=["L3"])).credibility == 6
    contested = assess_cluster(ClusterSourcing(cluster="K", supporting_lines=["L1", "L2"], contradicting_lines=["L3"]))
    assert "1 line contradicts it" in contested.reasons
    assert "2 lines contradict it" in assess_cluster(
        ClusterSourcing(cluster="K", supporting_lines=["L1"], contradicting_lines=["L2", "L3"])).reasons


def test_ach_counts_one_lines_evidence_once_and_ranks_by_inconsistency() -> None:
    assessments = [assess_cluster(ClusterSourcing(cluster=k, supporting_lines=["L1"])) for k in ("K1", "K2")]
    assessments.append(assess_cluster(ClusterSourcing(cluster="K3", supporting_lines=["L1", "L2"])))
    h1 = Hypothesis(id="H1", text="operation", ratings={"K1": "C", "K2": "C", "K3": "C"})
    h2 = Hypothesis(id="H2", text="forgery", ratings={"K1": "I", "K2": "I", "K3": "N"})
    result = score_ach([h1, h2], assessments)
    assert [s.hypothesis for s in result.hypotheses] == ["H1", "H2"]
    h2_score = next(s for s in result.hypotheses if s.hypothesis == "H2")
    assert h2_score.inconsistency == 1  # K1 and K2 rest on the same single line
    assert result.diagnosticity["K1"] > 0 and result.to_dict()["matrix"]["H2"]["K3"] == "N"


def test_generic_references_are_not_new_publications() -> None:
    assert not is_publication("The paper") and not is_publication("the newspaper")
    assert is_publication("The Washington Post")


def test_near_duplicates_pointing_at_each_other_are_one_line() -> None:
    inputs = [
        (document("memo", "A senior official said so.", published="2016-10-12", near="copy"),
         Analysis(document_id="memo", claims=[claim("m1", "z")])),
        (document("copy", "A senior official said so.", published="2017-01-10", near="memo"),
         Analysis(document_id="copy", claims=[claim("k1", "z")])),
    ]
    lines, claim_line = build_lines(inputs, build(inputs))
    assert [sorted(line.documents) for line in lines] == [["copy", "memo"]]
    assert lines[0].root == "memo"  # the earlier document
    assert claim_line["m1"] == claim_line["k1"]


def test_a_sentence_boundary_does_not_join_names() -> None:
    edges = build([(document("d1", "He spoke to CNN. As CNN first reported, the memo exists.", outlet="X"),
                    Analysis(document_id="d1"))])
    assert {e.parent for e in edges if e.child == "d1"} == {"source:cnn"}


def test_header_and_boilerplate_are_not_provenance() -> None:
    from claimgraph.models import Zone

    header = "Outlet: Orbis; text as published by BuzzFeed News\nLicence: unclear - private intelligence memo\n=====\n"
    def memo(doc_id: str, body: str) -> Document:
        text = header + body
        zones = [Zone(start=0, end=len(header) - 1, kind="header"), Zone(start=len(header), end=len(text), kind="detail")]
        return Document(id=doc_id, content_hash=doc_id, origin=doc_id, version=1, media_type="text/plain", text=text,
                        zones=zones, published="2016-07-01" if doc_id == "m1" else "2016-08-01")
    edges = build([(memo("m1", "Source A said the Kremlin cultivated him."), Analysis(document_id="m1")),
                   (memo("m2", "Source E said \u201cthe private intelligence memo was very helpful to them\u201d."),
                    Analysis(document_id="m2"))])
    assert [(e.child, e.parent) for e in edges] == []  # neither "published by BuzzFeed" nor the shared licence line


def test_documents_of_one_author_with_nothing_upstream_are_one_line() -> None:
    inputs = [
        (document(f"m{n}", f"Memo {n}: a source said thing {n}.", outlet="Christopher Steele", published=f"2016-0{n}-01"),
         Analysis(document_id=f"m{n}", claims=[claim(f"m{n}c", f"thing {n}")]))
        for n in (6, 7, 8)
    ] + [(document("x", "Another outlet's own reporting.", outlet="Other Times", published="2017-01-01"),
          Analysis(document_id="x", claims=[claim("xc", "other")]))]
    lines, claim_line = build_lines(inputs, build(inputs))
    assert len({claim_line[f"m{n}c"] for n in (6, 7, 8)}) == 1
    assert claim_line["xc"] != claim_line["m6c"]
    assert next(l for l in lines if l.id == claim_line["m7c"]).root == "m6"  # the author's earliest document


def _steele_memo(published: str) -> tuple[Document, Analysis]:
    return (document("m", "Memo: a source said the Kremlin held kompromat.", outlet="Christopher Steele",
                     published=published), Analysis(document_id="m", claims=[claim("mc", "kompromat")]))


def _re_reports() -> list[tuple[Document, Analysis]]:
    """A newspaper re-reporting the memos ("the dossier says", "Steele ...") and one citing some report."""
    return [
        (document("n", "The so-called Steele dossier was paid for by Democrats. The dossier says there is a tape.",
                  outlet="Other Times", published="2021-12-01"),
         Analysis(document_id="n", claims=[claim("n1", "there is a tape", ["The dossier"]),
                                           claim("n2", "he met them", ["Steele"]),
                                           claim("n3", "paid for by Democrats")])),
        (document("r", "The report says he lied.", outlet="Third Post", published="2021-12-02"),
         Analysis(document_id="r", claims=[claim("r1", "he lied", ["the report"])])),
    ]


def test_what_a_corpus_author_wrote_is_that_authors_line_when_re_reported() -> None:
    inputs = [_steele_memo("2016-06-20")] + _re_reports()
    lines, claim_line = build_lines(inputs, build(inputs))
    # Re-reports of the memos count with the memos, not as a second line.
    assert claim_line["n1"] == claim_line["n2"] == claim_line["mc"]
    assert claim_line["n3"] != claim_line["mc"]  # the newspaper's own reporting is its own line
    # "the report" in a text naming no corpus author's report stays with its document.
    assert claim_line["r1"] not in {claim_line["mc"], claim_line["n3"]}


def test_lines_kept_document_by_document_follow_an_author_who_arrives_late() -> None:
    """The memo arrives after the newspapers that re-report it ("Steele told ...", "the dossier
    says" in a text naming the Steele dossier): the earlier claims move to the memo's line, as
    when the whole corpus is read at once; claims naming nobody stay."""
    from claimgraph.link.lines import LineState

    inputs = _re_reports() + [_steele_memo("2022-01-01")]
    builder, state, texts = ProvenanceBuilder(), LineState(), {d.id: d.text for d, _ in inputs}
    moved = []
    for doc, analysis in inputs:
        builder.add(doc, analysis)
        moved.append(state.update(builder.documents, builder.weights, [(doc, analysis)],
                                  texts=lambda ids: {i: texts[i] for i in ids}))
    lines, claim_line = build_lines(inputs, builder.result())
    assert state.claim_line == claim_line
    assert claim_line["n1"] == claim_line["n2"] == claim_line["mc"] != claim_line["n3"]
    assert {"n1", "n2"} <= moved[2] and not {"n3", "r1"} & moved[2]  # reassigned when the author came
