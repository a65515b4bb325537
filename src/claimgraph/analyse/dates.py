"""Time expressions: find them in a spaCy Doc and normalise them to ISO dates at their precision.

spaCy's DATE entities give the spans; dateparser gives the values. dateparser alone fails on
"early October 2016" and "today, July 15" and copies the reference day into "January 2016",
so it is wrapped as MODELS.md section 5 describes: qualifiers are stripped first, the whole
string is tried and then its comma parts, and the ISO value is truncated to the period found.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from functools import lru_cache

from spacy.tokens import Doc

from claimgraph.models import TimeExpression
from claimgraph.analyse.sentences import doc_text

# Leading words that qualify a date without changing which period it names.
_QUALIFIERS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^(?:the\s+)?(?:very\s+)?early(?:\s*-\s*|\s+)", re.I), "early"),
    (re.compile(r"^(?:the\s+)?(?:beginning|start)\s+of\s+", re.I), "early"),
    (re.compile(r"^(?:the\s+)?(?:mid(?:dle)?)(?:\s*-\s*|\s+of\s+|\s+)", re.I), "mid"),
    (re.compile(r"^(?:the\s+)?(?:very\s+)?late(?:\s*-\s*|\s+)", re.I), "late"),
    (re.compile(r"^(?:the\s+)?end\s+of\s+", re.I), "late"),
    (re.compile(r"^(?:around|about|circa|approximately|roughly|some\s*time\s+in)\s+", re.I), "approximate"),
]
# Prepositions in front of a date: most are noise, a few bound the event in time.
_PREPOSITIONS = re.compile(
    r"^(?P<prep>in|on|at|during|of|from|by|before|until|till|since|after|as\s+of)\s+", re.I
)
_PREP_QUALIFIER = {"before": "before", "until": "before", "till": "before", "by": "before",
                   "since": "after", "after": "after"}

# Spans spaCy tags DATE that are durations or ages, not points in time.
_DURATION = re.compile(
    r"""^(?:for\s+)?(?:at\s+least\s+|more\s+than\s+|over\s+|nearly\s+|almost\s+|about\s+|some\s+|the\s+(?:past|last|next)\s+)?
        (?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|
           several|many|few|a\s+few|a\s+couple\s+of|couple\s+of|some|recent|decades?|hundreds\s+of)?
        (?:\s*-\s*|\s+)?(?:years?|months?|weeks?|days?|hours?|minutes?|decades?)
        (?:\s*-\s*old)?(?:\s+later|\s+earlier|\s+long)?$""",
    re.I | re.X,
)
_AGE = re.compile(r"\b\d+\s*-?\s*years?\s*-?\s*old\b", re.I)
_YEAR = re.compile(r"^(?:the\s+)?((?:19|20)\d{2})$", re.I)
_SEASON = re.compile(r"^(?:the\s+)?(?:spring|summer|autumn|fall|winter)\s+(?:of\s+)?((?:19|20)\d{2})$", re.I)
_EARLIER_THIS = re.compile(r"^(?:earlier|later)\s+(?=(?:this|that)\s+(?:week|month|year)$)", re.I)
_PART_OF_YEAR = re.compile(
    r"^(?:the\s+)?(?P<part>first|early|opening|last|final|closing)\s+(?:few\s+|two\s+|three\s+)?"
    r"(?:months|weeks|days)\s+of\s+(?:(?P<which>this)\s+year|(?P<year>(?:19|20)\d{2}))$",
    re.I,
)
_DECADE = re.compile(r"^(?:the\s+)?((?:19|20)\d)0s$", re.I)
_RELATIVE_WORDS = re.compile(
    r"\b(?:today|yesterday|tomorrow|tonight|this|last|next|ago|monday|tuesday|wednesday|thursday|"
    r"friday|saturday|sunday|week|weekend)\b",
    re.I,
)
_WEEKDAYS = {name: i for i, name in enumerate(
    ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])}
_MONTHS = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
           r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)")
# What NER misses: memo datelines ("12 October 2016"), month-year pairs, qualified years.
_REGEX_DATES = re.compile(
    rf"""\b(?:(?:early|mid|late)[\s-]+)?(?:
          \d{{1,2}}\s+{_MONTHS}\.?,?\s+(?:19|20)\d{{2}}
        | {_MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{{2}}
        | {_MONTHS}\.?\s+(?:19|20)\d{{2}}
        | (?<=early\s)(?:19|20)\d{{2}} | (?<=late\s)(?:19|20)\d{{2}} | (?<=mid-)(?:19|20)\d{{2}}
        )\b""",
    re.X,
)
_LEADING_MOD = re.compile(r"(?:(?:the\s+)?(?:very\s+)?(?:early|mid|late|end\s+of|beginning\s+of|start\s+of)[\s-]+)$", re.I)


def _parse_anchor(anchor: str | None) -> tuple[datetime | None, str | None]:
    """The anchor date as a datetime plus its precision ("2016-10" -> 2016-10-01, month)."""
    if not anchor:
        return None, None
    for fmt, precision in (("%Y-%m-%d", "day"), ("%Y-%m", "month"), ("%Y", "year")):
        try:
            return datetime.strptime(anchor[: len(datetime(2000, 1, 1).strftime(fmt))], fmt), precision
        except ValueError:
            continue
    return None, None


@lru_cache(maxsize=8)
def _parser(anchor: str | None):
    # Built per anchor and cached: DateDataParser set-up costs milliseconds, parsing microseconds.
    from dateparser.date import DateDataParser

    base, _ = _parse_anchor(anchor)
    settings: dict[str, object] = {"PREFER_DAY_OF_MONTH": "first", "PREFER_DATES_FROM": "past"}
    if base is not None:
        settings["RELATIVE_BASE"] = base
    return DateDataParser(languages=["en"], settings=settings)


_RANK = {"year": 0, "month": 1, "day": 2}


def _truncate(value: datetime, period: str) -> tuple[str, str]:
    if period == "year":
        return f"{value.year:04d}", "year"
    if period == "month":
        return f"{value.year:04d}-{value.month:02d}", "month"
    return value.strftime("%Y-%m-%d"), "day"  # day, week, time -> day


_MONTH_NUMBER = {m: i for i, names in enumerate(
    [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
     ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
     ("dec", "december")], start=1) for m in names}
_ABSOLUTE = re.compile(
    rf"^(?:(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m1>{_MONTHS})\.?,?\s+(?P<y1>(?:19|20)\d{{2}})"
    rf"|(?P<m2>{_MONTHS})\.?\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y2>(?:19|20)\d{{2}})"
    rf"|(?P<m3>{_MONTHS})\.?,?\s+(?:of\s+)?(?P<y3>(?:19|20)\d{{2}}))$", re.I)


def _absolute(text: str) -> tuple[str, str] | None:
    """"22 January 2016", "January 22, 2016", "June 2016" without dateparser (milliseconds a call)."""
    match = _ABSOLUTE.match(text)
    if match is None:
        return None
    parts = match.groupdict()
    month = _MONTH_NUMBER[(parts["m1"] or parts["m2"] or parts["m3"]).lower()]
    year = int(parts["y1"] or parts["y2"] or parts["y3"])
    day = parts["d1"] or parts["d2"]
    if day is None:
        return f"{year:04d}-{month:02d}", "month"
    try:
        return datetime(year, month, int(day)).strftime("%Y-%m-%d"), "day"
    except ValueError:
        return None  # "31 February 2016": let dateparser decide as before


@lru_cache(maxsize=4096)
def _parse_one(text: str, anchor: str | None) -> tuple[str, str] | None:
    text = text.strip(" ,.;:")
    if fast := _absolute(text):
        return fast
    if not text or _DURATION.match(text) or _AGE.search(text):
        return None
    if match := _YEAR.match(text):
        return match.group(1), "year"
    if re.fullmatch(r"[\d\s/.-]+", text) and not re.fullmatch(r"\d{4}-\d{2}(?:-\d{2})?", text):
        return None  # report numbers ("2016/130", "32-04") are not dates
    has_relative = bool(_RELATIVE_WORDS.search(text))
    base, anchor_precision = _parse_anchor(anchor)
    if has_relative and base is None:
        return None  # "last week" means nothing without the document's date
    if not has_relative and not re.search(rf"\b{_MONTHS}\b|\d", text, re.I):
        return None  # "summer", "the past", "recently": not a date dateparser should guess at
    weekday = _WEEKDAYS.get(text.lower())
    if weekday is not None and base is not None:
        # "on Tuesday" in a Tuesday's news means that day; dateparser would go back a week.
        day = base - timedelta(days=(base.weekday() - weekday) % 7)
        return _truncate(day, anchor_precision or "day")
    data = _parser(anchor).get_date_data(text)
    if data is None or data.date_obj is None:
        return None
    value, precision = _truncate(data.date_obj, data.period or "day")
    if has_relative and anchor_precision and _RANK[anchor_precision] < _RANK[precision]:
        # "today" in a document dated only to the month is known only to the month.
        value, precision = _truncate(data.date_obj, anchor_precision)
    return value, precision


def normalise_time(text: str, *, anchor: str | None) -> TimeExpression | None:
    """Normalise one date expression; None when it is not a point in time (durations, ages)."""
    rest = " ".join(text.split())
    qualifier = "exact"
    if match := _PREPOSITIONS.match(rest):
        qualifier = _PREP_QUALIFIER.get(match.group("prep").lower(), "exact")
        rest = rest[match.end():]
    for pattern, name in _QUALIFIERS:
        if match := pattern.match(rest):
            qualifier = name
            rest = rest[match.end():]
            break
    if match := _DECADE.match(rest):
        return TimeExpression(start=0, end=len(text), text=text, value=match.group(1) + "0",
                              precision="year", qualifier="range", range_end=match.group(1) + "9")
    if match := _SEASON.match(rest):
        # A season names part of a year; the year is what can be stated exactly.
        return TimeExpression(start=0, end=len(text), text=text, value=match.group(1), precision="year",
                              qualifier="approximate" if qualifier == "exact" else qualifier)
    if match := _EARLIER_THIS.match(rest):
        # "earlier this month" is in this month, before the speaker's today: this month.
        rest = rest[match.end():]
    if match := _PART_OF_YEAR.match(rest):
        # "the first months of the year" / "the last weeks of 2016": that year's start or end.
        year = match.group("year") or (anchor[:4] if anchor and match.group("which") else None)
        if year is None:
            return None
        part = "early" if match.group("part").lower() in ("first", "early", "opening") else "late"
        return TimeExpression(start=0, end=len(text), text=text, value=year, precision="year", qualifier=part)
    if ago := re.fullmatch(r"(?:about\s+|some\s+|nearly\s+)?(\d+|an?|one|two|three|four|five|ten)\s+(year|month|week|day)s?\s+ago",
                           rest, re.I):
        # "five years ago" is a date only as precise as its unit, and only roughly.
        parsed = _parse_one(rest, anchor)
        if parsed is None:
            return None
        unit = {"year": "year", "month": "month"}.get(ago.group(2).lower(), "day")
        value = parsed[0][: {"year": 4, "month": 7, "day": 10}[unit]]
        return TimeExpression(start=0, end=len(text), text=text, value=value, precision=unit, qualifier="approximate")
    parsed = _parse_one(rest, anchor)
    if parsed is None and "," in rest:
        # "today, July 15": each part alone may parse; keep the most precise.
        parts = [p for p in (_parse_one(part, anchor) for part in rest.split(",")) if p]
        if parts:
            parsed = max(parts, key=lambda p: _RANK[p[1]])
    if parsed is None:
        return None
    if _RELATIVE_WORDS.search(rest) and qualifier == "exact" and parsed[1] == "day" and re.search(
        r"\b(?:week|weekend)\b", rest, re.I
    ):
        qualifier = "approximate"  # "last week" names a week, stored as its first day
    return TimeExpression(start=0, end=len(text), text=text, value=parsed[0], precision=parsed[1],
                          qualifier=qualifier)


def _extend_left(text: str, start: int) -> int:
    """Pull a qualifier that NER left outside the span ("early" + "2016") into it."""
    match = _LEADING_MOD.search(text[max(0, start - 24):start])
    return start - len(match.group(0)) if match else start


def find_times(doc: Doc, *, anchor: str | None) -> list[TimeExpression]:
    """Every dated point in time in the document, with char offsets into doc_text(doc)."""
    text = doc_text(doc)
    candidates: list[tuple[int, int]] = []
    ents = [ent for ent in doc.ents if ent.label_ == "DATE"]
    i = 0
    while i < len(ents):
        start, end = ents[i].start_char, ents[i].end_char
        # NER sometimes splits "today, July 15" in two; join DATE spans separated only by a comma.
        while i + 1 < len(ents) and _RELATIVE_WORDS.fullmatch(text[start:end].strip()) \
                and re.fullmatch(r",?[ \t]*", text[end:ents[i + 1].start_char]):
            i += 1
            end = ents[i].end_char
        candidates.append((_extend_left(text, start), end))
        i += 1
    for match in _REGEX_DATES.finditer(text):
        candidates.append((_extend_left(text, match.start()), match.end()))
    # Longest first, then drop anything overlapping a span already taken.
    candidates.sort(key=lambda se: (-(se[1] - se[0]), se[0]))
    taken: list[tuple[int, int]] = []
    times: list[TimeExpression] = []
    for start, end in candidates:
        if any(start < t_end and t_start < end for t_start, t_end in taken):
            continue
        while end > start and text[end - 1] in " \t\n,.;:":
            end -= 1  # NER spans sometimes carry a trailing blank line
        span_text = text[start:end]
        parsed = normalise_time(span_text, anchor=anchor)
        if parsed is None:
            continue
        taken.append((start, end))
        parsed.start, parsed.end = start, end
        times.append(parsed)
    times.sort(key=lambda t: t.start)
    return times
