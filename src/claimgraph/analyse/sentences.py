"""Sentences and zones: where claims may come from and how the text is cut into sentences."""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span

from claimgraph.models import CLAIM_ZONES, Sentence, Zone

NEWLINE_COMPONENT = "claimgraph_newline_sentences"
# A single line break that starts a new item (bullet, number, indented paragraph).
ITEM_BREAK = re.compile(r"\n(?=[ \t]*(?:[•\-\*]|\d{1,2}\.)|[ \t]{2,}\S)")
# Line-initial list markers ("•", "1.", "-") are layout, never part of a proposition.
LIST_MARKER = re.compile(r"^\s*(?:[•\-\*▪·]|\(?\d{1,2}[.)]|\(?[a-z][.)]|\([A-Z]{1,2}(?://[A-Z]+)?\))\s+")


@Language.component(NEWLINE_COMPONENT)
def newline_sentences(doc: Doc) -> Doc:
    """Start a sentence at line breaks that end something: blank lines, list items, indented
    paragraphs, and lines ending in sentence punctuation or short heading lines. A hard wrap
    inside a sentence (PDF text) is left to the parser."""
    text = doc.text
    for token in doc[1:]:
        if token.is_space:
            continue
        previous = doc[token.i - 1]
        if "\n" not in previous.text and "\n" not in previous.whitespace_:
            continue
        line_start = text.rfind("\n", 0, token.idx) + 1
        gap = text[:max(0, line_start - 1)].rstrip(" \t\r")  # the text before this line break
        blank_line = gap.endswith("\n") or not gap
        last_line = gap[gap.rfind("\n") + 1:]
        new_item = bool(LIST_MARKER.match(text[line_start:token.idx + 3])) or text[line_start:token.idx].startswith("  ")
        punctuated = last_line.rstrip().endswith((".", "!", "?", ":", '"', "”", "’", ";"))
        # A short line before a capitalised one is a heading or a list line; before a lower-case
        # word it is a hard wrap ("... found that Steele's\nprior reporting").
        heading = len(last_line.strip()) < 60 and not token.text[:1].islower()
        ended = punctuated or heading
        if blank_line or new_item or ended:
            token.is_sent_start = True
    return doc


@dataclass(frozen=True)
class SentenceSpan:
    """A sentence with its zone and paragraph number (carry-over frames stop at paragraphs)."""

    index: int
    span: Span
    start: int
    end: int
    zone: str
    paragraph: int


def zones_of(text: str) -> list[Zone]:
    """Zones for a document that came without any, found exactly as ingest finds them."""
    from claimgraph.ingest.header import find_header
    from claimgraph.ingest.zones import find_zones

    header = find_header(text)
    return find_zones(text, header_end=header.end if header else None)


def _zone_at(zones: list[Zone], position: int) -> str:
    for zone in zones:
        if zone.start <= position < zone.end:
            return zone.kind
    return "furniture" if zones else "body"


def build_sentences(doc: Doc, zones: list[Zone]) -> list[SentenceSpan]:
    """Sentences over the whole text, trimmed of whitespace and list markers, with zone and paragraph."""
    text = doc.text
    result: list[SentenceSpan] = []
    for sent in doc.sents:
        tokens = [t for t in sent if not t.is_space]
        if not tokens:
            continue
        start = tokens[0].idx
        end = tokens[-1].idx + len(tokens[-1].text)
        marker = LIST_MARKER.match(text[start:end])
        if marker and marker.end() < end - start:
            start += marker.end()
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is None or not span.text.strip():
            continue
        paragraph = text.count("\n\n", 0, start) + _line_breaks_with_indent(text, start)
        result.append(SentenceSpan(index=len(result), span=span, start=span.start_char,
                                   end=span.end_char, zone=_zone_at(zones, start),
                                   paragraph=paragraph))
    return result


def _line_breaks_with_indent(text: str, position: int) -> int:
    """Count single line breaks before position that start a new item (bullet, number, indent)."""
    return sum(1 for m in ITEM_BREAK.finditer(text, 0, position + 1) if m.start() < position)


def to_records(sentences: list[SentenceSpan]) -> list[Sentence]:
    return [Sentence(index=s.index, start=s.start, end=s.end, zone=s.zone) for s in sentences]


def yields_claims(sentence: SentenceSpan, *, quoted: bool = False) -> bool:
    """Only claim zones, and only sentences with a predication (not noun-phrase headings)."""
    if sentence.zone not in CLAIM_ZONES:
        return False
    if sentence.span.text.rstrip(" \"”’'").endswith("?") and not quoted:
        # The author's question puts nothing forward; a quoted one is what its speaker asked.
        return False
    words = [t for t in sentence.span if t.is_alpha]
    if len(words) < 3:
        return False
    if not any(t.pos_ in ("VERB", "AUX") or (t.pos_ == "ADJ" and t.dep_ in ("ROOT", "conj"))
               for t in sentence.span):
        return False
    letters = [c for c in sentence.span.text if c.isalpha()]
    original = sentence.span.doc.user_data.get("original_text")
    if original is not None:
        letters = [c for c in original[sentence.start:sentence.end] if c.isalpha()]
    if letters and sum(c.isupper() for c in letters) > 0.8 * len(letters):
        return False  # an ALL-CAPS heading ("RUSSIA: KREMLIN ASSESSMENT OF ...")
    root = sentence.span.root
    # Imperatives ("Tell Speaker Pelosi: ...") are calls to action, not propositions.
    if root.tag_ == "VB" and root.i == sentence.span.start and not any(
            c.dep_ in ("nsubj", "nsubjpass") for c in root.children):
        return False
    return True


def doc_text(doc: Doc) -> str:
    """doc.text, built once per Doc: spaCy re-joins every token on each access."""
    text = doc.user_data.get("claimgraph.text")
    if text is None:
        text = doc.user_data["claimgraph.text"] = doc.text
    return text
