"""A learned attribution cue: is this verb a cue (said, slammed, backing, voted against, ...)?

A logistic model over spaCy features of the verb, its subject and its dependents, trained on
PolNeAR train's cue annotations (train/train_cue_model.py) and shipped as data/cue_model.json:
a weight per feature string, no runtime dependency beyond the parse. The rules in attribution.py
keep the cues they know; the model proposes the long tail of stance and communication verbs.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from importlib import resources
from typing import Any

from spacy.tokens import Token

__all__ = ["CueModel", "cue_extent", "cue_features", "is_candidate", "load_cue_model"]

SUBJECTS = ("nsubj", "nsubjpass", "csubj")
PERSONAL = {"he", "she", "they", "i", "we", "you", "who"}
NAMED = {"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "WORK_OF_ART", "PRODUCT", "LAW"}
COMPLEMENTS = ("ccomp", "xcomp", "dobj", "prep", "advcl", "dative", "oprd", "attr", "acomp", "agent", "prt", "neg")


def is_candidate(token: Token) -> bool:
    """Verbs that head a predicate of their own (auxiliaries and copulas are never the cue)."""
    return token.pos_ == "VERB" and token.dep_ not in ("aux", "auxpass")


# Prepositions PolNeAR's cues take in when they follow the verb ("talked about", "voted for",
# "critical of", "described as"); "to", "in", "by" and "at" mostly stay out ("said in a statement",
# "told to"). Counted on PolNeAR train: a cue ends with "about" 162 times, is followed by it 12.
CUE_PREPOSITIONS = frozenset({"about", "for", "of", "on", "against", "with", "over", "as"})
ASPECTUAL = frozenset({"go", "continue", "proceed", "begin", "start"})
CUE_ADVERBS = frozenset({"also", "repeatedly", "then", "long", "once", "still", "publicly", "previously"})
# Where and when the words were said belongs to PolNeAR's cue more often than not ("said in a
# statement", "said Thursday": on train 140 and 210 cues take them in, 121 and 112 leave them out).
MEDIUM_NOUNS = frozenset({"statement", "interview", "email", "e-mail", "letter", "release", "speech", "tweet", "post",
                          "op-ed", "conference", "call", "note", "memo", "video", "appearance", "column", "essay",
                          "debate", "rally", "hearing", "briefing", "remarks", "address", "broadcast", "podcast"})


def cue_extent(verb: Token, *, adverbs: bool = True) -> list[Token]:
    """The tokens of a verb's cue as PolNeAR marks it: the verb with its auxiliaries, negation,
    a particle and a preposition right after it, and a few aspect adverbs ("has also said",
    "did not comment on", "came out against"). The source is never part of the cue."""
    tokens = [verb]
    for child in verb.children:
        if child.dep_ in ("aux", "neg") and child.i < verb.i:
            tokens.append(child)
        elif adverbs and child.dep_ == "advmod" and child.lower_ in CUE_ADVERBS and child.i < verb.i:
            tokens.append(child)
    head = verb.head
    if verb.dep_ == "xcomp" and head.lemma_.lower() in ASPECTUAL and head.i < verb.i:
        # "goes on to say", "continued to insist": the aspect is part of the cue
        tokens += [head] + [c for c in head.children if c.i < verb.i and (
            c.dep_ in ("aux", "neg", "prt") or c.dep_ == "advmod" and c.lower_ in CUE_ADVERBS)]
    last = verb
    following = verb.doc[verb.i + 1] if verb.i + 1 < len(verb.doc) else None
    if following is not None and following.head.i == verb.i and following.dep_ == "prt":
        tokens.append(following)
        last = following
        following = verb.doc[last.i + 1] if last.i + 1 < len(verb.doc) else None
    if following is not None and following.head.i == verb.i and following.dep_ in ("prep", "agent") \
            and following.lower_ in CUE_PREPOSITIONS and any(g.dep_ in ("pobj", "pcomp") and g.ent_type_ not in
                                                             ("DATE", "TIME") for g in following.children):
        tokens.append(following)
        return tokens
    while following is not None and following.head.i == verb.i:
        # "said Thursday", "said in a statement", "said in an interview on Tuesday"
        if following.dep_ == "npadvmod" and following.ent_type_ in ("DATE", "TIME"):
            phrase = list(following.subtree)
        elif following.dep_ == "prep" and following.lower_ in ("on", "in", "at", "last", "this") and any(
                g.dep_ == "pobj" and g.ent_type_ in ("DATE", "TIME") for g in following.children) \
                and len(list(following.subtree)) <= 4:
            phrase = list(following.subtree)  # "said on Monday"
        elif following.dep_ == "prep" and following.lower_ in ("in", "on", "during") and any(
                g.dep_ == "pobj" and g.lemma_.lower() in MEDIUM_NOUNS for g in following.children) \
                and len(list(following.subtree)) <= 7 and not any(t.dep_ in ("relcl", "acl") for t in following.subtree):
            phrase = list(following.subtree)
        else:
            break
        if min(t.i for t in phrase) != following.i:
            break
        tokens += phrase
        last = max(phrase, key=lambda t: t.i)
        following = verb.doc[last.i + 1] if last.i + 1 < len(verb.doc) else None
    return tokens


def _subject(token: Token) -> Token | None:
    node = token
    for _ in range(3):
        found = next((c for c in node.children if c.dep_ in SUBJECTS), None)
        if found is not None:
            return found
        if node.dep_ in ("conj", "xcomp") and node.head.i != node.i:
            node = node.head
        else:
            return None
    return None


def _kind(token: Token) -> str:
    if token.lower_ in PERSONAL:
        return "personal"
    if token.lower_ in ("it", "this", "that", "which", "there"):
        return "thing"
    return token.ent_type_ or token.pos_


def _word(token: Token) -> str:
    """A common word's lemma; a name is only its kind (no name is ever a feature). A word
    capitalised inside a sentence that is not itself in title case is a name the parser
    mistook for a common word ("Trump" as a verb)."""
    if token.pos_ == "PROPN" or token.ent_type_ in NAMED:
        return token.ent_type_ or "PROPN"
    if token.is_title and (token.text in _names(token.doc) or not token.is_sent_start and not _title_case(token)):
        return "NAME"
    return token.lemma_.lower()


def _names(doc: Any) -> set[str]:
    """The capitalised words a document uses as names somewhere (its entities, its proper
    nouns): the same word misparsed elsewhere ("Trump said" as a verb) is a name too."""
    if "cue_names" not in doc.user_data:
        doc.user_data["cue_names"] = {t.text for t in doc if t.is_title and (t.pos_ == "PROPN" or t.ent_type_ in NAMED)}
    return doc.user_data["cue_names"]


def _title_case(token: Token) -> bool:
    """Is the token's sentence a headline in title case (most of its words capitalised)?"""
    words = [t for t in token.sent if t.is_alpha and len(t) > 3]
    return bool(words) and sum(t.is_title for t in words) * 2 > len(words)


def cue_features(token: Token) -> list[str]:
    """Feature strings of a candidate cue verb."""
    lemma = _word(token)
    feats = ["bias", f"l={lemma}", f"t={token.tag_}", f"d={token.dep_}", f"ld={lemma}|{token.dep_}",
             f"h={_word(token.head)}|{token.dep_}", f"hp={token.head.pos_}|{token.dep_}"]
    deps = set()
    for child in token.children:
        if child.dep_ in COMPLEMENTS:
            deps.add(child.dep_)
            if child.dep_ in ("prep", "prt", "agent"):
                feats.append(f"lp={lemma}|{child.lower_}")
                feats.append(f"p={child.lower_}")
            if child.dep_ == "ccomp":
                mark = next((g.lower_ for g in child.children if g.dep_ == "mark"), "-")
                feats.append(f"cm={mark}")
                if child.i < token.i:
                    feats.append("ccomp_before")
            if child.dep_ == "dobj":
                feats.append(f"o={_kind(child)}")
            if child.dep_ in ("dobj", "attr", "acomp", "xcomp"):
                # "unleashed attacks on", "made the point that", "is critical of", "vowed to fight":
                # the complement's own word says what the verb does.
                feats.append(f"cw={child.dep_}|{_word(child)}")
    for dep in sorted(deps):
        feats.append(f"c={dep}")
        feats.append(f"lc={lemma}|{dep}")
    subject = _subject(token)
    if subject is None:
        feats.append("s=none")
    else:
        kind = _kind(subject)
        feats.append(f"s={kind}")
        feats.append(f"ls={lemma}|{kind}")
        feats.append(f"sl={_word(subject)}")
        if subject.i > token.i:
            feats.append("s_after")
    previous = token.doc[token.i - 1] if token.i > 0 else None
    if previous is not None:
        feats.append(f"prev={previous.lower_ if previous.is_punct or previous.pos_ in ('PART', 'AUX') else previous.pos_}")
    following = token.doc[token.i + 1] if token.i + 1 < len(token.doc) else None
    if following is not None:
        feats.append(f"next={following.lower_ if following.is_punct or following.pos_ in ('ADP', 'SCONJ') else following.pos_}")
    return feats


@dataclass(frozen=True)
class CueModel:
    version: str
    weights: dict[str, float]
    threshold: float
    # A verb whose subject is a person or a group by name, or a personal pronoun ("she voted for",
    # "the senator named ...") is a cue from this lower probability on; any other subject
    # ("tensions have been rising") still needs the threshold. Chosen on PolNeAR train.
    sourced_threshold: float | None = None

    def probability(self, token: Token) -> float:
        score = sum(self.weights.get(f, 0.0) for f in cue_features(token))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, score))))

    def is_cue(self, token: Token) -> bool:
        return is_candidate(token) and self.probability(token) >= self.threshold

    def is_sourced_cue(self, token: Token, subject: Token) -> bool:
        """A cue given who its subject is: a named person or group, or a personal pronoun, lowers the bar."""
        if not is_candidate(token):
            return False
        lower = self.threshold if self.sourced_threshold is None else min(self.threshold, self.sourced_threshold)
        # "he was trying to get ahead", "she wants to": a controlling verb is an intention, not a stance.
        controls = any(c.dep_ == "xcomp" for c in token.children)
        bar = lower if is_personal_source(subject) and not controls else self.threshold
        return self.probability(token) >= bar


def is_personal_source(subject: Token) -> bool:
    """A person, organisation or group by entity type, or a personal pronoun."""
    return subject.lower_ in PERSONAL - {"who", "you"} or subject.ent_type_ in ("PERSON", "ORG", "NORP")


def load_cue_model() -> CueModel | None:
    """data/cue_model.json, or None where it is not shipped (the rules then work alone)."""
    path = resources.files("claimgraph").joinpath("data/cue_model.json")
    if not path.is_file():
        return None
    raw = json.loads(path.read_text("utf-8"))
    return CueModel(version=raw["version"], weights=raw["weights"], threshold=raw["threshold"],
                    sourced_threshold=raw.get("sourced_threshold"))
