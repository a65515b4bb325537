"""Generic classes of attribution errors on news text, on short made-up texts: continuations
(block quotations, a quotation split by "he added", a pronoun whose person was never a source),
documents as speakers, denials (characterisation, headline, "a charge he denies"), hedging
("according to unverified reports", "appears to"), and what is no attribution at all."""

from __future__ import annotations

import pytest
from spacy.language import Language

from claimgraph.analyse import load_nlp

from test_attribution import analyse, claim_with


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_nlp()


# Continuations


def test_a_statement_after_a_colon_closing_its_paragraph_is_the_next_paragraph(nlp: Language) -> None:
    text = ("In a statement, the bakery said:\n\n"
            "We have always paid our suppliers. We will cooperate fully with the inquiry.\n\n"
            "Flour prices rose by a tenth in March.")
    claims = analyse(nlp, text)
    for words in ("paid our suppliers", "cooperate fully"):
        claim = claim_with(claims, words)
        assert (claim.speaker, claim.hedging) == ("the bakery", "low"), claim
    assert claim_with(claims, "Flour prices").speaker is None


def test_a_quotation_split_by_he_added_keeps_its_first_half(nlp: Language) -> None:
    text = ('"The bridge is on schedule," the engineer said. '
            '"The first trams will cross next year," he added, "and the tunnel will open by 2030."')
    claims = analyse(nlp, text)
    for words in ("first trams will cross", "tunnel will open"):
        assert claim_with(claims, words).speaker == "the engineer"


def test_he_said_refers_to_the_person_last_named_as_a_subject(nlp: Language) -> None:
    text = ('The chairman of the board gave a long interview. "We found nothing wrong," he said. '
            '"The accounts were in order."')
    claims = analyse(nlp, text)
    for words in ("found nothing wrong", "accounts were in order"):
        assert claim_with(claims, words).speaker == "The chairman of the board"


def test_a_subject_inside_reported_words_is_not_the_next_he(nlp: Language) -> None:
    text = ("The mayor's spokesman said the mayor would not resign. The mayor, he said, had broken no law. "
            "He added that the council had approved every contract.")
    claims = analyse(nlp, text)
    for words in ("broken no law", "approved every contract"):
        assert claim_with(claims, words).speaker == "The mayor's spokesman"


# Documents as speakers


def test_it_says_is_the_writing_not_the_body_that_published_it(nlp: Language) -> None:
    text = "The agency published its annual review on Monday. Spending rose by a third, it says."
    claims = analyse(nlp, text)
    assert claim_with(claims, "Spending rose").speaker == "its annual review"
    assert claim_with(claims, "published its annual review").speaker is None


def test_it_says_is_the_newest_writing_issued_not_the_one_before(nlp: Language) -> None:
    text = "The report says the mayor lied. The judge then issued an order. It says the mayor must resign."
    claims = analyse(nlp, text)
    assert claim_with(claims, "mayor lied").speaker == "The report"
    assert claim_with(claims, "must resign").speaker == "an order"


def test_a_writing_mentioned_inside_reported_words_does_not_take_over(nlp: Language) -> None:
    text = "The order says grain exports are banned. It also says the report was wrong. It adds that the port must close."
    assert claim_with(analyse(nlp, text), "port must close").speaker == "The order"


# Denials


def test_calling_something_quoted_fiction_denies_it(nlp: Language) -> None:
    claim = claim_with(analyse(nlp, 'The actor called the story about his arrest "complete fiction".'), "arrest")
    assert (claim.speaker, claim.polarity) == ("The actor", "denied")


def test_a_headline_reports_a_denial_the_parser_misread(nlp: Language) -> None:
    claim = claim_with(analyse(nlp, "Senator rejects claims she hid donations\n"), "hid donations")
    assert (claim.speaker, claim.polarity, claim.hedging) == ("Senator", "denied", "low")


def test_a_charge_he_denies_denies_the_clause_it_sums_up(nlp: Language) -> None:
    claim = claim_with(analyse(nlp, "The minister has been accused of taking bribes, a charge he denies."), "bribes")
    assert (claim.speaker, claim.polarity) == ("The minister", "denied")


def test_a_negated_forecast_is_no_denial(nlp: Language) -> None:
    claims = analyse(nlp, "The senator told reporters the bill was dead. "
                          "It would not come to a vote this year, she said, because the votes were not there.")
    assert claim_with(claims, "come to a vote").polarity == "asserted"
    assert claim_with(claims, "votes were not there").polarity == "asserted"


# Hedging


def test_according_to_unverified_reports_hedges(nlp: Language) -> None:
    claim = claim_with(analyse(nlp, "According to unverified reports, the deal collapsed in May."), "deal collapsed")
    assert claim.hedging == "medium"


def test_appears_to_is_the_authors_hedge_not_its_subject_speaking(nlp: Language) -> None:
    claim = claim_with(analyse(nlp, "The bank appears to have moved the funds offshore."), "funds offshore")
    assert (claim.speaker, claim.hedging) == (None, "medium")


# No attribution


def test_a_request_is_no_report(nlp: Language) -> None:
    claim = claim_with(analyse(nlp, "According to the aide, the mayor asked for cash."), "asked for cash")
    assert (claim.speaker, claim.chain) == ("the aide", ["the aide"])


def test_nobody_is_no_source(nlp: Language) -> None:
    claim = claim_with(analyse(nlp, '"We were shocked," said the neighbour. "Nobody expected this."'), "Nobody expected")
    assert claim.chain == ["the neighbour"]


def test_she_is_not_the_man_who_spoke_last(nlp: Language) -> None:
    text = ("The committee chairwoman opened the hearing. Mr. Ortiz said the plan was costly. "
            '"It will fail," she said.')
    claims = analyse(nlp, text)
    assert "Ortiz" in str(claim_with(claims, "plan was costly").speaker)
    assert claim_with(claims, "It will fail").speaker == "The committee chairwoman"


def test_the_text_tells_a_persons_gender_by_its_pronouns(nlp: Language) -> None:
    text = ("Maria Reyes said her budget was balanced. Carlos Ortiz said his plan was costly. "
            '"It will fail," she told reporters.')
    assert claim_with(analyse(nlp, text), "It will fail").speaker == "Maria Reyes"


def test_the_authors_conditional_or_possibility_hedges(nlp: Language) -> None:
    for text, words in (("If true, the recordings would give the agency leverage over the mayor.", "leverage"),
                        ("It is possible that the recordings were destroyed.", "destroyed")):
        claim = claim_with(analyse(nlp, text), words)
        assert (claim.speaker, claim.hedging) == (None, "medium"), claim


def test_a_source_that_suspects_hedges_like_one_that_believes(nlp: Language) -> None:
    claim = claim_with(analyse(nlp, "Officials suspect that the hackers worked for the ministry."), "hackers")
    assert (claim.speaker, claim.hedging) == ("Officials", "medium")


def test_saying_none_of_it_was_true_denies_it(nlp: Language) -> None:
    claims = analyse(nlp, 'The campaign called the file "garbage" and said none of it was true. '
                          "The mayor said the figures were not accurate.")
    assert claim_with(claims, "none of it was true").polarity == "denied"
    assert claim_with(claims, "figures were not accurate").polarity == "denied"
