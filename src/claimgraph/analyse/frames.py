"""Discourse memory across sentences: pronoun and description speakers, recipients, and
attribution frames that carry over ("The paper says: …", "It adds that …", quote paragraphs,
memo detail paragraphs that keep reporting what a source "said")."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from spacy.tokens import Doc, Token

from claimgraph.analyse.attribution import DOCUMENT_NOUNS, TEXT_NOUNS, Frame, Lexicon, source_label

# "Per the Daily Star:", "According to a statement from the council:" alone in a paragraph: the
# paragraph that follows is that source's, quoted as a block.
LEAD_IN = re.compile(r"^\W*(?:per|according to|from)\s+(?P<source>[^:.!?]{2,80}?)\s*:\W*$", re.IGNORECASE)


def lead_in(text: str, *, paragraph: int, sentence: int, start: int) -> Carry | None:
    """The block carry a lead-in paragraph ("Per ABC News:") opens over the next paragraph."""
    match = LEAD_IN.match(text)
    if match is None:
        return None
    source = match.group("source")
    return Carry(kind="quote", speaker=source, chain=[source], cue=text.strip(), cue_start=start,
                 cue_end=start + len(text.rstrip()), hedging="low", paragraph=paragraph, sentence=sentence,
                 verb="per", block=True, relay=True)


# "Jane Roe (@janeroe) March 3, 2020" alone in a paragraph: the signature of an embedded social
# media post; the paragraph before it is the post, in its author's words.
POST_SIGNATURE = re.compile(r"^\W*(?P<name>[A-Z][^()@\n]{1,60}?)\s*\(@\w{1,30}\)"
                            r"(?:\s*(?:on\s+)?[A-Z][a-z]{2,8}\.?\s+\d{1,2},?\s+\d{4})?\s*$")


def post_signature(text: str, *, paragraph: int, sentence: int, start: int) -> Carry | None:
    """The carry a post's signature line opens over the paragraph before it (the post)."""
    match = POST_SIGNATURE.match(text)
    if match is None:
        return None
    name = match.group("name").strip(" \u2014\u2013-")
    return Carry(kind="quote", speaker=name, chain=[name], cue=text.strip(), cue_start=start,
                 cue_end=start + len(text.rstrip()), hedging="low", paragraph=paragraph - 2, sentence=sentence,
                 verb="post", block=True)


# "told the mayor about the allegation": a speech event with a hearer and a topic but no reported
# proposition is the author's account of the event. ("on" would take "on Friday", "on a show".)
TOPIC_PREPOSITIONS = {"about"}
CONTENT_DEPS = {"ccomp", "xcomp", "parataxis", "oprd", "acomp", "attr"}


def reports_nothing(frame: Frame) -> bool:
    """A verb frame whose verb has a hearer and a topic ("told X about Y") and no content clause,
    quotation, "as" predicate or denial: it attributes nothing."""
    if frame.kind != "verb" or frame.content_clause or frame.colon_quote or frame.strip or frame.denial \
            or frame.in_quote:
        return False
    children = list(frame.anchor.children)
    if any(c.dep_ in CONTENT_DEPS for c in children):
        return False
    # ("offered advice about 500 times": "about" before a number is no topic.)
    prepositions = {c.lower_ for c in children if c.dep_ == "prep"
                    and not (c.i + 1 < len(c.doc) and c.doc[c.i + 1].like_num)}
    hearer = any(c.dep_ in ("dobj", "dative") for c in children)
    return hearer and bool(prepositions & TOPIC_PREPOSITIONS) and "as" not in prepositions


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
    position: int = -1  # token index of its latest mention as a source
    mixed: bool = False  # has spoken to more than one recipient: a later bare frame inherits none


@dataclass(frozen=True)
class Resolved:
    surface: str  # what goes in the chain
    canonical: str  # what goes in speaker
    prefix: list[str]
    entity: tuple[str, str | None] | None = None


# Texts that can say something: "it says", "it states" with one of these before it speak as it.
SPEAKING_TEXTS = TEXT_NOUNS
DOCUMENT_LOOKBACK = 120  # tokens: about the last three sentences
PERSON_LOOKBACK = 150
_QUOTED = "claimgraph_quoted_tokens"


def _quoted_in_doc(doc: Doc) -> set[int]:
    """Token indices inside double quotation marks (a quotation closes at a paragraph break
    unless the next paragraph opens another), computed once per parse."""
    found = doc.user_data.get(_QUOTED)
    if found is None:
        found = set()
        open_quote = False
        for token in doc:
            if "\n\n" in token.text or "\n\n" in token.whitespace_:
                open_quote = False
            if token.text in ("“", "”", '"'):
                open_quote = token.text == "“" or (token.text == '"' and not open_quote)
                continue
            if open_quote:
                found.add(token.i)
        doc.user_data[_QUOTED] = found
    return found


def _person_subject(token: Token) -> bool:
    """A singular person as a main clause's subject: a named person or "the chairman", "a spokeswoman"."""
    if token.dep_ not in ("nsubj", "nsubjpass") or token.tag_ in ("NNS", "NNPS"):
        return False
    root = token.sent.root
    if token.head.i != root.i and not (token.head.dep_ == "conj" and token.head.head.i == root.i):
        return False  # "X said the mayor would resign": a subject inside what is reported is no antecedent
    if any(c.dep_ == "parataxis" and any(g.dep_ in ("nsubj", "nsubjpass") for g in c.children) for c in root.children):
        return False  # "The mayor, he said, had broken no law": the same
    if token.pos_ == "PROPN":
        return token.ent_type_ == "PERSON"
    return token.pos_ == "NOUN" and token.lemma_.lower() in PERSON_NOUNS


MALE_WORDS = {"mr", "mr.", "spokesman", "chairman", "businessman", "congressman", "man", "father", "son", "husband",
              "brother", "king", "sir", "lord", "boy", "uncle", "nephew", "grandfather", "councilman", "anchorman"}
FEMALE_WORDS = {"mrs", "mrs.", "ms", "ms.", "miss", "spokeswoman", "chairwoman", "businesswoman", "congresswoman",
                "woman", "mother", "daughter", "wife", "sister", "queen", "lady", "dame", "girl", "aunt", "niece",
                "grandmother", "councilwoman", "madam"}
_GENDERS = "claimgraph_genders"


def gender_of(label: str, doc: Doc) -> str | None:
    """"he", "she" or None (unknown) for a person named `label`: from a title or noun in the label
    ("Ms. Reyes", "the spokeswoman"), else from how the text refers back to the name: the first
    he/his/him or she/her after it as a subject in the same sentence, by majority over the text."""
    words = [w.lower() for w in re.findall(r"[\w.]+", label)]
    if set(words) & MALE_WORDS:
        return "he"
    if set(words) & FEMALE_WORDS:
        return "she"
    name = next((w for w in reversed(label.split()) if w[:1].isupper()), None)
    if name is None:
        return None
    votes = doc.user_data.setdefault(_GENDERS, {})
    if name not in votes:
        he = she = 0
        for token in doc:
            if token.text != name or token.dep_ not in ("nsubj", "nsubjpass"):
                continue
            after = next((t.lower_ for t in token.sent if t.i > token.i and t.lower_ in ("he", "his", "him", "she", "her")),
                         None)
            if after in ("he", "his", "him"):
                he += 1
            elif after in ("she", "her"):
                she += 1
        votes[name] = "he" if he > she else "she" if she > he else None
    return votes[name]


def person_before(pronoun: Token) -> Token | None:
    """The nearest singular person subject of a main clause before the pronoun, outside quotations:
    what "he" or "she" in a frame most often refers to ("The chairman gave an interview. '...,' he
    said", "The minister was accused of fraud, a charge he denies")."""
    doc = pronoun.doc
    quoted = _quoted_in_doc(doc)
    for i in range(pronoun.i - 1, max(-1, pronoun.i - PERSON_LOOKBACK), -1):
        token = doc[i]
        if i not in quoted and _person_subject(token) \
                and gender_of(source_label(token)[0], doc) in (None, pronoun.lower_):
            return token
    return None


def host_subject(pronoun: Token) -> Token | None:
    """The person subject of the clause a relative clause hangs on, for a "he"/"she" subject of
    that relative clause: "the author of the report sat down for an interview, during which he
    said ..." -> "the author of the report", not a person named in an earlier sentence."""
    verb = pronoun.head
    if pronoun.dep_ not in ("nsubj", "nsubjpass") or verb.dep_ != "relcl":
        return None
    node = verb.head  # the noun the relative clause hangs on ("an interview")
    if node.pos_ in ("PROPN", "PRON") or node.ent_type_ == "PERSON" or node.lemma_.lower() in PERSON_NOUNS:
        return None  # a relative clause on a person ("a man whom she met ...") is no host clause
    while node.pos_ not in ("VERB", "AUX") and node.dep_ in ("pobj", "prep", "dobj", "attr", "npadvmod", "appos", "conj"):
        node = node.head
    if node.pos_ not in ("VERB", "AUX"):
        return None
    subject = next((c for c in node.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if subject is None or subject.tag_ in ("NNS", "NNPS"):
        return None
    person = subject.ent_type_ == "PERSON" if subject.pos_ == "PROPN" else (
        subject.pos_ == "NOUN" and subject.lemma_.lower() in PERSON_NOUNS)
    if not person or gender_of(source_label(subject)[0], pronoun.doc) not in (None, pronoun.lower_):
        return None
    return subject


def _document_before(pronoun: Token) -> Token | None:
    """The nearest text noun before "it" ("released a report ... it says" -> "a report")."""
    doc = pronoun.doc
    for i in range(pronoun.i - 1, max(-1, pronoun.i - DOCUMENT_LOOKBACK), -1):
        token = doc[i]
        if token.pos_ == "NOUN" and token.tag_ == "NN" and token.lemma_.lower() in SPEAKING_TEXTS:
            return token
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
    block: bool = False  # "X said:" at a paragraph's end: the next paragraph is the quotation
    relay: bool = False  # "Per X:": X relays the block; a source the block names is the speaker
    clause: bool = True  # the frame's content runs to its sentence's end ("X said that ...")
    person: bool = False  # the source is a person
    quote_open: bool = False  # the frame's sentence leaves a quotation open


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
        if head.lower_ in ("he", "she"):
            host = host_subject(head)
            if host is not None:
                named = self.entity_at(host)
                surface = source_label(host)[0]
                return Resolved(surface, named[1] if named and named[1] else surface, list(frame.prefix), named)
        entity = None if " + " in label else self.entity_at(head)
        known = self._antecedent(head, label)
        if entity is not None and entity[1] and (head.lower_ in ("he", "she") or _is_s_he(head)):
            # The entity step resolved the pronoun with all mentions in view (not only sources).
            same = known is not None and known.entity is not None and known.entity[0] == entity[0]
            prefix = list(frame.prefix) or (list(known.prefix) if same and known else [])
            return Resolved(entity[1], entity[1], prefix, entity)
        if head.lower_ in ("he", "she") and entity is None and (known is None or not known.person):
            # No person has spoken yet: "he" is the person last named as a subject (rather than
            # an organisation that spoke before).
            person = person_before(head)
            if person is not None:
                named = self.entity_at(person)
                surface = source_label(person)[0]
                return Resolved(surface, named[1] if named and named[1] else surface, list(frame.prefix), named)
        if head.lower_ == "it":
            document = _document_before(head)
            # A writing named since the last known source, as a subject or an object ("The judge
            # issued an order."), is the one that speaks; one in passing ("says the report was
            # wrong") does not displace the source in play.
            if document is not None and (known is None or (document.i > known.position and document.dep_ in (
                    "nsubj", "nsubjpass", "dobj") and document.head.i == document.sent.root.i)
                    and document.sent.start != head.sent.start):
                # "..., it says.": the report, order or statement named before (not the agency
                # that published it).
                label = source_label(document)[0]
                return Resolved(label, label, list(frame.prefix))
        if known is None:
            return Resolved(label, entity[1] if entity and entity[1] else label, list(frame.prefix), entity)
        pronoun = head.lower_ in ("he", "she", "it", "they", "both") or _is_s_he(head)
        surname = head.pos_ == "PROPN" and known.label.endswith(head.text)
        surface = known.label if pronoun or surname else label
        if frame.prefix and not known.prefix:
            known.prefix = list(frame.prefix)  # "He told The Guardian": the recipient is the source's
        elif frame.prefix and frame.prefix != known.prefix:
            known.mixed = True  # told ABC News, then a presenter: "X acknowledged" names no one
        if pronoun or entity is None:
            entity = known.entity
        canonical = entity[1] if entity and entity[1] else known.canonical
        return Resolved(surface, canonical, list(frame.prefix) or ([] if known.mixed else list(known.prefix)), entity)

    def _antecedent(self, head: Token, label: str) -> KnownSource | None:
        word = "they" if head.lower_ in ("both", "each") and head.dep_ in ("nsubj", "nsubjpass") else head.lower_
        if word in ("he", "she", "it", "they") or _is_s_he(head):
            want_person = word in ("he", "she") or _is_s_he(head)
            for known in reversed(self.sources):
                if word == "it" and (known.person or known.plural):
                    continue
                if want_person and (not known.person or known.plural):
                    continue
                if word in ("he", "she") and not _is_s_he(head) and gender_of(known.label, head.doc) not in (None, word):
                    continue  # "she" is not the senator the text calls "he"
                if word == "they" and not known.plural:
                    continue
                return known
            if want_person:
                # No known person: any earlier non-document source is a better guess than "he".
                # (A person passed over above is of the other gender.)
                return next((k for k in reversed(self.sources) if not k.document_like and not k.plural
                             and not k.person), None)
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
        # "the mayor's attorney, Ann Holt, told": the label is the apposed name, a person's.
        named = any(c.dep_ == "appos" and c.ent_type_ == "PERSON" and c.i > head.i for c in head.children)
        for part in parts:
            words = part.split()
            last = words[-1].lower() if words else ""
            person = (head.ent_type_ == "PERSON" or last in PERSON_NOUNS or named
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
                                            entity=resolved.entity if len(parts) == 1 else None,
                                            position=head.i))


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
        elif resolved is not None and head is not None and head.lower_ in ("he", "she") and host_subject(head) is not None:
            outer_person = resolved  # "..., during which he told X that he believes ...": both are the host's subject
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
