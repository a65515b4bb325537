"""Cues no reporting-verb rule reads: stance participles and predicate adjectives, cue nouns held
by a source (lists learned from PolNeAR train: train/train_cue_words.py), and learned verb cues
whose source the parse puts elsewhere (a modified noun, a preposition's verb, a controlling verb)."""

from __future__ import annotations

import pytest
from spacy.language import Language

from claimgraph.analyse import load_nlp
from claimgraph.analyse.attribution import find_frames
from claimgraph.analyse.cue_lexicon import load_lexicon
from claimgraph.analyse.cue_model import CueModel
from tests.test_attribution import analyse, claim_with


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_nlp()


def frames_of(nlp: Language, text: str, model: CueModel | None) -> list[tuple[str, str | None]]:
    lexicon = load_lexicon()
    return [(f.cue, f.label) for s in nlp(text).sents for f in find_frames(s, lexicon, model)]


EVERY_VERB = CueModel(version="test", weights={}, threshold=0.0)  # takes every verb for a cue


def test_the_learned_lists_come_from_train_and_hold_no_name() -> None:
    lexicon = load_lexicon()
    assert lexicon.cue_nouns and lexicon.cue_adjectives
    assert all(w.isalpha() and w.islower() for w in lexicon.cue_nouns | lexicon.cue_adjectives)


def test_a_predicate_adjective_of_a_source_is_a_cue(nlp: Language) -> None:
    claim = claim_with(analyse(nlp, "Local farmers were wary of the plan to build a new dam on the river."), "new dam")
    assert claim.speaker == "Local farmers" and claim.cue == "were wary of"


def test_a_stance_participle_after_be_is_a_cue(nlp: Language) -> None:
    claim = claim_with(analyse(nlp, "The two unions were pleased with the outcome of the long pay talks."), "pay talks")
    assert claim.speaker == "The two unions" and claim.cue.startswith("were pleased")


def test_an_adjective_said_of_a_thing_is_no_cue(nlp: Language) -> None:
    claim = claim_with(analyse(nlp, "It was quick to build and cheap to run for the small town."), "cheap to run")
    assert claim.attribution == "unattributed"


def test_an_adjective_with_nothing_it_is_about_is_no_cue(nlp: Language) -> None:
    claim = claim_with(analyse(nlp, "The committee members were wary, and the vote was delayed again."), "vote was delayed")
    assert claim.attribution == "unattributed"


def test_a_cue_noun_held_by_a_source_names_it(nlp: Language) -> None:
    frames = frames_of(nlp, "The senator's assertion that the budget was balanced surprised nobody.", EVERY_VERB)
    assert ("assertion", "The senator") in frames


def test_a_cue_noun_without_a_holder_is_no_frame(nlp: Language) -> None:
    frames = frames_of(nlp, "An assertion that the budget was balanced surprised nobody.", EVERY_VERB)
    assert not [f for f in frames if f[0] == "assertion"]


def test_a_participle_cue_names_the_noun_it_modifies(nlp: Language) -> None:
    frames = frames_of(nlp, "Wealthy donors gave money to a group supporting the mayor.", EVERY_VERB)
    assert ("supporting", "a group") in frames


def test_a_cue_after_a_preposition_takes_the_clause_subject(nlp: Language) -> None:
    frames = frames_of(nlp, "The senator opened the debate by saying that taxes were far too high.", None)
    assert ("saying", "The senator") in frames


def test_a_controlled_cue_takes_the_controlling_subject(nlp: Language) -> None:
    # "fight" is a cue only to this test's model; its subject is the one who vowed.
    frames = frames_of(nlp, "The governor vowed to fight the ruling in court.", EVERY_VERB)
    assert ("to fight", "The governor") in frames


def test_a_cue_after_while_takes_the_subject_of_its_verb(nlp: Language) -> None:
    frames = frames_of(nlp, "The mayor smiled while commenting on the new budget for the city.", EVERY_VERB)
    assert any(cue.startswith("commenting") and label == "The mayor" for cue, label in frames)


def test_a_participle_that_times_an_act_is_no_cue(nlp: Language) -> None:
    frames = frames_of(nlp, "The senator had seen the papers before writing a letter to the director.", EVERY_VERB)
    assert not [f for f in frames if f[0].startswith("writing")]


def test_a_person_subject_lowers_the_cue_bar_and_a_thing_does_not(nlp: Language) -> None:
    # Every verb scores 0.5 here (no weights): below the threshold, above the sourced threshold.
    model = CueModel(version="test", weights={}, threshold=0.6, sourced_threshold=0.4)
    assert any(label == "She" for _, label in frames_of(nlp, "She voted for the bill in the spring.", model))
    assert not [f for f in frames_of(nlp, "Tensions have been rising over the bill in the spring.", model) if f[0]]
    assert not [f for f in frames_of(nlp, "She tried to pass the bill in the spring.", model) if f[0] == "tried"]
    assert not frames_of(nlp, "She voted for the bill in the spring.", CueModel(version="test", weights={}, threshold=0.6))


def test_a_cue_noun_learned_at_the_lower_rate_is_a_frame(nlp: Language) -> None:
    no_verb = CueModel(version="test", weights={}, threshold=1.0)
    frames = frames_of(nlp, "Voters heard the senator's criticism of the trade deal at the rally.", no_verb)
    assert [label for cue, label in frames if cue == "criticism"] == ["the senator"]


def test_a_participle_after_a_preposition_speaks_for_the_subject_of_the_verb_it_hangs_on(nlp: Language) -> None:
    # "drew criticism for claiming ...", "left without saying ...": the preposition's verb's subject is the source.
    frames = frames_of(nlp, "The mayor drew criticism for claiming that the budget was balanced.", EVERY_VERB)
    assert ("claiming", "The mayor") in frames
    frames = frames_of(nlp, "The mayor drew criticism for claiming that the budget was balanced.", None)
    assert not [f for f in frames if f[0] == "claiming"]
