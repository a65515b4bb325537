"""How surely the reporting document puts a claim forward, and what kind of claim it is."""

from __future__ import annotations

import re

from dataclasses import replace

from spacy.tokens import Token

from claimgraph.analyse.attribution import ALLEGATION_NOUNS, Frame
from claimgraph.analyse.cue_lexicon import Lexicon
from claimgraph.models import Claim

# A modal about a present or past state hedges the fact ("is likely to be accurate"); a modal
# about a future event is the source's own prediction ("likely to roll") and does not.
STATE_MODAL = re.compile(r"\b(?:likely to (?:be|have)|may have|might have|could have|must have)\b", re.I)
# The author's explicit uncertainty: "If true, ...", "It is possible that ...".
UNCERTAIN_IN_TEXT = re.compile(r"\b(?:if (?:true|confirmed|accurate|verified|authentic|genuine|correct)\b"
                               r"|it (?:is|was|'s|remains) (?:possible|conceivable|plausible|unclear|not clear) (?:that|whether)\b)",
                               re.I)
RAISING_IN_TEXT = re.compile(r"\b(?:appear(?:s|ed)? to|seem(?:s|ed)? to)\b", re.I)
PREDICTION = re.compile(r"\b(?:will|would|could|may|might|shall|going to|likely to|set to|to come)\b", re.I)
PROPOSAL = re.compile(r"\b(?:should|must|necessary|measures|ought to)\b", re.I)
META = re.compile(r"\b(?:seen by|issued to|it is unclear|are being questioned|in confidence|"
                  r"had direct access|published)\b", re.I)
INFERENCE = re.compile(r"\b(?:therefore|thus|hence)\b", re.I)
EVALUATIVE_FRAMES = {"describe", "brand", "call", "label", "deem", "characterize", "characterise", "view",
                     "regard", "consider", "list"}


def hedge_count(frames: list[Frame], unit_text: str, *, quoted: bool = False) -> int:
    """Independent hedges of the REPORTING document over a claim.

    Adverbs and "according to" sources always count; of the verb frames only the outermost
    counts ("It is reported that Moscow believes": "believes" is Moscow's, not the reporter's).
    Modals and "appear to" in the claim's own words count only in the author's voice: in a
    source's words they are the source's modality. A modal about a past fact ("may have heard")
    in reported speech counts too, unless the words are quoted (`quoted`: the claim lies inside
    quotation marks).
    """
    count = 0
    verb_seen = False
    for frame in frames:
        if frame.kind in ("verb", "passive"):
            if verb_seen:
                continue
            verb_seen = True
        count += min(1, frame.hedges) if frame.kind != "verb" else min(2, frame.hedges)
    sourced = any(f.label and not f.label.startswith("(") for f in frames)
    if sourced:
        # "the report says Trump may have heard": a modal about a past fact in reported speech
        # hedges it; in the source's quoted words ('"We may have erred," he said') it is theirs.
        modal = STATE_MODAL.search(unit_text)
        if modal is not None and not quoted and not _quoted_at(unit_text, modal.start()):
            count += 1
    else:
        if STATE_MODAL.search(unit_text):
            count += 1
        if RAISING_IN_TEXT.search(unit_text) and not any("appear" in f.cue.lower() or "seem" in f.cue.lower()
                                                         for f in frames):
            count += 1
        if UNCERTAIN_IN_TEXT.search(unit_text):
            count += 1
    return count


def _quoted_at(text: str, position: int) -> bool:
    """Is `position` inside quotation marks opened earlier in `text` (or is the text a quotation)?"""
    before = text[:position].replace("\u201c", '"').replace("\u201d", '"')
    return before.count('"') % 2 == 1


def text_hedge(unit_text: str) -> tuple[str, int, int] | None:
    """The author's own hedge in the claim's words, with its offsets in unit_text."""
    match = STATE_MODAL.search(unit_text) or RAISING_IN_TEXT.search(unit_text) or UNCERTAIN_IN_TEXT.search(unit_text)
    return (match.group(0), match.start(), match.end()) if match else None


def hedging_level(count: int, *, attributed: bool) -> str:
    """none = bare assertion; low = neutral attribution; medium = one hedge; high = two or more."""
    if count >= 2:
        return "high"
    if count == 1:
        return "medium"
    return "low" if attributed else "none"


PREDICTIVE_MODALS = {"will", "would", "could", "may", "might", "shall", "wo", "'ll", "ca"}


def _modal_head(head: Token) -> bool:
    """A predictive modal on the claim's own verb, or on the verb it is coordinated with
    ("would be able to dominate ..., to deconstruct ...")."""
    node = head
    for _ in range(4):
        if any(c.tag_ == "MD" and c.lower_ in PREDICTIVE_MODALS for c in node.children):
            return not any(c.lower_ == "have" and c.dep_ == "aux" for c in node.children)
        if any(c.lower_ == "likely" and c.dep_ == "acomp" for c in node.children):
            return True
        if node.dep_ in ("conj", "xcomp", "acomp") and node.head.i != node.i:
            node = node.head
        else:
            return False
    return False


def claim_type(unit_text: str, frames: list[Frame], head: Token, *, denied: bool, speaker: str | None,
               direct: bool) -> str:
    """factual | evaluative | prediction | proposal | inference | denial | meta (cheap cues).

    The claim's own verb decides: "it was agreed that X would help" is a fact about an agreement,
    while "It adds that X would help" reports a prediction (the reporting verb hands over its
    content clause).
    """
    if denied:
        return "denial"
    if META.search(_without_sources(unit_text, frames, head)):
        return "meta"
    if PROPOSAL.search(unit_text):
        return "proposal"
    if speaker is None and INFERENCE.search(unit_text):
        return "inference"  # "therefore ... is likely to be accurate": the author's conclusion
    reported = [c for f in frames if f.anchor.i == head.i for c in head.children if c.dep_ in ("ccomp", "xcomp")]
    if _modal_head(head) or any(_modal_head(c) for c in reported):
        return "prediction"
    if any(f.anchor.lemma_.lower() in EVALUATIVE_FRAMES and f.anchor.i == head.i for f in frames):
        return "evaluative"
    if direct:
        return "evaluative"  # quoted words of a person are mostly their characterisation
    return "factual"


def _without_sources(unit_text: str, frames: list[Frame], head: Token) -> str:
    """The claim's words without its sources' noun phrases: "The documents, seen by The Guardian,
    appear to show X" is about X, not about who saw the documents."""
    for frame in frames:
        if frame.source_tokens:
            source = head.doc[min(frame.source_tokens):max(frame.source_tokens) + 1].text
            unit_text = unit_text.replace(source, " ")
    return unit_text


def quote_kind(text: str, *, attributed: bool, inside_quote: bool) -> str:
    """direct = the claim is quoted words; mixed = a quoted fragment in reported speech."""
    if inside_quote:
        return "direct"
    if not attributed:
        return "none"  # scare quotes in the author's voice are no quotation of a source
    quoted = re.findall(r"[“\"‘]([^”\"’]{2,})[”\"’]", text)
    if quoted:
        quoted_len = sum(len(q) for q in quoted)
        if quoted_len >= 0.8 * len(text.strip(" “”\"‘’")):
            return "direct"
        return "mixed"
    return "indirect"


# A speaker rejecting in their own words: a reply that opens with "No," or a negated statement
# about themselves or about what was said ("It didn't happen", "We did not interfere").
_REPLY_NO = re.compile(r"^\W*no[,.!]\s", re.IGNORECASE)
# ("It would not come to a vote": a negated forecast about a thing rejects nothing; "we would never" does.)
_SELF_NEGATED = re.compile(
    r"^\W*(?:(?:i|we)\b(?:'s|'re|'ve| (?:is|was|are|were|did|does|do|has|have|had|will|would|could|can))?"
    r"|(?:it|this|that)\b(?:'s|'re|'ve| (?:is|was|are|were|did|does|do|has|have|had))?)"
    r"(?:n't|\s+(?:not|never)\b)(?!\s+(?:clear|known|yet|only|just|surprising|easy|possible|sure|certain|the first|a surprise)\b)",
    re.IGNORECASE,
)


# The source says the allegation is not true: "none of it was true", "that is not accurate", a finding
# "which investigators determined not to be true".
_NOT_TRUE = re.compile(r"\b(?:(?:is|was|are|were)(?:n't|\s+not|\s+never)|not\s+to\s+be|none of (?:it|this|that|them|these|those|the \w+)"
                       r"\s+(?:is|was|are|were)|nothing\s+(?:in|of)\s+(?:it|this|that|the \w+)\s+(?:is|was))"
                       r"\s+(?:\w+ly\s+)?(?:true|accurate|correct|factual)\b", re.IGNORECASE)


def is_denied(unit_text: str, frames: list[Frame], lexicon: Lexicon, *, attributed: bool, quoted: bool = False) -> bool:
    """The source rejects the proposition: a denial verb ("have denied"), or the source's own
    words call it fiction ("This is pulp fiction", "the idea ... was a great pulp fiction",
    "It's all fake news": in quotation marks, whoever the parser gave them to), or a speaker's
    own "No, ..." or "It didn't happen"."""
    if any(f.denial or _pushes_back(f) for f in frames):
        return True
    if not attributed and not quoted:
        return False
    plain = unit_text.replace("\u2019", "'").strip(" \"\u201c\u201d\u2018'")
    lowered = f" {re.sub(r'[^a-z ]+', ' ', plain.lower())} "
    if any(f" {term} " in lowered for term in lexicon.denial_terms):
        return True
    return attributed and bool(_REPLY_NO.match(plain) or _SELF_NEGATED.match(plain) or _NOT_TRUE.search(plain))


# The author's own rejection of what a source just said: "The report says the village is reserved
# for officials. It is not reserved for anyone."; "X say it was a hoax. That is not what the facts show."
_REBUTTAL = re.compile(r"^\W*(?:it|that|this)\b(?:'s| is| was)(?:n't|\s+not)\b"
                       r"(?!\s+(?:clear|known|yet|only|just|surprising|easy|possible|sure|certain|the first|a surprise)\b)",
                       re.IGNORECASE)


def _rebuts(claim: Claim, previous: Claim) -> bool:
    """An unattributed "It is not ..."/"That is not ..." opening the sentence right after a
    sourced claim rejects that claim."""
    return (claim.attribution == "unattributed" and claim.polarity == "asserted" and not claim.speaker
            and claim.start == claim.sentence_start and bool(_REBUTTAL.match(claim.text))
            and bool(previous.speaker) and previous.attribution == "explicit"
            and claim.sentence_index == previous.sentence_index + 1)


# "shot back against the reports", "hit back at the allegations", "pushed back on the claims".
_PUSHBACK_PREPOSITIONS = {"against", "at", "on"}


def _pushes_back(frame: Frame) -> bool:
    """A source's verb with "back" aimed at reports or allegations rejects them."""
    anchor = frame.anchor
    back = next((c for c in anchor.children if c.lower_ == "back" and c.dep_ in ("advmod", "prt")), None)
    if back is None:
        return False
    # The parser hangs the preposition on the verb or on "back".
    return any(c.dep_ == "prep" and c.lower_ in _PUSHBACK_PREPOSITIONS
               and any(o.dep_ == "pobj" and o.lemma_.lower() in ALLEGATION_NOUNS for o in c.children)
               for c in [*anchor.children, *back.children])


# A negated predicate: "does not engage", "did not have", "has no", "never had".
_NEGATED = re.compile(
    r"\b(?:(?:do|does|did|is|are|was|were|has|have|had|will|would|could|can)(?:\s+not\b|n't)|never|(?:has|have|had) no)\b",
    re.IGNORECASE,
)


# The statement is the source's words ("said", "told", "added"), not a deed the text reports.
_SPEECH_CUE = re.compile(r"\b(?:said|says|say|told|tells|added|adds|stressed|insisted|stated|states|noted|"
                         r"declared|continued|quote continues)\b", re.IGNORECASE)


def deny_negated_statements(claims: list[Claim]) -> list[Claim]:
    """A source that has rejected an allegation goes on rejecting it: a later negated statement of
    the same speaker ("The company does not keep such files", "the board did not have any"), in
    their words (quoted, or under a speech verb), is a denial too. Claims in document order."""
    deniers: set[str] = set()
    result: list[Claim] = []
    for claim in claims:
        previous = result[-1] if result else None
        if previous is not None and _rebuts(claim, previous):
            claim = replace(claim, polarity="denied", claim_type="denial")
        who = claim.speaker_entity or claim.speaker
        spoken = claim.quote == "direct" or bool(claim.cue and _SPEECH_CUE.search(claim.cue))
        if who and spoken and claim.polarity == "asserted" and who in deniers and _NEGATED.search(claim.text):
            claim = replace(claim, polarity="denied", claim_type="denial")
        if who and claim.polarity == "denied":
            deniers.add(who)
        result.append(claim)
    return result
