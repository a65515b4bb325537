"""Mention candidates in one spaCy Doc: cleaned names, role descriptions, groups, documents, anonymous sources.

Linking candidates into entities is entities.py's job; this module only finds spans and
says what kind of thing each one is.
"""

from __future__ import annotations

import re
from functools import partial
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from claimgraph.analyse.countries import country_of, country_of_demonym, is_demonym
from claimgraph.analyse.roles import role_regex
from claimgraph.analyse.sentences import doc_text
from claimgraph.sources import WRITING_NOUNS

# ALL-CAPS words that are acronyms and must stay upper case for NER.
ACRONYMS = frozenset("""
NATO POTUS FLOTUS SCOTUS OPEC UNESCO UNICEF NASA GCHQ HPSCI SSCI FISA FARA NYSE ASEAN ICANN USAID
NAFTA MSNBC ODNI ISIS ISIL OSCE HSBC SWIFT NCSC DCCC DNC RNC CNN NBC ABC BBC CBS FBI CIA NSA KGB FSB
GRU SVR MFA DOJ USSR RSFSR OIG IG GOP TASS RIA ITAR NYPD CSIS SBU MI5 MI6 EU UN UK US USA
""".split())
# Short capitalised function words in headlines; lower-casing them keeps the text the same length.
_FUNCTION_WORDS = frozenset("OF AND IN THE ON TO FOR BY AT A AN AS OR WITH FROM OVER INTO ITS HIS HER IS ARE WAS BE".split())
_CAPS_WORD = re.compile(r"(?<![\w'’])([A-Z][A-Z'’]*[A-Z])(?![\w])")

# spaCy's frequent false names in page furniture and memo headings.
_NOT_NAMES = frozenset({"detail", "summary", "tweet", "act now", "picture", "read more", "comment",
                        "comments", "share", "advertisement", "s/he", "source", "company", "example"})
_ORG_KIND_NOUNS = frozenset({"tank", "newspaper", "agency", "company", "firm", "group", "party",
                             "organisation", "organization", "network", "channel", "outlet", "bank",
                             "website", "broadcaster", "magazine", "institute", "university"})
_NER_TYPES = {"PERSON": "PER", "ORG": "ORG", "GPE": "GPE", "LOC": "LOC", "FAC": "LOC", "NORP": "NORP",
              "EVENT": "EVENT", "WORK_OF_ART": "WORK", "LAW": "DOC", "PRODUCT": "OTHER"}

# Head nouns of an indefinite description that introduces an unnamed human source.
ANON_HEADS = frozenset({"figure", "official", "source", "associate", "compatriot", "insider", "officer",
                        "diplomat", "émigré", "emigre", "contact", "individual", "operative", "adviser",
                        "advisor", "aide", "staffer", "employee", "businessman", "banker", "member",
                        "friend", "colleague", "oligarch", "intermediary", "lawyer"})
# Nouns that describe a person in an appositive ("Andrew Wood, former UK ambassador in Moscow").
PERSON_NOUNS = ANON_HEADS | frozenset({
    "ambassador", "fellow", "spokesman", "spokeswoman", "spokesperson", "director", "minister", "president",
    "secretary", "chairman", "chair", "founder", "head", "chief", "editor", "reporter", "correspondent",
    "agent", "analyst", "expert", "researcher", "professor", "attorney", "judge", "senator", "congressman",
    "congresswoman", "governor", "mayor", "ceo", "cfo", "executive", "candidate", "nominee", "leader",
    "partner", "wife", "husband", "son", "daughter", "brother", "sister", "father", "mother", "journalist",
    "author", "consultant", "investigator", "prosecutor", "lawmaker", "spy", "deputy", "commander", "general",
    "representative", "envoy", "owner", "billionaire", "tycoon", "developer", "manager", "counsel"})
# Plural human heads that form a GROUP entity ("his spy chiefs", "senior ministers").
GROUP_HEADS = frozenset({"chief", "minister", "leader", "official", "expert", "officer", "diplomat",
                         "aide", "adviser", "advisor", "investigator", "analyst", "lawyer", "agent",
                         "operative", "prosecutor", "lawmaker", "senator", "staffer",
                         "associate", "oligarch", "hacker", "spy", "intelligence agency", "agency"})
# Heads of references to a written work (lemmas: sources.WRITING_NOUNS and kinds of their own);
# plural and singular are kept apart (gold: the leaked documents vs the one report inside them).
DOC_PLURAL = (frozenset(WRITING_NOUNS) - {"dossier"}) | {"record", "email", "e-mail"}
DOC_SINGULAR = frozenset(WRITING_NOUNS) | {"decree", "letter", "assessment", "transcript", "study"}
_DOC_KINDS = {"document": "documents", "paper": "documents", "file": "documents", "memo": "memos",
              "memorandum": "memos", "report": "reports", "email": "emails", "e-mail": "emails",
              "record": "records"}
# Definite back-references to an earlier organisation or place.
ORG_ANAPHORS = {"group": "ORG", "agency": "ORG", "organisation": "ORG", "organization": "ORG",
                "company": "ORG", "firm": "ORG", "newspaper": "ORG", "country": "GPE", "city": "GPE"}
# Events referred to by a common noun: one entity per kind per document.
EVENT_HEADS = {"meeting": "meeting", "session": "meeting", "summit": "meeting",
               "election": "election", "campaign": "campaign",
               "operation": "operation", "interference": "operation", "meddling": "operation"}
# Lower-case institutional nouns ("Russia's national security council", "presidential administration").
INSTITUTION_HEADS = frozenset({"council", "committee", "department", "administration", "ministry",
                               "directorate", "leadership"})


@dataclass
class Candidate:
    start: int
    end: int
    kind: str  # name | description | anonymous | pronoun
    type: str  # PER | ORG | ... ; for descriptions the type of what is referred to
    name: str = ""  # the bare name for names ("Vladimir Putin" inside "Russian president ...")
    key: str = ""  # grouping key for descriptions ("doc:plural", "group:spy chief", "anon:3")
    role: str = ""  # a role description to resolve ("former potus")
    head: str = ""  # head lemma, for anaphors
    same_as: tuple[int, int] | None = None  # span of the name an appositive describes


def _is_caps_line(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return len(line.split()) >= 3 and len(letters) >= 10 and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


def prepare_text(text: str) -> str:
    """A same-length copy of `text` with ALL-CAPS surnames title-cased so that spaCy's NER sees names.

    Offsets into the result are offsets into `text`: only letter case changes. In an all-caps
    heading, a word keeps a capital only if the document writes it capitalised elsewhere
    ("KREMLIN ASSESSMENT OF TRUMP" -> "Kremlin assessment of Trump").
    """
    lines = text.split("\n")
    caps_lines = [_is_caps_line(line) for line in lines]
    prose = "\n".join(line for line, caps in zip(lines, caps_lines) if not caps)
    capitalised = {w for w in re.findall(r"\b[A-Z][\w'’]*", prose)}
    # An all-caps word used with "the" and never after a first name is an acronym ("the FISC"),
    # not a memo surname ("Igor SECHIN", "PUTIN's").
    with_article = set(re.findall(r"\b[Tt]he\s+([A-Z]{4,})\b", prose))
    after_name = set(re.findall(r"\b[A-Z][a-z]+\.?\s+([A-Z]{4,})\b", prose))
    acronyms = with_article - after_name
    lower_words = {w for w in re.findall(r"\b[a-z][\w'’]*", prose)}

    def fix(match: re.Match[str], heading: bool) -> str:
        word = match.group(1)
        letters = re.sub(r"['’]", "", word)
        if word in _FUNCTION_WORDS:
            return word.lower()
        if letters in ACRONYMS or not re.search(r"[AEIOUY]", letters):
            return word
        if heading:
            stem = re.sub(r"['’]S$", "", word)
            if stem.lower() not in lower_words and (stem in capitalised or stem[0] + stem[1:].lower() in capitalised):
                return word[0] + word[1:].lower()
            return word.lower()
        if len(letters) < 4 or letters in acronyms:
            return word
        return word[0] + word[1:].lower()

    out = [_CAPS_WORD.sub(partial(fix, heading=caps), line) for line, caps in zip(lines, caps_lines)]
    prepared = "\n".join(out)
    assert len(prepared) == len(text)
    return prepared


def _trim(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """Cut a span at the first line break and strip quotes, possessive 's and punctuation."""
    text = doc_text(doc)
    newline = text.find("\n", start, end)
    if newline != -1:
        end = newline
    while end > start and text[end - 1] in " \t\"'‘’“”,.:;)(":
        if text[end - 1] == "." and re.search(r"(?:\b[A-Z]\.){2,}$", text[start:end]):
            break  # "U.S." keeps its last full stop
        end -= 1
    # A name never ends on a function word ("Department K of").
    while (m := re.search(r"\s+(?:of|and|the|for|in|on|at|to)$", text[start:end], re.I)) and m.start() > 0:
        end = start + m.start()
    if re.search(r"['’]s$", text[start:end]):
        end -= 2
    while end > start and text[end - 1] in " \t\"'‘’“”":
        end -= 1
    while start < end and text[start] in " \t\"'‘’“”(•·*–-":
        start += 1
    # Classification markings of government texts: "(U) The Committee" -> "The Committee".
    if marking := re.match(r"\(?(?:U|C|S|TS)(?://[A-Z]+)?\)\s+", text[start:end]):
        start += marking.end()
    return start, end


def _head(span: Span) -> Token:
    """The span's syntactic head, ignoring a determiner that spaCy attached outside it."""
    outside = [t for t in span if not (span.start <= t.head.i < span.end) or t.head.i == t.i]
    content = [t for t in outside if t.pos_ not in {"DET", "PUNCT", "SPACE"}]
    return (content or outside or [span.root])[-1]


def _with_determiner(doc: Doc, span: Span) -> int:
    """Include a preceding "the" when it belongs to this name ("the White House"), not to the head it modifies."""
    before = span.start - 1
    while before >= 0 and doc[before].is_space:
        before -= 1  # "the\xa0Chatham House": a non-breaking space is a token of its own
    if before < 0 or doc[before].lower_ != "the":
        return span.start_char
    root = _head(span)
    if len(span) == 1 and span.text.istitle() and span.root.ent_type_ != "NORP" and not doc[before].text.istitle() \
            and not re.search(
            rf"(?<![.!?\n\s])\s+The\s+{re.escape(span.text)}\b", doc_text(doc)):
        # "the Kremlin": a lower-case article before a one-word name the document never writes as
        # "The X" mid-sentence is no part of the name ("told The Guardian" keeps it).
        return span.start_char
    # The annotation keeps a directly preceding article of an acronym even when the name modifies
    # a noun ("the MFA official" -> "the MFA"), but "the Russia investigation" is not "the Russia".
    if root.dep_ in {"compound", "amod", "nmod"} and root.head.i >= span.end and not re.fullmatch(r"[A-Z.]{2,6}", span.text):
        return span.start_char
    return doc[before].idx


def _extend_person(doc: Doc, span: Span) -> int:
    """Start of a person mention including its title ("Russian president Vladimir Putin")."""
    root = _head(span)
    left = {t.i for t in root.subtree if t.i < span.start}
    start = span.start
    while start - 1 in left:
        token = doc[start - 1]
        if "\n" in token.text_with_ws or (token.pos_ in {"DET", "PRON", "ADP", "VERB", "AUX", "NUM", "PUNCT", "CCONJ"}
                                          and token.tag_ != "POS"):
            break
        start -= 1
    # Never start on a possessive marker or a determiner.
    while start < span.start and (doc[start].pos_ in {"DET", "PUNCT"} or doc[start].tag_ == "POS"):
        start += 1
    # "President-elect Donald Trump": a hyphenated title is one word.
    while start > 0 and start < span.start and not doc[start - 1].whitespace_ and doc[start - 1].text == "-" \
            and start > 1 and not doc[start - 2].whitespace_ and doc[start - 2].is_alpha:
        start -= 2
    added = doc[start:span.start]
    if not any(t.pos_ in {"NOUN", "PROPN"} for t in added):
        return span.start_char
    return doc[start].idx


def _pieces(ent: Span) -> list[tuple[Span, bool]]:
    """An entity split at line breaks ("Trump Organisation\n\nWood"); True marks the piece holding the root."""
    pieces: list[tuple[Span, bool]] = []
    begin = ent.start
    for token in ent:
        if "\n" in token.text_with_ws and token.i + 1 < ent.end or token.is_space:
            if token.i + 1 > begin:
                pieces.append((ent.doc[begin:token.i + 1], False))
            begin = token.i + 1
    if begin < ent.end:
        pieces.append((ent.doc[begin:ent.end], False))
    pieces = [(p, p.start <= ent.root.i < p.end) for p, _ in pieces if not p.text.isspace()]
    return pieces


def name_candidates(doc: Doc) -> list[Candidate]:
    """spaCy entities, cleaned: split at line breaks, no possessives or quotes, with titles and "the"."""
    out: list[Candidate] = []
    for ent in doc.ents:
        label = _NER_TYPES.get(ent.label_)
        if label is None:
            continue
        if label == "NORP":
            # Adjectival demonyms are not mentions; "the Russians" as an actor is the country.
            if ent.root.tag_ not in {"NNS", "NNPS"} or ent.root.dep_ in {"amod", "compound"}:
                continue
            country = country_of(ent.text) or (country_of_demonym(ent.text) if ent.root.tag_ in {"NNS", "NNPS"} else None)
            start, end = _trim(doc, _with_determiner(doc, ent), ent.end_char)
            out.append(Candidate(start, end, "name", "GPE" if country else "NORP", name=country or ent.text))
            continue
        for piece, has_root in _pieces(ent):
            piece_label = label
            if not has_root:
                # A piece cut off by a line break is kept only if it still looks like a name.
                if not all(w[:1].isupper() for w in piece.text.split()):
                    continue
                piece_label = "ORG" if len(piece) > 1 else label
            found = _name_candidate(doc, piece, piece_label)
            out.extend(found)
            if found and piece_label == "PER":
                out.extend(_appositives(doc, piece, found[0]))
    return out


def _without_clauses(token: Token) -> list[Token]:
    """The token's phrase without relative clauses, coordination or trailing punctuation."""
    keep = [token]
    for child in token.children:
        if child.dep_ in {"relcl", "acl", "cc", "conj", "punct", "appos"}:
            continue
        keep.extend(_without_clauses(child))
    return sorted(keep, key=lambda t: t.i)


def _appositives(doc: Doc, span: Span, name: Candidate) -> list[Candidate]:
    """ "Andrew Wood, former UK ambassador in Moscow, ...": the appositive is a mention of Wood.
    A plural noun is not ("Putin, his spy chiefs and senior ministers were present": a list)."""
    out = []
    for child in _head(span).children:
        if child.dep_ != "appos" or child.i < span.end or child.pos_ != "NOUN" or child.tag_ == "NNS" \
                or child.lemma_.lower() not in PERSON_NOUNS \
                or not re.fullmatch(r",\s*", doc_text(doc)[span.end_char:child.left_edge.idx]):
            continue
        for part in [child, *(c for c in child.children if c.dep_ == "conj")]:
            tokens = _without_clauses(part)
            start, end = _trim(doc, tokens[0].idx, tokens[-1].idx + len(tokens[-1]))
            if end > start and "\n" not in doc_text(doc)[start:end] and end - start < 120:
                out.append(Candidate(start, end, "description", "PER", key="appos", same_as=(name.start, name.end)))
    return out


def _name_candidate(doc: Doc, span: Span, label: str) -> list[Candidate]:
    start, end = _trim(doc, span.start_char, span.end_char)
    if end <= start:
        return []
    root = _head(span)
    modifier = root.dep_ in {"compound", "amod", "nmod"} and root.head.i >= span.end
    if modifier and label == "ORG":
        # "The Russian Foreign Ministry official": the name is "Foreign Ministry".
        words = doc_text(doc)[start:end].split()
        adjectives = {t.text.lower() for t in span if (t.tag_ == "JJ" or t.ent_type_ == "NORP") and (
            is_demonym(t.text) or t.ent_type_ == "NORP" or re.fullmatch(r"\w+-linked", t.lower_))}
        while len(words) > 1 and (words[0].lower() == "the" or words[0].lower() in adjectives):
            start = doc_text(doc).index(words[1], start + len(words[0]))
            words.pop(0)
    name = doc_text(doc)[start:end]
    if modifier and label == "ORG" and root.head.lemma_.lower() in _ORG_KIND_NOUNS:
        # "the Chatham House think tank": the kind noun belongs to the organisation's mention.
        end = root.head.idx + len(root.head)
    if name.lower().removeprefix("the ") in _NOT_NAMES or not re.search(r"[A-Z]", name) \
            or re.fullmatch(r"[Ss]ources?\s+[A-Z](?:\s+and\s+[A-Z])?", name):
        return []
    full_start = _extend_person(doc, span) if label == "PER" else _with_determiner(doc, span)
    article_before = re.search(r"\bthe\s$", doc_text(doc)[max(0, start - 4):start], re.I)
    if full_start > start or (modifier and label == "ORG" and not article_before):
        full_start = start
    return [Candidate(full_start, end, "name", label, name=re.sub(r"^[Tt]he\s+", "", name))]


def repeated_names(doc: Doc, found: list[Candidate]) -> list[Candidate]:
    """Later (or earlier) occurrences of a name NER tagged somewhere else in the document but missed here."""
    taken = [(c.start, c.end) for c in found]
    out: list[Candidate] = []
    by_form: dict[str, Candidate] = {}
    for cand in found:
        long_enough = len(cand.name) >= 4 or (len(cand.name) == 3 and cand.name.isupper())
        if cand.kind == "name" and cand.type != "NORP" and not cand.key and long_enough and cand.name[0].isupper():
            by_form.setdefault(cand.name, cand)
            if cand.type == "PER":
                by_form.setdefault(cand.name.split()[-1], cand)
    for form, cand in sorted(by_form.items(), key=lambda kv: -len(kv[0])):
        for match in re.finditer(rf"(?<![\w]){re.escape(form)}(?![\w])", doc_text(doc)):
            if any(match.start() < e and s < match.end() for s, e in taken):
                continue
            taken.append((match.start(), match.end()))
            start = match.start()
            article = re.search(r"\b[Tt]he\s+$", doc_text(doc)[max(0, start - 4):start])
            if article and doc_text(doc)[cand.start:cand.end].lower().startswith("the "):
                start -= len(article.group(0))  # "The Guardian" was tagged with its article elsewhere
            out.append(Candidate(start, match.end(), "name", cand.type, name=form))
    return out


_ROLE_MODS = r"(?:(?:former|ex-|current|sitting|incumbent|then|now|outgoing|new)[\s-]+)*"


def role_candidates(doc: Doc) -> list[Candidate]:
    """Definite role descriptions: "the former POTUS", "The Russian president", "the now 75-year-old"."""
    text = doc_text(doc)
    regex = re.compile(rf"\b[Tt]he\s+(?:{role_regex()})(?-i:(?!\s+[A-Z][a-z]|[\w-]))", re.I)
    out = [Candidate(m.start(), m.end(), "description", "PER", role=m.group(0)) for m in regex.finditer(text)]
    for match in re.finditer(r"\b[Tt]he\s+(?:now\s+)?\d+-year-old\b(?![\s-]+[a-z]+[a-z])", text):
        out.append(Candidate(match.start(), match.end(), "description", "PER", key="age"))
    return out


def _chunk_bounds(chunk: Span) -> tuple[int, int]:
    """A chunk's span without a leading "a"/"some" and without a first conjunct ("Russia and X associates")."""
    start = chunk.start
    conjunctions = [t.i for t in chunk if t.pos_ == "CCONJ" and t.i < chunk.root.i]
    if conjunctions:
        start = conjunctions[-1] + 1
    while start < chunk.end and chunk.doc[start].pos_ == "DET" and chunk.doc[start].lower_ != "the":
        start += 1
    return chunk.doc[start].idx if start < chunk.end else chunk.start_char, chunk.end_char


def _of_extension(chunk: Span) -> int:
    """End of "a close associate of TRUMP": the chunk plus an attached "of" phrase."""
    for child in chunk.root.rights:
        if child.dep_ == "prep" and child.lower_ == "of" and child.i == chunk.end:
            objects = [t for t in child.children if t.dep_ == "pobj"]
            if objects:
                # Up to the object's own noun phrase, not its relative clauses.
                last = max([objects[0]] + [t for t in objects[0].rights if t.dep_ == "compound"], key=lambda t: t.i)
                return last.idx + len(last)
    return chunk.end_char


def _date_extension(chunk: Span, end: int) -> int:
    """A meeting's date belongs to its mention ("the meeting in early 2016")."""
    doc = chunk.doc
    token = next((t for t in doc[chunk.end:chunk.end + 12] if t.idx >= end), None)
    if token is None or token.lower_ not in {"on", "in"}:
        return end
    dates = [t for t in doc[token.i + 1:token.i + 6] if t.ent_type_ == "DATE"]
    if dates and dates[0].i == token.i + 1 or (dates and doc[token.i + 1].lower_ in {"early", "mid", "late"}):
        last = dates[0]
        while last.i + 1 < len(doc) and doc[last.i + 1].ent_type_ == "DATE" and doc[last.i + 1].ent_iob_ == "I":
            last = doc[last.i + 1]
        return last.idx + len(last)
    return end


def _event(chunk: Span, first: str, lemma: str) -> Candidate:
    start, end = _chunk_bounds(chunk)
    if first in {"a", "an"}:
        start, end = chunk.start_char, _of_extension(chunk)
    people = [t for t in chunk if t.ent_type_ in {"PERSON", "ORG"} and t.dep_ == "compound" and t.pos_ == "PROPN"]
    if first not in {"a", "an"} and people:
        start = people[0].idx  # "the TRUMP support operation" is annotated as the name-like compound
    end = _date_extension(chunk, end)
    # "the 2016 US election" and "Clinton's campaign" are named; "the election" is generic.
    names = [t.lower_ for t in chunk if t.pos_ == "PROPN" and t.i != chunk.root.i and t.idx >= start]
    key = "event:" + EVENT_HEADS[lemma] + (":" + " ".join(names) if names else "")
    return Candidate(start, end, "description", "EVENT", key=key, head=lemma)


def _documents(chunk: Span, first: str, lemma: str, plural: bool) -> Candidate:
    doc, root = chunk.doc, chunk.root
    if plural:
        start, end = _chunk_bounds(chunk)
        before = doc[chunk.start - 1] if chunk.start > 0 else None
        if before is not None and before.tag_ in {"VBN", "VBD", "JJ"} and (
                before.dep_ == "amod" or before.lemma_.lower() in {"leak", "hack", "steal", "declassify", "classify"}):
            start = before.idx  # "leaked Kremlin documents": spaCy leaves the participle out
        return Candidate(start, end, "description", "DOC", key="doc:" + _DOC_KINDS.get(lemma, lemma), head=lemma)
    # "the Mueller report" is its own work; "the report", "the paper" are the one report at hand.
    names = [t.lower_ for t in chunk if t.dep_ == "compound" and t.pos_ == "PROPN"]
    key = f"doc:{lemma}" if lemma in {"dossier", "decree", "letter", "transcript"} else "doc:singular"
    key += ":" + " ".join(names) if names else ""
    end = _of_extension(chunk) if first in {"a", "an"} else chunk.end_char
    return Candidate(chunk.start_char, end, "description", "DOC", key=key, head=root.lemma_.lower())


def _one_line(chunk: Span) -> Span | None:
    """The part of a noun chunk on its root's line (spaCy chunks run over bullets and breaks)."""
    if "\n" not in chunk.text:
        return chunk
    doc = chunk.doc
    line = [t for t in chunk if t.i >= chunk.root.i or "\n" not in doc_text(doc)[t.idx:chunk.root.idx]]
    if not line:
        return None
    part = doc[line[0].i:chunk.end]
    return None if "\n" in part.text else part


def _classify_chunk(chunk: Span) -> Candidate | None:
    """What a noun chunk refers to, if it is a mention at all."""
    root = chunk.root
    lemma = root.lemma_.lower()
    first = chunk[0].lower_
    plural = root.tag_ in {"NNS", "NNPS"}
    mods = [t.lower_ for t in chunk if t.i != root.i and t.pos_ in {"ADJ", "NOUN", "PROPN"}]
    if root.pos_ == "PRON" or (root.ent_type_ in {"PERSON", "GPE", "ORG", "NORP", "DATE", "CARDINAL"}
                               and not root.is_lower):
        return None
    quoted = bool(re.search(r"[‘’“”\"]", chunk.text))
    predicate = root.dep_ == "attr" or (root.dep_ == "pobj" and root.head.lower_ == "as")
    if lemma in EVENT_HEADS and not plural:
        return _event(chunk, first, lemma)
    if lemma in INSTITUTION_HEADS and not plural and root.is_lower and first not in {"a", "an"}:
        start, end = _chunk_bounds(chunk)
        compounds = [t.lower_ for t in root.lefts if t.dep_ in {"compound", "amod"} and t.is_lower][-1:]
        kind = "GROUP" if lemma == "leadership" else "ORG"
        return Candidate(start, end, "description", kind, key=f"{kind.lower()}:" + " ".join(compounds + [lemma]),
                         head=lemma)
    if lemma in ANON_HEADS and not plural:
        if first in {"a", "an"} and root.ent_type_ == "" and not quoted and not predicate:
            return Candidate(chunk.start_char, _of_extension(chunk), "anonymous", "ANON_SOURCE",
                             key=f"anon:{chunk.start_char}", head=lemma)
        if first == "the" and mods:
            return Candidate(chunk.start_char, chunk.end_char, "anonymous", "ANON_SOURCE", key="anon-ref",
                             head=lemma, name=" ".join(mods))
    if plural and lemma in GROUP_HEADS and first not in {"these", "those", "many", "some"}:
        start, end = _chunk_bounds(chunk)
        key = "group:" + " ".join([m for m in mods if m not in {"his", "her", "their"}] + [lemma])
        return Candidate(start, end, "description", "GROUP", key=key, head=lemma)
    if (plural and lemma in DOC_PLURAL) or (not plural and lemma in DOC_SINGULAR and first in {"the", "a", "an", "this"}):
        return _documents(chunk, first, lemma, plural)
    if first == "the" and not plural and lemma in ORG_ANAPHORS and len(chunk) <= 3:
        return Candidate(chunk.start_char, chunk.end_char, "description", ORG_ANAPHORS[lemma], key="anaphor",
                         head=lemma)
    return None


def _lettered_sources(doc: Doc, out: list[Candidate]) -> list[Candidate]:
    """ "Source B", "Source D, a close associate of TRUMP": a memo's lettered source, one mention with
    the appositive that describes it (which then is no separate anonymous source)."""
    chunk_at = {c.start_char: c for c in doc.noun_chunks}
    for match in re.finditer(r"\b[Ss]ource\s+([A-Z])\b", doc_text(doc)):
        end, head = match.end(), "source"
        after = re.match(r",\s+", doc_text(doc)[end:])
        chunk = chunk_at.get(end + after.end()) if after else None
        if chunk is not None and chunk[0].lower_ in {"a", "an", "the"} and "\n" not in chunk.text:
            end, head = _of_extension(chunk), chunk.root.lemma_.lower()
        out = [c for c in out if not (match.start() <= c.start and c.end <= end and c.kind == "anonymous")]
        out.append(Candidate(match.start(), end, "anonymous", "ANON_SOURCE", key=f"source:{match.group(1)}",
                             head=head))
    return out


def nominal_candidates(doc: Doc) -> list[Candidate]:
    """Anonymous sources, groups, written works, events and definite anaphors."""
    parts = [part for part in map(_one_line, doc.noun_chunks) if part is not None]
    out = [c for c in map(_classify_chunk, parts) if c is not None]
    out = _lettered_sources(doc, out)
    for match in re.finditer(r"\b[Ss]/[Hh]e\b", doc_text(doc)):
        out.append(Candidate(match.start(), match.end(), "pronoun", "ANON_SOURCE", key="s/he"))
    # A report number after a document noun or in quotes names a document ("report No 32-04 \ vd").
    number = r"[“\"]\b[Nn]o\.?\s+\d[\w-]*(?:\s*\\\s*\w+)?[”\"]|(?<=report\s)[Nn]o\.?\s+\d[\w-]*(?:\s*\\\s*\w+)?"
    for match in re.finditer(number, doc_text(doc)):
        out.append(Candidate(match.start(), match.end(), "name", "DOC", key="doc:singular",
                             name=match.group(0).strip("“”\"")))
    return out
