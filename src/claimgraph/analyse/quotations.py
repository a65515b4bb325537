"""Direct quotations over several sentences: every claim inside a quoted stretch is the quoted
speaker's, named by the frame that opens ('X said: "...') or closes ('"...," X said') it.

The per-sentence frames only see their own sentence; a quotation of three sentences closed by
"he said" leaves the first two in the author's voice. This pass works on the finished claims of
one document: it finds the quoted stretches of each paragraph, the attributed claim whose cue
touches a stretch from outside, and gives that attribution to the stretch's unattributed claims.
A stretch with no frame of its own continues the previous stretch of its paragraph ('"A," he
said. "B."'), or of the paragraph before when that one ended with the quotation still open (a
quotation running over paragraphs reopens each paragraph and closes only at its end).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from claimgraph.analyse.attribution import Frame
from claimgraph.analyse.frames import quote_open_at
from claimgraph.analyse.sentences import SentenceSpan
from claimgraph.models import Claim

# Abbreviations whose full stop ends no sentence ("Mr. Trump said", "Sen. Cruz said").
_ABBREVIATION = re.compile(r"\b(?:Mr|Mrs|Ms|Dr|Sen|Gov|Rep|Lt|Gen|Col|Capt|Sgt|Jr|Sr|Prof|Rev|Gens?|[A-Z])\.")

__all__ = ["QuoteStretch", "attribute_quotations", "framed_paragraphs", "normalise_quote_marks", "quote_stretches"]

# Between a closing quote and its frame: '," he said', '," said Mr. X, a lawyer' (no sentence end).
_AFTER_GAP = re.compile(r"^[\s,;:—–-]*[^.!?\"“”\n]{0,80}$")
# Between a frame and its opening quote: 'he said: "', 'told reporters, "', 'added: "'.
_BEFORE_GAP = re.compile(r"^[^.!?\"“”\n]{0,40}[:,]?\s*$")


FIRST_PERSON = {"we", "i", "us", "me"}
PRONOUNS = {"he", "she", "it", "they"}


@dataclass(frozen=True)
class QuoteStretch:
    start: int  # offset of the opening quote mark
    end: int  # offset just after the closing mark (or the paragraph's end when left open)
    paragraph: int
    open_end: bool  # the paragraph ended with the quotation open


def normalise_quote_marks(text: str) -> str:
    """Typewriter double quotes written as two single marks ('' and ``) as one '"' and a space
    (same length, so offsets hold)."""
    return text.replace("''", '" ').replace("``", '" ')


def quote_stretches(text: str, paragraphs: list[tuple[int, int, int]]) -> list[QuoteStretch]:
    """Quoted stretches of each (paragraph, start, end); curly marks pair by direction, straight ones toggle."""
    marks = normalise_quote_marks(text)
    stretches: list[QuoteStretch] = []
    for number, start, end in paragraphs:
        opened: int | None = None
        for position in range(start, end):
            char = marks[position]
            if char == "“" or (char == '"' and opened is None):
                if opened is None:
                    opened = position
            elif char in "”\"" and opened is not None:
                stretches.append(QuoteStretch(opened, position + 1, number, open_end=False))
                opened = None
        if opened is not None:
            stretches.append(QuoteStretch(opened, end, number, open_end=True))
    return stretches


def framed_paragraphs(sentences: list[SentenceSpan], frames: list[list[Frame]], text: str,
                      paragraph_starts: dict[int, int]) -> set[int]:
    """Paragraphs with a named source's frame outside quotation marks ('"...," the report reads'):
    a quotation there is that source's, not the continuation of the paragraph before (a bare
    '"...," he said' is more likely the same speaker going on)."""
    framed: set[int] = set()
    for sentence, found in zip(sentences, frames):
        start = paragraph_starts.get(sentence.paragraph, sentence.start)
        if any(f.kind == "verb" and f.label and not f.label.startswith("(") and not f.learned
               and f.label.lower() not in PRONOUNS and not quote_open_at(text, start, f.cue_start) for f in found):
            framed.add(sentence.paragraph)
    return framed


def _frame_claim(stretch: QuoteStretch, claims: list[Claim], text: str) -> Claim | None:
    """The attributed claim whose cue closes (preferred) or opens the stretch from outside it."""
    best: tuple[int, Claim] | None = None
    for claim in claims:
        if claim.attribution != "explicit" or not claim.speaker or claim.cue_start is None or claim.cue_end is None:
            continue
        if claim.cue_start >= stretch.end and _AFTER_GAP.match(text[stretch.end:claim.cue_start]):
            rank = claim.cue_start - stretch.end
        elif claim.cue_end <= stretch.start and _BEFORE_GAP.match(text[claim.cue_end:stretch.start]):
            rank = 1000 + stretch.start - claim.cue_end
        else:
            continue
        if best is None or rank < best[0]:
            best = (rank, claim)
    return best[1] if best else None


def _inside(claim: Claim, stretch: QuoteStretch) -> bool:
    inner = min(claim.end, stretch.end) - max(claim.start, stretch.start)
    return inner > 0 and inner >= 0.6 * (claim.end - claim.start)


def attribute_quotations(claims: list[Claim], text: str, paragraphs: list[tuple[int, int, int]],
                         paragraph_of: dict[int, int], continued: frozenset[str] = frozenset()) -> list[Claim]:
    """Claims with each unattributed claim inside a framed quotation given the quotation's source.

    paragraphs: (number, start, end) of each paragraph; paragraph_of: sentence index -> paragraph;
    continued: ids of claims that only continue an earlier report (the continuation model's
    guess), which the quotation's own frame ('"...," she said') overrides.
    """
    marks = _ABBREVIATION.sub(lambda m: m.group(0)[:-1] + " ", normalise_quote_marks(text))
    by_paragraph: dict[int, list[Claim]] = {}
    for claim in claims:
        by_paragraph.setdefault(paragraph_of.get(claim.sentence_index, -1), []).append(claim)
    changed: dict[str, Claim] = {}
    previous: tuple[QuoteStretch, Claim] | None = None
    for stretch in quote_stretches(text, paragraphs):
        local = by_paragraph.get(stretch.paragraph, [])
        frame = _frame_claim(stretch, local, marks)
        own_frame = frame is not None
        if frame is None and previous is not None:
            last, source = previous
            if last.paragraph == stretch.paragraph or (last.open_end and last.paragraph == stretch.paragraph - 1):
                frame = source
        if frame is None:
            previous = None
            continue
        previous = (stretch, frame)
        for claim in local:
            if not _inside(claim, stretch):
                continue
            claim = changed.get(claim.id, claim)
            if (claim.speaker or "").lower() in FIRST_PERSON and frame.speaker:
                # '"We assess ...," the report reads': the quoted "we" is the quoted source itself.
                chain = [link for link in claim.chain if link.lower() not in FIRST_PERSON] or list(frame.chain)
                changed[claim.id] = replace(claim, speaker=frame.speaker, speaker_entity=frame.speaker_entity,
                                            chain=chain, quote="direct")
                continue
            if claim.cue_start is not None and stretch.start <= claim.cue_start < stretch.end and claim.chain \
                    and not set(frame.chain) & set(claim.chain):
                # '"Nobody wants it," he said': a report inside the quotation is the quoted speaker's.
                changed[claim.id] = replace(claim, chain=list(frame.chain) + list(claim.chain), quote="direct")
                continue
            if claim.attribution != "unattributed" and not (own_frame and claim.id in continued):
                continue
            changed[claim.id] = replace(
                claim, speaker=frame.speaker, speaker_entity=frame.speaker_entity, chain=list(frame.chain),
                cue=frame.cue, cue_start=frame.cue_start, cue_end=frame.cue_end, attribution="explicit",
                hedging=frame.hedging if frame.hedging != "none" else "low", quote="direct",
                claim_type="evaluative" if claim.claim_type == "factual" else claim.claim_type)
    claims = [changed.get(claim.id, claim) for claim in claims]
    in_quotes = [(stretch.start, stretch.end) for stretch in quote_stretches(text, paragraphs)]
    claims = [_without_restated_pronoun(claim, in_quotes) for claim in claims]
    return attribute_statements(attribute_lists(claims, text), text, paragraph_of, in_quotes)


def _without_restated_pronoun(claim: Claim, in_quotes: list[tuple[int, int]]) -> Claim:
    """'"A," Smith said. "B," he added.': "he" outside the quotation restates the quoted speaker
    and is no further link of the chain (inside the quotation it would be someone the speaker cites)."""
    if len(claim.chain) < 2 or claim.chain[-1].lower() not in ("he", "she") or claim.cue_start is None:
        return claim
    if any(start <= claim.cue_start < end for start, end in in_quotes):
        return claim
    return replace(claim, chain=claim.chain[:-1])


# A list item: a line opening with a bullet, a dash or a number ("•Covert operations ...").
_LIST_ITEM = re.compile(r"^\s*(?:[•·▪‣◦*–—-]|\d{1,2}[.)])")


def attribute_lists(claims: list[Claim], text: str) -> list[Claim]:
    """'The campaign included, according to the report:' and the lines listed right after it (no
    blank line between): each unattributed item is the framing source's (implicit_context)."""
    result = list(claims)
    frame: Claim | None = None
    last_end = 0
    for position, claim in enumerate(result):
        sentence = text[claim.sentence_start:claim.sentence_end].rstrip()
        line_start = text.rfind("\n", 0, claim.sentence_start) + 1
        item = bool(_LIST_ITEM.match(text[line_start:claim.sentence_end])) and not text[
            line_start:claim.sentence_start].strip(" \t•·▪‣◦*–—-0123456789.)")
        if frame is not None and item and "\n\n" not in text[last_end:claim.sentence_start]:
            last_end = max(last_end, claim.sentence_end)
            if claim.attribution == "unattributed":
                result[position] = replace(
                    claim, speaker=frame.speaker, speaker_entity=frame.speaker_entity, chain=list(frame.chain),
                    cue=None, cue_start=None, cue_end=None, attribution="implicit_context",
                    hedging=frame.hedging if frame.hedging != "none" else "low")
            continue
        frame = claim if sentence.endswith(":") and claim.attribution == "explicit" and claim.speaker else None
        last_end = claim.sentence_end
    return result


# "A spokesperson issued a statement on his behalf", "Through a lawyer, the firm released a statement".
_STATEMENT = re.compile(
    r"(?P<source>\b(?:[\w’'.\-]+\s+){0,5}?[\w’'.\-]+)\s+(?:has\s+|had\s+)?(?:issued|released|put out|sent|gave|provided)"
    r"\s+(?:a|an|the)\s+(?:\w+\s+)?statement\b")
_ON_BEHALF = re.compile(r"\bstatement\b[^.]{0,40}\bon (?:his|her|their|its|\w+'s) behalf\b|\bon (?:his|her|their|its|\w+'s) "
                        r"behalf\b[^.]{0,40}\bstatement\b", re.IGNORECASE)


def attribute_statements(claims: list[Claim], text: str, paragraph_of: dict[int, int],
                         in_quotes: list[tuple[int, int]]) -> list[Claim]:
    """What follows "X issued a statement (on his behalf)" in its paragraph and the next is the
    statement's, until another source speaks: X is the speaker (a continuation, implicit_context).
    A quotation running on over paragraphs keeps it to its end."""
    result = list(claims)
    source: tuple[str, int] | None = None
    for position, claim in enumerate(result):
        paragraph = paragraph_of.get(claim.sentence_index, -1)
        sentence = text[claim.sentence_start:claim.sentence_end]
        found = _STATEMENT.search(sentence) if claim.attribution == "unattributed" else None
        if found is not None and found.start("source") < 0.5 * len(sentence):
            source = (found.group("source"), paragraph)
            continue
        if claim.speaker and _ON_BEHALF.search(sentence):
            # "In a statement issued on her behalf, a spokeswoman said ...": the sentences after it too.
            source = (claim.chain[0] if claim.chain else claim.speaker, paragraph)
            continue
        if source is None:
            continue
        if claim.attribution == "explicit" or paragraph > source[1] + 1:
            source = None
            continue
        if any(start <= claim.start < end for start, end in in_quotes):
            source = (source[0], paragraph)  # the quotation goes on: so does the statement
        result[position] = replace(
            claim, speaker=source[0], chain=[source[0]], cue=None, cue_start=None, cue_end=None,
            attribution="implicit_context", hedging="low")
    return result
