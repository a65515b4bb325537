"""Attribution classes found on the news gold's held-out half B, on short made-up texts: a speaker
named in apposition to a title, a finding that an allegation is "not to be true", and a speech
event with a hearer and a topic but nothing reported."""

from __future__ import annotations

import pytest
from spacy.language import Language

from claimgraph.analyse import load_nlp

from test_attribution import analyse, claim_with


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_nlp()


def test_a_title_with_an_apposed_name_stays_in_the_claim_and_names_the_speaker(nlp: Language) -> None:
    text = ("The file, compiled by a person who has claimed to be a former police officer, alleges the council hid "
            "funds. However, the mayor's attorney, Paul Brenner, told the Gazette that the allegations were absolutely "
            'false.\n\n"It\'s so ridiculous on so many levels," he said.')
    claims = analyse(nlp, text)
    claim = claim_with(claims, "allegations were absolutely false")
    assert claim.text.startswith("the mayor's attorney, Paul Brenner, told")
    assert (claim.speaker, claim.polarity) == ("Paul Brenner", "denied")
    # "he" is the named attorney, not the person who compiled the file
    assert claim_with(claims, "so ridiculous").speaker == "Paul Brenner"


def test_coordinated_titles_with_one_apposed_name_are_one_speaker(nlp: Language) -> None:
    text = ("The bakery's former manager and current adviser, Ann Holt, also denied the claims during an interview. "
            'She also said the owner was "not aware" of any audit.')
    claims = analyse(nlp, text)
    denial = claim_with(claims, "also denied the claims")
    assert denial.text.startswith("The bakery's former manager")
    assert (denial.speaker, denial.chain) == ("Ann Holt", ["Ann Holt"])
    assert claim_with(claims, "not aware").speaker == "Ann Holt"


def test_a_long_apposed_description_is_still_cut_from_the_claim(nlp: Language) -> None:
    text = ("Tom Rake, former harbour master in Brest and an associate fellow at the Maritime Institute think tank, "
            "described the letters as forgeries.")
    claim = claim_with(analyse(nlp, text), "described the letters")
    assert claim.text.startswith("described the letters")


def test_a_finding_that_an_allegation_is_not_to_be_true_is_a_denial(nlp: Language) -> None:
    text = "The audit named a supplier, which the regulator later determined not to be true."
    claim = claim_with(analyse(nlp, text), "determined not to be true")
    assert (claim.speaker, claim.polarity, claim.claim_type) == ("the regulator", "denied", "denial")


def test_telling_someone_about_something_reports_no_proposition(nlp: Language) -> None:
    text = ("Former police chief Tom Rake told the mayor about the allegation that such letters existed when he briefed "
            "the council about the so-called Blue file.")
    for claim in analyse(nlp, text):
        assert (claim.speaker, claim.chain, claim.hedging) == (None, [], "none"), claim


def test_telling_someone_that_something_is_so_is_still_attributed(nlp: Language) -> None:
    claims = analyse(nlp, "The spokesman told reporters about the plan, saying it would start in May. "
                          "The mayor told the council that the plan was late.")
    assert claim_with(claims, "would start in May").speaker == "The spokesman"
    assert claim_with(claims, "plan was late").speaker == "The mayor"


def test_a_source_heard_by_two_recipients_names_no_recipient_when_it_speaks_again(nlp: Language) -> None:
    text = ("Speaking to the Daily Star, the engineer Ann Holt said the bridge was safe. "
            "Holt told a radio host that the tunnel was late.\n\n"
            "Holt acknowledged that the budget had grown.")
    claim = claim_with(analyse(nlp, text), "budget had grown")
    assert claim.chain == ["Ann Holt"]


def test_a_source_heard_by_one_recipient_keeps_it_when_it_speaks_again(nlp: Language) -> None:
    text = "Ann Holt told the Daily Star that the bridge was safe.\n\nHolt added that the tunnel was late."
    claim = claim_with(analyse(nlp, text), "tunnel was late")
    assert claim.chain == ["the Daily Star", "Ann Holt"]


@pytest.mark.parametrize("lead", ["Per the Daily Star:", "According to the Daily Star:"])
def test_a_lead_in_paragraph_attributes_the_next_paragraph_to_its_source(nlp: Language, lead: str) -> None:
    text = ("The harbour master spoke to the Daily Star on Sunday.\n\n"
            f"{lead}\n\n"
            "The harbour has come under scrutiny since the flood. And yet in many ways, it proved resilient. "
            "The inspectors found that the walls had been cracked.\n\n"
            "The mayor continues to defend the plan. The walls were cracked.")
    claims = analyse(nlp, text)
    assert not [c for c in claims if c.text.startswith(lead.rstrip(":"))]  # the lead-in is no claim
    for words in ("come under scrutiny", "proved resilient"):
        claim = claim_with(claims, words)
        assert (claim.speaker, claim.chain, claim.hedging, claim.cue) == ("the Daily Star", ["the Daily Star"], "low", None)
    found = claim_with(claims, "inspectors found")
    assert (found.speaker, found.chain) == ("The inspectors", ["the Daily Star", "The inspectors"])
    assert claim_with(claims, "walls were cracked").speaker is None  # the block is one paragraph


def test_the_author_rejecting_what_a_source_just_said_is_a_denial(nlp: Language) -> None:
    text = ('The brochure says the island is "reserved for the families of the founders." It is not reserved for '
            "anyone, and it is also visited by tourists.")
    claims = analyse(nlp, text)
    rebuttal = claim_with(claims, "not reserved for anyone")
    assert (rebuttal.speaker, rebuttal.polarity, rebuttal.claim_type) == (None, "denied", "denial")
    assert claim_with(claims, "visited by tourists").polarity == "asserted"


def test_an_author_negation_that_rejects_nothing_stays_asserted(nlp: Language) -> None:
    claims = analyse(nlp, "The mayor said the audit was over. It is not clear when it began. The harbour was "
                          "closed. It was not reopened until May.")
    assert claim_with(claims, "not clear when").polarity == "asserted"
    assert claim_with(claims, "not reopened").polarity == "asserted"  # no source spoke just before


def test_may_have_about_a_past_fact_in_reported_speech_hedges_it(nlp: Language) -> None:
    claim = claim_with(analyse(nlp, "But the audit says the mayor may have heard similar complaints weeks earlier."),
                       "may have heard")
    assert (claim.speaker, claim.hedging) == ("the audit", "medium")


def test_may_have_in_the_sources_quoted_words_is_theirs(nlp: Language) -> None:
    claims = analyse(nlp, '"We may have made mistakes," the mayor said. The mayor said the bridge could open in May.')
    assert claim_with(claims, "may have made mistakes").hedging == "low"
    assert claim_with(claims, "could open in May").hedging == "low"  # a forecast, not a hedge


@pytest.mark.parametrize("text", ["And Johnson shot back against the reports a short time later on Twitter.",
                                  "The mayor pushed back on the claims on Monday."])
def test_shooting_back_against_reports_rejects_them(nlp: Language, text: str) -> None:
    claim = analyse(nlp, text)[0]
    assert claim.speaker and (claim.polarity, claim.claim_type) == ("denied", "denial")


def test_coming_back_is_no_denial(nlp: Language) -> None:
    claims = analyse(nlp, "The mayor said he came back on Monday to answer the claims.")
    assert all(c.polarity == "asserted" for c in claims)


def test_an_embedded_post_is_its_signers_words(nlp: Language) -> None:
    text = ("And the mayor shot back against the reports a short time later on Twitter.\n\n"
            "ALL LIES — A TOTAL POLITICAL WITCH HUNT!\n\n"
            "Jane Roe (@janeroe) January 11, 2017\n\n"
            "The council met on Monday.")
    claims = analyse(nlp, text)
    post = claim_with(claims, "ALL LIES")
    assert (post.speaker, post.chain, post.hedging, post.polarity) == ("Jane Roe", ["Jane Roe"], "low", "denied")
    assert not [c for c in claims if "@janeroe" in c.text]  # the signature is no claim
    assert claim_with(claims, "council met").speaker is None


def test_the_recipient_of_told_stays_when_the_parser_hangs_the_clause_on_it(nlp: Language) -> None:
    from spacy.tokens import Doc

    from claimgraph.analyse.attribution import find_frames
    from claimgraph.analyse.cue_lexicon import load_lexicon
    from claimgraph.analyse.cue_model import load_cue_model

    parsed = nlp("Paul Brenner told Kip that the allegations were false.")
    # The misparse seen on news text: "that ... were false" as a clause of the recipient, not of "told".
    doc = Doc(nlp.vocab, words=[t.text for t in parsed], spaces=[bool(t.whitespace_) for t in parsed],
              heads=[1, 2, 2, 2, 7, 6, 7, 3, 7, 2],
              deps=["compound", "nsubj", "ROOT", "dobj", "mark", "det", "nsubj", "acl", "acomp", "punct"],
              pos=[t.pos_ for t in parsed], tags=[t.tag_ for t in parsed], lemmas=[t.lemma_ for t in parsed],
              ents=["B-PERSON", "I-PERSON"] + ["O"] * 8)
    frames = [f for f in find_frames(doc[:], load_lexicon(), load_cue_model()) if f.cue == "told"]
    assert frames and frames[0].prefix == ["Kip"] and frames[0].label == "Paul Brenner"


def test_an_opening_question_before_a_colon_quotation_stays_a_claim_of_the_author(nlp: Language) -> None:
    text = ('Asked by a reporter why, if the letter really exists, it hasn\'t been released, Holt responded: '
            '"I think the council got good value out of the mayor."')
    claims = analyse(nlp, text)
    asked = claim_with(claims, "Asked by a reporter")
    assert (asked.speaker, asked.chain, asked.hedging) == (None, [], "none")
    assert claim_with(claims, "good value").speaker == "Holt"


def test_a_setting_before_a_colon_quotation_is_no_claim(nlp: Language) -> None:
    claims = analyse(nlp, 'Reached for comment this afternoon, the spokesman said: "We will not comment on leaks."')
    assert not [c for c in claims if c.text.startswith("Reached")]


def test_the_fact_that_x_is_its_own_claim_out_of_reach_of_a_hedge(nlp: Language) -> None:
    claims = analyse(nlp, "Perhaps, though, he was just trying to get ahead of the fact that on Sunday, the mayor sat "
                          "down for his first major interview.")
    fact = claim_with(claims, "the mayor sat down")
    assert fact.text.startswith("on Sunday")
    assert (fact.speaker, fact.hedging) == (None, "none")
    assert claim_with(claims, "trying to get ahead").hedging == "medium"


def test_a_relative_clauses_report_is_not_the_claim_it_hangs_on(nlp: Language) -> None:
    text = ("On Oct. 30, 2016, the audit says, Paul Brenner, a lawyer for the mayor, received a text from a Danish "
            "businessman that said, \"Stopped flow of letters from Paris but not sure if there's anything else.\"")
    claims = analyse(nlp, text)
    main = claim_with(claims, "received a text")
    assert (main.speaker, main.chain, main.cue) == ("the audit", ["the audit"], "says")
    assert claim_with(claims, "Stopped flow").chain[-1] == "a Danish businessman"


def test_a_charge_he_denies_still_denies_the_clause_it_sums_up(nlp: Language) -> None:
    claim = claim_with(analyse(nlp, "The minister was accused of fraud, a charge he denies."), "accused of fraud")
    assert (claim.speaker, claim.polarity) == ("The minister", "denied")
