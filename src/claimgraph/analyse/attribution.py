"""Attribution frames inside one sentence: source, cue and scope, from the dependency parse.

A frame says "these tokens are put forward by this source, signalled by this cue". Kinds:
verb ("X said that ...", "..., X reports"), according ("according to X"), adverb
("reportedly"), passive ("is said to", "It is reported that", "was viewed as").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from spacy.tokens import Span, Token

from claimgraph.analyse.cue_lexicon import Lexicon, load_lexicon
from claimgraph.analyse.cue_model import CueModel, cue_extent, is_candidate
from claimgraph.analyse.sentences import doc_text

__all__ = ["Frame", "Lexicon", "clause_scope", "find_frames", "load_lexicon", "source_label"]

SUBJECTS = {"nsubj", "nsubjpass", "csubj"}
# "told reporters": an audience, not a link that passes the claim on.
GENERIC_AUDIENCES = {"reporters", "journalists", "press", "media", "audience", "crowd", "supporters", "viewers"}
FIRST_SECOND_PERSON = {"i", "we", "you"}
RELATIVE = {"who", "which", "that", "whom", "whose"}
ASPECTUAL = {"go", "continue", "proceed", "begin", "start"}
# Negated, these verbs refuse to say anything ("did not comment", "would not confirm").
REFUSALS = {"comment", "confirm", "respond", "elaborate", "discuss", "answer", "reply", "disclose", "specify"}


DOCUMENT_NOUNS = {"document", "paper", "report", "memo", "dossier", "memorandum", "file", "assessment", "study"}
# Writings that can speak ("the order says", "..., it states") and that an issuer releases.
TEXT_NOUNS = DOCUMENT_NOUNS | {"statement", "order", "letter", "filing", "complaint", "lawsuit", "indictment",
                               "ruling", "email", "poll", "survey", "bill", "proposal", "analysis", "review",
                               "audit", "book", "article", "story", "motion", "brief", "opinion", "transcript",
                               "release", "guidance", "policy", "plan", "platform", "resolution", "decision",
                               "decree", "directive", "judgment", "judgement", "verdict", "law", "regulation"}

# "The court released its ruling", "the council passed a decree": issuing a writing is no report.
ISSUING_VERBS = {"release", "publish", "issue", "file", "sign", "pass", "produce", "submit", "post", "unveil",
                 "circulate", "adopt", "enact", "compile", "draft", "leak", "obtain", "send", "deliver"}


@dataclass
class Frame:
    kind: str  # verb | according | adverb | passive
    anchor: Token  # the token whose clause the frame governs
    cue: str
    cue_start: int
    cue_end: int
    label: str | None = None  # chain label of the source; None: hedge without a source
    source_head: Token | None = None
    source_tokens: set[int] = field(default_factory=set)
    scope: set[int] = field(default_factory=set)  # token indices the frame covers
    strip: set[int] = field(default_factory=set)  # token indices removed from claim spans
    prefix: list[str] = field(default_factory=list)  # chain links outside the source (recipient)
    hedges: int = 0  # independent epistemic hedges this frame brings
    denial: bool = False
    content_clause: bool = False  # "X said that ...": can carry over to the next sentences
    colon_quote: bool = False  # "X said: “...": opens a direct quotation
    in_quote: bool = False  # anchored inside quoted words (the quoted speaker's own report)
    speaker_only: bool = False  # implicit: no chain link ("was viewed as")
    learned: bool = False  # proposed by the cue model, not by a rule


def _verb_lemma(token: Token) -> str:
    particle = next((c.lower_ for c in token.children if c.dep_ == "prt"), None)
    return f"{token.lemma_.lower()} {particle}" if particle else token.lemma_.lower()


def _subtree_ids(token: Token) -> set[int]:
    return {t.i for t in token.subtree}


def source_label(head: Token) -> tuple[str, set[int]]:
    """A short name for a source NP: the proper name when the head is one, else the NP minus
    appositions and relative/participial clauses ("The documents, seen by The Guardian" -> "The documents")."""
    if head.pos_ == "PROPN":
        # "White House Press Secretary Sean Spicer": a title of capitalised words runs up to five before the name.
        names = [t for t in head.subtree if t.i <= head.i and (t.dep_ in ("compound", "flat") or t.i == head.i)
                 and head.i - t.i <= 5]
        # "Source B", "Dmitri Peskov": the contiguous compound run ending at the head.
        names = [t for t in names if all((n.dep_ in ("compound", "flat") and n.text[:1].isupper()) or n.i == head.i
                                         for n in head.doc[t.i:head.i + 1])]
        det = [c for c in head.children if c.dep_ == "det" and c.i < head.i]
        first = min([t.i for t in names] + [head.i])
        if det and det[0].i == first - 1:
            first = det[0].i
        text = head.doc[first:head.i + 1].text
        return text, _subtree_ids(head)
    name = next((c for c in head.children if c.dep_ == "appos" and c.pos_ == "PROPN" and c.i > head.i), None)
    definite = any(c.dep_ == "poss" or (c.dep_ == "det" and c.lower_ == "the") for c in head.children)
    if name is not None and definite:  # "His former manager and current adviser, Ann Holt,": one person, named
        return source_label(name)[0], _subtree_ids(head)
    cut = {"appos", "relcl", "acl", "punct", "cc", "conj"}
    left_ok = {"det", "amod", "compound", "poss", "nummod", "nmod", "case", "quantmod", "advmod", "predet", "npadvmod"}
    keep = [head]
    for child in head.children:
        if child.i < head.i and child.dep_ not in left_ok:
            continue  # a misattached opening clause ("Speaking ..., a senior figure") is not the name
        if child.dep_ in cut and child.i > head.i:
            continue
        if child.dep_ == "prep" and child.i > head.i and child.lower_ not in ("of", "in", "at", "from", "for"):
            continue
        if child.dep_ == "prep" and any(t.ent_type_ in ("DATE", "TIME") for t in child.subtree):
            continue  # "a close colleague in early August 2016": the date is not the source
        keep.extend(child.subtree)
    ids = sorted(t.i for t in keep)
    # Contiguous run around the head only (an apposition splits it).
    lo = hi = head.i
    idset = set(ids)
    while lo - 1 in idset:
        lo -= 1
    while hi + 1 in idset:
        hi += 1
    comma = next((t.i for t in head.doc[head.i + 1:hi + 1] if t.text in (",", "(", "—", "–")), None)
    if comma is not None:
        hi = comma - 1  # "a report from The Washington Post, the ex-president ...": stop at the comma
    span = head.doc[lo:hi + 1]
    conj = [c for c in head.children if c.dep_ == "conj"]
    text = span.text
    if conj:
        text = text + " + " + source_label(conj[0])[0]
    return text.strip(" ,"), _subtree_ids(head)


def _subject(verb: Token) -> Token | None:
    for child in verb.children:
        if child.dep_ in SUBJECTS:
            return child
    # "... is classified as secret and says ...": a coordinated verb shares the subject.
    if verb.dep_ == "conj" and verb.head.pos_ in ("VERB", "AUX"):
        return _subject(verb.head)
    # "The department are said to have suggested ...": the hedged passive's subject is the one
    # who suggested (other xcomps do not pass their subject on).
    if verb.dep_ == "xcomp" and any(c.dep_ == "auxpass" for c in verb.head.children) \
            and verb.head.lemma_.lower() in ("say", "understand", "believe", "report", "think", "allege"):
        return next((c for c in verb.head.children if c.dep_ == "nsubjpass"), None)
    # "it goes on to say", "he went on to claim", "she continued to insist": the aspectual verb's
    # subject is the one who says.
    if verb.dep_ == "xcomp" and verb.head.lemma_.lower() in ASPECTUAL:
        return _subject(verb.head)
    # "X joined Y in rejecting ...": the one who joined rejects (with whom they joined).
    joined = _joined(verb)
    if joined is not None:
        return _subject(joined)
    # "She opened by saying ...", "in calling it ...": the verb the preposition hangs on ("before
    # writing a letter" times an act; it reports nothing).
    if verb.dep_ == "pcomp" and verb.tag_ == "VBG" and verb.head.lower_ in ("by", "in") \
            and verb.head.dep_ == "prep" and verb.head.head.pos_ == "VERB":
        return _subject(verb.head.head)
    # "Speaking to ABC News, Steele, ..., said": the parser gives the subject to the participle.
    for child in verb.children:
        if child.dep_ == "advcl" and child.tag_ in ("VBG", "VBN") and child.i < verb.i:
            found = next((c for c in child.children if c.dep_ in SUBJECTS and c.pos_ in ("PROPN", "NOUN")), None)
            if found is not None:
                return found
    # "Trump dismissed the dossier, saying: ...": a participle's subject is its head's.
    if verb.dep_ == "advcl" and verb.tag_ in ("VBG", "VBN") and verb.head.pos_ in ("VERB", "AUX") \
            and not any(c.dep_ == "mark" for c in verb.children):
        return _subject(verb.head)
    return None


def _joined(verb: Token) -> Token | None:
    """"X joined Y in rejecting ...": the verb "joined", whose subject (with Y) does the rejecting."""
    if verb.dep_ == "pcomp" and verb.head.lower_ == "in":
        return next((a for a in list(verb.head.ancestors)[:3] if a.lemma_.lower() == "join"), None)
    return None


def _speaking_intro(verb: Token) -> Token | None:
    """The "Speaking (in confidence) to X, ..." participle that makes the clause a report."""
    holders = [verb] + [c for c in verb.children if c.dep_ in SUBJECTS]
    for holder in holders:
        for child in holder.children:
            if child.dep_ in ("advcl", "csubj", "nsubj") and child.lemma_.lower() in ("speak", "talk") \
                    and child.tag_ == "VBG" and child.i < verb.i:
                return child
    return None


def _predicates_something(verb: Token) -> bool:
    """"described X as Y", "branded Putin a killer", "called it fake": a predicate is attached."""
    deps = [c.dep_ for c in verb.children]
    # The parser often hangs "as ..." on the object's last word rather than on the verb.
    if any(t.dep_ == "prep" and t.lower_ == "as" for t in verb.subtree):
        return True
    # 'called the story about his arrest "complete fiction"': a quoted label after the object.
    obj = next((c for c in verb.children if c.dep_ == "dobj"), None)
    if obj is not None and any(t.text in ('"', "“") and t.i > obj.i for t in obj.subtree):
        return True
    return bool({"oprd", "attr", "ccomp", "xcomp", "acomp"} & set(deps)) or deps.count("dobj") >= 2


def witnesses(source: Token) -> list[str]:
    """"The documents, seen by The Guardian": the witness comes before the source in a chain."""
    found = []
    for child in source.children:
        if child.dep_ in ("acl", "relcl") and child.lemma_ in ("see", "obtain", "review", "leak", "publish"):
            for agent in child.children:
                if agent.dep_ == "agent":
                    found += [source_label(obj)[0] for obj in agent.children if obj.dep_ == "pobj"]
    return found


def _antecedent_of_relative(verb: Token) -> Token | None:
    """"Source D, ..., who reported that ...": the relative clause's noun is the source."""
    node = verb
    while node.dep_ == "conj" and node.head.i != node.i:
        node = node.head
    if node.dep_ in ("relcl", "acl") and node.head.pos_ in ("NOUN", "PROPN"):
        return node.head
    return None


def _content_children(verb: Token) -> list[Token]:
    return [c for c in verb.children if c.dep_ in ("ccomp", "xcomp", "dobj", "attr", "oprd", "acomp")
            or (c.dep_ == "prep" and c.lower_ in ("as", "to", "on"))]


CLOSING_QUOTES = {"”", '"', "''"}


def _closes_quote(token: Token, sent: Span) -> bool:
    """token comes right after a closing quotation mark (a comma between allowed), within the
    sentence or just before it in the same paragraph."""
    doc = token.doc
    i = token.i - 1
    while i >= 0 and (doc[i].is_space or doc[i].text == ","):
        if "\n\n" in doc[i].text:
            return False
        i -= 1
    if i < 0 or doc[i].text not in CLOSING_QUOTES:
        return False
    if i >= sent.start:
        return True
    return "\n\n" not in doc[i:token.i].text and doc[i].whitespace_.count("\n") < 2


# What may stand between a reporting verb and the colon or comma that opens its quotation:
# 'said:', 'told reporters:', 'saying at a debate in September, "'.
_BEFORE_QUOTE_DEPS = {"dative", "dobj", "pobj", "compound", "det", "prep", "advmod", "npadvmod", "amod", "nummod",
                      "poss", "case"}


def _quote_opener(verb: Token, sent: Span, *, wide: bool = True) -> Token | None:
    """The colon (or a comma right before an opening quote mark) that opens the verb's direct
    quotation: 'He said: "...', 'Spicer said, "...'; wide, also 'saying at a debate in September, "...'."""
    doc = verb.doc
    window = doc[verb.i + 1: min(verb.i + (10 if wide else 6), sent.end)]
    opens = [t for t in window if t.i + 1 < sent.end and doc[t.i + 1].text in ('"', "“")]
    # Wide, the mark must open a quotation ("mocked the ambitions of three men: A, B and C" lists).
    mark = next((t for t in (opens if wide else window) if t.text == ":"), None)
    if mark is None:
        mark = next((t for t in (opens if wide else window[:1]) if t.text == ","
                     and (wide or t in opens)), None)
    if mark is None:
        return None
    between = doc[verb.i + 1:mark.i]
    if not all(t.dep_ in _BEFORE_QUOTE_DEPS or t.pos_ in ("PROPN", "DET") for t in between):
        return None
    return mark


def _verb_frame(verb: Token, sent: Span, lexicon: Lexicon) -> Frame | None:
    lemma = _verb_lemma(verb)
    if lemma not in lexicon.reporting and verb.lemma_.lower() in lexicon.reporting:
        lemma = verb.lemma_.lower()  # a misparsed particle ("understood ... out")
    raising = verb.head if verb.dep_ == "xcomp" and verb.head.lemma_ in lexicon.raising else None
    introduced = _speaking_intro(verb) is not None
    if lemma not in lexicon.reporting and lemma not in lexicon.denial_verbs and not introduced:
        return None
    if any(c.dep_ == "auxpass" for c in verb.children):
        return None  # passives are handled by _passive_frame
    if verb.dep_ in ("acl", "amod") and verb.tag_ == "VBN":
        return None  # "the memos referred to as ...": a participle modifying a noun reports nothing
    negated = any(c.dep_ == "neg" for c in verb.children) or (
        verb.dep_ == "conj" and any(c.dep_ == "neg" for c in verb.head.children))
    if negated and lemma not in lexicon.denial_verbs:
        return None  # "did not comment on or confirm": a refusal, not a report
    subject = _subject(raising or verb)
    if subject is not None and subject.lower_ == "s" and subject.i + 2 < len(subject.doc) \
            and subject.doc[subject.i + 1].text == "/" and subject.doc[subject.i + 2].lower_ == "he":
        subject = subject.doc[subject.i + 2]  # "s/he": the memo's gender-neutral pronoun
    if subject is not None and subject.lower_ in ("alia", "addition", "particular", "short", "sum"):
        # "Inter alia, Source E, acknowledged": the parser takes the adverbial for the subject.
        subject = next((c for c in subject.children if c.dep_ == "appos"), None)
    if subject is not None and subject.lower_ in RELATIVE:
        subject = _antecedent_of_relative(raising or verb)
    if subject is not None and subject.pos_ == "VERB" and subject.tag_ in ("VBG", "VBN"):
        # "Continuing on this theme the source ... reported": the participle swallowed the subject.
        subject = next((c for c in subject.children if c.dep_ in ("dobj", "nsubj", "appos")
                        and c.pos_ in ("NOUN", "PROPN")), None)
    if subject is None or subject.dep_ == "expl" or subject.pos_ in ("VERB", "AUX", "SCONJ") or subject.lower_ in NO_ONE:
        return None
    if lemma in lexicon.state_verbs and (subject.lower_ in FIRST_SECOND_PERSON or raising is not None):
        # "I want", "we hope": the speaker's own stance inside a quotation; "appeared to have
        # wanted": the author's hedged inference, which the raising verb already marks.
        return None
    if lemma == "ask" and verb.tag_ == "VBN":
        return None  # "Asked to explain why ..., the official said": the question is not the report
    if subject.lower_ == "it" and any(c.dep_ == "auxpass" for c in (raising or verb).children):
        return None
    content = _content_children(verb)
    # '"...," a spokesman told reporters': the recipient after the verb is not reported content.
    after = [c for c in content if c.i > verb.i and not (lemma == "tell" and c.dep_ in ("dobj", "dative"))]
    # ('"A," Smith added, "B."': a frame between two halves of a quotation opens nothing new.)
    opener = _quote_opener(verb, sent) if lemma in lexicon.reporting and not _closes_quote(
        subject.left_edge, sent) else None
    if opener is not None and not after:
        after = [opener]  # 'saying in January, "It's all ...': the quotation the parser hung elsewhere
    before_root = verb.dep_ in ("conj", "parataxis", "ROOT", "advcl") and verb.i > sent.start + 2
    has_clause = any(c.dep_ in ("ccomp", "xcomp") for c in content)
    own_size = len(_subtree_ids(verb) - {t.i for c in verb.children if c.dep_ in ("conj", "cc", "ccomp")
                                          for t in c.subtree})
    trailing = (not after) and before_root and own_size <= 8 and any(
        t.i < min(_subtree_ids(subject)) for t in sent if t.is_alpha)
    edge = subject.left_edge
    after_comma = edge.i - 1 > sent.start + 2 and verb.doc[edge.i - 1].text == ","
    after_quote = _closes_quote(edge, sent)
    if not after and subject.i < verb.i and verb.i - edge.i <= 8 and (after_comma or after_quote):
        # '"...," the billionaire told People, in an interview' and "..., he said.": the frame after
        # what it reports, however the parser hung that on it; also a sentence of its own right
        # after a closing quote.
        trailing = True
    ccomp_before = [c for c in verb.children if c.dep_ == "ccomp" and c.i < verb.i]
    if ccomp_before and not after:
        trailing = True
    if lemma == "ask" and not has_clause and not after_quote and opener is None:
        return None  # "the mayor asked for cash": what is asked for is no proposition ('"Why?" she asked' is one)
    if lemma in lexicon.trailing_only and not (trailing and after_quote):
        return None  # "the leaks will continue": only '"...," he continued' reports
    that_follows = verb.i + 1 < len(verb.doc) and verb.doc[verb.i + 1].lower_ == "that"
    if lemma in lexicon.needs_clause and not has_clause and not trailing and not that_follows and not introduced:
        return None
    summed = lemma in lexicon.denial_verbs and verb.dep_ == "relcl" and verb.head.dep_ == "appos" \
        and verb.head.lemma_.lower() in ALLEGATION_NOUNS
    if not after and not trailing and not ccomp_before and not summed:
        # "what it sees as": a reporting verb with nothing reported is no frame.
        if not any(c.dep_ == "prep" for c in verb.children):
            return None
    if lemma in lexicon.predicative and not _predicates_something(verb) and not trailing:
        return None  # "a key source had called him": not "called him a liar"
    label, source_ids = source_label(subject)
    if subject.i != verb.i and any(t.i == subject.i for t in verb.ancestors):
        # "unnamed sources, who claimed ...": the source NP contains the clause it introduces.
        source_ids -= _subtree_ids(verb)
        label = source_label(subject)[0].split(" who ")[0]
    hedge_level = lexicon.reporting.get(lemma, "low")
    # The cue is the verb with its auxiliaries, particle and preposition, never the source
    # ("..., he said": "said"), as PolNeAR marks it.
    cue_tokens = cue_extent(verb) + [c for c in verb.children if c.dep_ in ("aux", "neg")]
    if raising is not None:
        cue_tokens += [raising] + [c for c in verb.children if c.dep_ == "aux" and c.tag_ == "TO"]
    lo = min(t.idx for t in cue_tokens)
    hi = max(t.idx + len(t.text) for t in cue_tokens)
    frame = Frame(kind="verb", anchor=raising or verb, cue=doc_text(sent.doc)[lo:hi], cue_start=lo, cue_end=hi,
                  label=label, source_head=subject, source_tokens=source_ids)
    frame.hedges = (1 if hedge_level == "medium" else 0) + (1 if raising is not None else 0)
    # Denial by the verb itself; denial by wording ("was a great pulp fiction") is judged per
    # claim in hedging.is_denied, since it belongs to one clause, not to the whole frame.
    frame.denial = lemma in lexicon.denial_verbs
    # "Speaking to a compatriot, X discussed ...": the memo's paragraph source is introduced.
    frame.content_clause = has_clause or bool(ccomp_before) or introduced
    top = raising or verb
    if trailing:
        frame.scope = {t.i for t in sent} - source_ids
        # The frame is the source, the verb and what hangs after it ("in an interview"); what the
        # parser hung on the verb before the source is the quotation itself, and a reporting
        # participle's content ('she said, adding, "..."') is more of it.
        first = min(subject.left_edge.i, verb.i) if subject.i < verb.i else verb.i
        keep = {t.i for c in verb.children if c.dep_ in ("conj", "ccomp") for t in c.subtree}
        # ('..., she said, describing the audit': the participle's plain object is the frame's own matter.)
        keep |= {t.i for c in verb.children if c.dep_ == "advcl" and c.lemma_.lower() in lexicon.reporting
                 for g in c.children if g.dep_ == "ccomp" or (g.dep_ in ("dobj", "xcomp") and any(
                     t.text in ('"', "“") or t.dep_ == "ccomp" for t in g.subtree)) for t in g.subtree}
        frame.strip = ({t.i for t in verb.subtree if t.i >= first} - keep) | source_ids
        if raising is not None:
            frame.strip |= {raising.i}
    elif summed:
        # "He was accused of fraud, a charge he denies": the denial is of the clause the noun sums up.
        frame.scope = {t.i for t in sent} - _subtree_ids(verb.head)
        frame.strip = _subtree_ids(verb.head)
    else:
        # "X denied A, and his passport shows B": a denial's content is its object, not the next clause.
        frame.scope = clause_scope(_joined(verb) or top, keep_and=not frame.denial) - source_ids
    # Recipient: "told The Guardian", "speaking ... to a trusted compatriot".
    frame.prefix += told(verb)
    for child in list(top.children) + list(subject.children):
        if child.dep_ == "advcl" and child.lemma_ in ("speak", "talk", "brief"):
            for grand in child.subtree:
                if grand.dep_ == "prep" and grand.lower_ == "to":
                    for obj in grand.children:
                        if obj.dep_ == "pobj":
                            frame.prefix.append(source_label(obj)[0])
    frame.prefix += witnesses(subject)
    # Direct quotation after a colon: the frame is stripped and the quote continues.
    colon = opener if opener is not None else _quote_opener(verb, sent, wide=False)
    if colon is not None:
        frame.colon_quote = True
        frame.scope = {t.i for t in sent}
        # 'He said: "...': the frame up to the colon; in '"A," she said, adding, "B"' only "adding ,";
        # in '"A," he added, "and B."' the quotation before the frame is its content, not the frame.
        first = verb.left_edge.i
        if ccomp_before and subject.i < verb.i:
            first = min(subject.left_edge.i, verb.i)
        frame.strip = {t.i for t in sent if first <= t.i <= colon.i}
    return frame


_PERSONAL = frozenset({"he", "she", "they", "i", "we", "you", "him", "her", "them"})


def _a_person(token: Token) -> bool:
    """"He was dismissed by the president": what a passive report verb did to a person is an act
    (fired, rejected), not a statement about a claim, unlike "This was confirmed by Source D"."""
    return token.lower_ in _PERSONAL or token.ent_type_ == "PERSON"


# Nouns that sum up a claim: "..., a charge he denies", "..., an allegation she rejected".
ALLEGATION_NOUNS = {"charge", "allegation", "accusation", "claim", "suggestion", "assertion", "report", "account",
                    "characterization", "characterisation"}
# Verbs of surmise the cue model finds: as hedged as "believe" ("officials suspect that ...").
SURMISING = {"suspect", "suppose", "presume", "assume", "guess", "surmise", "speculate", "reckon"}
# Who cannot be the source of anything: "Nobody expected this".
NO_ONE = {"nobody", "none", "noone", "nothing"}


def _passive_frame(verb: Token, sent: Span, lexicon: Lexicon) -> Frame | None:
    lemma = verb.lemma_.lower()
    if not any(c.dep_ == "auxpass" for c in verb.children):
        return None
    # "is said to", "It is reported that": a hedged passive needs its infinitive or that-clause
    # ("were known to the community" is no attribution).
    hedged = lemma in lexicon.hedged_passives and (
        any(c.dep_ == "xcomp" and any(g.tag_ == "TO" for g in c.children) for c in verb.children)
        or any(c.dep_ == "ccomp" for c in verb.children))
    agent = next((g for c in verb.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"), None)
    if agent is not None and lemma in lexicon.reporting and agent.pos_ in ("PROPN", "NOUN"):
        # "This was confirmed by Source D": a reporting passive with its agent is an attribution.
        hedged = False
    elif not hedged and lemma not in lexicon.neutral_passives:
        return None
    subject = next((c for c in verb.children if c.dep_ in ("nsubjpass", "nsubj")), None)
    expletive = subject is not None and subject.lower_ == "it" and any(c.dep_ == "ccomp" for c in verb.children)
    has_content = any(c.dep_ in ("xcomp", "ccomp", "oprd") or (c.dep_ == "prep" and c.lower_ == "as")
                      for c in verb.children) or (agent is not None and subject is not None and not _a_person(subject))
    if not has_content:
        return None
    cue_tokens = [verb] + [c for c in verb.children if c.dep_ in ("auxpass", "aux", "advmod") and c.i < verb.i]
    if expletive and subject is not None:  # an expletive is a subject: "it is reported that"
        cue_tokens.append(subject)
        cue_tokens += [t for c in verb.children if c.dep_ == "ccomp" for t in c.children if t.dep_ == "mark"]
    xcomp = next((c for c in verb.children if c.dep_ == "xcomp"), None)
    if xcomp is not None:
        cue_tokens += [c for c in xcomp.children if c.tag_ == "TO"]
    as_prep = next((c for c in verb.children if c.dep_ == "prep" and c.lower_ == "as"), None)
    if as_prep is not None and not hedged:
        cue_tokens.append(as_prep)
    lo = min(t.idx for t in cue_tokens)
    hi = max(t.idx + len(t.text) for t in cue_tokens)
    cue = doc_text(sent.doc)[lo:hi]
    frame = Frame(kind="passive", anchor=verb, cue=cue, cue_start=lo, cue_end=hi)
    if agent is not None:
        frame.label, frame.source_tokens = source_label(agent)
        frame.source_head = agent
    elif hedged:
        frame.label = f'(unspecified: "{cue}")'
        frame.hedges = 1
    else:
        frame.speaker_only = True
    frame.denial = lemma in lexicon.denial_verbs  # "have been denied by the company"
    # A hedged passive covers its own clause, not an "and"-joined independent clause after it.
    frame.scope = clause_scope(verb, keep_and=False)
    frame.content_clause = expletive
    return frame


def clause_scope(top: Token, *, keep_and: bool = True) -> set[int]:
    """What a reporting verb governs: its clause, minus adverbial clauses and clauses joined by
    "but" ("It refers to X but it is unclear ..." leaves the second clause to the author)."""
    scope = _subtree_ids(top)
    for child in top.children:
        joined_by = [c.lower_ for c in top.children if c.dep_ == "cc" and c.i < child.i]
        # "X said A, and B" keeps B; "X said A but B" / "X believe A, therefore B" do not.
        contrast = (not keep_and or not joined_by or joined_by[-1] in ("but", "yet")) \
            and child.dep_ == "conj" and any(c.dep_ in ("nsubj", "nsubjpass", "expl") for c in child.children)
        if child.dep_ in ("advcl", "npadvmod") or contrast:
            scope -= _subtree_ids(child)
    return scope


OPINION_NOUNS = {"opinion", "view", "words", "assessment", "estimation", "judgment", "judgement", "account"}


def _opinion_frame(token: Token, sent: Span) -> Frame | None:
    """"In Peskov's opinion, ...", "In the words of X": the possessor is an explicit source."""
    if token.lower_ != "in" or token.dep_ != "prep":
        return None
    pobj = next((c for c in token.children if c.dep_ == "pobj"), None)
    if pobj is None or pobj.lower_ not in OPINION_NOUNS:
        return None
    holder = next((c for c in pobj.children if c.dep_ == "poss"), None)
    if holder is None:
        holder = next((g for c in pobj.children if c.dep_ == "prep" and c.lower_ == "of"
                       for g in c.children if g.dep_ == "pobj"), None)
    if holder is None:
        return None
    label, _ids = source_label(holder)
    end = pobj.idx + len(pobj.text)
    frame = Frame(kind="according", anchor=token.head, cue=doc_text(sent.doc)[token.idx:end], cue_start=token.idx,
                  cue_end=end, label=label, source_head=holder, source_tokens=_subtree_ids(token))
    frame.scope = (clause_scope(token.head) | {token.i}) - frame.source_tokens
    return frame


NOUN_FRAMES = {"view", "belief", "sense", "feeling", "consensus", "expectation", "fear", "hope"}


def _noun_frame(token: Token, sent: Span) -> Frame | None:
    """"There was still a view in the Kremlin that ...": the holder is the speaker, not a chain link."""
    if token.lemma_.lower() not in NOUN_FRAMES or token.pos_ != "NOUN":
        return None
    holder = next((g for c in token.children if c.dep_ == "prep" and c.lower_ in ("in", "among", "within")
                   for g in c.children if g.dep_ == "pobj"), None)
    clause = next((c for c in token.children if c.dep_ in ("acl", "ccomp", "relcl")
                   and any(m.lower_ == "that" for m in c.children)), None)
    if clause is None:
        clause = next((c for c in token.subtree if c.dep_ in ("acl", "ccomp") and c.i > token.i), None)
    if holder is None or clause is None:
        return None
    label, _ids = source_label(holder)
    that = next((t for t in clause.subtree if t.lower_ == "that" and t.i < clause.i), None)
    hi = that.idx + len(that.text) if that is not None else holder.idx + len(holder.text)
    frame = Frame(kind="noun", anchor=token.head, cue=doc_text(sent.doc)[token.left_edge.idx:hi].strip(),
                  cue_start=token.left_edge.idx, cue_end=hi, label=label, source_head=holder,
                  source_tokens=set(), speaker_only=True)
    frame.scope = {t.i for t in sent}
    return frame


UNCONFIRMED = {"unverified", "unconfirmed", "uncorroborated", "unsubstantiated", "alleged", "purported"}


def _according_frame(token: Token, sent: Span, lexicon: Lexicon) -> Frame | None:
    if token.lower_ != "according":
        return None
    to = next((c for c in token.children if c.lower_ == "to"), None)
    holder = to or token
    pobj = next((c for c in holder.children if c.dep_ in ("pobj", "pcomp")), None)
    if pobj is None:
        return None
    label, ids = source_label(pobj)
    if not any(c.isalpha() for c in label) or label.startswith("["):
        # "According to [redacted]": the whole bracketed object is the (withheld) source.
        after = doc_text(sent.doc)[(to or token).idx + len((to or token).text):sent.end_char]
        label = after.split(",")[0].strip() or label
    obj_text = " ".join(t.lower_ for t in pobj.subtree)
    if pobj.lower_ == "what" or label.lower().startswith("what") or obj_text.startswith("what "):
        # "according to what are assessed to be leaked Kremlin documents"
        whole = sent.doc[pobj.left_edge.i:pobj.right_edge.i + 1].text
        tail = re.search(r"\bto be (.+)$", whole)
        attr = next((t for t in pobj.subtree if t.dep_ in ("attr", "dobj") and t.pos_ in ("NOUN", "PROPN")), None)
        if tail:
            label = tail.group(1).strip(" ,")
        elif attr is not None:
            label = source_label(attr)[0]
    end_tok = to or token
    frame = Frame(kind="according", anchor=token.head, cue=doc_text(sent.doc)[token.idx:end_tok.idx + len(end_tok.text)],
                  cue_start=token.idx, cue_end=end_tok.idx + len(end_tok.text), label=label,
                  source_head=pobj, source_tokens=ids | {token.i, end_tok.i})
    frame.hedges = sum(1 for phrase in lexicon.hedge_phrases if phrase in obj_text)
    if not frame.hedges and any(t.lower_ in UNCONFIRMED for t in pobj.subtree if t.dep_ == "amod"):
        frame.hedges = 1  # "according to unverified reports": the author distances itself
    frame.prefix = witnesses(pobj)  # "according to documents seen by The Guardian"
    frame.scope = (clause_scope(token.head) | {token.i}) - frame.source_tokens
    trailing = any(t.is_alpha and t.i < token.i and t.head.i != token.i for t in sent)
    if trailing:
        frame.strip = _subtree_ids(token)
        if token.i > sent.start and sent.doc[token.i - 1].is_punct:
            frame.strip.add(token.i - 1)
    return frame


def _adverb_frame(token: Token, sent: Span, lexicon: Lexicon) -> Frame | None:
    if token.lower_ not in lexicon.hedge_adverbs or token.dep_ != "advmod":
        return None
    kind = lexicon.hedge_adverbs[token.lower_]
    frame = Frame(kind="adverb", anchor=token.head, cue=token.text, cue_start=token.idx,
                  cue_end=token.idx + len(token.text), hedges=1)
    if kind:
        frame.label = f'({kind}: "{token.text}")'
    # A hedge in a relative or adverbial clause hedges that clause; in the main clause, the sentence.
    subordinate = token.head.dep_ in ("relcl", "acl", "advcl")
    frame.scope = _subtree_ids(token.head) if subordinate else {t.i for t in sent}
    return frame


TRAILING_CUE = re.compile(r",\s+(?P<source>[A-Z][\w’'.\- ]{1,60}?)\s+(?P<verb>[A-Za-z]+)\W*$")


def _matched_spans(sent: Span, match: re.Match[str]) -> tuple[Span, Span] | None:
    """The token spans of a text match's 'source' and 'verb' groups within the sentence."""
    base = sent.start_char
    source = sent.doc.char_span(base + match.start("source"), base + match.end("source"), alignment_mode="expand")
    verb = sent.doc.char_span(base + match.start("verb"), base + match.end("verb"), alignment_mode="expand")
    return None if source is None or verb is None else (source, verb)


def _trailing_cue_frame(sent: Span, lexicon: Lexicon) -> Frame | None:
    """Headline style "…, Intelligence Community Says": Title Case defeats the parser, so the
    final ", <Source> <reporting verb>" is read off the text."""
    match = TRAILING_CUE.search(sent.text)
    if match is None:
        return None
    verb_text = match.group("verb").lower()
    lemma = next((v for v in lexicon.reporting if verb_text in (v, v + "s", v + "ed", v + "d", v[:-1] + "ies")), None)
    if lemma is None or " " in lemma:
        return None
    spans = _matched_spans(sent, match)
    if spans is None:
        return None
    source, verb = spans
    base = sent.start_char
    frame = Frame(kind="verb", anchor=verb.root, cue=verb.text, cue_start=verb.start_char, cue_end=verb.end_char,
                  label=match.group("source").strip(),
                  source_head=source.root, source_tokens={t.i for t in source})
    frame.hedges = 1 if lexicon.reporting.get(lemma) == "medium" else 0
    frame.scope = {t.i for t in sent}
    frame.strip = {t.i for t in sent if t.idx >= base + match.start()}
    return frame


HEADLINE_SOURCE = r"(?P<source>[A-Z][^\s,:;\"“”]*(?:\s+[^\s,:;\"“”]+){0,5}?)"


def _headline_denial_frame(sent: Span, lexicon: Lexicon) -> Frame | None:
    """Headline style "Minister denies report he took bribes": the parser often takes the denial
    verb for a plural noun; "<source> denies|rejects|dismisses ..." at the start is read off the text."""
    forms = {form: verb for verb in lexicon.denial_verbs
             for form in (verb + "s", verb + "d", verb + "ed", verb[:-1] + "ies", verb[:-1] + "ied", verb + "es")}
    match = re.match(HEADLINE_SOURCE + r"\s+(?P<verb>[a-z]+)\b", sent.text)
    if match is None or match.group("verb") not in forms:
        return None
    spans = _matched_spans(sent, match)
    if spans is None:
        return None
    source, verb = spans
    if verb.root.pos_ == "VERB" or len([t for t in sent[verb.end - sent.start:] if t.is_alpha]) < 2:
        return None  # parsed as a verb, the verb rules have it
    frame = Frame(kind="verb", anchor=verb.root, cue=verb.text, cue_start=verb.start_char, cue_end=verb.end_char,
                  label=match.group("source"), source_head=source.root, source_tokens={t.i for t in source})
    frame.denial = True
    frame.scope = {t.i for t in sent}
    return frame


DOCUMENT_OPENING = re.compile(r"^(?P<source>(?:The|This|That|Its|His|Her|Their|A|An)\s+(?:[\w-]+\s+)?(?P<noun>[a-z]+))"
                              r"\s+(?P<verb>[a-z]+s)\b")


def _document_subject_frame(sent: Span, lexicon: Lexicon) -> Frame | None:
    """"The dossier details about a dozen conversations ...": the parser reads "dossier details" as
    one noun; a document noun followed by a reporting verb's -s form is the document speaking."""
    match = DOCUMENT_OPENING.match(sent.text)
    if match is None or match.group("noun") not in lexicon.thing_nouns:
        return None
    verb_text = match.group("verb")
    if not any(v in lexicon.reporting for v in (verb_text[:-1], verb_text[:-2])):
        return None
    spans = _matched_spans(sent, match)
    if spans is None:
        return None
    source, verb = spans
    frame = Frame(kind="verb", anchor=verb.root, cue=verb.text, cue_start=verb.start_char, cue_end=verb.end_char,
                  label=match.group("source"), source_head=source[-1], source_tokens={t.i for t in source})
    frame.scope = {t.i for t in sent}
    return frame


def _speaking_subject(subject: Token) -> bool:
    return subject.pos_ in ("PROPN", "NOUN", "PRON")


def _mandative(clause: Token) -> bool:
    """"recommended that Moscow use all possible force": a subjunctive that-clause is what
    someone wants done, an event of the story, not a proposition put forward."""
    subject = next((c for c in clause.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if subject is None or any(c.dep_ in ("aux", "auxpass") for c in clause.children):
        return False
    # "that the city close the port": a base form after a singular subject is the subjunctive.
    return clause.tag_ == "VB" or (clause.tag_ == "VBP" and subject.tag_ in ("NN", "NNP"))


# "before writing a letter", "after meeting the board": a participle these introduce times an act.
TEMPORAL_PREPOSITIONS = frozenset({"before", "after", "until", "since", "upon", "following"})


def _learned_frame(verb: Token, sent: Span, lexicon: Lexicon, model: CueModel) -> Frame | None:
    """A verb the cue model takes for a cue ("Sanders went further, endorsing ...", "Ms. Warren,
    who has assailed policies ..."): its subject is the source, its clause the content."""
    if not model.is_cue(verb) and not (model.sourced_threshold is not None and is_candidate(verb)
                                       and model.probability(verb) >= model.sourced_threshold):
        return None
    if verb.lemma_.lower() in lexicon.raising and any(c.dep_ == "xcomp" for c in verb.children):
        return None  # "The bank appears to have moved ...": the author's hedge, not the bank speaking
    if any(c.dep_ == "auxpass" for c in verb.children):
        return None
    if verb.tag_ == "VBN" and not any(c.dep_ == "aux" for c in verb.children):
        # "Asked to explain why ...", "Leadership disappointed that ...": a bare participle
        # sets a scene or states a reaction; the report is elsewhere.
        return None
    if any(_mandative(c) for c in verb.children if c.dep_ == "ccomp"):
        return None
    negated = any(c.dep_ == "neg" for c in verb.children) or (
        verb.dep_ == "conj" and any(c.dep_ == "neg" for c in verb.head.children))
    if negated and (verb.lemma_.lower() in REFUSALS or any(
            g.lower_ in ("whether", "if") for c in verb.children if c.dep_ == "ccomp" for g in c.children)):
        return None  # "did not comment on or confirm", "does not say whether": a refusal reports nothing
    subject = _subject(verb)
    if subject is not None and subject.lower_ in RELATIVE:
        subject = _antecedent_of_relative(verb)
    if subject is None and verb.dep_ == "acl" and verb.tag_ == "VBG" and verb.head.pos_ in ("NOUN", "PROPN"):
        subject = verb.head  # "a group backing the senator": the noun the participle modifies holds the stance
    if subject is None and verb.dep_ == "xcomp" and verb.head.pos_ == "VERB" and not any(
            c.dep_ in ("dobj", "dative") for c in verb.head.children):
        subject = _subject(verb.head)  # "She vowed to fight the ruling": who vows fights (not "asked him to")
    if subject is None and verb.tag_ == "VBG":
        # "She shared the news, writing ...", "while commenting on ...", "drew criticism for
        # claiming ...": the participle's doer is the subject of the verb the clause hangs on
        # ("before writing a letter" times an act).
        governor = verb.head.head if verb.dep_ == "pcomp" and (verb.head.lower_ in ("while", "when") or (
            verb.head.dep_ == "prep" and verb.head.lower_ not in TEMPORAL_PREPOSITIONS)) else verb.head
        if (verb.dep_ == "advcl" or governor.i != verb.head.i) and governor.pos_ in ("VERB", "AUX") \
                and governor.i != verb.i:
            subject = _subject(governor)
            subject = None if subject is None or subject.dep_ == "nsubjpass" else subject
    if subject is None or subject.dep_ == "expl" or not _speaking_subject(subject) or subject.lower_ in NO_ONE:
        return None
    if not model.is_sourced_cue(verb, subject):
        return None
    content = [c for c in verb.children if c.dep_ in ("ccomp", "xcomp", "dobj", "prep", "dative", "oprd", "attr", "acomp")]
    if not content:
        return None
    if all(c.dep_ in ("dobj", "prep") for c in content) and any(
            c.dep_ == "dobj" and (c.lemma_.lower() in lexicon.thing_nouns or (
                c.lemma_.lower() in TEXT_NOUNS and verb.lemma_.lower() in ISSUING_VERBS)) for c in content):
        return None  # "The department released a report": the writing speaks ("..., it says"), not who issued it
    cue_tokens = cue_extent(verb) + [c for c in verb.children if c.dep_ in ("aux", "neg")]
    lo = min(t.idx for t in cue_tokens)
    hi = max(t.idx + len(t.text) for t in cue_tokens)
    label, source_ids = source_label(subject)
    if subject.i != verb.i and any(t.i == subject.i for t in verb.ancestors):
        source_ids -= _subtree_ids(verb)
        label = label.split(" who ")[0]
    frame = Frame(kind="verb", anchor=verb, cue=doc_text(sent.doc)[lo:hi], cue_start=lo, cue_end=hi, label=label,
                  source_head=subject, source_tokens=source_ids, learned=True)
    frame.denial = _verb_lemma(verb) in lexicon.denial_verbs
    frame.hedges = 1 if verb.lemma_.lower() in SURMISING else 0  # "Officials suspect that ...": like "believe"
    frame.scope = clause_scope(verb) - source_ids
    frame.prefix = told(verb)  # "told Mic that ...", the clause misparsed as Mic's: the rule gave up
    return frame


def told(verb: Token) -> list[str]:
    """Who a "tell" verb's source told ("told The Guardian"): the first link of the chain."""
    if verb.lemma_.lower() != "tell":
        return []
    return [source_label(child)[0] for child in verb.children
            if child.dep_ in ("dative", "dobj") and child.pos_ in ("PROPN", "NOUN") and child.lower_ not in GENERIC_AUDIENCES]


THINGS = {"it", "this", "that", "there", "which", "what"}
CUE_NOUN_HOLDERS = ("of", "from", "by")


def cue_holder(noun: Token) -> Token | None:
    """Who holds a cue noun: "her criticism", "the senator's support", "criticism from the senator"."""
    holder = next((c for c in noun.children if c.dep_ == "poss"), None)
    if holder is None:
        holder = next((g for c in noun.children if c.dep_ == "prep" and c.lower_ in CUE_NOUN_HOLDERS
                       for g in c.children if g.dep_ == "pobj" and (g.pos_ == "PROPN" or g.ent_type_ in
                                                                    ("PERSON", "ORG", "NORP", "GPE"))), None)
    if holder is None or holder.lower_ in THINGS or holder.pos_ not in ("PROPN", "NOUN", "PRON"):
        return None
    return holder


def _cue_noun_frame(token: Token, sent: Span, lexicon: Lexicon) -> Frame | None:
    """A noun PolNeAR train marks as a cue, held by a source ("her criticism of the plan", "the
    senator's claim that ...", "His argument is that ..."): what the noun introduces is the content."""
    if token.pos_ != "NOUN" or token.lemma_.lower() not in lexicon.cue_nouns:
        return None
    holder = cue_holder(token)
    if holder is None:
        return None
    label, source_ids = source_label(holder)
    label = re.sub(r"\s*['’]s$", "", label)  # "The senator's" -> "The senator"
    scope = _subtree_ids(token) - source_ids
    head = token.head
    if token.dep_ in ("nsubj", "nsubjpass") and head.lemma_ == "be":
        scope |= clause_scope(head) - _subtree_ids(token)  # "His argument is that ...": the predicate
    reported = [c for c in token.children if c.i > token.i and c.dep_ in ("prep", "acl", "ccomp", "relcl", "xcomp")
                and not (c.dep_ == "prep" and c.lower_ in CUE_NOUN_HOLDERS and holder.head.i == c.i)]
    if not reported and scope <= _subtree_ids(token):
        return None
    lo, hi = token.idx, token.idx + len(token.text)
    frame = Frame(kind="noun", anchor=token, cue=doc_text(sent.doc)[lo:hi], cue_start=lo, cue_end=hi, label=label,
                  source_head=holder, source_tokens=source_ids, learned=True)
    frame.denial = token.lemma_.lower() in lexicon.denial_verbs
    frame.scope = scope
    return frame


def predicate_adjective(token: Token) -> tuple[Token, Token | None]:
    """The copula and the speaking subject of a predicate adjective ("she was wary", "they are
    concerned": the parser takes many for passive participles), or (token, None)."""
    if token.pos_ == "ADJ" and token.dep_ == "acomp":
        subject = next((c for c in token.head.children if c.dep_ == "nsubj"), None)
        if subject is not None and _speaking_subject(subject):
            return token.head, subject
    if token.pos_ == "VERB" and token.tag_ == "VBN":
        copula = next((c for c in token.children if c.dep_ == "auxpass"), None)
        subject = next((c for c in token.children if c.dep_ == "nsubjpass"), None)
        if copula is not None and subject is not None and _speaking_subject(subject):
            return copula, subject
    return token, None


def _cue_adjective_frame(token: Token, sent: Span, lexicon: Lexicon) -> Frame | None:
    """A predicate adjective PolNeAR train marks as a cue, said of a source ("Republicans are wary
    of the deal", "she was confident that ..."): the source's stance on what follows."""
    if token.lower_ not in lexicon.cue_adjectives:
        return None
    copula, subject = predicate_adjective(token)
    if subject is None:
        return None
    head = copula if token.dep_ == "acomp" else token  # the clause's head: the copula, or the participle
    if subject.lower_ in RELATIVE:
        subject = _antecedent_of_relative(head)
    if subject is None or subject.lower_ in THINGS:
        return None
    reported = [c for c in token.children if c.dep_ in ("prep", "ccomp", "xcomp", "agent") and c.i > token.i]
    if not reported:
        return None  # "they are angry": a state with nothing it is about
    cue_tokens = [copula, token] + [c for c in head.children if c.dep_ in ("aux", "neg")]
    first = reported[0]
    if first.dep_ in ("prep", "agent") and first.i == token.i + 1:
        cue_tokens.append(first)  # "critical of", "concerned about", "delighted by"
    lo = min(t.idx for t in cue_tokens)
    hi = max(t.idx + len(t.text) for t in cue_tokens)
    label, source_ids = source_label(subject)
    if any(t.i == subject.i for t in head.ancestors):
        source_ids -= _subtree_ids(head)
        label = label.split(" who ")[0]
    frame = Frame(kind="verb", anchor=head, cue=doc_text(sent.doc)[lo:hi], cue_start=lo, cue_end=hi, label=label,
                  source_head=subject, source_tokens=source_ids, learned=True)
    frame.scope = clause_scope(head) - source_ids
    return frame


RUBRICS = {"note", "update", "exclusive", "bombshell", "breaking", "watch", "video", "photos", "live", "editorial",
           "correction", "analysis", "opinion", "review", "column", "commentary", "transcript", "factbox", "explainer"}


def _colon_frame(sent: Span) -> Frame | None:
    """Headline style "Graham: Trump's rhetoric destroying GOP's chance": a bare name or noun
    phrase and a colon open the sentence; what follows is what that source says."""
    colon = next((t for t in sent[:7] if t.text == ":"), None)
    if colon is None or colon.i == sent.start:
        return None
    prefix = [t for t in sent.doc[sent.start:colon.i] if not t.is_space]
    if not prefix or not all(t.pos_ in ("PROPN", "NOUN", "DET", "PART", "ADJ") or t.text in (".", "'s", "’s")
                             for t in prefix) or not any(t.pos_ in ("PROPN", "NOUN") for t in prefix):
        return None
    rest = [t for t in sent.doc[colon.i + 1:sent.end] if t.is_alpha]
    if len(rest) < 3:
        return None
    head = next((t for t in reversed(prefix) if t.pos_ in ("PROPN", "NOUN")), prefix[-1])
    if head.lower_ in RUBRICS:
        return None  # "Editor's note: ...", "Exclusive: ...": a rubric, not a source
    text = doc_text(sent.doc)
    label = text[prefix[0].idx:prefix[-1].idx + len(prefix[-1].text)]
    frame = Frame(kind="verb", anchor=colon, cue=":", cue_start=colon.idx, cue_end=colon.idx + 1, label=label,
                  source_head=head, source_tokens={t.i for t in prefix if t.i != sent.root.i})
    # The parser often makes the name the sentence's root: the claim unit then hangs on it.
    frame.scope = {t.i for t in sent} - frame.source_tokens
    frame.strip = {t.i for t in prefix} | {colon.i}
    return frame


def find_frames(sent: Span, lexicon: Lexicon, model: CueModel | None = None) -> list[Frame]:
    """All attribution frames of a sentence, outermost first (the cue model, when given, adds
    frames for verbs no rule reads as a cue)."""
    frames: list[Frame] = []
    for token in sent:
        frame = None
        if token.pos_ in ("VERB", "AUX"):
            frame = _passive_frame(token, sent, lexicon) or _verb_frame(token, sent, lexicon)
            if frame is None and model is not None and token.pos_ == "VERB":
                frame = _learned_frame(token, sent, lexicon, model)
        if frame is None and token.lower_ == "according":
            frame = _according_frame(token, sent, lexicon)
        if frame is None and token.lower_ == "in":
            frame = _opinion_frame(token, sent)
        if frame is None and token.pos_ == "ADV":
            frame = _adverb_frame(token, sent, lexicon)
        if frame is None and token.pos_ == "NOUN":
            frame = _noun_frame(token, sent) or (_cue_noun_frame(token, sent, lexicon) if model is not None else None)
        if frame is None and token.pos_ in ("ADJ", "VERB") and model is not None:
            frame = _cue_adjective_frame(token, sent, lexicon)
        if frame is not None:
            frames.append(frame)
    headline = None if any(f.denial for f in frames) else _headline_denial_frame(sent, lexicon)
    if headline is not None:
        # The parser took the denial verb for a noun: frames built on that misparse go.
        taken = headline.source_tokens | {headline.anchor.i}
        frames = [f for f in frames if f.anchor.i not in taken and not (f.source_tokens & taken)] + [headline]
    if not any(f.kind == "verb" for f in frames):
        trailing = _trailing_cue_frame(sent, lexicon) or _document_subject_frame(sent, lexicon)
        if trailing is not None:
            frames.append(trailing)
    if not any(f.label and f.cue_start < sent.start_char + 40 for f in frames):
        colon = _colon_frame(sent)
        if colon is not None:
            frames.append(colon)
    _separate_adverbial_sources(frames)
    quoted = _quoted_tokens(sent)
    for frame in frames:
        frame.in_quote = frame.anchor.i in quoted
    # A frame inside another frame's source ("according to what are assessed to be ...") only
    # qualifies that source; its hedge is already counted there.
    # A relative clause on the source is a report of its own ("Cruz, who threatened to shut down
    # the government, said ...": Cruz threatened), not a qualifier of the source.
    frames = [f for f in frames if not any(f.anchor.i in g.source_tokens for g in frames if g is not f)
              or (f.kind == "verb" and f.anchor.dep_ == "relcl" and f.label is not None)]
    frames.sort(key=lambda f: (_depth(f.anchor), 0 if f.kind in ("adverb", "according") else 1, f.cue_start))
    return frames


_CONTRAST = frozenset({"while", "whereas", "although", "though"})


def _separate_adverbial_sources(frames: list[Frame]) -> None:
    """"The order says the port must close, while the decree states ...": a named source in a
    contrasting adverbial clause inside another frame's content speaks for itself, not through
    that frame. A temporal or causal clause ("... after he was dismissed by the president") is
    part of what the outer source says."""
    for frame in frames:
        if frame.kind != "verb" or not frame.label or frame.label.startswith("("):
            continue  # a hedge ("reportedly") still scopes over the whole sentence
        for other in frames:
            if other is frame or not other.label or other.label.startswith("(") or other.anchor.i not in frame.scope:
                continue
            node = other.anchor
            while node.i != frame.anchor.i and node.head.i != node.i:
                if node.dep_ == "advcl":
                    if any(c.dep_ == "mark" and c.lower_ in _CONTRAST for c in node.children):
                        frame.scope -= _subtree_ids(node)
                    break
                node = node.head


def _quoted_tokens(sent: Span) -> set[int]:
    """Token indices inside double quotes within the sentence."""
    inside: set[int] = set()
    open_quote = False
    for token in sent:
        if token.text in ("“", "”", '"'):
            open_quote = token.text == "“" or (token.text == '"' and not open_quote)
            continue
        if open_quote:
            inside.add(token.i)
    return inside


def _depth(token: Token) -> int:
    depth = 0
    while token.head.i != token.i:
        token = token.head
        depth += 1
    return depth
