"""Does a sentence without a cue of its own continue the attribution before it?

A logistic model over the sentence's surface (quotation marks, pronoun subjects, first person
outside quotes, connectives, tense, modals) and its place after the attribution (paragraph,
distance, kind of frame). Trained on PolNeAR train (train/train_continuation.py): a sentence
continues an attribution when that attribution's content covers it while its cue lies in an
earlier sentence. The features read only the text, so training needs no parse.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = ["Context", "ContinuationModel", "features", "load_continuation_model", "reporting_forms"]

MODEL_PATH = Path(__file__).resolve().parent.parent / "data" / "continuation_model.json"

CONNECTIVES = {"but", "however", "and", "also", "still", "yet", "so", "meanwhile", "instead", "moreover",
               "furthermore", "indeed", "in", "for", "because", "that", "this", "these", "those", "then", "now",
               "nevertheless", "otherwise", "besides", "plus", "or"}
FIRST_PERSON = re.compile(r"\b(?:I|I'm|I've|I'd|I'll|me|my|mine|we|we're|we've|we'd|we'll|us|our|ours)\b")
SECOND_PERSON = re.compile(r"\b(?:you|your|yours)\b", re.IGNORECASE)
BACKSHIFT = re.compile(r"\b(?:would|could|might|should|had)\b", re.IGNORECASE)
PRESENT = re.compile(r"\b(?:is|are|am|has|have|does|do|isn't|aren't|doesn't|don't|can|will|won't)\b", re.IGNORECASE)
PAST = re.compile(r"\b(?:was|were|did|wasn't|weren't|didn't)\b", re.IGNORECASE)
MODAL = re.compile(r"\b(?:must|should|need|needs|ought|cannot|can't)\b", re.IGNORECASE)
EVALUATIVE = re.compile(r"\b(?:very|really|great|terrible|wrong|right|important|clear|clearly|never|always|"
                        r"absolutely|totally|best|worst|unfortunately|fortunately|sad|proud|happy)\b", re.IGNORECASE)
PERSON_SUBJECT = {"he", "she"}
PLURAL_SUBJECT = {"they"}
THING_SUBJECT = {"it", "this", "that", "there"}
QUOTE_CHARS = "\"“”"
IRREGULAR = {"say": "said", "tell": "told", "write": "wrote written", "think": "thought", "hear": "heard",
             "know": "knew known", "find": "found", "feel": "felt", "speak": "spoke spoken", "teach": "taught"}


def reporting_forms(lemmas: Iterable[str]) -> frozenset[str]:
    """Inflected forms of the lexicon's reporting verbs, plus "according" (a cue the frame
    finder may have missed in the sentence)."""
    forms = {"according"}
    for lemma in lemmas:
        if " " in lemma:
            continue
        stem = lemma[:-1] if lemma.endswith("e") else lemma
        forms |= {lemma, lemma + "s", lemma + "es", stem + "ed", stem + "ing", lemma + "d"}
        if lemma.endswith("y"):
            forms |= {lemma[:-1] + "ies", lemma[:-1] + "ied"}
        forms |= set(IRREGULAR.get(lemma, "").split())
    return frozenset(forms)


@dataclass(frozen=True)
class Context:
    """Where the sentence stands relative to the attribution it might continue."""

    same_paragraph: bool
    distance: int  # sentences since the attribution's sentence (1 = the next one)
    quote_open: bool  # a quotation opened earlier in the paragraph is still open at the sentence
    attribution_quote_open: bool  # the attribution's sentence leaves a quotation open
    content_clause: bool  # "X said that ...": the attribution's content runs to its sentence's end
    speech: bool  # the attribution's cue is a speech verb ("said", "told", "added")
    person: bool  # the attribution's source is a person (a pronoun he/she or a person's name)


def features(sentence: str, context: Context, reporting: frozenset[str] = frozenset()) -> dict[str, float]:
    """The sparse feature vector of one sentence in its context (reporting: reporting_forms)."""
    text = sentence.strip()
    words = re.findall(r"[A-Za-z']+", text)
    first = words[0].lower() if words else ""
    outside = _outside_quotes(text, open_at_start=context.quote_open)
    out: dict[str, float] = {"bias": 1.0}

    def on(name: str, value: bool = True) -> None:
        if value:
            out[name] = 1.0

    on("same_paragraph", context.same_paragraph)
    on("next_paragraph", not context.same_paragraph)
    on(f"distance={min(context.distance, 4)}")
    on("quote_open", context.quote_open)
    on("attribution_quote_open", context.attribution_quote_open)
    on("content_clause", context.content_clause)
    on("speech", context.speech)
    on("person", context.person)
    starts_quote = text[:1] in QUOTE_CHARS
    on("starts_quote", starts_quote)
    on("ends_quote", text.rstrip()[-1:] in QUOTE_CHARS or text.rstrip()[-2:-1] in QUOTE_CHARS)
    on("has_quote", any(c in text for c in QUOTE_CHARS))
    on("in_quote", context.quote_open or starts_quote)
    on("in_quote_next_paragraph", (context.quote_open or starts_quote) and not context.same_paragraph)
    on("first_person_outside", bool(FIRST_PERSON.search(outside)))
    on("first_person_outside_in_quote_context", bool(FIRST_PERSON.search(outside)) and context.attribution_quote_open)
    on("first_person", bool(FIRST_PERSON.search(text)))
    on("second_person", bool(SECOND_PERSON.search(text)))
    on("subject_person_pronoun", first in PERSON_SUBJECT)
    on("subject_person_pronoun_person", first in PERSON_SUBJECT and context.person)
    on("subject_they", first in PLURAL_SUBJECT)
    on("subject_thing", first in THING_SUBJECT)
    on("connective", first in CONNECTIVES)
    on(f"first={first}", first in CONNECTIVES or first in PERSON_SUBJECT or first in THING_SUBJECT)
    on("backshift", bool(BACKSHIFT.search(outside)))
    on("backshift_speech", bool(BACKSHIFT.search(outside)) and context.speech)
    on("present", bool(PRESENT.search(outside)))
    on("past", bool(PAST.search(outside)))
    on("modal", bool(MODAL.search(text)))
    on("evaluative", bool(EVALUATIVE.search(text)))
    lowered = {w.lower() for w in re.findall(r"[A-Za-z]+", outside)}
    on("reporting_word", bool(lowered & reporting))
    on("question", "?" in text)
    on("exclamation", "!" in text)
    on("digits", bool(re.search(r"\d", text)))
    on("capitalised_start", bool(words) and words[0][:1].isupper() and first not in CONNECTIVES
       and first not in PERSON_SUBJECT and first not in THING_SUBJECT)
    n = len(words)
    on("short", n < 8)
    on("long", n > 30)
    return out


def _outside_quotes(text: str, *, open_at_start: bool) -> str:
    """The text outside quotation marks (the author's own words around any quotation)."""
    depth = open_at_start
    kept = []
    for char in text:
        if char == "“":
            depth = True
        elif char == "”":
            depth = False
        elif char == '"':
            depth = not depth
        elif not depth:
            kept.append(char)
    return "".join(kept)


@dataclass
class ContinuationModel:
    weights: dict[str, float]
    threshold: float
    reporting: frozenset[str] = frozenset()

    def probability(self, sentence: str, context: Context) -> float:
        found = features(sentence, context, self.reporting)
        score = sum(self.weights.get(name, 0.0) * value for name, value in found.items())
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, score))))

    def continues(self, sentence: str, context: Context) -> bool:
        return self.probability(sentence, context) >= self.threshold


@lru_cache(maxsize=1)
def load_continuation_model() -> ContinuationModel | None:
    if not MODEL_PATH.exists():
        return None
    from claimgraph.analyse.cue_lexicon import load_lexicon

    raw = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    return ContinuationModel(weights={k: float(v) for k, v in raw["weights"].items()},
                             threshold=float(raw["threshold"]), reporting=reporting_forms(load_lexicon().reporting))
