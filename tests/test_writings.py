"""The nouns that name a writing are one list (sources.WRITING_NOUNS): every rule that asks
whether a name or a head is a writing builds on it, adding kinds of its own and naming the forms
it leaves out. The word sets below are those the rules took before they shared the list: the
move changed no rule."""

from __future__ import annotations

import re

import pytest

from claimgraph.analyse import mentions
from claimgraph.link import entities, lines, origins
from claimgraph.sources import WRITING_FORMS, WRITING_NOUNS, _WRITING, alternation, writing_forms

WORDS = sorted(WRITING_FORMS | {
    "assessment", "assessments", "cable", "cables", "decree", "decrees", "email", "emails", "e-mail", "e-mails",
    "filing", "filings", "findings", "inquiry", "investigation", "leak", "leaks", "letter", "letters", "minutes",
    "note", "notes", "order", "orders", "poll", "probe", "record", "records", "reporting", "review", "reviews",
    "studies", "study", "survey", "testimony", "transcript", "transcripts", "statement", "sources", "memorandums"})


def _taken(pattern: str | re.Pattern[str]) -> set[str]:
    compiled = re.compile(pattern, re.IGNORECASE) if isinstance(pattern, str) else pattern
    return {w for w in WORDS if compiled.fullmatch(w)}


def test_the_list_holds_each_writing_with_its_plural() -> None:
    assert WRITING_NOUNS["memorandum"] == "memoranda" and WRITING_NOUNS["dossier"] == "dossiers"
    assert WRITING_FORMS == set(WRITING_NOUNS) | set(WRITING_NOUNS.values())
    assert writing_forms(also=("cable",), without=("files",)) == (WRITING_FORMS - {"files"}) | {"cable"}
    with pytest.raises(ValueError):
        writing_forms(without=("cable",))  # not on the list: a typo would leave nothing out


def test_an_alternation_tries_the_longer_form_first() -> None:
    pattern = alternation(["report", "reports", "memo"])
    assert pattern == "(?:reports|report|memo)"
    assert re.match(pattern, "reports say").group(0) == "reports"  # as "reports?" would
    assert _taken(alternation(["e-mail"])) == {"e-mail"}  # escaped


def test_every_rule_builds_on_the_one_list() -> None:
    rules = {
        "mentions.DOC_SINGULAR": (set(mentions.DOC_SINGULAR), set(WRITING_NOUNS)),
        "mentions.DOC_PLURAL": (set(mentions.DOC_PLURAL), set(WRITING_NOUNS) - {"dossier"}),
        "sources._WRITING": (_taken(_WRITING), WRITING_FORMS - {"memorandum"}),
        "origins._HIDDEN": (_taken(origins._HIDDEN), WRITING_FORMS - {"memorandum"}),
        "origins._WRITING_NOUN": (_taken(origins._WRITING_NOUN), WRITING_FORMS - {"file", "files"}),
        "lines._WRITINGS": (_taken(lines._WRITINGS), WRITING_FORMS - {"document", "documents", "paper"}),
        "entities._WORK_HEADS": (set(entities._WORK_HEADS), WRITING_FORMS - {"document", "paper", "dossiers", "memoranda"}),
    }
    for name, (taken, expected) in rules.items():
        assert expected <= taken, name


def test_the_rules_take_the_words_they_took_before() -> None:
    assert mentions.DOC_PLURAL == {"document", "paper", "file", "memo", "report", "record", "email", "e-mail", "memorandum"}
    assert mentions.DOC_SINGULAR == {"report", "document", "paper", "memo", "dossier", "decree", "memorandum", "letter",
                                     "assessment", "transcript", "file", "study"}
    assert _taken(_WRITING) == _taken(r"(?:documents?|papers?|reports?|memos?|memoranda|files?|dossiers?|leaks?|cables?|"
                                      r"e-?mails?|records?|transcripts?|letters?|minutes|decrees?|orders?)")
    assert _taken(origins._WRITING_NOUN) == _taken(
        r"(?:reports?|dossiers?|memos?|memorand(?:um|a)|assessments?|documents?|papers?|stud(?:y|ies)|"
        r"reviews?|findings|probe|investigation|inquiry|letters?|filings?|testimony)")
    assert _taken(origins._HIDDEN) == _taken(
        r"(?:sources?|documents?|reports?|papers?|memos?|memoranda|files?|dossiers?|letters?|cables?|emails?|e-mails?|"
        r"records?|leaks?|notes?|transcripts?|minutes|studies|study|survey|poll|analysis|assessment|decree|order|paper)")
    assert _taken(lines._WRITINGS) == _taken(
        r"(?:dossier|dossiers|memo|memos|memorandum|memoranda|report|reports|reporting|file|files|papers)")
    assert entities._WORK_HEADS == {"dossier", "report", "reports", "memo", "memos", "memorandum", "papers", "documents",
                                    "file", "files", "cable", "cables", "transcript", "decree"}
