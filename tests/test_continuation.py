"""The learned continuation decision: a sentence without a cue of its own after a report."""

from __future__ import annotations

import pytest
from spacy.language import Language

from claimgraph.analyse import analyse_document, load_nlp
from claimgraph.analyse.continuation import Context, features, load_continuation_model
from claimgraph.models import Document


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_nlp()


def make(text: str) -> Document:
    return Document(id="t", content_hash="h", origin="test", version=1, media_type="text/plain", text=text)


def _context(**changes: bool | int) -> Context:
    values: dict[str, bool | int] = dict(same_paragraph=True, distance=1, quote_open=False, attribution_quote_open=False,
                                         content_clause=True, speech=True, person=True)
    values.update(changes)
    return Context(**values)  # type: ignore[arg-type]


def test_model_ships_and_reads_quotation_and_voice() -> None:
    model = load_continuation_model()
    assert model is not None and 0.0 < model.threshold < 1.0
    # A quotation that opens the next paragraph after "X said ..." runs on; the author's own
    # connective sentence in the next paragraph does not.
    quoted = _context(same_paragraph=False)
    assert model.continues("\u201cWe cut waste in every department, and we will keep at it.\u201d", quoted)
    assert not model.continues("But the budget office later revised the figures.", _context(same_paragraph=False))


def test_first_person_outside_quotes_is_seen_only_outside_them() -> None:
    inside = features("\u201cI will fight on,\u201d the statement read.", _context())
    outside = features("I will fight on.", _context())
    assert "first_person_outside" not in inside and "first_person_outside" in outside
    assert "first_person" in inside


def test_quotation_in_the_next_paragraph_continues_a_said_that_report(nlp: Language) -> None:
    text = ("Mayor Jane Roe said on Monday that the city budget was balanced for the first time.\n\n"
            "\u201cWe cut waste in every department, and we will keep at it until the job is done.\u201d\n")
    claims = analyse_document(make(text), nlp=nlp).claims
    quoted = [c for c in claims if "cut waste" in c.text]
    assert quoted and quoted[0].speaker is not None and "Roe" in quoted[0].speaker
    assert quoted[0].attribution == "implicit_context" and quoted[0].cue is None


def test_author_sentence_after_a_report_stays_the_authors(nlp: Language) -> None:
    text = ("Mayor Jane Roe said on Monday that the city budget was balanced for the first time.\n\n"
            "The council meets again in March to vote on the plan.\n")
    claims = analyse_document(make(text), nlp=nlp).claims
    later = [c for c in claims if "council meets" in c.text]
    assert later and later[0].speaker is None and later[0].attribution == "unattributed"


def test_a_quotations_own_frame_beats_a_continuation(nlp: Language) -> None:
    # The quotation runs on from the report's paragraph, but its frame, at its end, names another speaker.
    text = ("Mayor Jane Roe said on Monday that the city budget was balanced for the first time. "
            "\u201cWe cut waste in every department. We hired more teachers than ever before. And the schools "
            "are better for it,\u201d the school chief, Tom Poe, said at the meeting.\n")
    claims = analyse_document(make(text), nlp=nlp).claims
    quoted = [c for c in claims if "cut waste" in c.text or "hired more" in c.text]
    assert len(quoted) == 2 and all(c.speaker == "Tom Poe" for c in quoted)


def test_a_continued_sentence_inherits_the_reports_hedging(nlp: Language) -> None:
    text = ("Mayor Jane Roe reportedly said on Monday that the city budget was balanced for the first time.\n\n"
            "\u201cWe cut waste in every department, and we will keep at it until the job is done.\u201d\n")
    claims = analyse_document(make(text), nlp=nlp).claims
    first = next(c for c in claims if "budget" in c.text)
    quoted = next(c for c in claims if "cut waste" in c.text)
    assert quoted.speaker == first.speaker and quoted.hedging == first.hedging



@pytest.mark.parametrize("frame", ["Mayor Jane Roe said:", "Mayor Jane Roe told reporters:"])
def test_a_colon_frame_reporting_nothing_carries_into_the_next_paragraph(nlp: Language, frame: str) -> None:
    text = (f"The mayor spoke at the opening on Monday. {frame}\n\n"
            "\u201cThe park will reopen next week after the repairs are finished.\u201d\n\n"
            "The council meets again in March to vote on the plan.\n")
    claims = analyse_document(make(text), nlp=nlp).claims
    quoted = next(c for c in claims if "park will reopen" in c.text)
    assert quoted.speaker == "Jane Roe" and quoted.attribution == "explicit"
    assert next(c for c in claims if "council meets" in c.text).speaker is None


def test_a_colon_after_reported_content_carries_nothing_further(nlp: Language) -> None:
    # The report's words are in its own sentence: the list paragraph after it is the author's.
    text = ("Mayor Jane Roe said the plan had three parts:\n\n"
            "The council meets again in March to vote on the plan.\n")
    claims = analyse_document(make(text), nlp=nlp).claims
    assert next(c for c in claims if "council meets" in c.text).speaker is None
