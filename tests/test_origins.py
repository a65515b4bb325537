"""A claim's origin and independent lines on unseen reporting: quoted voices are lines of their
own, journalists belong to their outlet, wire copy and reprints derive from their source, and no
document derives from a later one. Each test fails when its signal is removed."""

from __future__ import annotations

from claimgraph.link.lines import LineState, build_lines, byline_surnames, corpus_authors
from claimgraph.link.origins import affiliation, claim_voice, person_key
from claimgraph.link.provenance import ProvenanceBuilder
from claimgraph.models import Analysis, Claim, Document, Entity, Sentence


def document(doc_id: str, text: str, *, outlet: str | None = None, author: str | None = None,
             published: str | None = None) -> Document:
    return Document(id=doc_id, content_hash=doc_id, origin=doc_id, version=1, media_type="text/plain", text=text,
                    outlet=outlet, author=author, published=published)


def claim(claim_id: str, content: str, chain: list[str] | None = None, *, speaker_entity: str | None = None,
          polarity: str = "asserted") -> Claim:
    chain = chain or []
    return Claim(id=claim_id, sentence_index=0, start=0, end=len(content), sentence_start=0, sentence_end=len(content),
                 text=content, content=content, chain=chain, speaker=chain[-1] if chain else None,
                 speaker_entity=speaker_entity, polarity=polarity)


def line_state(inputs: list[tuple[Document, Analysis]]) -> LineState:
    """Lines kept document by document, as the linker keeps them."""
    builder, state = ProvenanceBuilder(), LineState()
    for doc, analysis in inputs:
        builder.add(doc, analysis)
        state.update(builder.documents, builder.weights, [(doc, analysis)], texts=lambda ids: {})
    return state


def lines_of(inputs: list[tuple[Document, Analysis]]) -> dict[str, str]:
    builder = ProvenanceBuilder()
    for doc, analysis in inputs:
        builder.add(doc, analysis)
    return build_lines(inputs, builder.result())[1]


def _spokesman(doc_id: str, outlet: str, published: str) -> tuple[Document, Analysis]:
    """An outlet re-reporting the exclusive, and carrying the government's denial."""
    text = "The papers, seen by The Daily Example, show a plot. Tom Brown, the ministry spokesman, denied it."
    entities = [Entity(key="E1", name="Tom Brown", type="PER", aliases=["the ministry spokesman", "Brown"])]
    return (document(doc_id, text, outlet=outlet, published=published),
            Analysis(document_id=doc_id, entities=entities, claims=[
                claim(f"{doc_id}1", "there was a plot", ["The Daily Example", "the papers"]),
                claim(f"{doc_id}2", "there was a plot", ["Tom Brown"], speaker_entity="E1", polarity="denied"),
                claim(f"{doc_id}3", "the plot was approved in January"),
            ]))


def test_a_quoted_voice_is_its_own_line_whoever_carries_it() -> None:
    inputs = [_spokesman("a", "Northern Post", "2021-07-15"), _spokesman("b", "Southern Herald", "2021-07-16")]
    claim_line = lines_of(inputs)
    # The exclusive's claims and both re-reports' own restatements: one line.
    assert claim_line["a1"] == claim_line["b1"] == claim_line["a3"] == claim_line["b3"]
    # The denial, carried by two outlets: one line, not the carriers'.
    assert claim_line["a2"] == claim_line["b2"] != claim_line["a1"]


def test_a_spokesperson_speaks_for_the_organisation_the_role_names() -> None:
    assert affiliation(["the Kremlin spokesman"]) == "Kremlin"
    assert affiliation(["a spokeswoman for the Foreign Office"]) == "Foreign Office"
    assert affiliation(["Harry Smith"]) is None
    assert affiliation(["Presidential spokesman PESKOV"]) is None  # an adjective names no organisation
    # "the Ministry spokesman", unnamed where he speaks, is the one spokesperson the document names.
    named = {"E1": Entity(key="E1", name="Tom Brown", type="PER", aliases=["press spokesman Tom Brown"])}
    voice = claim_voice(claim("c", "no", ["the Ministry spokesman"]), named)
    assert voice is not None and voice.key == "source:ministry" and voice.person_key == "source:t brown"
    entities = {"E1": Entity(key="E1", name="Anna Lee", type="PER", aliases=["the Ministry's spokeswoman"])}
    voice = claim_voice(claim("c", "no", ["Anna Lee"], speaker_entity="E1"), entities)
    assert voice is not None and voice.key == "source:ministry" and "Anna Lee" in voice.name


def test_thoughts_and_unnamed_relays_are_not_statements() -> None:
    entities = {"E1": Entity(key="E1", name="Moscow", type="GPE")}
    said = claim("c", "x", ["Moscow"], speaker_entity="E1")
    said.cue = "said"
    assert claim_voice(said, entities) is not None
    believed = claim("c", "x", ["Moscow"], speaker_entity="E1")
    believed.cue = "believes"
    assert claim_voice(believed, entities) is None
    relayed = claim("c", "x", ['(unspecified: "It is reported that")', "Moscow"], speaker_entity="E1")
    relayed.speaker = "Moscow"
    assert claim_voice(relayed, entities) is None


def test_anonymous_sources_and_writings_stay_with_their_carrier() -> None:
    entities = {"E1": Entity(key="E1", name="senior official", type="ANON_SOURCE"),
                "E2": Entity(key="E2", name="Sergei Ivanov", type="PER")}
    assert claim_voice(claim("c", "x", ["a senior official"], speaker_entity="E1"), entities) is None
    assert claim_voice(claim("c", "x", ["the documents"]), {}) is None
    # A named person heard only through an anonymous intermediary: known only through the carrier.
    assert claim_voice(claim("c", "x", ["a close colleague", "Sergei Ivanov"], speaker_entity="E2"), entities) is None
    assert claim_voice(claim("c", "x", ["Sergei Ivanov"], speaker_entity="E2"), entities) is not None
    assert claim_voice(claim("c", "x", ["The President"]), {}) is None  # a bare title is nobody in particular


def test_one_person_is_one_key_however_titled() -> None:
    assert person_key("President Vladimir V. Putin") == person_key("Vladimir Putin") == "source:v putin"
    assert person_key("Donald Trump Jr.") != person_key("Donald Trump")


def test_a_journalist_quoted_by_surname_joins_the_outlet_their_byline_names() -> None:
    original = (document("g", "Documents seen by this paper show a plot.", outlet="Morning Ledger",
                         author="Anna Harlow and Piet Brandt", published="2021-07-15"),
                Analysis(document_id="g", claims=[claim("g1", "there was a plot")]))
    critic = (document("k", "Harlow reports that the papers show a plot. I doubt it.", outlet="Skeptic Weekly",
                       author="Ivo Kane", published="2021-07-20"),
              Analysis(document_id="k", claims=[claim("k1", "the papers show a plot", ["Harlow"]),
                                                claim("k2", "I doubt it")]))
    assert byline_surnames("Anna Harlow and Piet Brandt") == ["harlow", "brandt"]
    assert byline_surnames("Orbis Business Intelligence") == []
    assert corpus_authors([original[0], critic[0]])["harlow"] == "source:morning ledger"
    claim_line = lines_of([original, critic])
    assert claim_line["k1"] == claim_line["g1"]  # the byline ties Harlow to the ledger's line
    assert claim_line["k2"] != claim_line["g1"]
    claim_line = lines_of([(document("g", original[0].text, outlet="Morning Ledger", published="2021-07-15"),
                            original[1]), critic])
    assert claim_line["k1"] != claim_line["g1"]  # without the byline nothing ties them


def test_a_wire_credit_makes_the_copy_part_of_the_agency_line() -> None:
    inputs = [
        (document(d, f"LONDON ({agency}) \u2014 The minister resigned on Tuesday.", outlet=outlet, published="2021-07-15"),
         Analysis(document_id=d, claims=[claim(f"{d}1", "the minister resigned")]))
        for d, agency, outlet in (("p", "Wirenews", "Paper One"), ("q", "Wirenews", "Paper Two"), ("r", "Other", "Paper Three"))
    ]
    claim_line = lines_of(inputs)
    assert claim_line["p1"] == claim_line["q1"] != claim_line["r1"]


def _reprint(doc_id: str, sentences: list[str], published: str, outlet: str) -> tuple[Document, Analysis]:
    text, spans = "", []
    for sentence in sentences:
        spans.append((len(text), len(text) + len(sentence)))
        text += sentence + " "
    return (document(doc_id, text, outlet=outlet, published=published),
            Analysis(document_id=doc_id, sentences=[Sentence(index=i, start=s, end=e, zone="body") for i, (s, e) in enumerate(spans)],
                     claims=[claim(f"{doc_id}{i}", text[s:e]) for i, (s, e) in enumerate(spans)]))


ORIGINAL = [f"Sentence number {n} of the original report says something long enough to count as a passage." for n in range(8)]


def test_a_verbatim_digest_is_a_copy_not_a_line_of_its_own() -> None:
    original = _reprint("o", ORIGINAL, "2021-07-15", "First Paper")
    digest = _reprint("d", ORIGINAL[:5] + ["A short comment of the digest's own that is long enough to be a passage here."],
                      "2021-07-15", "Digest Daily")
    claim_line = lines_of([digest, original])  # the digest arrives first: the share decides, not the order
    assert claim_line["d0"] == claim_line["o0"] == claim_line["d5"]
    other = _reprint("x", [s.replace("original", "rival") for s in ORIGINAL], "2021-07-15", "Rival Paper")
    assert lines_of([original, other])["x0"] != lines_of([original, other])["o0"]  # no shared sentence, no copy


def test_no_document_derives_from_a_later_one() -> None:
    # Ingest pointed the earlier text at the later near-copy (it arrived second): only the later
    # document derives from the earlier, whatever the pointers say.
    early = (Document(id="e", content_hash="e", origin="e", version=1, media_type="text/plain", text="Memo.",
                      outlet="Early Post", published="2016-01-01", near_duplicate_of="l"),
             Analysis(document_id="e", claims=[claim("e1", "he met them")]))
    later = (Document(id="l", content_hash="l", origin="l", version=1, media_type="text/plain", text="Memo!",
                      outlet="Later Times", published="2021-01-01"),
             Analysis(document_id="l", claims=[claim("l1", "he met them")]))
    builder = ProvenanceBuilder()
    for doc, analysis in (early, later):
        builder.add(doc, analysis)
    lines, claim_line = build_lines([early, later], builder.result())
    assert claim_line["e1"] == claim_line["l1"]
    assert {line.root for line in lines} == {"e"}  # the earlier document is the root
    from claimgraph.link.lines import resolve_roots

    roots, _ = resolve_roots([early[0], later[0]], {("e", "l", "near_duplicate"): 1})
    assert roots == {"e": "e", "l": "e"}  # shared text: the later copies the earlier, whichever way it was found
    roots, _ = resolve_roots([early[0], later[0]], {("e", "l", "re_reports"): 1})
    assert roots == {"e": "e", "l": "l"}  # a citation of a later document is not followed


def test_a_restatement_derives_from_the_line_its_document_credits_elsewhere() -> None:

    memo = (document("m", "Source A said he met them in August.", outlet="Jane Ostrova", published="2016-09-01"),
            Analysis(document_id="m", claims=[claim("m1", "he met them in August")]))
    paper = (document("n", "Ostrova wrote that he was paid. He met them in August.", outlet="Daily Paper",
                      published="2017-01-10"),
             Analysis(document_id="n", claims=[claim("n1", "he was paid", ["Ostrova"]), claim("n2", "he met them in August")]))
    other = (document("o", "He met them in August.", outlet="Other Paper", published="2017-01-11"),
             Analysis(document_id="o", claims=[claim("o1", "he met them in August")]))
    state = line_state([memo, paper, other])
    published = {"m1": "2016-09-01", "n1": "2017-01-10", "n2": "2017-01-10", "o1": "2017-01-11"}
    assert state.claim_line["n1"] == state.claim_line["m1"] != state.claim_line["n2"]
    derived = state.derived_lines(["m1", "n2", "o1"], published)
    # The paper credits the memo's author elsewhere: its restatement is the memo's line. The other
    # paper credits nobody: its claim stays its own (it may be independent).
    assert derived == {"n2": state.claim_line["m1"]}
    assert state.derived_lines(["m1", "n2"], {**published, "m1": "2018-01-01"}) == {}  # not from a later report


def test_a_re_report_that_drops_its_origins_hedge_is_flagged() -> None:
    from claimgraph.assess import assess_cluster
    from claimgraph.link.lines import cluster_sourcing

    members = [("g:c1", "same"), ("n:c1", "same"), ("u:c1", "same")]
    hedging = {"g:c1": "medium", "n:c1": "medium", "u:c1": "none"}
    sourcing = cluster_sourcing("K", members, claim_line={c: "L1" for c, _ in members}, polarity={},
                                hedging=hedging, published={"g:c1": "2021-07-15", "n:c1": "2021-07-15", "u:c1": "2021-07-16"},
                                line_roots={"L1": "g"})
    assert sourcing.firmer == ["u:c1"] and sourcing.carriers == {"L1": 3}
    # Siblings re-reporting an origin outside the corpus: nothing to compare with.
    assert cluster_sourcing("K", members, claim_line={c: "L1" for c, _ in members}, polarity={}, hedging=hedging,
                            published={}, line_roots={"L1": "source:elsewhere"}).firmer == []
    reasons = assess_cluster(sourcing).reasons
    assert "carried by 3 documents, all re-reporting one origin" in reasons
    assert any("more firmly" in r for r in reasons)
    same = cluster_sourcing("K", members, claim_line={c: "L1" for c, _ in members}, polarity={},
                            hedging={c: "medium" for c, _ in members}, published={})
    assert same.firmer == []


def test_a_document_disputing_what_it_re_reports_speaks_for_itself() -> None:
    from claimgraph.link.lines import line_id

    story = (document("g", "Documents seen by this paper show a plot.", outlet="Morning Ledger", published="2021-07-15"),
             Analysis(document_id="g", claims=[claim("g1", "the papers show a plot")]))
    critic = (document("k", "As Morning Ledger reported, the papers show a plot. The papers are fakes.",
                       outlet="Skeptic Weekly", published="2021-07-20"),
              Analysis(document_id="k", claims=[claim("k1", "the papers show a plot"), claim("k2", "the papers are fakes")]))
    state = line_state([story, critic])
    # The critic credits a story the corpus holds: its restatement of it is the story's line, its
    # dispute its own.
    assert state.derived_lines(["g1", "k1"], {"g1": "2021-07-15", "k1": "2021-07-20"}) == {"k1": state.claim_line["g1"]}
    assert state.claim_line["k2"] == line_id("k") != state.claim_line["g1"]
    assert state.own_lines(["k2", "g1"], {state.claim_line["g1"]}) == {}


def test_a_publications_piece_stands_for_the_publication() -> None:
    from claimgraph.sources import cited_publication

    assert cited_publication("a report from The Washington Post") == "The Washington Post"
    assert cited_publication("Harlow's earlier report in the Morning Ledger") == "the Morning Ledger"
    assert cited_publication("the report") == "the report"


def test_a_quotation_of_another_documents_own_words_is_a_quote_edge_whatever_the_order() -> None:
    memo = (document("m", "The regime has been cultivating, supporting, and assisting him for years.",
                     outlet="Jane Ostrova", published="2016-06-20"), Analysis(document_id="m"))
    paper = (document("p", 'A dossier says the regime has been "cultivating, supporting and assisting" him.',
                      outlet="Daily Paper", published="2017-01-10"), Analysis(document_id="p"))
    other = (document("o", 'He called it "a great pulp fiction" on Thursday.', outlet="Other Paper",
                      published="2017-01-11"), Analysis(document_id="o"))
    for order in ([memo, paper, other], [paper, other, memo]):
        builder = ProvenanceBuilder()
        for doc, analysis in order:
            builder.add(doc, analysis)
        quotes = {(e.child, e.parent) for e in builder.result() if e.relation == "quotes"}
        assert quotes == {("p", "m")}
    # Two texts quoting a third share words neither wrote: no edge between them.
    third = (document("t", 'She said it was "a great pulp fiction" too.', outlet="Third Paper", published="2017-01-12"),
             Analysis(document_id="t"))
    builder = ProvenanceBuilder()
    for doc, analysis in (other, third):
        builder.add(doc, analysis)
    assert [e for e in builder.result() if e.relation == "quotes"] == []


def test_a_report_cited_by_its_number_is_a_cites_edge() -> None:
    first = Document(id="a", content_hash="a", origin="a", version=1, media_type="text/plain", text="Memo text.",
                     title="Company Intelligence Report 2016/135 - SOMETHING", published="2016-10-19")
    later = Document(id="b", content_hash="b", origin="b", version=1, media_type="text/plain",
                     text="We reported previously, in our Company Intelligence Report 2016/135, that he met them.",
                     title="Company Intelligence Report 2016/136", published="2016-10-20")
    for order in ([first, later], [later, first]):
        builder = ProvenanceBuilder()
        for doc in order:
            builder.add(doc, Analysis(document_id=doc.id))
        assert {(e.child, e.parent) for e in builder.result() if e.relation == "cites"} == {("b", "a")}


def test_a_document_calling_its_outlet_by_an_abbreviation_does_not_re_report_itself() -> None:
    doc = document("d", "The L.A. Times reported last year that the tapes exist.", outlet="Los Angeles Times",
                   published="2019-04-18")
    builder = ProvenanceBuilder()
    builder.add(doc, Analysis(document_id="d", claims=[claim("d1", "the tapes exist", ["The L.A. Times"])]))
    assert [e for e in builder.result() if e.child == "d"] == []
    assert lines_of([(doc, Analysis(document_id="d", claims=[claim("d1", "the tapes exist", ["The L.A. Times"])]))]) \
        == {"d1": lines_of([(doc, Analysis(document_id="d", claims=[claim("d1", "the tapes exist")]))])["d1"]}


def test_a_re_reports_own_verdict_that_its_line_does_not_state_is_its_own() -> None:
    from claimgraph.link.lines import line_id

    story = (document("g", "Documents seen by this paper show a plot.", outlet="Morning Ledger", published="2021-07-15"),
             Analysis(document_id="g", claims=[claim("g1", "the papers show a plot")]))
    critic = (document("k", "As Morning Ledger reported, the papers show a plot. They were forged by amateurs.",
                       outlet="Skeptic Weekly", published="2021-07-20"),
              Analysis(document_id="k", claims=[claim("k1", "the papers show a plot"), claim("k2", "forged by amateurs")]))
    other = (document("o", "The papers were forged by amateurs, an expert says.", outlet="Third Post", published="2021-07-21"),
             Analysis(document_id="o", claims=[claim("o1", "forged by amateurs", ["an expert"])]))
    state = line_state([story, critic, other])
    # Its restatement of the story counts in the story's line; its own verdict, which nothing on
    # that line states, is its own.
    assert state.derived_lines(["g1", "k1"], {"g1": "2021-07-15", "k1": "2021-07-20"}) == {"k1": state.claim_line["g1"]}
    assert state.claim_line["k2"] == line_id("k")
    assert state.derived_lines(["k2", "o1"], {"k2": "2021-07-20", "o1": "2021-07-21"}) == {}
    # A document re-reporting a story outside the corpus is on its line, and leaves it where the
    # line does not state what it says.
    elsewhere = (document("e", "Documents seen by the Daily Example show a plot. They were forged by amateurs.",
                          outlet="Skeptic Weekly", published="2021-07-20"),
                 Analysis(document_id="e", claims=[claim("e1", "the papers show a plot", ["the Daily Example"]),
                                                   claim("e2", "forged by amateurs")]))
    state = line_state([elsewhere, other])
    assert state.claim_line["e2"] == state.claim_line["e1"] == line_id("source:daily example")
    assert state.unrestated(["e2", "o1"]) == {"e2": line_id("e")}
