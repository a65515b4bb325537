"""The bare proposition of a claim, for comparing claims across documents.

A claim's `content` is its span, which often still carries how it was reported ("reported on
recent developments concerning ...", "According to the insider, ...", "Continuing on this
theme, X commented that ...") and the document's own way of naming things ("the now
75-year-old", "PUTIN"). Two documents stating one proposition in different registers then
look less alike than they are. `proposition()` rebuilds the span with each named entity
mention replaced by its canonical name in the document, then strips reporting frames and
discourse openers (lexicon: data/judge.json `frames`) and the cue when the claim span starts
with it. The result feeds the embedding and the judge's term overlap; the claim keeps its
content for display.
"""

from __future__ import annotations

import dataclasses
import re
from functools import lru_cache

from claimgraph.link.judge import content_terms, load_lexicon
from claimgraph.models import Analysis, Claim, Entity

# Mentions whose canonical name may stand in for the text: names always; descriptions only of
# people, places and organisations ("the now 75-year-old" -> "Donald Trump").
_NAMED_TYPES = {"PER", "GPE", "ORG", "LOC", "NORP"}


@lru_cache(maxsize=1)
def _frames() -> tuple[list[re.Pattern[str]], ...]:
    frames = load_lexicon().get("frames", {})
    return tuple(
        [re.compile(p, re.IGNORECASE) for p in frames.get(kind, [])]
        for kind in ("leading", "trailing", "inline", "copula")
    )


@lru_cache(maxsize=1)
def _glossary() -> tuple[re.Pattern[str] | None, dict[str, str]]:
    """Terms of art -> plain words (data/judge.json `frames.glossary`), one whole-word pattern."""
    words = {w.lower(): plain for w, plain in load_lexicon().get("frames", {}).get("glossary", {}).items()}
    if not words:
        return None, words
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE), words


def _with_names(claim: Claim, analysis: Analysis | None) -> str:
    """The claim's content with entity mentions from its span replaced by canonical names.

    Names always ("PUTIN", "Russian president Vladimir Putin" -> "Vladimir Putin"); definite
    descriptions only of named people ("the now 75-year-old" -> "Donald Trump").
    """
    content = claim.content
    if analysis is None:
        return content
    entities = {e.key: e for e in analysis.entities}
    replace: dict[str, str] = {}
    for mention in analysis.mentions:
        if mention.start < claim.start or mention.end > claim.end:
            continue
        entity = entities.get(mention.entity)
        if entity is None or not entity.name or len(mention.text) < 2:
            continue
        if mention.kind == "description":
            proper = any(w[:1].isupper() for w in entity.name.split()[1:] + entity.name.split()[:1])
            if not (entity.type == "PER" and proper and mention.text.lower().startswith("the ")):
                continue
        elif mention.kind != "name":
            continue
        replace.setdefault(mention.text, entity.name)
    if not replace:
        return content
    # Longest first, one pass, whole words: a nested name never rewrites its own replacement.
    pattern = re.compile(
        r"(?<![\w])(?:" + "|".join(re.escape(t) for t in sorted(replace, key=len, reverse=True)) + r")(?![\w])",
        re.IGNORECASE,
    )
    lowered = {t.lower(): n for t, n in replace.items()}

    def name_for(match: re.Match[str]) -> str:
        name = lowered.get(match.group(0).lower(), match.group(0))
        before = content[: match.start()].rstrip().lower()
        if name.lower().startswith("the ") and (before.endswith(" the") or before == "the"):
            name = name[4:]
        return name

    return " ".join(pattern.sub(name_for, content).split())


def strip_frames(text: str, cue: str | None = None) -> str:
    """Remove leading reporting frames, discourse openers and trailing source phrases."""
    lead, trail, inline, copula = _frames()
    current = text.strip()
    glossary, plain = _glossary()
    if glossary is not None:
        current = glossary.sub(lambda match: plain[match.group(0).lower()], current)
    for pattern in inline:
        current = pattern.sub("", current)
    for pattern in copula:
        current = pattern.sub("is", current)
    current = " ".join(current.split())
    for _ in range(6):
        before = current
        for pattern in lead:
            match = pattern.match(current)
            if match and len(current) - match.end() >= 12:
                current = current[match.end() :].lstrip(" ,:;")
        if cue:
            c = cue.lower().split("(")[0].strip()
            if c and current.lower().startswith(c + " ") and len(current) > len(c) + 12:
                current = current[len(c) :].lstrip(" ,:")
                current = re.sub(r"^(?:that|on|of)\s+", "", current, flags=re.IGNORECASE)
        for pattern in trail:
            match = pattern.search(current)
            if match and match.start() >= 12:
                current = current[: match.start()].rstrip(" ,;:")
        if current == before:
            break
    return current.strip(" ,;:\"'\u2018\u2019\u201c\u201d")


_PERSONAL = {"PER", "ANON_SOURCE", "GROUP"}
_RELATIVE = re.compile(r"^(?:which|who|whom|where|that)\b\s*", re.IGNORECASE)


def _antecedent(claim: Claim, analysis: Analysis | None, text: str | None) -> str | None:
    """For a claim split off as a relative clause ("which took place in January 2016"): the noun
    phrase it hangs on, taken from the mention that ends right before the claim span."""
    if analysis is None or not text or not _RELATIVE.match(claim.content):
        return None
    entities = {e.key: e for e in analysis.entities}
    personal = claim.content.lower().startswith(("who", "whom"))
    best, best_rank = None, None
    for mention in analysis.mentions:
        if mention.end > claim.start or mention.start < claim.sentence_start:
            continue
        gap = text[mention.end : claim.start]
        if len(gap) > 4 or gap.strip(" ,;:\u00a0\t\n"):
            continue
        entity = entities.get(mention.entity)
        is_person = entity is not None and entity.type in _PERSONAL
        # "who" hangs on a person, "which"/"where" on anything else; then the outermost phrase.
        rank = (is_person != personal, mention.start)
        if best_rank is None or rank < best_rank:
            best, best_rank = mention, rank
    if best is None:
        # No entity mention there: the last few words before the clause stand in for it.
        before = text[claim.sentence_start : claim.start].rstrip(" ,;:\u00a0")
        words = re.findall(r"[\w'\u2019-]+", before.split(",")[-1])
        return " ".join(words[-5:]) or None
    entity = entities.get(best.entity)
    if best.kind == "name" and entity is not None and entity.name:
        return entity.name
    return best.text


# A denial's object that only points back at what the article alleges ("these allegations").
_ANAPHORIC_OBJECT = re.compile(
    r"^(?:these|those|the|such|all (?:the|these|those)|all|both)\s+(?:\w+\s+)?"
    r"(?:allegations?|claims?|accusations?|charges?|reports?|suggestions?|assertions?|stories|story|findings?)$",
    re.IGNORECASE,
)
# A content cut off at a coordinating word ("Russian leaders had met and"): the rest of the
# denied proposition is still in the claim's text, up to "was/is '...'" ("... was 'pulp fiction'").
_DANGLING = re.compile(r"\b(?:and|or|but|nor|to|that|then)$", re.IGNORECASE)
_VERDICT = re.compile(r"\s+(?:was|is|were|are|as)\s+(?:just |simply |merely |a |an |the |nothing but |more )*[\"'\u2018\u201c]", re.IGNORECASE)


def _completed(claim: Claim) -> str | None:
    """A denied content truncated at a conjunction, completed from the claim's text."""
    content = claim.content.strip()
    source = getattr(claim, "text", "") or ""
    if not _DANGLING.search(content) or not source:
        return None
    at = source.find(content)
    if at < 0:
        return None
    rest = source[at + len(content) :]
    verdict = _VERDICT.search(rest)
    tail = rest[: verdict.start()] if verdict else rest
    tail = tail.split(". ")[0].rstrip(" ,;:")
    if not tail.strip():
        return None
    return content + tail


def _main_claim(claim: Claim, analysis: Analysis | None, text: str | None) -> str | None:
    """What "these allegations" point back at: the document's first asserted claim (its lede)."""
    if analysis is None or claim.polarity == "asserted" or not _ANAPHORIC_OBJECT.match(claim.content.strip(" .,")):
        return None
    earlier = [c for c in analysis.claims if c.polarity == "asserted" and c.start < claim.start and c.zone != "title"]
    if not earlier:
        return None
    lede = min(earlier, key=lambda c: (c.start, -(c.end - c.start)))
    return proposition(lede, analysis, text)


_PRONOUN = re.compile(r"(?<![\w/])(?:he|she|him|her)(?![\w/])", re.IGNORECASE)
_PRONOUN_WINDOW = 2  # sentences back an antecedent may be found in


def _named_person(entity: Entity) -> bool:
    """A person with a real name: capitalised words, not "spy chiefs" or "a senior figure"."""
    return entity.type == "PER" and bool(entity.name) and all(w[:1].isupper() for w in entity.name.split())


def _resolve_pronouns(claim: Claim, analysis: Analysis | None, base: str) -> str:
    """Third-person singular pronouns -> the canonical name of the most recently named person.

    No coreference model installs offline (shared/docs/MODELS.md §4), so this is the salience
    baseline: the last person named (by name or a definite description of a named person)
    before the pronoun, in its sentence or the two before it ("Putin has denied accusations that
    he interferes" -> Putin). "He is an 'impulsive ... individual'" after "a psychological
    assessment of the former POTUS" compares as "Donald Trump is ...". Possessive "her" and pronouns after a person named in the claim itself are
    left alone (the claim already says whom it is about).
    """
    if analysis is None or not _PRONOUN.search(base):
        return base
    entities = {e.key: e for e in analysis.entities}
    earlier = [c.sentence_start for c in analysis.claims if c.sentence_index < claim.sentence_index]
    window_start = claim.sentence_start
    starts = sorted(set(earlier), reverse=True)
    if starts:
        window_start = starts[min(_PRONOUN_WINDOW, len(starts)) - 1]
    # Where the pronoun stands in the document: the span's text may run longer than its content
    # ("To date, Putin has repeatedly denied accusations that he interferes ...").
    found = _PRONOUN.search(claim.text or "")
    limit = claim.start + found.start() if found else claim.start
    best = None
    for mention in analysis.mentions:
        entity = entities.get(mention.entity)
        if entity is None or not _named_person(entity) or mention.kind not in ("name", "description"):
            continue
        if window_start <= mention.start and mention.end <= limit:
            if best is None or mention.start > best[0]:
                best = (mention.start, entity.name)
    if best is None or best[1].lower() in base.lower():
        return base
    return _PRONOUN.sub(best[1], base)


def proposition(claim: Claim, analysis: Analysis | None = None, text: str | None = None) -> str:
    """The claim's proposition without its reporting frame, with canonical entity names."""
    lede = _main_claim(claim, analysis, text)
    if lede:
        return lede
    completed = _completed(claim) if claim.polarity != "asserted" else None
    if completed:
        claim = dataclasses.replace(claim, content=completed)
    base = _resolve_pronouns(claim, analysis, _with_names(claim, analysis))
    antecedent = _antecedent(claim, analysis, text)
    if antecedent:
        base = antecedent + " " + _RELATIVE.sub("", base, count=1)
    cleaned = strip_frames(base, claim.cue)
    return cleaned or claim.content


@lru_cache(maxsize=8192)
def _whole(phrase: str) -> re.Pattern[str]:
    """`phrase` as whole words (a document's names are looked for in each of its claims)."""
    return re.compile(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)")


# An article before a name, with at most one capitalised word between ("the Washington Post",
# "The Moscow Ritz Carlton"): how an outlet, a hotel or a firm is named, never a person. A
# possessive or a lower-case word between ("the FBI's James Comey", "the former president
# Donald Trump") does not count.
_ARTICLE_LED = re.compile(r"(?:^|[^\w])(?:[Tt]he|THE)(?:\s+[A-Z][\w.-]*)?\s+$")


def _article_led(entity: Entity, analysis: Analysis, document_text: str) -> bool:
    """Does the document name this entity only after "the" (an outlet, a hotel typed as a person)?

    A name of one word is left alone: "the Obamas" are people."""
    if len(entity.name.split()) < 2:
        return False
    spans = [(m.start, m.end) for m in analysis.mentions if m.entity == entity.key and m.kind in ("name", "description")]
    return bool(spans) and all(_ARTICLE_LED.search(document_text[max(0, start - 40):start]) for start, _ in spans)


def named_in(text: str, analysis: Analysis | None, document_text: str | None = None) -> tuple[list[str], list[str]]:
    """(people, names) of the document's entities whose canonical name the text contains.

    people: surnames (lower case) of the named people, for the judge's different-people test.
    Given the document's text, an entity typed as a person that the document names only after
    "the" ("the Washington Post", "the Moscow Ritz Carlton") is not counted among them.
    names: content terms (judge stems) of every name but events'. What a claim says beyond its
    names is its predicate: two claims naming the Steele dossier and the FBI may still say
    nothing alike (the judge's `_predicates_apart`); "Trump support operation" names what
    claims about it predicate, so events' names are not set aside.
    """
    if analysis is None:
        return [], []
    lowered = text.lower()
    named = [e for e in analysis.entities if e.name and len(e.name) > 1
             and _whole(e.name.lower()).search(lowered)]
    surnames = {e.name.split()[-1].lower() for e in named if _named_person(e)
                and not (document_text is not None and _article_led(e, analysis, document_text))}
    terms = {t for e in named if e.type != "EVENT" for t in content_terms(e.name)}
    # What the text calls a named entity ("Christopher Steele, a former British intelligence
    # officer") says who it is, not what is claimed of it.
    keys = {e.key for e in named if e.type != "EVENT"}
    terms |= {t for m in analysis.mentions if m.kind == "description" and m.entity in keys
              and _whole(m.text.lower()).search(lowered) for t in content_terms(m.text)}
    return sorted(surnames), sorted(terms)


def people(text: str, analysis: Analysis | None) -> list[str]:
    """Surnames (lower case) of the document's named people whose canonical name the text contains."""
    return named_in(text, analysis)[0]
