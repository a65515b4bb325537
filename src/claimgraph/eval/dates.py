"""Date normalisation: gold timeline expressions against the ledger's time expressions."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from claimgraph.eval.gold import GoldIndex, resolve_doc_id
from claimgraph.eval.match import Span, locate_text, strip_notes
from claimgraph.eval.scores import Accuracy

_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
    "|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
# An expression is a calendar date only if it names a month or carries a number;
# "at the time", "The Guardian reports" and the like are relative and not scored.
_CALENDAR = re.compile(rf"\d|\b(?:{_MONTHS})\b", re.I)
_LENGTH = {"year": 4, "month": 7, "day": 10}


@dataclass
class DateScores:
    accuracy: Accuracy = field(default_factory=Accuracy)  # strict + lenient expressions
    strict: Accuracy = field(default_factory=Accuracy)  # day/month/year expressions only
    lenient: Accuracy = field(default_factory=Accuracy)  # e.g. "month-range (Jan-Apr)": year must agree
    expressions: int = 0
    skipped_relative: int = 0  # precision none/relative, or no month name or number in the text
    skipped_no_value: int = 0  # the event has no date, or one coarser than the expression
    unlocated: int = 0  # expression text not found in the document: a gold problem, not scored

    def to_dict(self) -> dict[str, Any]:
        return {
            "accuracy": self.accuracy.to_dict(),
            "strict": self.strict.to_dict(),
            "lenient": self.lenient.to_dict(),
            "expressions": self.expressions,
            "skipped_relative": self.skipped_relative,
            "skipped_no_value": self.skipped_no_value,
            "unlocated": self.unlocated,
        }


@dataclass(frozen=True)
class GoldDate:
    """One scorable gold expression, located in its document."""

    doc_id: str
    event: str
    text: str
    start: int
    end: int
    value: str  # expected ISO value at the expression's precision
    lenient: bool


def expression_precision(label: str) -> tuple[str | None, bool]:
    """('day'|'month'|'year'|None, lenient) from a gold precision label such as 'month (early)'."""
    head = label.strip().lower().split(" ")[0]
    if head in _LENGTH:
        return head, False
    if head.endswith("-range"):
        # "month-range (Jan-Apr)" ("early 2016"): no single month is right, so only the year is checked.
        return "year", True
    return None, False


def _sentence_spans(claims: list[dict[str, Any]]) -> dict[str, Span]:
    spans: dict[str, Span] = {}
    for claim in claims:
        if "sentence_id" in claim and "sentence_start" in claim:
            spans.setdefault(claim["sentence_id"], (claim["sentence_start"], claim["sentence_end"]))
    return spans


def gold_dates(
    gold: dict[str, Any], index: GoldIndex, texts: dict[str, str | None], scores: DateScores
) -> list[GoldDate]:
    """Every gold expression that can be scored, with offsets; counts the rest in `scores`."""
    found: list[GoldDate] = []
    sentences = {doc_id: _sentence_spans(claims) for doc_id, claims in index.claims.items()}
    for event in gold.get("timeline", []):
        for expression in event["expressions"]:
            scores.expressions += 1
            precision, lenient = expression_precision(str(expression["precision"]))
            text = strip_notes(expression["text"]).rstrip(" .")
            if precision is None or not _CALENDAR.search(text):
                scores.skipped_relative += 1
                continue
            date = event.get("date")
            if not date or len(date) < _LENGTH[precision]:
                scores.skipped_no_value += 1
                continue
            value = date[: _LENGTH[precision]]
            doc_id = resolve_doc_id(gold, expression["doc"])
            document_text = texts.get(doc_id) if doc_id else None
            if doc_id is None or document_text is None:
                # No ledger text to find it in: the system missed the document, so the date is missed.
                if doc_id is not None:
                    found.append(GoldDate(doc_id, event["id"], text, -1, -1, value, lenient))
                else:
                    scores.unlocated += 1
                continue
            span = None
            sentence = sentences.get(doc_id, {}).get(expression.get("sentence", ""))
            if sentence is not None:
                span = locate_text(document_text, text, within=sentence)
            if span is None:
                event_claims = set(event.get("claims", []))
                anchors = [
                    (c["span_start"] + c["span_end"]) // 2
                    for c in index.claims.get(doc_id, [])
                    if c["id"] in event_claims
                ]
                near = sum(anchors) // len(anchors) if anchors else None
                span = locate_text(document_text, text, near=near)
            if span is None:
                scores.unlocated += 1
                continue
            found.append(GoldDate(doc_id, event["id"], text, span[0], span[1], value, lenient))
    return found


def _value_ok(system_value: Any, expected: str, lenient: bool) -> bool:
    if not isinstance(system_value, str):
        return False
    if lenient:
        return system_value[:4] == expected[:4]
    return system_value == expected


def score_dates(
    gold: dict[str, Any],
    index: GoldIndex,
    texts: dict[str, str | None],
    system_times: dict[str, list[dict[str, Any]]],
) -> DateScores:
    """For each located gold date: is there an overlapping ledger time with the expected value?"""
    scores = DateScores()
    for item in gold_dates(gold, index, texts, scores):
        ok = any(
            min(t["end"], item.end) > max(t["start"], item.start)
            and _value_ok(t.get("value"), item.value, item.lenient)
            for t in system_times.get(item.doc_id, [])
        )
        scores.accuracy.add(ok)
        (scores.lenient if item.lenient else scores.strict).add(ok)
    return scores
