"""One key per source: the link stage's graph nodes and the analyst's grades use the same one."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import PurePath


# The nouns that name a writing, each with its plural: the one list of them. Every rule that asks
# whether a name or a head noun is a writing ("the dossier says", "the memos", "the leaked
# documents") builds on it: analyse/mentions.py (DOC heads), link/origins.py (hidden speakers, a
# writing as speaker), link/lines.py (an author's writing), link/entities.py (a work's head) and
# _WRITING below. Each adds kinds of its own (a decree, a cable, a probe) and names the forms it
# leaves out (tests/test_writings.py pins them).
WRITING_NOUNS: dict[str, str] = {"document": "documents", "paper": "papers", "report": "reports", "memo": "memos",
                                 "memorandum": "memoranda", "dossier": "dossiers", "file": "files"}
WRITING_FORMS: frozenset[str] = frozenset(WRITING_NOUNS) | frozenset(WRITING_NOUNS.values())


def writing_forms(*, also: Iterable[str] = (), without: Iterable[str] = ()) -> frozenset[str]:
    """WRITING_FORMS with a rule's own kinds added and the forms it does not take left out."""
    left_out = frozenset(without)
    if not left_out <= WRITING_FORMS:
        raise ValueError(f"not writing forms: {sorted(left_out - WRITING_FORMS)}")
    return (WRITING_FORMS - left_out) | frozenset(also)


def alternation(words: Iterable[str]) -> str:
    """A non-capturing regex group matching any of these words (longest first, so that "reports"
    is tried before "report" as "reports?" would)."""
    return "(?:" + "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w))) + ")"


@lru_cache(maxsize=65536)  # provenance asks for the same few hundred names again and again
def source_key(name: str) -> str:
    """'The Guardian', 'the Guardian’s' and 'GUARDIAN' are one source node; a key passes through."""
    if name.startswith("source:"):
        return name
    cleaned = re.sub(r"['\u2019]s$", "", name.strip())
    cleaned = re.sub(r"^(?:the)\s+", "", cleaned, flags=re.IGNORECASE)
    # "F.B.I." is "FBI": the points of an initialism are no part of its name
    cleaned = re.sub(r"\b(?:[A-Z]\.){2,}", lambda m: m.group(0).replace(".", ""), cleaned)
    return "source:" + re.sub(r"\s+", " ", cleaned).lower()


def outlet_keys(outlet: str | None) -> set[str]:
    """The keys a text may call its own outlet by: its name and its abbreviations ("Los Angeles
    Times" -> also "L.A. Times", "LA Times", "LAT")."""
    if not outlet:
        return set()
    words = [w for w in re.sub(r"^(?:the)\s+", "", outlet.strip(), flags=re.IGNORECASE).split() if w]
    keys = {source_key(outlet)}
    if len(words) >= 3:
        initials = [w[0].upper() for w in words[:-1]]
        keys |= {source_key(f"{'.'.join(initials)}. {words[-1]}"), source_key(f"{''.join(initials)} {words[-1]}")}
    if len(words) >= 2:
        keys.add(source_key("".join(w[0].upper() for w in words)))
    return keys


def display_names(names: Iterable[str]) -> dict[str, str]:
    """Source key -> the spelling the texts use most for it ("source:guardian" -> "The Guardian").

    Capitalised spellings win a tie; unnamed sources ("(unnamed reports: ...)") are skipped.
    """
    return weighted_display_names(Counter(names))


def weighted_display_names(counts: Mapping[str, int]) -> dict[str, str]:
    """display_names of names counted beforehand (name -> how many times the texts give it)."""
    seen: dict[str, Counter[str]] = {}
    for name, n in counts.items():
        if name and name.strip() and not name.startswith("("):
            seen.setdefault(source_key(name), Counter())[name.strip()] += n
    return {
        key: max(counts.items(), key=lambda kv: (kv[1], kv[0][:1].isupper(), kv[0]))[0]
        for key, counts in seen.items()
    }


_WORK_OF = re.compile(
    r"^(?:an?|the|(?:[A-Z][\w.-]*\s+){0,2}[A-Z][\w.-]*['’]s)\s+(?:\w+\s+)?"
    r"(?:report|story|article|piece|interview|investigation|editorial|column|analysis|scoop|exclusive)s?"
    r"\s+(?:from|in|by|on|of|for)\s+(?P<x>(?:the\s+)?[A-Z].*)$")


def cited_publication(name: str) -> str:
    """'a report from The Washington Post', "Harding's earlier report in the Guardian" -> the
    publication: a publication's piece (by whichever of its journalists) is that publication as a source."""
    match = _WORK_OF.match(name.strip())
    return match.group("x") if match else name


@dataclass(frozen=True, kw_only=True)
class ClaimOrigin:
    """What a line's name is made from, per claim on it."""

    claim: str
    document: str
    origin: str | None = None  # the first-hand source in words (link/origins.py)
    inner: str | None = None  # the innermost source of the chain
    source: str | None = None  # the nearest source of the chain
    voice: str | None = None  # the named voice's key, when a voice made the statement


def document_label(outlet: str | None, title: str | None, origin: str | None, text: str | None = None,
                   zones: Iterable[tuple[int, int, str]] = ()) -> str:
    """A document in words: its outlet, its title, its headline or first line of body text, and
    its file name only when the text gives nothing."""
    for value in (outlet, title):
        if value and value.strip():
            return value.strip()
    text = text or ""
    spans = sorted(zones)
    for kinds in (("headline",), ("body", "summary", "detail")):
        for start, end, kind in spans:
            if kind in kinds and text[start:end].strip():
                return _first_line(text[start:end])
    if text.strip() and not spans:
        return _first_line(text)
    return PurePath(origin or "").name or "(untitled)"


def _first_line(text: str) -> str:
    first = next(line.strip() for line in text.splitlines() if line.strip())
    return first if len(first) <= 90 else first[:87].rsplit(" ", 1)[0] + "\u2026"


_WRITING = re.compile(r"(?i)\b" + alternation(writing_forms(
    also=("leak", "leaks", "cable", "cables", "email", "emails", "e-mail", "e-mails", "record", "records", "transcript",
          "transcripts", "letter", "letters", "minutes", "decree", "decrees", "order", "orders"),
    without=("memorandum",))) + r"\b")
_PRONOUN = re.compile(r"(?i:he|she|they|it|we|i|you|this|that|these|those|who|one|s/he)")
# Head nouns of descriptions of people who are not named: a reporter's anonymous sources.
_ANONYMOUS = re.compile(r"(?i)\b(?P<noun>sources?|officials?|figures?|insiders?|associates?|aides?|compatriots?|"
                        r"contacts?|informants?|officers?|operatives?|employees?|staffers?|diplomats?|individuals?|persons?|people)\b")
_DETERMINER = re.compile(r"(?i)^(?:the|this|that|these|those|its|their|his|her|a|an|one of the|two of the|some|several)\s+")
# A modifier that says whose the sources are ("Russian", "U.S.", "Kremlin"): capitalised, not the first word's case
_MODIFIER = re.compile(r"^(?:[A-Z][a-z]+(?:ian|ean|an|ese|ish|i)|[A-Z](?:\.?[A-Z])+\.?)$")


def line_name(root: str, root_kind: str, origins: list[ClaimOrigin], labels: dict[str, str]) -> str:
    """A line in words, by its origin and first reporter: 'The Guardian ← leaked documents',
    'Kremlin (Dmitry Peskov, spokesperson)', 'Christopher Steele ← anonymous Russian sources'.

    What the first reporter holds is named by its writings ("leaked documents", one per kind, in
    the line's fullest words) and its anonymous sources (summed up when there are several); the
    people it quotes have lines of their own, and a name that is the origin's own ("the
    Committee" on the committee's line) or no word at all (an OCR misreading) names nothing."""
    voiced = Counter(o.origin for o in origins if o.voice and o.origin)
    for name in list(voiced):  # "Central Bank" is named in full ("Central Bank of Russia"), "Mueller" too
        fuller = [other for other in voiced if other != name and "(" not in other and _words(name) < _words(other)
                  and (len(name.split()) == 1 or not other.endswith(name))]  # not an office before a name
        if fuller:
            voiced[max(fuller, key=lambda n: (voiced[n], len(n)))] += voiced.pop(name)
    if root_kind != "document" and voiced:
        return sorted(voiced.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    if root_kind == "document":
        head, first = labels.get(root, root), [o for o in origins if o.document == root] or origins
    else:
        head = display_names([n for o in origins for n in (o.source, o.inner) if n]).get(root) or root.removeprefix("source:")
        # what the publication is relayed as saying on the authority of ("the Guardian" <- "the papers")
        first = [o for o in origins if o.source and source_key(o.source) == root] or origins
    head = head[:1].upper() + head[1:] if head.lower().startswith("the ") else head
    named = _held(first, origins, head, root)
    return f"{head} \u2190 {', '.join(named)}" if named else head


def _inner_names(origins: list[ClaimOrigin], head: str, root: str) -> Counter[str]:
    own = _words(head) | _words(root.removeprefix("source:"))
    head_key = source_key(head)
    # Claims alike in what they name are decided once (a line of 10^4 claims names a few dozen
    # things), counted in the order first seen.
    alike = Counter((o.inner or "").strip() for o in origins if not o.voice)
    names: Counter[str] = Counter()
    for name, n in alike.items():
        if _nameless(name):
            continue
        if source_key(name) in (head_key, root) or (_words(name) and _words(name) <= own):
            continue  # the origin itself ("the Committee" on the committee's line)
        names[name] += n
    return names


@lru_cache(maxsize=65536)  # the names of a ledger's lines, asked once per line naming them
def _nameless(name: str) -> bool:
    """No name of a thing: empty, a placeholder ("(unnamed ...)") or a pronoun."""
    return not name or name.startswith("(") or _PRONOUN.fullmatch(name) is not None


@lru_cache(maxsize=65536)
def _words(name: str) -> frozenset[str]:
    return frozenset(w for w in re.findall(r"[a-z]+", name.lower()) if w not in {"the", "of", "a", "an", "s"})


@lru_cache(maxsize=65536)
def _kind(name: str) -> str | None:
    """The kind of writing a name names ("leaked documents" -> "document"), if any."""
    match = _WRITING.search(name)
    return match.group(0).lower().rstrip("s") if match else None


@lru_cache(maxsize=65536)
def _bare(name: str) -> bool:
    """A writing named by its kind alone ("The documents") or in a headline's case ("Newly Declassified Document")."""
    return _DETERMINER.sub("", name).lower().rstrip("s") == _kind(name) or all(w[:1].isupper() for w in name.split())


def _held(first: list[ClaimOrigin], origins: list[ClaimOrigin], head: str, root: str) -> list[str]:
    """What the first reporter holds: its writings, then its anonymous sources (at most two names)."""
    names = _inner_names(first, head, root)
    everywhere = _inner_names(origins, head, root)
    out: list[str] = []
    kinds: set[str] = set()
    for name, _ in sorted(names.items(), key=lambda kv: (-kv[1], kv[0])):
        kind = _kind(name)
        if kind is None or kind in kinds or _ANONYMOUS.search(name):
            continue
        kinds.add(kind)
        # a bare "the documents" in the line's fullest words ("leaked documents")
        described = [(n, c) for n, c in everywhere.items() if _kind(n) == kind and not _bare(n)]
        if _bare(name) and described:
            name = sorted(described, key=lambda kv: (-kv[1], len(kv[0]), kv[0]))[0][0]
        out.append(_lower(name))
    anonymous = [n for n, count in names.items() if _anonymous_source(n) for _ in range(count)]  # as names.elements()
    if len(set(anonymous)) >= 3:
        out.append(_anonymous(anonymous))
    else:
        out += [_lower(n) for n in dict.fromkeys(sorted(anonymous, key=lambda n: (-anonymous.count(n), n)))]
    return out[:2]


@lru_cache(maxsize=65536)
def _anonymous_source(name: str) -> bool:
    """A description of an unnamed person ("a senior official"), not of a writing."""
    return _ANONYMOUS.search(name) is not None and not _WRITING.search(name)


def _anonymous(names: list[str]) -> str:
    """Several anonymous sources in a word: 'anonymous Russian sources'."""
    nouns = Counter(_plural(_ANONYMOUS.search(n).group("noun").lower()) for n in names)  # type: ignore[union-attr]
    noun, count = sorted(nouns.items(), key=lambda kv: (-kv[1], kv[0]))[0]
    noun = noun if count == len(names) else "sources"  # all officials, or sources of several kinds
    modifiers = Counter(w for n in names for w in set(n.split()) if _MODIFIER.match(w))
    common = [w for w, c in modifiers.items() if c * 3 >= len(names)]
    whose = sorted(common, key=lambda w: (-modifiers[w], w))[0] + " " if common else ""
    return f"anonymous {whose}{noun}"


def _plural(noun: str) -> str:
    return noun if noun.endswith("s") or noun == "people" else noun + "s"


def _lower(name: str) -> str:
    """'The documents' -> 'the documents' (a description mid-name); proper names keep their case."""
    first, _, rest = name.partition(" ")
    return first.lower() + (" " + rest if rest else "") if first.lower() in {"the", "a", "an"} else name
