"""Zones: which lines of a document are body text and which are furniture, captions, links.

Every non-blank line gets at least one zone; a line may hold two (" date 2021-07-15 PA
Images" is a dateline followed by a photo credit). Whole-line patterns come from the
versioned lexicon `data/furniture.json`; the rules that need context (a memo's Summary and
Detail sections, the lines above the first paragraph, caption prefixes) live here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from claimgraph.ingest.textmeta import date_line_span
from claimgraph.models import Zone

ZONES_STEP = "zones.v1"
_SUMMARY_HEADING = re.compile(r"(?i)(?:executive\s+)?summary:?")
_DETAIL_HEADING = re.compile(r"(?i)details?:?")
_TERMINAL = re.compile(r"[.!?:;,”\"'’)\]]$")
_PREFIX = re.compile(r"((?:The\s+)?[A-Z][\w&'’.-]*(?:\s+[A-Z][\w&'’.-]*){0,3}):\s")
_WORD = re.compile(r"[^\W\d_][\w'’.-]*")


@dataclass(frozen=True)
class LexiconEntry:
    id: str
    kind: str
    pattern: re.Pattern[str]
    why: str


@dataclass(frozen=True)
class Lexicon:
    version: str
    entries: tuple[LexiconEntry, ...]

    def match(self, line: str) -> LexiconEntry | None:
        """The first entry whose pattern covers the whole (stripped) line."""
        for entry in self.entries:
            if entry.pattern.fullmatch(line):
                return entry
        return None


@lru_cache(maxsize=1)  # read-only data shipped with the package: safe to share in a worker
def load_lexicon() -> Lexicon:
    """The furniture lexicon shipped in claimgraph/data/furniture.json."""
    raw = json.loads(resources.files("claimgraph.data").joinpath("furniture.json").read_text(encoding="utf-8"))
    entries = tuple(
        LexiconEntry(id=item["id"], kind=item["kind"], pattern=re.compile(item["regex"]), why=item["why"])
        for item in raw["patterns"]
    )
    return Lexicon(version=raw["version"], entries=entries)


def content_lines(text: str, start: int = 0) -> list[tuple[int, int]]:
    """[start, end) of each non-blank line from start on, without its outer whitespace."""
    spans = []
    offset = start
    for line in text[start:].splitlines(keepends=True):
        body = line.rstrip("\r\n")
        stripped = body.strip()
        if stripped:
            first = offset + (len(body) - len(body.lstrip()))
            spans.append((first, first + len(stripped)))
        offset += len(line)
    return spans


def find_zones(text: str, *, header_end: int | None, title: str | None = None) -> list[Zone]:
    """Zones over every non-blank line of text, in text order."""
    lexicon = load_lexicon()
    zones: list[Zone] = []
    start = 0
    if header_end:
        zones.append(Zone(start=0, end=header_end, kind="header", reason="header-block"))
        start = header_end
    lines = content_lines(text, start)
    texts = [text[s:e] for s, e in lines]
    memo = _memo_sections(texts)
    captions = _caption_prefixes(texts, lexicon)
    title_key = _normalise(title) if title else ""
    seen_body = False
    seen_headline = False
    for index, (line_start, line_end) in enumerate(lines):
        line = texts[index]
        date_span = date_line_span(line)
        if date_span:
            is_last = index == len(lines) - 1
            reason = "closing-date" if is_last and seen_body else "date-line"
            zones.append(Zone(start=line_start + date_span[0], end=line_start + date_span[1], kind="dateline", reason=reason))
            rest = line[date_span[1] :]
            if rest.strip():
                rest_start = line_start + date_span[1] + (len(rest) - len(rest.lstrip()))
                rest_text = rest.strip()
                entry = lexicon.match(rest_text)
                kind, why = (entry.kind, f"{lexicon.version}:{entry.id}") if entry else ("body", "default")
                zones.append(Zone(start=rest_start, end=rest_start + len(rest_text), kind=kind, reason=why))
            continue
        kind, reason = _classify(
            line, index=index, memo=memo, lexicon=lexicon, captions=captions, title_key=title_key,
            seen_body=seen_body, seen_headline=seen_headline, standalone=_standalone(text, line_end),
        )  # fmt: skip
        seen_body = seen_body or kind in ("body", "summary", "detail", "quote_block")
        seen_headline = seen_headline or kind == "headline"
        zones.append(Zone(start=line_start, end=line_end, kind=kind, reason=reason))
    return zones


def _classify(
    line: str,
    *,
    index: int,
    memo: tuple[int, int] | None,
    lexicon: Lexicon,
    captions: set[str],
    title_key: str,
    seen_body: bool,
    seen_headline: bool,
    standalone: bool,
) -> tuple[str, str]:
    """The zone kind of one whole line and the rule that decided it."""
    if memo and index in memo:
        return ("summary" if index == memo[0] else "detail"), "memo-section-heading"
    entry = lexicon.match(line)
    if entry:
        return entry.kind, f"{lexicon.version}:{entry.id}"
    if title_key and _matches_title(line, title_key):
        return "headline", "matches-title"
    if memo and index > memo[0]:
        return ("summary" if index < memo[1] else "detail"), "memo-section"
    if line.startswith(">"):
        return "quote_block", "markdown-quote"
    prefix = _PREFIX.match(line)
    if prefix and prefix.group(1) in captions:
        return "caption", "caption-prefix"
    if not seen_body:
        words = _WORD.findall(line)
        if _is_all_caps(line) and (len(words) >= 4 or seen_headline):
            return "headline", "all-caps-title"
        if len(words) <= 4 and not _TERMINAL.search(line) and not seen_headline:
            # Short labels above the first paragraph: site sections, banners ("Steele Memos").
            return "furniture", "leading-label"
        # A headline stands alone; a wrapped line of a PDF paragraph runs on to the next.
        if standalone and not seen_headline and len(words) >= 5 and len(line) <= 200 and not _TERMINAL.search(line):
            return "headline", "first-line-no-period"
    return "body", "default"


def _memo_sections(lines: list[str]) -> tuple[int, int] | None:
    """Indices of an intelligence memo's 'Summary' and 'Detail' headings, when it has both."""
    summary = next((i for i, line in enumerate(lines) if _SUMMARY_HEADING.fullmatch(line)), None)
    if summary is None:
        return None
    detail = next((i for i in range(summary + 1, len(lines)) if _DETAIL_HEADING.fullmatch(lines[i])), None)
    return (summary, detail) if detail is not None else None


def _caption_prefixes(lines: list[str], lexicon: Lexicon) -> set[str]:
    # "The National: ... Picture: AP" marks "The National:" as this page's caption prefix,
    # so its other captions are known even where they carry no credit.
    prefixes = set()
    for line in lines:
        entry = lexicon.match(line)
        prefix = _PREFIX.match(line)
        if entry and entry.kind == "caption" and prefix:
            prefixes.add(prefix.group(1))
    return prefixes


def _normalise(value: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", value.casefold()).split())


def _matches_title(line: str, title_key: str) -> bool:
    key = _normalise(line)
    return bool(key) and len(key.split()) >= 3 and (key == title_key or key in title_key)


def _standalone(text: str, line_end: int) -> bool:
    """Whether the line at line_end is followed by a blank line or the end of the text."""
    newline = text.find("\n", line_end)
    if newline < 0:
        return True
    following_end = text.find("\n", newline + 1)
    return not text[newline + 1 : following_end if following_end >= 0 else len(text)].strip()


def _is_all_caps(line: str) -> bool:
    letters = [char for char in line if char.isalpha()]
    return len(letters) >= 8 and sum(char.isupper() for char in letters) / len(letters) >= 0.9
