"""Independent lines on unseen reporting, continued: a document crediting an outlet the corpus
holds is not that outlet's line wholesale, a writing speaks for its author, one document's
shorter name of a voice is its fuller one, a person a claim is about is not its speaker, and a
line is named in words. Each test fails when its signal is removed."""

from __future__ import annotations

from claimgraph.link.lines import line_id
from claimgraph.link.origins import acts, person_key, same_voices, surname_pairs, writing_author
from claimgraph.models import Analysis, Claim, Document, Entity, Mention
from claimgraph.sources import ClaimOrigin, line_name, source_key
from tests.test_origins import line_state


def document(doc_id: str, text: str, *, outlet: str | None = None, published: str | None = None) -> Document:
    return Document(id=doc_id, content_hash=doc_id, origin=doc_id, version=1, media_type="text/plain", text=text,
                    outlet=outlet, published=published)


def claim(claim_id: str, text: str, content: str, chain: list[str] | None = None, *, speaker_entity: str | None = None,
          cue: str | None = None, zone: str = "body") -> Claim:
    """A claim whose span is where `content` first occurs in `text` (and its cue's, where given)."""
    start = text.index(content)
    chain = chain or []
    cue_start = text.index(cue) if cue else None
    return Claim(id=claim_id, sentence_index=0, start=start, end=start + len(content), sentence_start=0,
                 sentence_end=len(text), text=content, content=content, chain=chain, speaker=chain[-1] if chain else None,
                 speaker_entity=speaker_entity, cue=cue, cue_start=cue_start,
                 cue_end=cue_start + len(cue) if cue and cue_start is not None else None, zone=zone)


def test_a_document_crediting_an_outlet_the_corpus_holds_is_not_its_line_wholesale() -> None:
    story_text = "Investigators found the plot, officials said."
    story = (document("s", story_text, outlet="Metro News", published="2021-10-01"),
             Analysis(document_id="s", claims=[claim("s1", story_text, "Investigators found the plot", ["officials"])]))
    text = ("Speaking to Metro News, Jane Ostrova said the plot was real. The magazine thinks the affair is "
            "a scandal. Metro News reported that the plot began in May.")
    people = [Entity(key="E1", name="Jane Ostrova", type="PER")]
    magazine = (document("m", text, outlet="Monthly Review", published="2021-10-18"),
                Analysis(document_id="m", entities=people, claims=[
                    claim("m1", text, "the plot was real", ["Metro News", "Jane Ostrova"], speaker_entity="E1", cue="said"),
                    claim("m2", text, "the affair is a scandal"),
                    claim("m3", text, "the plot began in May", ["Metro News"], cue="reported")]))
    state = line_state([story, magazine])
    # The named speaker is her own line, the credited report the outlet's; the magazine's own
    # sentence is its own, not the outlet's, though it credits the outlet elsewhere.
    assert state.claim_line["m1"] == line_id("source:j ostrova")
    assert state.claim_line["m3"] == state.claim_line["s1"] == line_id("s")
    assert state.claim_line["m2"] == line_id("m")
    assert state.credited({"m"}) == {"m": {line_id("s"), line_id("source:j ostrova")}}


def _people(text: str, *names: str) -> list[tuple[int, str]]:
    return sorted((text.index(n.split()[-1]), n) for n in names)


def test_a_writing_speaks_for_whoever_wrote_or_issued_it() -> None:
    issued = "The report was released by the Office of Assessments. A declassified report says he ordered it."
    assert writing_author("a declassified report", issued, issued.index("A declassified"), []) == "the Office of Assessments"
    # a headline naming who says it goes before who published it
    assert writing_author("the report", issued, 60, [], headline="Review Board") == "Review Board"
    # "his report": the person the sentence, else the text before it, names
    counsel = "A special counsel, Ann B. Kowalski III, took over. His March 2019 report detailed many links."
    people = _people(counsel, "Ann B. Kowalski III")
    assert writing_author("His March 2019 report", counsel, counsel.index("His"), people) == "Ann B. Kowalski III"
    inside = "Director Hale briefed Mr. Brand on the Kowalski memo, according to his June testimony."
    people = _people(inside, "Tom Hale", "Carl Brand", "Ann Kowalski")
    assert writing_author("his June testimony", inside, inside.index("his June"), people) == "Tom Hale"
    # a person named as the writing's owner, in the name or in the text; a place or body is its subject
    assert writing_author("The Kowalski probe", counsel, 70, _people(counsel, "Ann B. Kowalski III")) == "Ann B. Kowalski III"
    assert writing_author("The Kremlin papers", counsel, 70, []) is None
    about = "The Brand dossier was written by a former agent. The dossier says so."
    assert writing_author("The dossier", about, 50, _people(about, "Carl Brand")) is None  # "the Brand dossier" may be about Brand


def test_a_writings_claims_are_on_its_authors_line_and_hidden_sources_it_cites_too() -> None:
    text = ("It was a series of memos written by Jane Ostrova, a former agent. It cited unnamed sources who claimed "
            "there was a plot. His 2019 report found no plot. A special counsel, Ann Kowalski, disagreed.")
    memo = (document("o", "Source A said there was a plot.", outlet="Jane Ostrova", published="2016-06-20"),
            Analysis(document_id="o", claims=[claim("o1", "Source A said there was a plot.", "there was a plot", ["Source A"])]))
    counsel = text.index("Ann Kowalski")
    paper = (document("p", text, outlet="Daily Paper", published="2021-12-01"),
             Analysis(document_id="p",
                      entities=[Entity(key="E1", name="Jane Ostrova", type="PER"), Entity(key="E2", name="Ann Kowalski", type="PER")],
                      mentions=[Mention(entity="E1", start=text.index("Jane"), end=text.index("Jane") + 12, text="Jane Ostrova"),
                                Mention(entity="E2", start=counsel, end=counsel + 12, text="Ann Kowalski")],
                      claims=[claim("p1", text, "who claimed there was a plot", ["unnamed sources"], cue="claimed"),
                              claim("p2", text, "His 2019 report found no plot")]))
    state = line_state([memo, paper])
    assert state.claim_line["p1"] == state.claim_line["o1"]  # what the memos' sources claimed: the memos' line
    # "His" looks back: the person named last before the sentence is Ostrova, not the counsel named after
    assert state.claim_source["p2"].source == "His 2019 report"
    assert state.claim_line["p2"] == state.claim_line["o1"]


def test_a_headline_voice_is_whose_the_bodys_report_is() -> None:
    text = ("Plot Was Ordered, Review Board Says\n\nThe report was released by the Office of Records. "
            "He ordered the plot, according to a declassified report.")
    board = (document("b", text, outlet="Channel Nine", published="2017-01-06"),
             Analysis(document_id="b", claims=[
                 claim("b1", text, "Plot Was Ordered", ["Review Board"], cue="Says", zone="headline"),
                 claim("b2", text, "He ordered the plot", ["a declassified report"], cue="according to")]))
    state = line_state([board])
    assert state.claim_line["b1"] == state.claim_line["b2"] == line_id("source:review board")


def test_one_documents_shorter_name_of_a_voice_is_its_fuller_one() -> None:
    assert same_voices({"source:central bank", "source:central bank of russia", "source:kremlin"}) == {
        "source:central bank": "source:central bank of russia"}
    assert same_voices({"source:putin", "source:v putin", "source:trump campaign", "source:trump"}) == {
        "source:putin": "source:v putin"}
    text = "The Central Bank of Russia claimed attacks rose. Central Bank claims there were twenty attacks."
    bank = Entity(key="E1", name="Central Bank of Russia", type="ORG")
    memo = (document("m", text, outlet="Jane Ostrova", published="2016-06-20"),
            Analysis(document_id="m", entities=[bank, Entity(key="E2", name="Central Bank", type="ORG")], claims=[
                claim("m1", text, "attacks rose", ["The Central Bank of Russia"], speaker_entity="E1", cue="claimed"),
                claim("m2", text, "there were twenty attacks", ["Central Bank"], speaker_entity="E2", cue="claims")]))
    state = line_state([memo])
    assert state.claim_line["m1"] == state.claim_line["m2"]


def test_a_surname_alone_is_the_one_person_of_that_name_the_corpus_names_in_full() -> None:
    assert surname_pairs({"source:kowalski", "source:a kowalski iii", "source:kremlin"}) == {
        ("source:kowalski", "source:a kowalski iii")}
    assert surname_pairs({"source:brand", "source:c brand", "source:m brand"}) == set()  # two of that name


def test_a_person_a_claim_tells_of_is_not_its_speaker() -> None:
    text = "So far BRAND has declined various sweetener deals offered him."
    declined = claim("c1", text, text.rstrip("."), ["Brand"], cue="has declined")
    assert acts(declined)
    said = "Brand said the deals were offered."
    assert not acts(claim("c2", said, "Brand said the deals were offered", ["Brand"], cue="said"))
    refused = "Brand declined to comment on the deals."
    assert not acts(claim("c3", refused, "Brand declined to comment on the deals", ["Brand"], cue="declined"))


def test_names_of_people_and_sources_are_keyed_as_one() -> None:
    assert person_key("White House Press Secretary Sean Nolan") == person_key("Sean Nolan") == "source:s nolan"
    assert source_key("F.B.I.") == source_key("FBI") and source_key("the U.S. Senate") == "source:us senate"


def _origin(claim_id: str, document: str, inner: str | None = None, *, source: str | None = None,
            origin: str | None = None, voice: str | None = None) -> ClaimOrigin:
    return ClaimOrigin(claim=claim_id, document=document, inner=inner, source=source, origin=origin, voice=voice)


def test_a_line_is_named_by_its_origin_and_what_its_first_reporter_holds() -> None:
    labels = {"m": "Jane Ostrova", "c": "Senate Committee on Records", "p": "Daily Paper"}
    memo = [_origin("m1", "m", "a senior Russian official"), _origin("m2", "m", "Source A, a Russian insider"),
            _origin("m3", "m", "the trusted compatriot"), _origin("m4", "m", "a Russian figure"),
            _origin("m5", "m", "Mr. Brand"), _origin("m6", "m")]
    assert line_name("m", "document", memo, labels) == "Jane Ostrova \u2190 anonymous Russian sources"
    # the origin's own name, an OCR misreading and a quoted person name nothing
    committee = [_origin("c1", "c", "The Committee"), _origin("c2", "c", "Corhinittee"), _origin("c3", "c", "Donald Brand")]
    assert line_name("c", "document", committee, labels) == "Senate Committee on Records"
    # a bare writing in the fullest words the line uses; one writing of a kind
    papers = [_origin("g1", "x", "The documents", source="The Ledger"), _origin("g2", "y", "leaked documents", source="The Ledger"),
              _origin("g3", "y", "leaked documents"), _origin("g4", "x", "the report", source="The Ledger"),
              _origin("g5", "x", "a declassified report", source="The Ledger")]
    assert line_name("source:ledger", "source", papers, labels) == "The Ledger \u2190 leaked documents, a declassified report"
    # a voice by its fullest name
    bank = [_origin("b1", "m", origin="Central Bank", voice="source:central bank"),
            _origin("b2", "m", origin="Central Bank", voice="source:central bank"),
            _origin("b3", "m", origin="Central Bank of Russia", voice="source:central bank of russia")]
    assert line_name("source:central bank", "source", bank, labels) == "Central Bank of Russia"


def test_a_surname_alone_is_the_person_the_document_names_in_full() -> None:
    from claimgraph.link.origins import claim_voice

    text = "Carl J. Brand called it phony. \"It didn't happen,\" Brand said."
    entities = {"E1": Entity(key="E1", name="Carl J. Brand", type="PER")}
    voice = claim_voice(claim("c1", text, "It didn't happen", ["Brand"], cue="said"), entities)
    assert voice is not None and voice.key == "source:c brand" and voice.name == "Carl J. Brand"
    two = {**entities, "E2": Entity(key="E2", name="Mary Brand", type="PER")}
    assert claim_voice(claim("c1", text, "It didn't happen", ["Brand"], cue="said"), two) is None  # which Brand?


def test_an_article_before_a_spokespersons_role_names_no_organisation() -> None:
    from claimgraph.link.origins import affiliation

    assert affiliation(["A Brand spokesman"]) == "Brand"
    assert affiliation(["A spokesman for the Ministry"]) == "Ministry"
    assert affiliation(["a spokeswoman"]) is None


def test_a_writings_author_whose_documents_arrive_later_gets_its_claims_whatever_the_order() -> None:
    text = "It was a series of memos written by Jane Ostrova, a former agent. It cited unnamed sources who claimed there was a plot."
    memo = (document("o", "Source A said there was a plot.", outlet="Jane Ostrova", published="2016-06-20"),
            Analysis(document_id="o", claims=[claim("o1", "Source A said there was a plot.", "there was a plot", ["Source A"])]))
    paper = (document("p", text, outlet="Daily Paper", published="2021-12-01"),
             Analysis(document_id="p", claims=[claim("p1", text, "who claimed there was a plot", ["unnamed sources"], cue="claimed")]))
    for order in ([memo, paper], [paper, memo]):
        state = line_state(order)
        assert state.claim_line["p1"] == state.claim_line["o1"]


def test_the_author_of_a_writing_is_on_that_writings_authors_line() -> None:
    memo = (document("o", "Source A said there was a recording.", outlet="Jane Ostrova", published="2016-06-20"),
            Analysis(document_id="o", claims=[claim("o1", "Source A said there was a recording.", "there was a recording",
                                                     ["Source A"])]))
    text = ("The author of the infamous secret memo told Sarah Kemp that there is a recording. "
            "Ostrova's memo has come under scrutiny since its release.")
    paper = (document("p", text, outlet="Monthly Review", published="2021-10-18"),
             Analysis(document_id="p", claims=[
                 claim("p1", text, "there is a recording", ["Sarah Kemp", "the author of the infamous secret memo"],
                       cue="told")]))
    state = line_state([memo, paper])
    assert state.claim_line["p1"] == state.claim_line["o1"]


def test_bare_investigators_after_a_named_probe_are_that_probes() -> None:
    text = ("A special counsel, Ann Kowalski, took over. The Kowalski probe found that the agency had meddled. "
            "Investigators determined there had been numerous contacts between the campaign and the agency.")
    counsel = text.index("Ann Kowalski")
    paper = (document("p", text, outlet="Monthly Review", published="2021-10-18"),
             Analysis(document_id="p", entities=[Entity(key="E1", name="Ann Kowalski", type="PER")],
                      mentions=[Mention(entity="E1", start=counsel, end=counsel + 12, text="Ann Kowalski")],
                      claims=[claim("p1", text, "there had been numerous contacts", ["Investigators"], cue="determined")]))
    state = line_state([paper])
    assert state.claim_line["p1"] == line_id("source:a kowalski")
    assert writing_author("The Kowalski probe", text, 50, _people(text, "Ann Kowalski")) == "Ann Kowalski"
