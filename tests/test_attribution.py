"""Attribution behaviour on short made-up texts: sources, chains, cues, hedging, denials, carry-over."""

from __future__ import annotations

import pytest
from spacy.language import Language

from claimgraph.analyse import STEP, analyse_document, load_nlp
from claimgraph.models import Claim, Document, Zone


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_nlp()


def analyse(nlp: Language, text: str, *, outlet: str | None = None, zone: str | None = None) -> list[Claim]:
    zones = [Zone(start=0, end=len(text), kind=zone)] if zone else []
    document = Document(id="t", content_hash="h", origin="test", version=1, media_type="text/plain",
                        text=text, outlet=outlet, published="2021-07-15", zones=zones)
    return analyse_document(document, nlp=nlp).claims


def claim_with(claims: list[Claim], words: str) -> Claim:
    found = [c for c in claims if words in c.text]
    assert found, f"no claim contains {words!r}: {[c.text for c in claims]}"
    return found[0]


def test_indirect_speech_names_the_speaker(nlp: Language) -> None:
    claims = analyse(nlp, "The senior official said that the operation had been moved to the FSB.")
    claim = claim_with(claims, "operation had been moved")
    assert claim.speaker == "The senior official"
    assert claim.chain == ["The senior official"]
    assert (claim.attribution, claim.hedging, claim.cue) == ("explicit", "low", "said")
    assert claim.quote == "indirect"
    assert claim.content.startswith("The operation had been moved")


def test_trailing_reporting_clause_is_cut_from_the_span(nlp: Language) -> None:
    text = "During the meeting, it was agreed that the plan would help Moscow, The Guardian reports."
    claim = claim_with(analyse(nlp, text), "plan would help")
    assert "reports" not in claim.text
    assert claim.chain == ["The Guardian"] and claim.hedging == "low"


def test_according_to_frame(nlp: Language) -> None:
    text = "The minister approved the budget in March, according to the documents."
    claim = claim_with(analyse(nlp, text), "approved the budget")
    assert claim.chain == ["the documents"] and claim.cue == "according to"
    assert "according" not in claim.text


def test_reportedly_is_an_unnamed_source_and_a_hedge(nlp: Language) -> None:
    claim = claim_with(analyse(nlp, "The president was reportedly furious about the leak."), "furious")
    assert claim.chain == ['(unnamed reports: "reportedly")']
    assert claim.speaker is None and claim.hedging == "medium"


def test_two_hedges_make_high(nlp: Language) -> None:
    text = "Putin reportedly authorised the plan, according to what are assessed to be leaked Kremlin documents."
    claim = claim_with(analyse(nlp, text), "authorised the plan")
    assert claim.hedging == "high"
    assert claim.speaker == "leaked Kremlin documents"


@pytest.mark.parametrize("cue", ["is said to", "are understood to"])
def test_hedged_passives(nlp: Language, cue: str) -> None:
    subject = "The minister" if cue.startswith("is") else "Western agencies"
    claim = claim_with(analyse(nlp, f"{subject} {cue} have seen the report."), "seen the report")
    assert claim.cue == cue and claim.hedging == "medium"
    assert claim.chain == [f'(unspecified: "{cue}")'] and claim.speaker is None


def test_witness_of_documents_comes_first_in_the_chain(nlp: Language) -> None:
    text = "The documents, seen by The Guardian, appear to show that Putin approved the operation."
    claims = analyse(nlp, text)
    claim = claim_with(claims, "Putin approved")
    assert claim.chain == ["The Guardian", "The documents"]
    assert claim.hedging == "medium" and claim.cue == "appear to show"
    assert claim.text.startswith("The documents, seen by The Guardian,")  # a short apposed clause stays (seeds 001-C02)
    meta = next(c for c in claims if c.text.startswith("seen by The Guardian"))
    assert meta is not claim and meta.speaker is None


def test_nested_chain_through_a_recipient(nlp: Language) -> None:
    text = "Andrew Wood told The Guardian that the documents show Putin approved the plan."
    claim = claim_with(analyse(nlp, text), "Putin approved")
    assert claim.chain == ["The Guardian", "Andrew Wood", "the documents"]
    assert claim.speaker == "the documents"


def test_documents_own_outlet_is_not_a_chain_link(nlp: Language) -> None:
    claim = claim_with(analyse(nlp, "The plan failed, The Guardian reports.", outlet="The Guardian"), "plan failed")
    assert claim.chain == []


@pytest.mark.parametrize("text, words", [
    ("The Russians have denied these allegations, however.", "denied these allegations"),
    ("Putin has repeatedly denied accusations that he interferes in western democracies.", "repeatedly denied"),
    ("Peskov branded the idea of Russian leaders agreeing to support Trump as 'pulp fiction'.", "pulp fiction"),
    ("Dmitri Peskov told The Guardian that the idea that Russian leaders had met was “a great pulp fiction”.",
     "pulp fiction"),
])
def test_denials(nlp: Language, text: str, words: str) -> None:
    claim = claim_with(analyse(nlp, text), words)
    assert claim.polarity == "denied" and claim.claim_type == "denial"
    assert claim.hedging == "low"


def test_ordinary_report_is_not_a_denial(nlp: Language) -> None:
    claim = claim_with(analyse(nlp, "The spokesman said that the meeting took place."), "meeting took place")
    assert claim.polarity == "asserted"


def test_direct_quote_after_colon_carries_into_next_paragraph(nlp: Language) -> None:
    text = ('Andrew Wood is a former ambassador.\n\nHe told The Guardian: “They reflect the sort of '
            'discussion you would expect. There is a complete misunderstanding of the US.\n\n'
            '"They are written for a person who can’t believe he got anything wrong.”\n\n'
            'The meeting ended in March.')
    claims = analyse(nlp, text)
    first = claim_with(claims, "They reflect")
    assert "told" not in first.text and first.quote == "direct"
    for words in ("complete misunderstanding", "They are written"):
        claim = claim_with(claims, words)
        assert claim.speaker == first.speaker
        assert claim.chain == first.chain and claim.chain[0] == "The Guardian"
        assert claim.quote == "direct" and claim.attribution == "explicit"
    assert claim_with(claims, "meeting ended").speaker is None


def test_it_adds_resolves_to_the_paper(nlp: Language) -> None:
    text = ("The paper says: \"It is necessary to use all possible force.\"\n\n"
            "It adds that a Trump victory would help Russia.")
    claims = analyse(nlp, text)
    quoted = claim_with(claims, "necessary to use")
    assert quoted.speaker == "The paper" and quoted.quote == "direct"
    added = claim_with(claims, "Trump victory")
    assert added.speaker == "The paper" and added.chain == ["The paper"] and added.cue == "adds"


def test_memo_paragraph_carries_the_source(nlp: Language) -> None:
    text = ("Speaking separately in confidence to a trusted compatriot in early October 2016, a senior Russian "
            "leadership figure and a Foreign Ministry official reported on recent developments. The senior leadership figure said that buyer's remorse was setting in. "
            "PUTIN and his colleagues were surprised and disappointed.\n\n"
            "The weather was mild in Moscow.")
    claims = analyse(nlp, text, zone="detail")
    said = claim_with(claims, "remorse")
    assert said.speaker == "a senior Russian leadership figure"
    assert said.chain == ["a trusted compatriot", "The senior leadership figure"]
    carried = claim_with(claims, "surprised and disappointed")
    assert carried.speaker == said.speaker and carried.attribution == "implicit_context"
    assert carried.chain == [] and carried.hedging == "low"
    assert claim_with(claims, "weather was mild").speaker is None


def test_news_paragraph_carries_only_backshifted_speech(nlp: Language) -> None:
    text = ("It is reported that Moscow believes there were benefits from a Trump win.\n\n"
            "Putin would be able to dominate any bilateral talks.\n\n"
            "The President understands that the review matters. He has directed lawyers to assess it.")
    claims = analyse(nlp, text)
    carried = claim_with(claims, "dominate")
    assert carried.speaker == "Moscow" and carried.attribution == "implicit_context" and carried.hedging == "medium"
    assert claim_with(claims, "directed lawyers").speaker is None


def test_quote_closed_by_the_next_sentence(nlp: Language) -> None:
    text = '"This is absolutely fake information. The Kremlin does not gather such material," Peskov said.'
    claims = analyse(nlp, text)
    first = claim_with(claims, "fake information")
    assert first.speaker.endswith("Peskov") and first.quote == "direct" and first.polarity == "denied"
    assert claim_with(claims, "does not gather").speaker == first.speaker


def test_s_he_resolves_to_the_anonymous_source(nlp: Language) -> None:
    text = ("The Foreign Ministry official said that the operation was failing. "
            "However s/he understood that the best material was already out.")
    claim = claim_with(analyse(nlp, text), "best material")
    assert claim.speaker == "The Foreign Ministry official"
    assert claim.hedging == "medium" and claim.cue == "understood"


def test_described_as_is_a_claim_about_the_object(nlp: Language) -> None:
    text = "A psychological assessment described him as an impulsive and unstable individual, according to the papers."
    claim = claim_with(analyse(nlp, text), "described him")
    assert claim.chain == ["the papers", "A psychological assessment"]
    assert claim.content.startswith("Him is an impulsive") or "impulsive" in claim.content
    assert claim.claim_type == "evaluative"


def test_author_voice_claim(nlp: Language) -> None:
    claim = claim_with(analyse(nlp, "Putin, his spy chiefs and senior ministers were all present at the meeting."),
                       "present at the meeting")
    assert (claim.speaker, claim.chain, claim.attribution, claim.hedging, claim.quote) == (
        None, [], "unattributed", "none", "none")
    assert claim.step == STEP and claim.model.startswith("spacy:")


def test_headline_trailing_cue(nlp: Language) -> None:
    text = "Putin 'Ordered' Campaign to Influence US Presidential Election, Intelligence Community Says"
    zones = [Zone(start=0, end=len(text), kind="headline")]
    document = Document(id="t", content_hash="h", origin="test", version=1, media_type="text/plain", text=text,
                        zones=zones)
    (claim,) = analyse_document(document, nlp=nlp).claims
    assert claim.speaker == "Intelligence Community" and "Says" not in claim.text


def test_opinion_frame_and_relative_source(nlp: Language) -> None:
    claims = analyse(nlp, "In Peskov’s opinion, such publications are an attempt to harm relations.\n\n"
                          "It cited unnamed sources who claimed there was a conspiracy.")
    assert claim_with(claims, "attempt to harm").speaker.endswith("Peskov")
    claimed = claim_with(claims, "there was a conspiracy")
    assert claimed.speaker == "unnamed sources" and claimed.hedging == "medium"


def test_participle_holding_the_subject(nlp: Language) -> None:
    text = ("Speaking to ABC News, former British intelligence agent Christopher Steele said that he "
            "stands by the work.")
    claim = claim_with(analyse(nlp, text), "stands by the work")
    assert claim.speaker.endswith("Steele") and claim.chain[0] == "ABC News"


def test_questions_put_nothing_forward(nlp: Language) -> None:
    assert analyse(nlp, "What was the Steele dossier?") == []


def test_speaking_intro_makes_any_verb_a_report(nlp: Language) -> None:
    text = ("Speaking in confidence to a close colleague in early August 2016, a Kremlin official assessed "
            "the impact of the operation. The official said that the e-mails had been leaked deliberately.")
    claims = analyse(nlp, text, zone="detail")
    assessed = claim_with(claims, "assessed the impact")
    assert assessed.chain == ["a close colleague", "a Kremlin official"]
    meta = claim_with(claims, "Speaking in confidence")
    assert meta.speaker is None and meta.claim_type == "meta"


def test_inner_pronoun_is_the_outer_speaker(nlp: Language) -> None:
    claim = claim_with(analyse(nlp, "Steele told ABC News he believes the tape probably exists."), "tape probably")
    assert claim.speaker.endswith("Steele")
    assert claim.chain[:2] == ["ABC News", "Steele"]


@pytest.mark.parametrize("text, words, content", [
    ("Putin has repeatedly denied accusations that he interferes in western democracies.", "denied",
     "He interferes in western democracies"),
    ("Peskov branded the idea of Russian leaders agreeing to support Trump as 'pulp fiction'.", "branded",
     "Russian leaders agreeing to support Trump"),
    ("A psychological assessment described him as an unstable individual.", "described", "He is an unstable individual"),
    ("The official said that the operation had been moved to the FSB.", "said",
     "The operation had been moved to the FSB"),
])
def test_content_is_the_proposition(nlp: Language, text: str, words: str, content: str) -> None:
    assert claim_with(analyse(nlp, text), words).content == content


def test_according_to_documents_seen_by_an_outlet(nlp: Language) -> None:
    text = "Putin approved the plan in January, according to documents seen by The Guardian."
    claim = claim_with(analyse(nlp, text), "approved the plan")
    assert claim.chain == ["The Guardian", "documents"] and "according" not in claim.text


def test_quote_closed_by_trailing_frame_continues(nlp: Language) -> None:
    text = ('"We have no information about this," a spokesman for the Kremlin told reporters. '
            '"It is nonsense."')
    claims = analyse(nlp, text)
    first = claim_with(claims, "no information")
    assert first.text == "We have no information about this" and first.quote == "direct"
    assert first.chain == ["a spokesman for the Kremlin"]
    second = claim_with(claims, "nonsense")
    assert second.speaker == first.speaker and second.polarity == "denied"


def test_hedge_in_a_relative_clause_stays_there(nlp: Language) -> None:
    text = "Sources close to the investigation said the FBI had interviewed Steele, who reportedly stood by his work."
    claims = analyse(nlp, text)
    assert claim_with(claims, "interviewed Steele").hedging == "low"
    assert claim_with(claims, "stood by his work").hedging == "medium"


def test_own_outlet_reporting_is_author_voice(nlp: Language) -> None:
    text = "Trump and Obama were briefed on the dossier last week, CNN first reported."
    claim = claim_with(analyse(nlp, text, outlet="CNN"), "were briefed")
    assert (claim.speaker, claim.chain, claim.attribution, claim.hedging) == (None, [], "unattributed", "none")
    assert "CNN" not in claim.text


def test_colon_quote_from_a_participle(nlp: Language) -> None:
    text = ('Trump dismissed the entire dossier last month, saying in January: "It\'s all fake news. '
            'It\'s phony stuff. It didn\'t happen."')
    claims = analyse(nlp, text)
    for words in ("all fake news", "phony stuff", "didn't happen"):
        assert claim_with(claims, words).speaker.endswith("Trump")


def test_predicate_after_a_dash_parenthetical_stays_with_its_noun(nlp: Language) -> None:
    # spaCy hangs "was false" on the first clause's verb; it predicates "one central claim".
    claims = analyse(nlp, "No corroborating evidence has emerged in later years to support many of the claims in the "
                          "report, and federal investigators determined that one key allegation — that Mr. Smith's "
                          "lawyer, John Doe, had met with foreign agents in Vienna during the campaign — was false.")
    vienna = claim_with(claims, "Vienna")
    assert (vienna.speaker, vienna.cue, vienna.polarity) == ("federal investigators", "determined", "denied")
    assert "false" not in vienna.content
    assert not any(c.content.endswith("was false") for c in claims), [c.content for c in claims]


def test_a_person_named_again_is_the_antecedent_of_the_next_pronoun(nlp: Language) -> None:
    claims = analyse(nlp, "Anna Petrova said the talks had failed. Boris Ivanov said they were useful. "
                          "While Petrova acknowledged that no deal was signed, she argued that progress was made.")
    assert claim_with(claims, "progress").speaker == "Anna Petrova"


def test_who_spoke_to_whom_when_is_a_meta_claim(nlp: Language) -> None:
    claims = analyse(nlp, "Speaking to a trusted compatriot in June 2016, a senior Russian official reported that "
                          "the operation had been moved to the presidential administration.")
    setting = claim_with(claims, "Speaking")
    assert setting.claim_type == "meta"
    assert claim_with(claims, "presidential administration").claim_type != "meta"
    asked = analyse(nlp, "Asked to explain why the Kremlin had launched such an aggressive operation, the official "
                         "said that Russia needed to upset the status quo.")
    assert all(c.claim_type != "meta" for c in asked), [(c.text, c.claim_type) for c in asked]


# ---------------------------------------------------------------- issue 14: attribution that generalises


def test_quotation_over_several_sentences_takes_its_closing_frame(nlp: Language) -> None:
    text = '"The deal is dead. Nobody wants it. We will vote no," the senator said on Monday.'
    claims = analyse(nlp, text)
    for words in ("deal is dead", "Nobody wants it", "We will vote no"):
        claim = claim_with(claims, words)
        assert "the senator" in claim.chain and claim.attribution == "explicit", words


def test_quotation_continues_in_the_next_quoted_sentences(nlp: Language) -> None:
    text = "''Our numbers are strong,'' Mr. Hale said. ''I'm a little surprised. But the message works.''"
    claims = analyse(nlp, text)
    for words in ("numbers are strong", "little surprised", "message works"):
        assert claim_with(claims, words).speaker is not None, words


def test_trailing_he_said_after_a_comma(nlp: Language) -> None:
    text = "The mayor spoke first. Those who take on heavy debt struggle, even with a good job, she said."
    claim = claim_with(analyse(nlp, text), "heavy debt struggle")
    assert claim.attribution == "explicit" and claim.cue == "said"  # the source is no part of the cue (PolNeAR)


def test_he_continued_closes_a_quotation(nlp: Language) -> None:
    claims = analyse(nlp, 'The governor spoke. "Let me put it this way," he continued. "The plan will fail."')
    assert claim_with(claims, "plan will fail").attribution == "explicit"


def test_document_as_speaker_it_says(nlp: Language) -> None:
    text = "The department released a report on Monday. The agency failed to track the weapons, it says."
    claim = claim_with(analyse(nlp, text), "failed to track")
    assert claim.speaker == "a report"


def test_internal_states_and_intentions_are_attributed(nlp: Language) -> None:
    claims = analyse(nlp, "The governor wants a new bridge. Officials fear the deal will collapse.")
    assert claim_with(claims, "new bridge").speaker == "The governor"
    assert claim_with(claims, "deal will collapse").speaker == "Officials"


def test_first_person_states_inside_quotes_are_no_new_source(nlp: Language) -> None:
    claims = analyse(nlp, '"I want a fair vote," the senator said.')
    assert claim_with(claims, "fair vote").speaker == "the senator"


@pytest.mark.parametrize("text, words", [
    ("Critics accused the mayor of taking bribes. The mayor called the allegations a lie.", "allegations a lie"),
    ("The allegations have been denied by the company.", "denied by the company"),
    ("The governor joined the mayor in rejecting the claims that the plant leaked.", "plant leaked"),
])
def test_denials_by_characterisation_passive_and_joining(nlp: Language, text: str, words: str) -> None:
    claim = claim_with(analyse(nlp, text), words)
    assert claim.polarity == "denied" and claim.speaker is not None


def test_outsider_saying_evidence_is_lacking_is_no_denial(nlp: Language) -> None:
    text = "The senator accused the company of fraud. An independent auditor said there was no evidence of fraud."
    assert claim_with(analyse(nlp, text), "no evidence").polarity == "asserted"


def test_headline_name_and_colon_is_a_source(nlp: Language) -> None:
    claims = analyse(nlp, "Senator Lopez: The new tax plan will hurt small farms.\n\nThe bill goes to a vote on Friday.")
    claim = claim_with(claims, "hurt small farms")
    assert "Lopez" in (claim.speaker or "") and claim.cue == ":"
    assert not claim.text.startswith("Senator")
    assert claim_with(claims, "goes to a vote").attribution == "unattributed"


def test_a_rubric_and_colon_is_no_source(nlp: Language) -> None:
    claim = claim_with(analyse(nlp, "Exclusive: The new tax plan will hurt small farms."), "hurt small farms")
    assert claim.attribution == "unattributed"


def test_a_quoted_question_is_what_its_speaker_asked(nlp: Language) -> None:
    claims = analyse(nlp, 'The senator spoke for an hour. "Why do the richest firms pay less tax than nurses?" she asked.')
    claim = claim_with(claims, "richest firms pay less")
    assert claim.attribution == "explicit" and claim.speaker is not None


def test_the_authors_own_question_puts_nothing_forward(nlp: Language) -> None:
    claims = analyse(nlp, "Why do the richest firms pay less tax than nurses? Nobody knows.")
    assert not [c for c in claims if "richest firms" in c.text]


# The learned cue (analyse/cue_model.py, data/cue_model.json): stance and communication verbs no rule lists.

def test_the_cue_model_attributes_a_stance_verb_no_rule_lists(nlp: Language) -> None:
    claim = claim_with(analyse(nlp, "The senator retweeted a claim that the vote had been rigged."), "vote had been rigged")
    assert claim.speaker == "The senator" and claim.cue == "retweeted"


def test_a_rule_frame_wins_over_the_cue_model(nlp: Language, monkeypatch: pytest.MonkeyPatch) -> None:
    from claimgraph.analyse import pipeline
    from claimgraph.analyse.cue_model import CueModel

    # A model that takes every verb for a cue: the rule's "according to" must still name the source.
    monkeypatch.setattr(pipeline, "load_cue_model", lambda: CueModel(version="test", weights={}, threshold=0.0))
    text = "The minister pushed for lower taxes on farms, according to the report."
    assert claim_with(analyse(nlp, text), "lower taxes").speaker == "the report"


def test_a_recommendation_of_what_to_do_is_no_attribution(nlp: Language) -> None:
    text = "The expert panel recommended that the city close the old port."
    assert claim_with(analyse(nlp, text), "close the old port").attribution == "unattributed"


def test_memo_zones_keep_their_paragraph_source(nlp: Language) -> None:
    text = "Leadership disappointed that the leaks have had little impact on the campaign."
    assert claim_with(analyse(nlp, text, zone="summary"), "little impact").speaker is None


def test_no_name_is_a_feature_of_the_cue_model(nlp: Language) -> None:
    from claimgraph.analyse.cue_model import cue_features

    doc = nlp("Senator Warrick told Governor Alvarez that Ohio retweeted the claims of Reuters.")
    words = {"warrick", "alvarez", "ohio", "reuters", "senator", "governor"}
    features = [f for t in doc if t.pos_ == "VERB" for f in cue_features(t)]
    assert features and not [f for f in features if any(w in f.lower() for w in words)]


def test_a_bare_participle_setting_the_scene_is_no_cue(nlp: Language) -> None:
    text = "Asked to explain why the council had approved such an expensive plan, the mayor said it was needed."
    assert claim_with(analyse(nlp, text), "approved such an expensive plan").attribution == "unattributed"


def test_a_speakers_own_no_and_quoted_characterisations_are_denials() -> None:
    from claimgraph.analyse.cue_lexicon import load_lexicon
    from claimgraph.analyse.hedging import is_denied

    lexicon = load_lexicon()
    assert is_denied("No, the ministry has no such materials", [], lexicon, attributed=True)
    assert is_denied("It didn't happen.", [], lexicon, attributed=True)
    assert is_denied("We did not interfere in anyone's elections", [], lexicon, attributed=True)
    assert not is_denied("It is not clear whether the papers are genuine", [], lexicon, attributed=True)
    assert not is_denied("It didn't happen.", [], lexicon, attributed=False)  # the author's own voice
    # A characterisation inside quotation marks is a denial even where no speaker was found.
    assert is_denied("It's all fake news.", [], lexicon, attributed=False, quoted=True)
    assert not is_denied("It's all fake news.", [], lexicon, attributed=False, quoted=False)


def test_he_in_a_relative_clause_is_the_subject_of_the_clause_it_hangs_on(nlp: Language) -> None:
    text = ("Earlier this month, Mark Dalton announced to a room of donors that he had never been to the city.\n\n"
            "On Sunday, the author of the infamous secret memo sat down for his first major interview, during which "
            "he told Sarah Kemp that he does believe there is a recording of the meeting.")
    claim = claim_with(analyse(nlp, text, outlet="Monthly Review"), "there is a recording")
    assert claim.speaker == "the author of the infamous secret memo"
    assert "Mark Dalton" not in claim.chain
