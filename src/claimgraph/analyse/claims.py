"""Claim units: cut a parsed sentence into propositions (finite clauses, coordinated predicates,
non-restrictive relatives, participial and absolute constructions), per the gold guidelines."""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Span, Token

from claimgraph.analyse.attribution import Frame

SUBJECTS = {"nsubj", "nsubjpass", "expl", "csubj", "csubjpass"}
# Adverbial-clause markers that introduce a new predication of their own (not time frames:
# "since Trump left office" stays with its main clause in the gold).
SPLIT_MARKERS = {"while", "though", "although", "as", "because", "whereas", "so", "but"}
TENSED = {"VBD", "VBZ", "VBP"}
QUOTES = "\"“”‘’'"
# Quote-mark tokens: single characters, and the typewriter doubles ('' and ``) wire copy uses.
QUOTE_TOKENS = frozenset(QUOTES) | {"''", "``"}
# Tokens that never start or end a claim span.
CONTENT_NOUNS = {"view", "belief", "sense", "feeling", "consensus", "expectation", "idea", "claim", "notion",
                 "suggestion", "allegation", "allegations", "accusations", "accusation", "fear", "hope", "report"}
# Participles that only link discourse ("Continuing on this theme, ..."), not a predication.
FACTIVE_NOUNS = {"fact"}
CONNECTIVE_PARTICIPLES = {"continue", "return", "turn", "move", "go", "follow"}
EDGE_WORDS = {"and", "but", "or", "so", "that", "while", "though", "although", "as", "because",
              "whereas", "however", "therefore", "yet", "then"}


@dataclass
class Unit:
    """One claim unit: its head token and the token indices it owns (doc-level indices)."""

    head: Token
    tokens: list[int] = field(default_factory=list)
    kind: str = "main"  # main | conj | relcl | acl | advcl | absolute | fact
    setting: bool = False  # "Speaking to X in June 2016, A and B": who spoke to whom, a meta-claim


def _has_subject(token: Token) -> bool:
    return any(c.dep_ in SUBJECTS for c in token.children)


def _is_finite_conj(token: Token) -> bool:
    if token.pos_ not in ("VERB", "AUX") and not (token.pos_ == "ADJ" and _has_subject(token)):
        return False
    head = token.head
    if head.pos_ not in ("VERB", "AUX", "ADJ"):
        return False
    if _has_subject(token):
        return True
    previous = _before(token)
    joined = previous is not None and (previous.dep_ == "cc" or previous.text in (",", ";"))
    if not joined:
        return False  # a misparse ("disappointed that e-mails ... have not had"), not a coordination
    if any(c.dep_ == "aux" and c.tag_ != "TO" for c in token.children):
        return True
    if token.tag_ in TENSED:
        return True
    # "will definitely lead ... and see": a bare verb coordinated under a modal is a new predicate.
    return token.tag_ == "VB" and any(c.tag_ == "MD" for c in head.children)


def _before(token: Token) -> Token | None:
    """The nearest non-space token before token's subtree."""
    index = min(t.i for t in token.subtree) - 1
    while index >= 0 and token.doc[index].is_space:
        index -= 1
    return token.doc[index] if index >= 0 else None


def _preceded_by_comma(token: Token) -> bool:
    previous = _before(token)
    return previous is not None and previous.text in (",", ";", "–", "—")


_DASHES = ("\u2014", "\u2013", "--")


def dash_predicate_subject(token: Token, sent: Span) -> Token | None:
    """The noun a predicate after a dash parenthetical belongs to, when the parser lost it.

    In "investigators determined that one key allegation — that Cohen had met Russian officials
    in Prague — was false" spaCy hangs "was false" on the sentence's first verb as a second
    predicate; it predicates "one key allegation". A subjectless conjunct right after a closing
    dash, whose sentence opens a dash after a noun between the conjunct's head and it, goes
    back to that noun.
    """
    if token.dep_ != "conj" or token.pos_ not in ("AUX", "VERB", "ADJ") or _has_subject(token):
        return None
    closing = _before(token)
    if closing is None or closing.text not in _DASHES:
        return None
    for i in range(closing.i - 1, max(token.head.i, sent.start), -1):
        opening = token.doc[i]
        if opening.text in _DASHES:
            noun = token.doc[i - 1]
            if noun.pos_ in ("NOUN", "PROPN", "PRON") and noun.i > token.head.i:
                return noun
            return None
    return None


# Participles after their clause that a frame reads as a cue ("..., saying that ...", "by calling
# for ...", "a group backing the senator"): what they report is a claim of its own.
PARTICIPLE_CUE_DEPS = ("advcl", "acl", "pcomp")


def split_kind(token: Token, sent: Span, reporting: set[str], cues: frozenset[int] = frozenset()) -> str | None:
    """Why this token heads its own claim unit, or None. cues: the tokens frames anchor on."""
    if token.i == sent.root.i:
        return None
    dep = token.dep_
    if token.i in cues and token.tag_ == "VBG" and dep in PARTICIPLE_CUE_DEPS and token.i > token.head.i \
            and not _has_subject(token):
        return "advcl"
    if token.i in cues and dep == "relcl" and not any(c.dep_ == "neg" for c in token.children):
        return "relcl"  # "who has long championed ...": the source's stance is its own claim
    if dep == "conj" and _is_finite_conj(token):
        return "conj"
    # "ahead of the fact that X happened": X is presupposed true, a claim of its own.
    if dep == "acl" and token.head.lemma_.lower() in FACTIVE_NOUNS and _has_subject(token) \
            and any(c.dep_ == "mark" and c.lower_ == "that" for c in token.children):
        return "fact"
    # "to dominate ..., to deconstruct ... and to pursue ...": infinitives each with their own "to".
    if dep == "conj" and token.tag_ == "VB" and any(c.tag_ == "TO" for c in token.children) and token.head.tag_ == "VB":
        return "conj"
    if dep == "relcl":
        relword = min(token.subtree, key=lambda t: t.i)
        if relword.lower_ in ("which", "where") or _preceded_by_comma(token):
            return "relcl"
        if token.head.lemma_.lower() in CONTENT_NOUNS:
            return None  # "a view in the Kremlin that ...": a content clause the parser calls relcl
        if token.lemma_ in reporting and not any(c.dep_ == "neg" for c in token.children):
            return "relcl"
        # "... public life which/that could become ...": a predicted property is its own claim.
        if relword.lower_ == "that" and any(c.tag_ == "MD" for c in token.children):
            return "relcl"
        # "By the time Trump was the frontrunner ...": a dated situation of its own.
        if token.head.lower_ in ("time", "point", "moment") and token.head.dep_ == "pobj" and _has_subject(token):
            return "relcl"
        return None
    if dep in ("acl", "advcl") and token.tag_ == "VBN" and _preceded_by_comma(token) and not _has_subject(token) \
            and not any(c.dep_ == "mark" for c in token.children):
        return "acl"
    if dep == "advcl":
        marks = {c.lower_ for c in token.children if c.dep_ == "mark"}
        first = min(token.subtree, key=lambda t: t.i)
        if marks & SPLIT_MARKERS and (_has_subject(token) or "because" in marks):
            return "advcl"
        if token.lemma_ in reporting and _has_subject(token):
            return "advcl"
        # "By the time Trump was the frontrunner ..., X did Y": an opening clause of its own.
        last = max(token.subtree, key=lambda t: t.i)
        if _has_subject(token) and not (marks - SPLIT_MARKERS) and first.i == sent.start \
                and last.i + 1 < sent.end and token.doc[last.i + 1].text == ",":
            return "advcl"
        if not marks and token.tag_ in ("VBG", "VBN") and first.i <= sent.start + 2 and token.i < token.head.i \
                and token.lemma_.lower() not in CONNECTIVE_PARTICIPLES:
            return "advcl"
        return None
    if dep == "ccomp" and token.i < token.head.i and token.head.lemma_ not in reporting and _has_subject(token):
        # "Experts believe X, therefore Y": the parser hangs the first clause under the second.
        between = token.doc[token.right_edge.i + 1:token.head.i]
        if any(t.text in (",", ";") for t in between):
            return "conj"
    if dep in ("ccomp", "parataxis") and _preceded_by_comma(token) and _has_subject(token):
        head = token.head
        if head.lemma_ not in reporting and token.i > head.i:
            marks = {c.lower_ for c in token.children if c.dep_ in ("mark", "advmod", "cc")}
            if marks & {"so", "therefore", "but", "yet"} or dep == "parataxis":
                return "conj"
    if dep == "prep" and token.lower_ == "with" and token.head.pos_ in ("VERB", "AUX"):
        pobj = [c for c in token.children if c.dep_ == "pobj"]
        if pobj and any(c.dep_ == "appos" for c in pobj[0].children) and _preceded_by_comma(token):
            return "absolute"
    if dep == "prep" and token.lower_ == "despite" and _preceded_by_comma(token) and token.i > sent.start + 1:
        return "absolute"
    return None


# A sentence longer than this is one claim unit, not split: the rules look at each token's subtree
# and neighbours, which grows with the square of a run-on sentence's length (10^5 characters of
# "said said ..." took minutes). Real sentences stay far below it (the longest in the corpus ~150).
MAX_SPLIT_TOKENS = 400


def split_units(sent: Span, reporting: set[str], cues: frozenset[int] = frozenset()) -> list[Unit]:
    """Units of a sentence; every token belongs to the nearest unit head above it. cues: the
    tokens the sentence's attribution frames anchor on (a cue participle heads its own unit)."""
    root = Unit(head=sent.root, kind="main")
    if len(sent) > MAX_SPLIT_TOKENS:
        root.tokens = [token.i for token in sent]
        return [root]
    heads: dict[int, Unit] = {sent.root.i: root}
    # A predicate the parser lost after a dash parenthetical is no unit of its own: it goes
    # with its noun's clause.
    regrafted = {t.i: noun for t in sent if (noun := dash_predicate_subject(t, sent)) is not None}
    for token in sent:
        kind = None if token.i in regrafted else split_kind(token, sent, reporting, cues)
        if kind:
            heads[token.i] = Unit(head=token, kind=kind)
    owners: dict[int, Unit] = {}  # token -> its unit, shared by every token whose climb passes it
    for token in sent:
        node, cycle = token, False
        path: list[int] = []
        while node.i not in owners and node.i not in heads and node.head.i != node.i \
                and sent.start <= node.head.i < sent.end:
            if len(path) >= len(sent):  # a cycle through a regrafted predicate: the main clause's
                cycle = True
                break
            path.append(node.i)
            node = regrafted.get(node.i, node.head)
        if cycle:
            owner = root
        else:
            owner = owners.get(node.i) or heads.get(node.i, root)
            owners.setdefault(node.i, owner)
        for i in path:
            owners[i] = owner
        owner.tokens.append(token.i)
    return sorted(heads.values(), key=lambda u: min(u.tokens) if u.tokens else u.head.i)


def trim_span(doc_tokens: list[Token]) -> tuple[int, int] | None:
    """Character span of tokens without edge punctuation, conjunctions and markers."""
    ids = {t.i for t in doc_tokens}
    tokens = [t for t in doc_tokens if not t.is_space and not t.is_punct]
    if not tokens:
        return None
    doc = tokens[0].doc
    # Quote marks only count where they touch the claim's words (a closing quote hung on the
    # root at the end of the sentence must not stretch a clause over a following relative).
    first, last = tokens[0], tokens[-1]
    if first.i > 0 and doc[first.i - 1].text in QUOTE_TOKENS and first.i - 1 in ids:
        tokens.insert(0, doc[first.i - 1])
    if last.i + 1 < len(doc) and doc[last.i + 1].text in QUOTE_TOKENS and last.i + 1 in ids:
        tokens.append(doc[last.i + 1])
    while tokens and (_edge_junk(tokens[0], leading=True)):
        tokens.pop(0)
    # "Ironically, ...", "Now, ...": a sentence adverb before a comma is the author's framing.
    while len(tokens) > 2 and tokens[0].pos_ in ("ADV", "NUM", "X") and tokens[0].i + 1 < len(doc) \
            and doc[tokens[0].i + 1].text in (",", "."):
        tokens.pop(0)
        while tokens and _edge_junk(tokens[0], leading=True):
            tokens.pop(0)
    while tokens and (_edge_junk(tokens[-1], leading=False)):
        tokens.pop()
    if not tokens or not any(t.is_alpha for t in tokens):
        return None
    start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)
    return start, end


def _edge_junk(token: Token, *, leading: bool) -> bool:
    if token.text in QUOTE_TOKENS:
        # Keep a quote mark only when it opens (leading) or closes (trailing) quoted words.
        return False
    if token.is_punct:
        return True
    if token.lower_ in EDGE_WORDS:
        if token.dep_ in ("cc", "mark", "punct"):
            return True
        following = token.doc[token.i + 1] if token.i + 1 < len(token.doc) else None
        # "However, ..." yes; "So far TRUMP has ..." no.
        return token.dep_ == "advmod" and following is not None and following.text == ","
    return False


def balance_quotes(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop a dangling quote mark at either edge of a span (an unpaired quote reads as noise)."""
    span = text[start:end]
    if span[:2] in ("''", "``") and (span.count("''") + span.count("``")) % 2 == 1:
        start += 2  # a typewriter quote left open
        span = text[start:end]
    if span[-2:] == "''" and (span.count("''") + span.count("``")) % 2 == 1:
        end -= 2
        span = text[start:end]
    opens = sum(span.count(q) for q in "“‘")
    closes = sum(span.count(q) for q in "”’")
    straight = span.count('"')
    if span and span[0] in "\"“‘" and (straight % 2 == 1 if span[0] == '"' else opens > closes):
        start += 1
    span = text[start:end]
    if span and span[-1] in "\"”" and (span.count('"') % 2 == 1 if span[-1] == '"'
                                        else span.count("”") > span.count("“")):
        end -= 1
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


# ------------------------------------------------------------------ normalised content

HEDGE_ADVERBS = {"reportedly", "allegedly", "purportedly", "apparently", "supposedly", "ostensibly"}
CLAIM_NOUNS = {"idea", "claim", "claims", "allegation", "allegations", "accusation", "accusations", "suggestion",
               "notion", "report", "reports", "suggestions", "story"}
NOMINATIVE = {"him": "he", "her": "she", "them": "they", "it": "it", "me": "I", "us": "we"}


def _join(tokens: list[Token], *, capital: bool = True) -> str:
    """Tokens back to text with their original spacing (a gap in the run becomes one space)."""
    parts: list[str] = []
    for position, token in enumerate(tokens):
        following = tokens[position + 1] if position + 1 < len(tokens) else None
        gap = token.whitespace_ if following is not None and following.i == token.i + 1 else " "
        parts.append(token.text + gap)
    text = " ".join("".join(parts).split())
    text = text.strip(" ,;:—–-")
    return text[:1].upper() + text[1:] if text and capital else text


def _clause_tokens(head: Token) -> list[Token]:
    return [t for t in head.subtree if not (t.dep_ == "mark" and t.head.i == head.i and t.lower_ in ("that", "whether"))]


def _denied_proposition(tokens: list[Token]) -> list[Token] | None:
    """"denied accusations that he interferes" -> "he interferes"; "the idea of X coming together" -> X ..."""
    for token in tokens:
        if token.lower_ not in CLAIM_NOUNS:
            continue
        for child in token.children:
            if child.dep_ in ("acl", "ccomp", "relcl") and any(m.lower_ == "that" for m in child.children):
                return _clause_tokens(child)
            if child.dep_ == "prep" and child.lower_ == "of":
                objects = [g for g in child.children if g.dep_ in ("pobj", "pcomp")]
                if objects:
                    # "the idea of X ... as 'pulp fiction'": the verdict is not part of the idea
                    verdict = {t.i for p in objects[0].subtree if p.dep_ == "prep" and p.lower_ == "as"
                               for t in p.subtree}
                    return [t for t in objects[0].subtree if t.i not in verdict]
    return None


def normalise_content(unit: Unit, tokens: list[Token], frames: list[Frame], *, denied: bool) -> str:
    """The proposition without its attribution, as its innermost source puts it forward:
    "X said that Y" -> "Y"; "X described Y as Z" -> "Y is Z"; a denial -> the denied proposition."""
    if not tokens:
        return ""
    own = {t.i for t in tokens}
    if denied:
        proposition = _denied_proposition(tokens)
        if proposition:
            return _join(proposition)
        denial = next((f for f in reversed(frames) if f.denial), None)
        dobj = next((c for c in denial.anchor.children if c.dep_ == "dobj"), None) if denial else None
        if dobj is not None:  # "have denied these allegations": what was denied, for the linker
            return _join(list(dobj.subtree))
    frame = frames[-1] if frames else None
    if frame is not None and frame.kind == "verb" and frame.anchor.i == unit.head.i:
        verb = frame.anchor
        inner = next((c for c in verb.children if c.dep_ == "xcomp"), None) if verb.lemma_ in ("appear", "seem") else None
        verb = inner or verb
        ccomp = next((c for c in verb.children if c.dep_ == "ccomp" and c.i > verb.i), None)
        if ccomp is not None:
            return _join([t for t in _clause_tokens(ccomp) if t.i in own])
        as_prep = next((t for t in verb.subtree if t.dep_ == "prep" and t.lower_ == "as" and t.i > verb.i
                        and _phrase_path(t, verb)), None)
        dobj = next((c for c in verb.children if c.dep_ == "dobj"), None)
        if as_prep is not None and dobj is not None and dobj.i < as_prep.i:
            subject = [t for t in dobj.subtree if t.i < as_prep.i]
            if len(subject) == 1 and subject[0].lower_ in NOMINATIVE:
                subject_text = NOMINATIVE[subject[0].lower_]
            else:
                subject_text = _join(subject)
            predicate = _join([t for t in as_prep.subtree if t.i != as_prep.i], capital=False)
            return _join_words(subject_text, "is", predicate)
    drop: set[int] = set()
    for frame in frames:
        drop |= frame.strip  # ", it says," and trailing ", The Guardian reports"
    # Commas that bracketed a dropped parenthetical go with it.
    drop |= {t.i for t in tokens if t.is_punct and t.text in (",", "—", "–") and (t.i - 1 in drop or t.i + 1 in drop)}
    kept = [t for t in tokens if t.i not in drop and t.lower_ not in HEDGE_ADVERBS]
    return _join(kept)


def _phrase_path(token: Token, verb: Token) -> bool:
    """token hangs on verb through noun-phrase links only (not inside a clause: "what it sees as")."""
    node = token.head
    while node.i != verb.i:
        if node.dep_ not in ("dobj", "pobj", "prep", "compound", "amod", "conj", "appos", "poss", "npadvmod"):
            return False
        if node.head.i == node.i:
            return False
        node = node.head
    return True


def _join_words(*parts: str) -> str:
    text = " ".join(p for p in parts if p)
    return text[:1].upper() + text[1:]
