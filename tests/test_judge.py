"""The structural relation judge: dates, polarity, negation, antonyms, and the NLI hook."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from claimgraph.link.embed import HashingEmbedder, ModelMissing
from claimgraph.link.judge import ClaimView, NliJudge, StructuralJudge, Vocabulary, dates_in, load_lexicon
from claimgraph.models import TimeExpression

EMBEDDER = HashingEmbedder()


def view(claim_id: str, content: str, *, document: str = "d1", sentence: int = 0, **kwargs) -> ClaimView:
    return ClaimView(id=claim_id, document_id=document, content=content, sentence_index=sentence,
                     vector=EMBEDDER.embed([content])[0], **kwargs)


@pytest.fixture
def judge() -> StructuralJudge:
    return StructuralJudge(vocabulary=Vocabulary())


def test_month_mismatch_for_the_same_event_contradicts(judge: StructuralJudge) -> None:
    a = view("a", "The closed session of the security council took place in January 2016.")
    b = view("b", "The closed session of the security council took place in October 2016.", document="d2")
    assert judge.judge(a, b).relation == "contradicts"


def test_day_inside_the_month_is_more_specific(judge: StructuralJudge) -> None:
    a = view("a", "The closed session of the security council took place in January 2016.")
    b = view("b", "The closed session of the security council took place on January 22, 2016.", document="d2")
    result = judge.judge(a, b)
    assert (result.relation, result.specific) == ("more_specific", "b")


def test_time_expressions_win_over_text(judge: StructuralJudge) -> None:
    t = TimeExpression(start=0, end=4, text="then", value="2016-10", precision="month")
    assert dates_in("it happened then", [t])[0].month == 10


def test_opposite_polarity_is_a_contradiction(judge: StructuralJudge) -> None:
    a = view("a", "Russian leaders met and agreed to support Trump at the meeting.")
    b = view("b", "Russian leaders met and agreed to support Trump at the meeting.", document="d2", polarity="denied")
    assert judge.judge(a, b).relation == "contradicts"


def test_negation_asymmetry_and_antonyms(judge: StructuralJudge) -> None:
    a = view("a", "The leaked e-mails on Clinton had a great impact on the campaign.")
    b = view("b", "The leaked e-mails on Clinton had not had a great impact on the campaign.", document="d2")
    assert judge.judge(a, b).relation == "contradicts"
    c = view("c", "The leaked Kremlin documents are genuine.")
    d = view("d", "The leaked Kremlin documents are fake.", document="d2")
    assert judge.judge(c, d).relation == "contradicts"
    e = view("e", "The official confirmed the allegations in the dossier about the hotel were true.")
    f = view("f", "The allegations in the dossier about the hotel were unverified.", document="d2")
    assert judge.judge(e, f).relation == "contradicts"


def test_paraphrase_is_same_and_unrelated_is_unrelated(judge: StructuralJudge) -> None:
    a = view("a", "Foreign Minister Lavrov may be the next to go.")
    b = view("b", "Foreign Minister Lavrov could be the next one to go.", document="d2")
    assert judge.judge(a, b).relation == "same"
    c = view("c", "Tensions have been rising between Putin and Biden.", document="d3")
    assert judge.judge(a, c).relation == "unrelated"


def test_claims_of_one_sentence_are_never_the_same(judge: StructuralJudge) -> None:
    a = view("a", "Foreign Minister Lavrov may be the next to go.", sentence=4)
    b = view("b", "Foreign Minister Lavrov may be the next to go.", sentence=4)
    assert judge.judge(a, b).relation == "unrelated"


def test_lexicon_is_versioned() -> None:
    lexicon = load_lexicon()
    assert lexicon["version"] and lexicon["denial"] and lexicon["antonyms"]


def test_nli_judge_needs_a_local_model(tmp_path: Path) -> None:
    with pytest.raises(ModelMissing, match="no such file or directory"):
        NliJudge(tmp_path / "absent-model")


def test_claims_about_different_people_are_unrelated(judge: StructuralJudge) -> None:
    a = view("a", "Russia has compromising material on Trump.", people=["trump"])
    b = view("b", "Russia did not have compromising material on Clinton.", document="d2", people=["clinton"])
    assert judge.judge(a, b).relation == "unrelated"
    c = view("c", "Russia has no compromising material on Trump.", document="d3", people=["trump"])
    assert judge.judge(a, c).relation == "contradicts"


def test_the_judge_compares_the_proposition_not_the_frame(judge: StructuralJudge) -> None:
    framed = view("a", "Reported on recent developments concerning the Kremlin's operation to support Trump",
                  proposition="the Kremlin's operation to support Trump")
    assert "report" not in framed.terms and "kremli" in framed.terms
    assert framed.basis == "the Kremlin's operation to support Trump"


def test_denying_a_negated_proposition_agrees_with_it(judge: StructuralJudge) -> None:
    # Denying "the Kremlin has kompromat on Trump" says what "the Kremlin has no kompromat" says.
    a = view("a", "The Kremlin has no compromising materials on Trump.")
    b = view("b", "The Kremlin has compromising materials on Trump.", document="d2", polarity="denied")
    assert judge.judge(a, b).relation == "same"
    c = view("c", "The Kremlin has compromising materials on Trump.")
    assert judge.judge(c, b).relation == "contradicts"
    # Denied and negated at once ("has no kompromat; reports to the contrary are nonsense") is one
    # denial said twice, not a double negation: it contradicts the assertion, agrees with the denial.
    d = view("d", "The Kremlin has no compromising materials on Trump.", document="d3", polarity="denied")
    assert judge.judge(c, d).relation == "contradicts"
    assert judge.judge(b, d).relation == "same"


def test_a_claim_with_too_little_content_matches_nothing(judge: StructuralJudge) -> None:
    a = view("a", "It didn't happen.")
    b = view("b", "It didn't happen.", document="d2")
    judgement = judge.judge(a, b)
    assert judgement.relation == "unrelated" and judgement.reasons == ("too little content",)
    c = view("c", "The allegations are unverified.")
    d = view("d", "The allegations are unverified.", document="d2")
    assert judge.judge(c, d).relation == "same"


def test_a_negation_over_an_open_question_does_not_deny_it(judge: StructuralJudge) -> None:
    from claimgraph.link.judge import is_negative

    assert is_negative(view("a", "The Kremlin has no compromising materials on Trump."))
    assert not is_negative(view("b", "They have not reached any judgment on whether Russia has compromising material on Trump."))
    # "without" negates a circumstance, not what is claimed: the source did call him.
    assert not is_negative(view("c", "A key source had called him without identifying himself."))


def test_a_wording_difference_on_a_loosely_shared_topic_is_not_a_contradiction(judge: StructuralJudge) -> None:
    # A negation or a date on one side of two claims that only share a topic (structural_floor)
    # does not make them disagree; an explicit denial still does (test_opposite_polarity_...).
    a = view("a", "Putin was not doing this out of the kindness of his heart during the security council meeting.")
    b = view("b", "Putin, his spy chiefs and senior ministers were all present at the security council meeting.",
             document="d2")
    assert judge.judge(a, b).relation == "unrelated"
    c = view("c", "Speaking to a trusted compatriot in June 2016, a senior Foreign Ministry figure said the "
                  "operation was run by the FSB.")
    d = view("d", "Speaking to a trusted compatriot in October 2016, a Kremlin insider said Ivanov had been sacked.",
             document="d2")
    assert judge.judge(c, d).relation == "unrelated"


def test_claims_sharing_only_names_are_unrelated(judge: StructuralJudge) -> None:
    # Both name the special counsel; one says he took over, the other that his report came out.
    a = view("a", "A special counsel, Robert Mueller, eventually took over the inquiry.", names=["robert", "muelle"])
    b = view("b", "The full redacted report by Robert Mueller has been released.", document="d2",
             names=["robert", "muelle"])
    assert judge._predicates_apart(a, b)
    assert judge.judge(a, b).relation == "unrelated"
    # A paraphrase in other words keeps the vectors' agreement and is not split off.
    c = view("c", "The lead now sits with the presidential administration.", names=["presid", "admini"])
    d = view("d", "The lead now sits with the presidential administration.", document="d2",
             names=["presid", "admini"], terms=["remain"])
    assert not judge._predicates_apart(c, d)


def test_so_called_is_not_a_shared_term() -> None:
    from claimgraph.link.judge import content_terms

    assert content_terms("the so-called Steele dossier") == content_terms("the Steele dossier")


def _unit(cosine: float) -> np.ndarray:
    return np.array([cosine, (1 - cosine * cosine) ** 0.5], dtype=np.float32)


def test_across_documents_claims_sharing_only_names_need_near_identical_vectors(judge: StructuralJudge) -> None:
    # "The F.B.I. took the dossier seriously" / "the FBI had separately authorized payment to
    # Steele": one topic, two statements. Within one document a restatement may share no word
    # ("where it now sits" / "it remained"), so the lower bar stays there.
    names = ["fbi", "steele"]
    a = ClaimView(id="a", document_id="d1", content="The FBI took the dossier seriously because of Steele's reputation",
                  names=names, vector=_unit(1.0))
    b = ClaimView(id="b", document_id="d2", content="The FBI had separately authorized payment to Steele",
                  names=names, vector=_unit(0.75))
    assert judge._predicates_apart(a, b)
    assert not judge._predicates_apart(a, ClaimView(**{**b.__dict__, "document_id": "d1", "_features": {}}))
    # A paraphrase across documents (vectors all but equal) is not split off.
    assert not judge._predicates_apart(a, ClaimView(**{**b.__dict__, "vector": _unit(0.85), "_features": {}}))


def test_across_documents_one_common_word_among_many_does_not_make_one_predicate(judge: StructuralJudge) -> None:
    names = ["intell", "kremli"]
    a = ClaimView(id="a", document_id="d1", names=names, vector=_unit(1.0),
                  content="Western intelligence agencies understood aware Kremlin papers examined carefully for months")
    b = ClaimView(id="b", document_id="d2", names=names, vector=_unit(0.7),
                  content="Leaked Kremlin memos have quietly circulated among reporters and diplomats for months")
    assert set(a.terms) - set(names) & set(b.terms) - set(names) == {"months"}
    assert judge._predicates_apart(a, b)
    # Sharing what is claimed ("circulated", "leaked", "memos"), they may be one proposition.
    c = ClaimView(id="c", document_id="d2", names=names, vector=_unit(0.7),
                  content="Leaked Kremlin memos have circulated among western intelligence agencies for months")
    a2 = ClaimView(id="a2", document_id="d1", names=names, vector=_unit(1.0),
                   content="Leaked Kremlin memos circulated among intelligence agencies for several months")
    assert not judge._predicates_apart(a2, c)


def test_what_the_text_calls_a_named_entity_is_part_of_its_name() -> None:
    from claimgraph.link.proposition import named_in
    from claimgraph.models import Analysis, Entity, Mention

    text = "It was a series of memos written by Christopher Steele, a former British intelligence agent"
    start = text.index("a former")
    analysis = Analysis(document_id="d1", entities=[Entity(key="E1", name="Christopher Steele", type="PER")],
                        mentions=[Mention(entity="E1", start=text.index("Christopher"), end=start - 2, text="Christopher Steele"),
                                  Mention(entity="E1", start=start, end=len(text), text=text[start:], kind="description")])
    _, names = named_in(text, analysis)
    assert {"former", "britis", "intell", "agent"} <= set(names) and "memos" not in names


def test_a_name_the_document_only_gives_after_the_is_no_person() -> None:
    """NER types outlets and hotels as people ("The Washington Post", "the Moscow Ritz Carlton");
    the different-people veto must not read them as people. A person named after a possessive
    or a lower-case title, or a family ("the FBI's James Comey", "the former president Donald Trump") stays one."""
    from claimgraph.link.proposition import named_in
    from claimgraph.models import Analysis, Entity, Mention

    text = ("According to The Washington Post, the former president Donald Trump stayed at the Moscow Ritz Carlton. "
            "Later, the FBI's James Comey said so, as the Obamas did.")
    names = {"E1": "Washington Post", "E2": "Donald Trump", "E3": "Ritz Carlton", "E4": "James Comey", "E5": "Obamas"}
    analysis = Analysis(document_id="d1", entities=[Entity(key=k, name=n, type="PER") for k, n in names.items()],
                        mentions=[Mention(entity=k, start=text.index(n), end=text.index(n) + len(n), text=n)
                                  for k, n in names.items()])
    people, _ = named_in(text, analysis, text)
    assert people == ["comey", "obamas", "trump"]  # a family ("the Obamas") is people
    assert named_in(text, analysis)[0] == ["carlton", "comey", "obamas", "post", "trump"]  # without the document's text: as typed


def _pair_model_data(**changes) -> dict:
    from claimgraph.link.judge import PAIR_FEATURES

    n = len(PAIR_FEATURES)
    data = {"version": "test", "features": list(PAIR_FEATURES), "mean": [0.0] * n, "std": [1.0] * n,
            "weights": [1.0] + [0.0] * (n - 1), "bias": 0.0, "scale": 1.0, "shift": 0.0}
    return {**data, **changes}


def test_packaged_pair_model_ranks_a_restatement_above_another_claim_on_the_topic() -> None:
    from claimgraph.link.judge import PairModel, load_pair_model, pair_features

    data = load_pair_model()
    assert data["measured"]["heldout"]["pairs"] > 0  # trained and measured, not a placeholder
    model = PairModel.packaged()
    judge = StructuralJudge(vocabulary=Vocabulary(), model=model)
    a = view("a", "The minister resigned after the budget vote failed in parliament.")
    b = view("b", "After parliament rejected the budget, the minister resigned.", document="d2")
    c = view("c", "The minister opened a new hospital wing in the capital.", document="d3")
    for v in (a, b, c):
        judge.vocabulary.add(v.terms)
    restated, other = model.score(pair_features(judge, a, b)), model.score(pair_features(judge, a, c))
    assert 0.0 < other < restated < 1.0


def test_pair_model_takes_only_its_share_across_documents() -> None:
    from claimgraph.link.judge import JudgeOptions, PairModel

    plain = StructuralJudge(vocabulary=Vocabulary())
    options = JudgeOptions.from_lexicon()
    # A model that scores every pair near 1 (a huge bias): its share shows in the score.
    eager = StructuralJudge(vocabulary=plain.vocabulary, options=options, model=PairModel(_pair_model_data(bias=50.0)))
    a = view("a", "The minister resigned after the budget vote failed.")
    b = view("b", "The minister left office when the budget fell.", document="d2")
    same_document = view("s", "The minister left office when the budget fell.", sentence=5)
    share = options.pair_model_share
    assert eager.similarity(a, b) == pytest.approx((1 - share) * plain.similarity(a, b) + share * 1.0)
    assert eager.similarity(a, same_document) == pytest.approx(plain.similarity(a, same_document))
    assert eager.name != plain.name  # a ledger linked with the model is relinked without it


def test_pair_model_with_other_features_is_refused() -> None:
    from claimgraph.link.judge import PairModel

    with pytest.raises(ValueError, match="retrain"):
        PairModel(_pair_model_data(features=["cosine"]))


def test_an_inquiry_into_something_is_not_its_assertion(judge: StructuralJudge) -> None:
    stated = view("a", "There had been numerous links between the campaign officials and the foreign government.")
    probed = view("b", "The bureau was investigating links between the campaign officials and the foreign government.",
                  document="d2")
    examined = view("c", "The scrutiny included examining the nature of links between the campaign officials and the "
                    "foreign government.", document="d3")
    found = view("d", "The inquiry found numerous links between the campaign officials and the foreign government.",
                 document="d4")
    assert judge.judge(stated, probed).relation == "unrelated"
    assert judge.judge(stated, examined).relation == "unrelated"
    assert judge.judge(probed, examined).relation != "unrelated"  # two inquiries into one thing
    assert judge.judge(stated, found).relation != "unrelated"  # a finding states it


def test_a_description_of_who_someone_is_joins_no_statement_of_what_was_done(judge: StructuralJudge) -> None:
    done = view("a", "Investigators corroborated the memo compiled by a former foreign intelligence official.")
    who = view("b", "who has claimed to be a former foreign intelligence official", document="d2")
    also = view("c", "who is understood to be a former foreign intelligence official", document="d3")
    assert judge.judge(done, who).relation == "unrelated"
    assert judge.judge(who, also).relation != "unrelated"
