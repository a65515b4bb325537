"""Attribution that runs past its sentence, on short made-up texts: quotations opened by a participle,
paragraphs with their own frame, lists after a colon, statements issued on someone's behalf,
"he added" chains, first-person "we" in a quoted document, a denier's later negations; and a
refusal to comment, which reports nothing."""

from __future__ import annotations

from dataclasses import replace

import pytest
from spacy.language import Language

from claimgraph.analyse import load_nlp
from claimgraph.analyse.hedging import deny_negated_statements
from claimgraph.models import Claim

from test_attribution import analyse, claim_with


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_nlp()


def test_quotation_after_a_participle_and_a_comma_runs_over_sentences(nlp: Language) -> None:
    text = 'The mayor left the hall early, saying at a rally in March, "It is bogus stuff. It never happened."'
    claims = analyse(nlp, text)
    for words in ("bogus stuff", "never happened"):
        claim = claim_with(claims, words)
        assert claim.speaker == "The mayor" and claim.polarity == "denied"
        assert claim.cue is not None and claim.cue.startswith("saying")


def test_a_paragraph_whose_quotation_names_its_own_source_does_not_continue_the_last_speaker(nlp: Language) -> None:
    text = ('"The budget is fine," the council spokesman said.\n\n'
            '"We assess the council hid the money. The goals were to protect the mayor," the audit reads.')
    claims = analyse(nlp, text)
    for words in ("hid the money", "protect the mayor"):
        claim = claim_with(claims, words)
        assert claim.speaker == "the audit" and claim.chain == ["the audit"], claim


def test_a_document_goes_on_to_say(nlp: Language) -> None:
    text = ('The audit found that the goals were to protect the mayor. '
            'The mayor knew of the fund, it goes on to say.')
    claim = claim_with(analyse(nlp, text), "mayor knew")
    assert claim.speaker is not None and claim.speaker.lower() == "the audit"
    assert claim.cue == "goes on to say"  # the source ("it") is no part of the cue (PolNeAR)


def test_list_items_after_a_colon_frame_are_the_frames_source(nlp: Language) -> None:
    text = ("The scheme included, according to the audit:\n•Payments to shell firms through foreign banks.\n"
            "•Hiding invoices from the auditors.\n\nThe mayor resigned in May.")
    claims = analyse(nlp, text)
    for words in ("shell firms", "Hiding invoices"):
        claim = claim_with(claims, words)
        assert (claim.speaker, claim.chain, claim.attribution) == ("the audit", ["the audit"], "implicit_context")
    assert claim_with(claims, "resigned in May").speaker is None


def test_what_follows_a_statement_issued_on_someones_behalf_is_the_statements(nlp: Language) -> None:
    text = ("A spokesperson for the senator issued a statement on his behalf. The senator never met the lobbyist.\n\n"
            "He has no ties to the firm.")
    claims = analyse(nlp, text)
    for words in ("never met the lobbyist", "no ties to the firm"):
        claim = claim_with(claims, words)
        assert claim.speaker == "A spokesperson for the senator" and claim.attribution == "implicit_context"


def test_he_added_restates_the_quoted_speaker(nlp: Language) -> None:
    claims = analyse(nlp, '"The deal was legal," Smith said. "We followed every rule," he added.')
    claim = claim_with(claims, "followed every rule")
    assert claim.speaker == "Smith" and claim.chain == ["Smith"]


def test_a_characterisation_closed_by_a_frame_with_a_participle_is_a_denial(nlp: Language) -> None:
    claim = claim_with(analyse(nlp, '"This is called fairy tales," the council spokesman said, describing the audit.'),
                       "fairy tales")
    assert claim.polarity == "denied" and claim.speaker == "the council spokesman"
    assert "describing" not in claim.text  # the frame is cut from the claim


def test_a_title_of_capitalised_words_stays_with_the_name(nlp: Language) -> None:
    claim = claim_with(analyse(nlp, 'City Hall Press Secretary Jane Miller said, "We continue to object."'), "object")
    assert claim.chain == ["City Hall Press Secretary Jane Miller"]


def _claim(number: int, speaker: str, text: str, polarity: str = "asserted") -> Claim:
    return Claim(id=f"t:c{number:03d}", sentence_index=number, start=0, end=len(text), sentence_start=0,
                 sentence_end=len(text), text=text, content=text, speaker=speaker, chain=[speaker], cue="said",
                 attribution="explicit", hedging="low", polarity=polarity)


def test_a_denier_goes_on_denying_in_negated_statements() -> None:
    claims = deny_negated_statements([
        _claim(0, "the spokesman", "The reports are nonsense", "denied"),
        _claim(1, "the spokesman", "the council did not have any secret accounts"),
        _claim(2, "the auditor", "the council did not file the forms"),
        _claim(3, "the spokesman", "the council keeps its books in order"),
        replace(_claim(4, "the spokesman", "the council did not charge anyone"), cue="did not charge"),
    ])
    assert [c.polarity for c in claims] == ["denied", "denied", "asserted", "asserted", "asserted"]


def test_a_refusal_to_comment_reports_nothing(nlp: Language) -> None:
    claim = claim_with(analyse(nlp, "Officials did not comment on or confirm any meetings between the bankers."),
                       "meetings")
    assert claim.speaker is None and claim.hedging == "none"


def test_a_document_noun_the_parser_joined_to_its_verb_still_speaks(nlp: Language) -> None:
    text = "The dossier details about a dozen conversations between senior officials and other bankers that were intercepted."
    claim = claim_with(analyse(nlp, text), "intercepted")
    assert claim.speaker == "The dossier" and claim.hedging == "low"


def test_not_saying_whether_is_no_denial_and_a_denial_keeps_to_its_clause(nlp: Language) -> None:
    claims = analyse(nlp, "The report does not say whether the meeting produced an agreement. "
                          "The lawyer has denied ever visiting the city, and his passport shows no such trip.")
    assert claim_with(claims, "produced an agreement").polarity == "asserted"
    assert claim_with(claims, "visiting the city").polarity == "denied"
    assert claim_with(claims, "passport shows").polarity == "asserted"


def test_a_contrasting_clause_names_its_own_source_a_temporal_one_does_not(nlp) -> None:
    """'..., while the decree states ...' speaks for itself; '..., after he was dismissed by the
    president' is part of what the first source says (a passive with a person for its subject)."""
    contrast = analyse(nlp, "The order says the port must close at once, while the decree states that it may stay open.")
    assert claim_with(contrast, "may stay open").speaker == "the decree"
    temporal = analyse(nlp, "On payments, the minister's associate said that the operatives had been paid by the firm, "
                            "though their loyalty lay with the minister and his successor after he was dismissed by "
                            "president Vlasov in August.")
    assert all(claim.speaker == "the minister's associate" for claim in temporal if "dismissed" in claim.text), \
        [(c.text, c.speaker) for c in temporal]
