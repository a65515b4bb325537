"""Metadata stated in a document's own text: datelines, closing dates, caption outlets."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

from dateparser.date import DateDataParser

from claimgraph.models import MetaValue

_MONTH = (
    r"(?:Jan(?:uary|\.)?|Feb(?:ruary|\.)?|Mar(?:ch|\.)?|Apr(?:il|\.)?|May|June?|July?"
    r"|Aug(?:ust|\.)?|Sep(?:t(?:ember|\.)?|\.)?|Oct(?:ober|\.)?|Nov(?:ember|\.)?|Dec(?:ember|\.)?)"
)
_WEEKDAY = r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)(?:day|sday|nesday|rsday|urday|s|r)?\.?,?\s+)?"
_TIME = r"(?:,?\s+(?:at\s+)?\d{1,2}[:.]\d{2}(?:\s*[AaPp]\.?[Mm]\.?)?(?:\s+[A-Z]{2,4})?)?"
# The forms a date line takes in news pages, memos and government texts. Always with a
# four-digit year: a date without one would make us invent the year.
DATE_PATTERN = (
    r"(?:\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?)?"
    rf"|{_WEEKDAY}\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?\s+\d{{4}}{_TIME}"
    rf"|{_WEEKDAY}{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}{_TIME}"
    rf"|{_MONTH}\s+\d{{4}})"
)
# A line that starts with a date, optionally labelled ("date 2021-07-15", "Dated: ...").
_DATE_LINE = re.compile(
    rf"(?:(?i:date[d]?|published|updated|last (?:modified|updated)|first published)(?:\s+on)?\s*:?\s+)?{DATE_PATTERN}"
)
_LABEL = re.compile(r"^\s*(?:date[d]?|published|updated|last (?:modified|updated)|first published)(?:\s+on)?\s*:?\s+", re.I)
_NO_DATE = re.compile(r"\[\s*no date\s*\]", re.IGNORECASE)
_YEAR = re.compile(r"\b(1[89]\d{2}|2[01]\d{2})\b")
_ISO = re.compile(r"(\d{4})-(\d{2})(?:-(\d{2}))?(?![\d])")
# "The National: <caption> Picture: AP" -- the prefix is the outlet that printed the photo.
_CAPTION_OUTLET = re.compile(
    r"((?:The\s+)?[A-Z][\w&'’.-]*(?:\s+[A-Z][\w&'’.-]*){0,3}):\s+\S.*?"
    r"\b(?:Picture|Photo|Image|Photograph)s?:\s*\S.{0,60}$"
)


def parse_date(value: str, *, source: str) -> MetaValue | None:
    """Parse a stated date into ISO at its real precision; None rather than a guessed part."""
    text = value.strip()
    if not text or _NO_DATE.match(text):
        return None
    # Notes after the date ("20 June 2016 (date line at the end ...)") are not part of it.
    text = re.split(r"\s[(\[]|;", text, maxsplit=1)[0].strip().rstrip(",.")
    iso = _ISO.match(text)
    if iso:
        year, month, day = int(iso.group(1)), int(iso.group(2)), iso.group(3)
        try:
            if day is None:
                date(year, month, 1)
                return MetaValue(value=f"{year:04d}-{month:02d}", source=source, precision="month")
            return MetaValue(value=date(year, month, int(day)).isoformat(), source=source, precision="day")
        except ValueError:
            return None
    if re.fullmatch(r"\d{4}", text):
        return MetaValue(value=text, source=source, precision="year")
    if not _YEAR.search(text):
        return None  # "12 October": the year would be invented
    parser = DateDataParser(
        languages=["en"],
        settings={"PREFER_DAY_OF_MONTH": "first", "RETURN_TIME_AS_PERIOD": False},
    )
    data = parser.get_date_data(text)
    if data is None or data.date_obj is None:
        return None
    found = data.date_obj
    if data.period == "year":
        return MetaValue(value=f"{found.year:04d}", source=source, precision="year")
    if data.period == "month":
        return MetaValue(value=f"{found.year:04d}-{found.month:02d}", source=source, precision="month")
    return MetaValue(value=found.date().isoformat(), source=source, precision="day")


def date_line_span(line: str) -> tuple[int, int] | None:
    """Where a line opens with a (labelled) date, the [start, end) of that part; else None."""
    stripped_start = len(line) - len(line.lstrip())
    rest = line[stripped_start:]
    if _NO_DATE.fullmatch(rest.strip()):
        return stripped_start, stripped_start + len(rest.rstrip())
    found = _DATE_LINE.match(rest)
    if not found:
        return None
    tail = rest[found.end() :]
    # The date must end at a word boundary: "May 2016 was ..." is prose, not a date line;
    # but a credit or label may follow it on the same line (" date 2021-07-15 PA Images").
    if tail and not tail[0].isspace() and tail[0] not in ",.;|":
        return None
    if tail.strip() and re.match(r"\s*[a-z]", tail):
        return None
    return stripped_start, stripped_start + found.end()


def _lines(text: str, start: int) -> list[tuple[int, str]]:
    """Non-blank lines from start on, with their offsets."""
    found = []
    offset = start
    for line in text[start:].splitlines(keepends=True):
        if line.strip():
            found.append((offset, line.rstrip("\r\n")))
        offset += len(line)
    return found


def find_text_metadata(
    text: str, *, start: int = 0, known: Mapping[str, MetaValue] | None = None
) -> dict[str, MetaValue]:
    """Values the text itself states, for the names not already known."""
    known = known or {}
    found: dict[str, MetaValue] = {}
    lines = _lines(text, start)
    if "published" not in known and lines:
        found_date = _top_dateline(lines) or _closing_date(lines)
        if found_date:
            found["published"] = found_date
    if "author" not in known:
        byline = _byline(lines)
        if byline:
            found["author"] = byline
    if "outlet" not in known:
        for _, line in lines:
            caption = _CAPTION_OUTLET.match(line.strip())
            if caption:
                found["outlet"] = MetaValue(value=caption.group(1), source="text:caption-prefix")
                break
    return found


_NAME = r"[A-Z][\w'’.-]+(?:\s+(?:[A-Z][\w'’.-]+|de|van|von|bin|al)){1,3}"
# "By Luke Harding and Julian Borger", "By Luke Harding, Diplomatic editor": a byline line, near the top.
_BYLINE = re.compile(rf"^\s*[Bb]y\s+(?P<names>{_NAME}(?:\s*(?:,|and|&)\s*{_NAME})*)\s*(?:[,|–—-].*)?$")


def _byline(lines: list[tuple[int, str]]) -> MetaValue | None:
    for _, line in lines[:8]:
        match = _BYLINE.match(line)
        if match and len(line) <= 160:
            # a role after the last name ("..., Diplomatic editor") is not a name
            names = [n.strip() for n in re.split(r"\s*(?:,|\band\b|&)\s*", match.group("names")) if n.strip()]
            people = [n for n in names if len(n.split()) >= 2 and not n.split()[-1].islower()]
            if people:
                return MetaValue(value=", ".join(people), source="text:byline")
    return None


def _top_dateline(lines: list[tuple[int, str]]) -> MetaValue | None:
    # A dateline sits among the first few lines (after furniture such as a byline).
    # The last line is left to _closing_date: a short memo's date line is its last.
    for _, line in (lines[:6] if len(lines) > 6 else lines[:-1] or lines):
        span = date_line_span(line)
        if span:
            label_free = re.sub(_LABEL, "", line[span[0] : span[1]])
            return parse_date(label_free, source="text:dateline")
    return None


def _closing_date(lines: list[tuple[int, str]]) -> MetaValue | None:
    # A memo's date is its last line ("12 October 2016"), standing alone.
    line = lines[-1][1]
    span = date_line_span(line)
    if span and not line[span[1] :].strip():
        return parse_date(line[span[0] : span[1]], source="text:closing-date")
    return None
