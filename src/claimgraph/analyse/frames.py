"""Discourse memory across sentences: pronoun and description speakers, recipients, and
attribution frames that carry over ("The paper says: …", "It adds that …", quote paragraphs,
memo detail paragraphs that keep reporting what a source "said")."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from spacy.tokens import Token

from claimgraph.analyse.attribution import Frame, Lexicon, source_label

PERSON_NOUNS = {"official", "officials", "figure", "spokesman", "spokeswoman", "spokesperson", "ambassador",
                "expert", "experts", "source", "sources", "insider", "aide", "adviser", "advisor", "minister",
                "compatriot", "associate", "officer", "diplomat", "lawyer", "senator", "analyst", "person",
                "president", "director", "agent", "contact", "man", "woman", "leader", "leaders", "russians",
                "chief", "secretary", "journalist", "reporter", "attorney", "manager", "counsel", "spokespeople",
                "governor", "mayor", "chairman", "chairwoman", "chair", "member", "investigator", "investigators",
                "operative", "businessman", "businesswoman", "friend", "wife", "husband", "colleague", "staffer",
                "candidate", "general", "envoy", "negotiator", "researcher", "author", "writer", "editor",
                "prosecutor", "judge", "witness", "victim", "agent", "operator", "associate", "employee"}


@dataclass
class KnownSource:
    label: str  # surface form where it was introduced
    canonical: str  # the first, fullest form of the same source
    head: str  # lower-cased head word
    person: bool
    plural: bool
    document_like: bool
    prefix: list[str] = field(default_factory=list)
    entity: tuple[str, str | None] | None = None  # (key, name) from the entity step


@dataclass(frozen=True)
class Resolved:
    surface: str  # what goes in the chain
    canonical: str  # what goes in speaker
    prefix: list[str]
    entity: tuple[str, str | None] | None = None


DOCUMENT_NOUNS = {"document", "paper", "report", "memo", "dossier", "memorandum", "file", "assessment", "study"}


# Texts that can say something: "it says", "it states" with one of these before it speak as it.
SPEAKING_TEXTS = DOCUMENT_NOUNS | {"statement", "order", "letter", "filing", "complaint", "lawsuit", "indictment",
                                   "ruling", "email", "poll", "survey", "bill", "proposal", "analysis", "review",
                                   "audit", "book", "article", "story", "motion", "brief", "opinion", "transcript",
                                   "release", "guidance", "policy", "plan", "platform", "resolution", "decision"}
DOCUMENT_LOOKBACK = 120  # tokens: about the last three sentences


def _document_before(pronoun: Token) -> str | None:
    """The nearest text noun phrase before "it" ("released a report ... it says" -> "a report")."""
    doc = pronoun.doc
    for i in range(pronoun.i - 1, max(-1, pronoun.i - DOCUMENT_LOOKBACK), -1):
        token = doc[i]
        if token.pos_ == "NOUN" and token.tag_ == "NN" and token.lemma_.lower() in SPEAKING_TEXTS:
            return source_label(token)[0]
    return None


@dataclass
class Carry:
    """An attribution that later sentences may inherit."""

    kind: str  # quote | content
    speaker: str | None
    chain: list[str]
    cue: str
    cue_start: int
    cue_end: int
    hedging: str
    paragraph: int
    sentence: int
    verb: str = ""  # lemma of the reporting verb


@dataclass
class Discourse:
    outlet: str | None = None
    sources: list[KnownSource] = field(default_factory=list)
    carry: Carry | None = None
    quote_paragraph: int = -1  # last paragraph that belonged to a carried direct quotation
    mentions: list[tuple[int, int, str, str | None]] = field(default_factory=list)  # start, end, key, name
    entity_types: dict[str, str] = field(default_factory=dict)  # key -> PER | ORG | ...

    def entity_at(self, token: Token) -> tuple[str, str | None] | None:
        """The entity whose mention covers the token (the entity step resolves descriptions)."""
        for start, end, key, name in self.mentions:
            if start <= token.idx < end:
                return key, name
        return None

    def resolve(self, frame: Frame) -> Resolved | None:
        """The frame's source with pronouns, definite descriptions and surnames resolved."""
        head = frame.source_head
        label = frame.label
        if label is None:
            return None
        if head is None or label.startswith("("):
            return Resolved(label, label, list(frame.prefix))
        entity = None if " + " in label else self.entity_at(head)
        known = self._antecedent(head, label)
        if entity is not None and entity[1] and (head.lower_ in ("he", "she") or _is_s_he(head)):
            # The entity step resolved the pronoun with all mentions in view (not only sources).
            same = known is not None and known.entity is not None and known.entity[0] == entity[0]
            prefix = list(frame.prefix) or (list(known.prefix) if same and known else [])
            return Resolved(entity[1], entity[1], prefix, entity)
        if known is None and head.lower_ == "it":
            document = _document_before(head)
            if document is not None:  # "..., it says.": the report, order or statement named before
                return Resolved(document, document, list(frame.prefix))
        if known is None:
            return Resolved(label, entity[1] if entity and entity[1] else label, list(frame.prefix), entity)
        pronoun = head.lower_ in ("he", "she", "it", "they", "both") or _is_s_he(head)
        surname = head.pos_ == "PROPN" and known.label.endswith(head.text)
        surface = known.label if pronoun or surname else label
        if frame.prefix and not known.prefix:
            known.prefix = list(frame.prefix)  # "He told The Guardian": the recipient is the source's
        if pronoun or entity is None:
            entity = known.entity
        canonical = entity[1] if entity and entity[1] else known.canonical
        return Resolved(surface, canonical, list(frame.prefix) or list(known.prefix), entity)

    def _antecedent(self, head: Token, label: str) -> KnownSource | None:
        word = "they" if head.lower_ in ("both", "each") and head.dep_ in ("nsubj", "nsubjpass") else head.lower_
        if word in ("he", "she", "it", "they") or _is_s_he(head):
            want_person = word in ("he", "she") or _is_s_he(head)
            for known in reversed(self.sources):
                if word == "it" and (known.person or known.plural):
                    continue
                if want_person and (not known.person or known.plural):
                    continue
                if word == "they" and not known.plural:
                    continue
                return known
            if want_person:
                # No known person: any earlier non-document source is a better guess than "he".
                return next((k for k in reversed(self.sources) if not k.document_like and not k.plural), None)
            return None
        determiners = {c.lower_ for c in head.children if c.dep_ in ("det", "poss")}
        for known in reversed(self.sources):
            if known.label == label:
                return known
            if head.pos_ == "PROPN" and known.label.endswith(head.text) and len(known.label) > len(label):
                return known
            if known.head == word and ("the" in determiners or "this" in determiners) \
                    and not _conflicting(label, known.label):
                return known
        # "the document", "the paper": a generic definite noun re-mentions the document in play
        # (a specific one, "the memo", may be another document).
        if word in ("document", "paper") and determiners & {"the", "this"}:
            for known in reversed(self.sources):
                if known.document_like and not known.plural:
                    return known
        return None

    def remember(self, frame: Frame, resolved: Resolved, lexicon: Lexicon) -> None:
        head = frame.source_head
        label = resolved.surface
        if head is None or label.startswith("("):
            return
        if head.lower_ in ("he", "she", "it", "they") or _is_s_he(head):
            return  # the antecedent is already known
        parts = [p.strip() for p in label.split(" + ")] if " + " in label else [label]
        for part in parts:
            words = part.split()
            last = words[-1].lower() if words else ""
            person = (head.ent_type_ == "PERSON" or last in PERSON_NOUNS
                      or (head.pos_ == "PROPN" and last not in lexicon.thing_nouns and head.ent_type_ not in
                          ("ORG", "GPE", "NORP", "FAC")))
            kind = self.entity_types.get(resolved.entity[0]) if resolved.entity and len(parts) == 1 else None
            if last in lexicon.thing_nouns or kind in {"ORG", "GPE", "LOC", "NORP"} \
                    or re.fullmatch(r"(?:[A-Z]\.?){2,6}", words[-1] if words else ""):
                person = False  # an organisation ("the FBI", "The Guardian"), not a person
            plural = (last.endswith("s") and not last.endswith("ss") and head.tag_ in ("NNS", "NNPS"))
            canonical = resolved.canonical if len(parts) == 1 else part
            self.sources.append(KnownSource(label=part, canonical=canonical, head=last, person=person,
                                            plural=plural, document_like=last in DOCUMENT_NOUNS,
                                            prefix=list(resolved.prefix),
                                            entity=resolved.entity if len(parts) == 1 else None))


CONTRASTIVE = {"current", "former", "new", "old", "other", "another", "second", "ex", "previous", "next"}


def _conflicting(label: str, known: str) -> bool:
    """"the current POTUS" is not "the former POTUS"."""
    mine = set(label.lower().split()) & CONTRASTIVE
    theirs = set(known.lower().split()) & CONTRASTIVE
    return bool(mine ^ theirs)


def _is_s_he(token: Token) -> bool:
    doc = token.doc
    return token.lower_ == "he" and token.i >= 2 and doc[token.i - 1].text == "/" and doc[token.i - 2].lower_ == "s"


def chain_for(frames: list[Frame], discourse: Discourse) -> tuple[list[str], str | None, str | None]:
    """Chain nearest-first, the innermost named speaker and its entity key, for frames ordered
    outermost first."""
    chain: list[str] = []
    speaker: str | None = None
    speaker_entity: str | None = None
    outlet = (discourse.outlet or "").lower()
    named_according = any(f.kind == "according" and f.label and not f.label.startswith("(") for f in frames)
    outer_person: Resolved | None = None
    for frame in frames:
        if named_according and frame.kind == "adverb":
            continue  # "reportedly ..., according to the documents": one source, hedged
        resolved = discourse.resolve(frame)
        head = frame.source_head
        if head is not None and head.lower_ in ("he", "she") and outer_person is not None:
            # "Steele told ABC News he believes ...": the pronoun is the outer speaker.
            resolved = Resolved(outer_person.surface, outer_person.canonical, [], outer_person.entity)
        person = resolved is not None and (
            (resolved.entity is not None and discourse.entity_types.get(resolved.entity[0]) == "PER")
            or (head is not None and (head.ent_type_ == "PERSON" or head.lower_ in PERSON_NOUNS)))
        if person and head is not None and head.lower_ not in ("he", "she", "it", "they"):
            outer_person = resolved
        if resolved is None:
            continue
        links = resolved.prefix + ([] if frame.speaker_only else [resolved.surface])
        for link in links:
            low = link.lower()
            if low != outlet and low != f"the {outlet}" and link not in chain:
                chain.append(link)
        if not resolved.surface.startswith("("):
            speaker = resolved.canonical
            speaker_entity = resolved.entity[0] if resolved.entity else None
    return chain, speaker, speaker_entity


def quote_open_at(text: str, paragraph_start: int, position: int) -> bool:
    """Whether a double-quoted stretch opened in this paragraph is still open at position."""
    depth = 0
    straight = False
    for char in text[paragraph_start:position]:
        if char == "“":
            depth += 1
        elif char == "”":
            depth = max(0, depth - 1)
        elif char == '"':
            straight = not straight
    return depth > 0 or straight
