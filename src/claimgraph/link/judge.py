"""Pairwise relation judges: is claim b the same as, more specific than, or contradicting a?

No NLI model ships on PyPI (shared/docs/MODELS.md §3), so the default `StructuralJudge`
combines embedding and lexical similarity (are they about the same thing?) with
structural rules (do they agree?): polarity, incompatible dates and numbers, negation
asymmetry and an antonym/denial lexicon from data/judge.json. `NliJudge` is the plug-in
point for a locally supplied cross-encoder / NLI model.
"""

from __future__ import annotations

import importlib.resources
import json
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np

from claimgraph.link.embed import ModelMissing
from claimgraph.records import flat_dict

Relation = Literal["same", "more_specific", "contradicts", "unrelated"]
# v2: outlets and hotels NER typed as people (named only after "the") are no people
# v3: an inquiry into something is not its assertion; a who-is-who fragment joins no statement of deeds
JUDGE_STEP = "link.judge.structural.v3"


@lru_cache(maxsize=1)
def load_lexicon() -> dict[str, Any]:
    """The versioned cue lists in claimgraph/data/judge.json."""
    text = importlib.resources.files("claimgraph").joinpath("data", "judge.json").read_text(encoding="utf-8")
    return json.loads(text)


@lru_cache(maxsize=1)
def load_pair_model() -> dict[str, Any]:
    """The pair model in claimgraph/data/pair_model.json (train/train_pair_model.py)."""
    text = importlib.resources.files("claimgraph").joinpath("data", "pair_model.json").read_text(encoding="utf-8")
    return json.loads(text)


_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens with typographic apostrophes folded."""
    return _WORD.findall(text.lower().replace("\u2019", "'").replace("\u2018", "'"))


def stem(word: str) -> str:
    # A 6-character prefix is a crude but language-model-free stemmer: it maps
    # destabilise/destabilisation, authorised/authorising and supports/support together.
    return word[:6]


_SO_CALLED = re.compile(r"\bso[- ]called\b", re.IGNORECASE)


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    return frozenset(load_lexicon()["stopwords"]) | frozenset(load_lexicon()["negation"])


def content_terms(text: str) -> list[str]:
    stop = _stopwords()
    # "the so-called Steele dossier": a distancing hedge, not a word two claims share in substance.
    text = _SO_CALLED.sub(" ", text)
    return [stem(w) for w in tokens(text) if w not in stop and len(w) > 1 and not w.endswith("n't")]


@dataclass(frozen=True)
class DateValue:
    """A calendar value at its precision; None parts are unknown, not zero."""

    year: int
    month: int | None = None
    day: int | None = None

    def compatible(self, other: "DateValue") -> bool:
        pairs = ((self.year, other.year), (self.month, other.month), (self.day, other.day))
        return all(x is None or y is None or x == y for x, y in pairs)

    @property
    def precision(self) -> int:
        return 1 + (self.month is not None) + (self.day is not None)


def dates_in(text: str, times: list[Any] | None = None) -> list[DateValue]:
    """Normalised dates from the claim's time expressions, else from its text."""
    out: list[DateValue] = []
    for time in times or []:
        value = getattr(time, "value", None)
        if value and re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value):
            parts = [int(p) for p in value.split("-")]
            out.append(DateValue(*parts))
    if out:
        return out
    months = load_lexicon()["months"]
    month_re = "|".join(months)
    lowered = text.lower()
    taken: list[tuple[int, int]] = []
    patterns = (
        rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)? (?P<m>{month_re}),? (?P<y>(?:19|20)\d{{2}})\b",
        rf"\b(?P<m>{month_re}) (?P<d>\d{{1,2}})(?:st|nd|rd|th)?,? (?P<y>(?:19|20)\d{{2}})\b",
        rf"\b(?P<m>{month_re}),? (?P<y>(?:19|20)\d{{2}})\b",
        r"\b(?P<y>(?:19|20)\d{2})\b",
    )
    for pattern in patterns:
        for match in re.finditer(pattern, lowered):
            if any(s <= match.start() < e for s, e in taken):
                continue
            taken.append(match.span())
            groups = match.groupdict()
            month = months.index(groups["m"]) + 1 if groups.get("m") else None
            day = int(groups["d"]) if groups.get("d") else None
            out.append(DateValue(int(groups["y"]), month, day))
    return out


def numbers_in(text: str) -> set[str]:
    """Numbers that are not years: counts, amounts, percentages."""
    return {n for n in re.findall(r"\b\d+(?:[.,]\d+)?\b", text) if not re.fullmatch(r"(19|20)\d{2}", n)}


class Vocabulary:
    """Document frequencies of content terms, updated as claims arrive (for IDF weights)."""

    def __init__(self) -> None:
        self.df: Counter[str] = Counter()
        self.n = 0

    def add(self, terms: list[str]) -> None:
        self.n += 1
        self.df.update(set(terms))

    def weights(self, terms: list[str]) -> dict[str, float]:
        n = max(self.n, 1)
        return {t: math.log(1 + n / (1 + self.df.get(t, 0))) for t in set(terms)}

    def to_dict(self) -> dict[str, Any]:
        return {"n": self.n, "df": dict(self.df)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Vocabulary":
        vocab = cls()
        vocab.n = int(data.get("n", 0))
        vocab.df = Counter(data.get("df", {}))
        return vocab


@dataclass(kw_only=True)
class ClaimView:
    """What the linker needs of one claim, detached from the store."""

    id: str
    document_id: str
    content: str
    proposition: str = ""  # the content without its reporting frame (link/proposition.py); "" = content
    people: list[str] = field(default_factory=list)  # surnames of the named people it is about
    names: list[str] = field(default_factory=list)  # content terms of the entity names it contains
    sentence_index: int = 0
    polarity: str = "asserted"
    hedging: str = "none"
    speaker: str | None = None
    chain: list[str] = field(default_factory=list)
    times: list[Any] = field(default_factory=list)
    published: str | None = None  # the document's date, for first/last report
    vector: np.ndarray | None = None
    terms: list[str] = field(default_factory=list)
    dating: dict[str, Any] = field(default_factory=dict)  # what it gives its event (events.claim_dating)
    _features: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.terms:
            self.terms = content_terms(self.basis)

    @property
    def basis(self) -> str:
        """The text compared with other claims: the bare proposition when known."""
        return self.proposition or self.content

    def feature(self, name: str, compute: Any) -> Any:
        """A per-claim feature computed once: a claim meets many candidates."""
        if name not in self._features:
            self._features[name] = compute(self)
        return self._features[name]


_OPEN_QUESTION = {"whether"}


def negated(view: ClaimView) -> bool:
    """Does the claim's compared text carry a negation ("has no", "did not", "never")?"""

    def compute(v: ClaimView) -> bool:
        negation = set(load_lexicon()["negation"])
        words = tokens(v.basis)
        for i, word in enumerate(words):
            if word in negation or word.endswith("n't"):
                # "have not reached any judgment on whether Russia has kompromat" negates the
                # judgment, not what follows "whether": the open question is not denied.
                if not any(w in _OPEN_QUESTION for w in words[i + 1 :]):
                    return True
        return False

    return bool(view.feature("negated", compute))


def is_negative(view: ClaimView) -> bool:
    """Does the claim say that something is not so: denied, or negated, or both?

    A claim both denied and negated ("The Kremlin has no kompromat; reports to the contrary are
    nonsense") is one denial said twice, not a double negation: people rarely deny a negative.
    """
    return view.polarity == "denied" or negated(view)


# "investigating links between X and Y", "the scrutiny included examining the nature of links":
# an inquiry into something is not a statement that it is so. A claim that also reports a finding
# ("the inquiry found links") states it. Only verbs: "the investigation into X" is most often a
# topic named in passing ("sought to discredit the investigation into X"); and "papers examined by
# the paper show X" describes a source.
_INQUIRY = re.compile(
    r"\b(?:investigat(?:e|es|ing)|examin(?:e|es|ing)|scrutini[sz](?:e|es|ing)|"
    r"(?:investigat|examin|scrutini[sz])ed(?!\s+by\b)|prob(?:e|es|ed|ing)\s+into|"
    r"look(?:s|ed|ing)?\s+into|inquir(?:e|es|ed|ing)\s+into)\b",
    re.IGNORECASE)
_FINDING = re.compile(
    r"\b(?:found|find|finds|determined|concluded|established|confirmed|detailed|show|showed|shows|reveal|reveals|revealed|uncovered)\b",
    re.IGNORECASE)


def inquiry(view: ClaimView) -> bool:
    """Does the claim say that something is being looked into, rather than that it is so?"""

    def compute(v: ClaimView) -> bool:
        return bool(_INQUIRY.search(v.basis)) and not _FINDING.search(v.basis)

    return bool(view.feature("inquiry", compute))


# "who has claimed to be a former official", "who is understood to be a former agent": a relative
# clause saying who someone is, split from the sentence that says what was done.
_IDENTITY = re.compile(
    r"^\W*(?:who|whom)\s+(?:[\w'’-]+\s+){0,4}?(?:to\s+be|is|was|are|were|been|be)\s+(?:a|an|the|one|his|her|their)\s+[^,;:]*$",
    re.IGNORECASE)


def identity_fragment(view: ClaimView) -> bool:
    """Is the claim a relative-clause fragment describing who a person is?"""
    return bool(view.feature("identity", lambda v: _IDENTITY.match(v.content.strip(" .\"'\u201c\u201d")) is not None))


@dataclass(frozen=True, kw_only=True)
class Judgement:
    relation: Relation
    score: float
    method: str
    specific: Literal["a", "b"] | None = None  # which side is more specific, for more_specific
    reasons: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return flat_dict(self)  # not dataclasses.asdict: a run saves one row per judged pair


class Judge(Protocol):
    name: str

    def judge(self, a: ClaimView, b: ClaimView) -> Judgement: ...


@dataclass(frozen=True, kw_only=True)
class JudgeOptions:
    same_score: float = 0.45  # combined score at or above which two claims state one proposition
    embedding_weight: float = 0.6  # rest of the score is IDF-weighted term overlap
    adjacent_sentence_penalty: float = 0.10
    containment: float = 0.8
    extra_terms: int = 3
    contradiction_floor: float = 0.40  # structural contradictions need at least this topical score
    # A contradiction read from the wording alone (a negation, a date, a number, a denial word
    # or an antonym on one side) needs more: two claims on one topic often differ in one of
    # those without disagreeing ("Putin wasn't doing this out of kindness" against "Putin and
    # his spy chiefs were present at the meeting"; two memos' "Speaking in June 2016, ..." and
    # "Speaking in October 2016, ..."). A denial (opposite polarity) keeps contradiction_floor:
    # it rarely repeats the words of what it denies ("pulp fiction").
    structural_floor: float = 0.40
    # A claim with fewer content terms ("It didn't happen", "Who provided it", "The FBI could
    # have, and") says too little to be matched with another document's claim: its topic is in
    # a context the linker does not see.
    min_terms: int = 2
    # Claims sharing only names (`_predicates_apart`) are unrelated unless their vectors agree at
    # least this much: paraphrases share no words either ("where it now sits" / "it remained").
    names_only_cosine: float = 0.65
    # Across documents the bar is higher: within one, a writer restates a proposition in other
    # words about the same people ("where it now sits" / "it remained"); across two, claims
    # sharing only names are most often different statements about the same actors ("The F.B.I.
    # took the dossier seriously" / "the FBI had separately authorized payment to Steele").
    names_only_cosine_across: float = 0.80
    # ... and below that, what they say beyond their names must overlap (IDF-weighted cosine of
    # those terms) by more than this: one common word among many ("continuing to mislead
    # regarding the reliability of the Steele dossier" / "Regarding the Steele Dossier, FBI gave
    # Steele's allegations unjustified credence") does not make one predicate.
    predicate_overlap_across: float = 0.13
    # With a pair model (`StructuralJudge(model=...)`), its share of the score across documents
    # (the rest is the blend above). Measured in train/README.md: 0.5 clustered the model's
    # training half of the corpus lines gold best but merged look-alikes on the seeds.
    pair_model_share: float = 0.3

    @classmethod
    def from_lexicon(cls) -> "JudgeOptions":
        return cls(**load_lexicon()["thresholds"])


def cosine(a: ClaimView, b: ClaimView) -> float:
    return float(np.dot(a.vector, b.vector)) if a.vector is not None and b.vector is not None else 0.0


def adjacent(a: ClaimView, b: ClaimView) -> bool:
    return a.document_id == b.document_id and abs(a.sentence_index - b.sentence_index) == 1


# What the pair model reads of two claims; train/train_pair_model.py fits a weight to each.
PAIR_FEATURES = ("cosine", "lexical", "predicate", "names", "cosine_squared", "cosine_x_lexical")


def pair_features(judge: "StructuralJudge", a: ClaimView, b: ClaimView) -> list[float]:
    """The pair model's inputs, in `PAIR_FEATURES` order: how alike the two propositions are
    (vectors, IDF-weighted terms, terms beyond names, shared names). How much each says (its
    number of terms) made short claims look alike ("the best material Russia had was out" /
    "Russia had compromising material on Trump") and is left out; so is where the claims stand
    (one document, adjacent sentences), which the judge's rules handle."""
    cos, lexical = cosine(a, b), judge.lexical(a, b)
    names = set(a.names) | set(b.names)
    return [cos, lexical, judge.predicate_overlap(a, b), len(set(a.names) & set(b.names)) / len(names) if names else 0.0,
            cos * cos, cos * lexical]


class PairModel:
    """Logistic regression over `pair_features` (data/pair_model.json, train/train_pair_model.py).

    Opt-in, not the default: it re-ranks pairs a little better than the blend on held-out gold
    pairs but trades corpus cluster precision for recall (train/README.md). The judge's
    thresholds were set on the blended score; `scale` and `shift` map the logit so that over the
    training pairs it has that score's mean and spread in logit space.
    """

    def __init__(self, data: dict[str, Any]) -> None:
        if tuple(data["features"]) != PAIR_FEATURES:
            raise ValueError(f"pair model {data.get('version')}: features {data['features']} are not {PAIR_FEATURES}; retrain it")
        self.version = str(data["version"])
        self._mean = np.array(data["mean"], dtype=np.float64)
        self._spread = np.array(data["std"], dtype=np.float64)
        self._weights = np.array(data["weights"], dtype=np.float64)
        self._bias = float(data["bias"])
        self._scale, self._shift = float(data["scale"]), float(data["shift"])

    @classmethod
    def packaged(cls) -> "PairModel":
        return cls(load_pair_model())

    def logit(self, features: list[float]) -> float:
        z = (np.asarray(features, dtype=np.float64) - self._mean) / self._spread
        return float(z @ self._weights + self._bias)

    def score(self, features: list[float]) -> float:
        # Between 0 and 1 like the structural score: a score of 0 or less vetoes a merge.
        return 1.0 / (1.0 + math.exp(-(self._scale * self.logit(features) + self._shift)))


class StructuralJudge:
    """Embedding + lexical similarity for 'same topic', structural rules for stance."""

    def __init__(self, *, vocabulary: Vocabulary | None = None, options: JudgeOptions | None = None,
                 model: PairModel | None = None) -> None:
        self.vocabulary = vocabulary or Vocabulary()
        self.model = model
        self.options = options or JudgeOptions.from_lexicon()
        lexicon = load_lexicon()
        self.name = f"{JUDGE_STEP}+lexicon.v{lexicon['version']}"
        if self.model is not None:
            self.name += f"+{self.model.version}"
        self._denial = re.compile(r"\b(?:" + "|".join(re.escape(d.lower()) for d in lexicon["denial"]) + r")\b")
        self._antonyms = [(stem(x), stem(y)) for x, y in lexicon["antonyms"]]

    # -- similarity ---------------------------------------------------------------

    def lexical(self, a: ClaimView, b: ClaimView) -> float:
        return self._overlap(a.terms, b.terms)

    def _overlap(self, ta: Iterable[str], tb: Iterable[str]) -> float:
        """IDF-weighted cosine of two sets of content terms."""
        wa, wb = self.vocabulary.weights(list(ta)), self.vocabulary.weights(list(tb))
        dot = sum(w * wb[t] for t, w in wa.items() if t in wb)
        norm = math.sqrt(sum(w * w for w in wa.values())) * math.sqrt(sum(w * w for w in wb.values()))
        return dot / norm if norm else 0.0

    def similarity(self, a: ClaimView, b: ClaimView) -> float:
        """How alike two claims' propositions are: embedding and term overlap blended, and across
        documents the pair model's score in its share when one is given.

        Within a document the blend stays: a writer's claims on one topic share its words, and
        the model, fitted on claims of different documents, would merge a headline with the
        lede it elaborates."""
        weight = self.options.embedding_weight
        score = weight * cosine(a, b) + (1 - weight) * self.lexical(a, b)
        if self.model is not None and a.document_id != b.document_id:
            share = self.options.pair_model_share
            score = (1 - share) * score + share * self.model.score(pair_features(self, a, b))
        if adjacent(a, b):
            # A document rarely restates a claim in the very next sentence; neighbours elaborate.
            score -= self.options.adjacent_sentence_penalty
        return score

    def predicate_overlap(self, a: ClaimView, b: ClaimView) -> float:
        """IDF-weighted cosine of what the claims say beyond their names (0 when one says nothing more)."""
        pa, pb = set(a.terms) - set(a.names), set(b.terms) - set(b.names)
        return self._overlap(pa, pb) if pa and pb else 0.0

    # -- stance -------------------------------------------------------------------

    def _denial_cue(self, view: ClaimView) -> bool:
        return view.feature("denial", lambda v: self._denial.search(v.basis.lower()) is not None)

    def _antonym(self, a: ClaimView, b: ClaimView) -> str | None:
        ta, tb = set(a.terms), set(b.terms)
        for x, y in self._antonyms:
            if (x in ta and y in tb and y not in ta and x not in tb) or (y in ta and x in tb and x not in ta and y not in tb):
                return f"{x}/{y}"
        return None

    def stance(self, a: ClaimView, b: ClaimView) -> tuple[Relation, Literal["a", "b"] | None, list[str]]:
        """Relation of b to a, given that both are about the same proposition."""
        reasons: list[str] = []
        if a.polarity != b.polarity:
            if is_negative(a) == is_negative(b):
                # Denying "the Kremlin has kompromat" agrees with asserting "the Kremlin has no
                # kompromat": both say there is none.
                return "same", None, [f"polarity {a.polarity} vs {b.polarity} over negated content"]
            return "contradicts", None, [f"polarity {a.polarity} vs {b.polarity}"]
        da = a.feature("dates", lambda v: dates_in(v.basis, v.times))
        db = b.feature("dates", lambda v: dates_in(v.basis, v.times))
        specific: Literal["a", "b"] | None = None
        if da and db:
            if not any(x.compatible(y) for x in da for y in db):
                return "contradicts", None, ["incompatible dates"]
            pa, pb = max(x.precision for x in da), max(y.precision for y in db)
            if pa != pb:
                specific = "a" if pa > pb else "b"
                reasons.append("finer date")
        elif da or db:
            specific = "a" if da else "b"
            reasons.append("only one side is dated")
        na = a.feature("numbers", lambda v: numbers_in(v.basis))
        nb = b.feature("numbers", lambda v: numbers_in(v.basis))
        if na and nb and not na & nb:
            return "contradicts", None, [f"different numbers {sorted(na)} vs {sorted(nb)}"]
        if is_negative(a) != is_negative(b):  # same polarity here: one side negated, the other not
            return "contradicts", None, ["negation asymmetry"]
        if self._denial_cue(a) != self._denial_cue(b):
            return "contradicts", None, ["denial cue on one side"]
        pair = self._antonym(a, b)
        if pair:
            return "contradicts", None, [f"antonyms {pair}"]
        if specific is None:
            ta, tb = set(a.terms), set(b.terms)
            if ta and tb:
                if len(ta & tb) / len(ta) >= self.options.containment and len(tb - ta) >= self.options.extra_terms:
                    specific, reasons = "b", ["b adds detail"]
                elif len(ta & tb) / len(tb) >= self.options.containment and len(ta - tb) >= self.options.extra_terms:
                    specific, reasons = "a", ["a adds detail"]
        return ("more_specific" if specific else "same"), specific, reasons

    def judge(self, a: ClaimView, b: ClaimView) -> Judgement:
        if a.document_id == b.document_id and a.sentence_index == b.sentence_index:
            # Claims split from one sentence are distinct propositions by construction.
            return Judgement(relation="unrelated", score=0.0, method=self.name, reasons=("same sentence",))
        if min(len(set(a.terms)), len(set(b.terms))) < self.options.min_terms:
            return Judgement(relation="unrelated", score=0.0, method=self.name, reasons=("too little content",))
        if a.people and b.people and not set(a.people) & set(b.people):
            # "Russia has kompromat on Trump" and "... did not have any on Clinton" are about
            # different people: neither the same proposition nor its denial.
            return Judgement(relation="unrelated", score=0.0, method=self.name, reasons=("different people",))
        if identity_fragment(a) != identity_fragment(b):
            # Who someone is ("who is understood to be a former agent") is no statement of what
            # was done by such a person ("investigators corroborated a dossier compiled by a former agent").
            return Judgement(relation="unrelated", score=0.0, method=self.name, reasons=("description of a person",))
        if inquiry(a) != inquiry(b):
            # "The F.B.I. was investigating links between X and Y" does not say there were links.
            return Judgement(relation="unrelated", score=0.0, method=self.name, reasons=("inquiry, not assertion",))
        score = self.similarity(a, b)
        if score < min(self.options.same_score, self.options.contradiction_floor):
            return Judgement(relation="unrelated", score=round(score, 4), method=self.name)
        relation, specific, reasons = self.stance(a, b)
        # Contradicting statements share a topic but not their wording, so they get a lower floor.
        floor = self.options.contradiction_floor if relation == "contradicts" else self.options.same_score
        if relation == "contradicts" and a.polarity == b.polarity:  # read from the wording, not a denial
            floor = max(floor, self.options.structural_floor)
        if score < floor:
            return Judgement(relation="unrelated", score=round(score, 4), method=self.name)
        if relation != "contradicts" and self._predicates_apart(a, b):
            return Judgement(relation="unrelated", score=round(score, 4), method=self.name,
                             reasons=("nothing in common but names",))
        return Judgement(
            relation=relation, score=round(score, 4), method=self.name, specific=specific, reasons=tuple(reasons)
        )

    def _predicates_apart(self, a: ClaimView, b: ClaimView) -> bool:
        """Do both claims say something beyond their names, and nothing of it alike?

        "A special counsel, Robert S. Mueller III, took over" and "The Mueller report has been
        released by the Department of Justice" share a name and a topic, not a statement. Across
        documents the bar is higher (`names_only_cosine_across`, `predicate_overlap_across`).
        """
        pa, pb = set(a.terms) - set(a.names), set(b.terms) - set(b.names)
        if not pa or not pb:
            return False
        similar = cosine(a, b)
        if a.document_id == b.document_id:
            return not pa & pb and similar < self.options.names_only_cosine
        return similar < self.options.names_only_cosine_across and self._overlap(pa, pb) <= self.options.predicate_overlap_across


class NliJudge:
    """A locally supplied NLI / cross-encoder model (`--judge-model PATH`), never fetched."""

    def __init__(self, path: str | Path, *, fallback: StructuralJudge | None = None) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise ModelMissing(
                f"judge model {self.path}: no such file or directory; pass a local ONNX file or a "
                "transformers model directory (nothing is downloaded), or omit --judge-model"
            )
        self.fallback = fallback or StructuralJudge()
        # The linker feeds IDF counts to its judge's vocabulary: it must be the fallback's, or
        # the structural scores underneath would weigh every term alike.
        self.vocabulary = self.fallback.vocabulary
        self._cache: dict[tuple[str, str], dict[str, float]] = {}
        self.name = f"link.judge.nli.v1:{self.path.name}"
        self._labels: list[str]
        if self.path.is_file() and self.path.suffix == ".onnx":
            self._load_onnx()
        else:
            self._load_transformers()

    def _load_onnx(self) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        vocab = self.path.with_name("tokenizer.json")
        if not vocab.is_file():
            raise ModelMissing(f"{vocab}: an ONNX judge model needs its tokenizer.json beside it")
        config = self.path.with_name("config.json")
        labels = json.loads(config.read_text())["id2label"] if config.is_file() else {}
        self._labels = [str(labels.get(str(i), "")).lower() for i in range(len(labels) or 3)]
        self._tokenizer = Tokenizer.from_file(str(vocab))
        self._session = onnxruntime.InferenceSession(str(self.path), providers=["CPUExecutionProvider"])
        self._mode = "onnx"

    def _load_transformers(self) -> None:
        try:
            from transformers import AutoModelForSequenceClassification, AutoTokenizer  # type: ignore[import-not-found]
        except ImportError as err:
            raise ModelMissing(
                f"{self.path} is a model directory but `transformers` is not installed; export it to ONNX instead"
            ) from err
        self._hf_tokenizer = AutoTokenizer.from_pretrained(str(self.path), local_files_only=True)
        self._model = AutoModelForSequenceClassification.from_pretrained(str(self.path), local_files_only=True)
        self._labels = [str(self._model.config.id2label[i]).lower() for i in range(self._model.config.num_labels)]
        self._mode = "transformers"

    def _probabilities(self, premise: str, hypothesis: str) -> dict[str, float]:
        key = (premise, hypothesis)  # linkage checks ask for the same pair many times
        if key not in self._cache:
            self._cache[key] = self._infer(premise, hypothesis)
        return self._cache[key]

    def _infer(self, premise: str, hypothesis: str) -> dict[str, float]:
        if self._mode == "onnx":
            encoding = self._tokenizer.encode(premise, hypothesis)
            feeds = {
                "input_ids": np.array([encoding.ids], dtype=np.int64),
                "attention_mask": np.array([encoding.attention_mask], dtype=np.int64),
            }
            names = {i.name for i in self._session.get_inputs()}
            if "token_type_ids" in names:
                feeds["token_type_ids"] = np.array([encoding.type_ids], dtype=np.int64)
            logits = self._session.run(None, feeds)[0][0]
        else:
            import torch  # type: ignore[import-not-found]

            with torch.no_grad():
                batch = self._hf_tokenizer(premise, hypothesis, return_tensors="pt", truncation=True)
                logits = self._model(**batch).logits[0].numpy()
        exp = np.exp(logits - logits.max())
        probs = exp / exp.sum()
        return {label: float(p) for label, p in zip(self._labels, probs)}

    def judge(self, a: ClaimView, b: ClaimView) -> Judgement:
        base = self.fallback.judge(a, b)
        if base.relation == "unrelated":
            return base
        forward, backward = self._probabilities(a.basis, b.basis), self._probabilities(b.basis, a.basis)
        contradiction = max(forward.get("contradiction", 0.0), backward.get("contradiction", 0.0))
        if a.polarity != b.polarity:
            contradiction = 1 - contradiction  # the denied proposition is stated positively
        if contradiction > 0.5:
            return Judgement(relation="contradicts", score=round(contradiction, 4), method=self.name)
        fe, be = forward.get("entailment", 0.0), backward.get("entailment", 0.0)
        if fe > 0.5 and be > 0.5:
            return Judgement(relation="same", score=round(min(fe, be), 4), method=self.name)
        if fe > 0.5 or be > 0.5:
            # b entailing a (backward) means b says at least as much: b is the specific one.
            return Judgement(relation="more_specific", score=round(max(fe, be), 4), method=self.name,
                             specific="b" if be > fe else "a")
        return base
