"""One key per source: the link stage's graph nodes and the analyst's grades use the same one."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import PurePath


@lru_cache(maxsize=65536)  # provenance asks for the same few hundred names again and again
def source_key(name: str) -> str:
    """'The Guardian', 'the Guardian’s' and 'GUARDIAN' are one source node; a key passes through."""
    if name.startswith("source:"):
        return name
    cleaned = re.sub(r"['\u2019]s$", "", name.strip())
    cleaned = re.sub(r"^(?:the)\s+", "", cleaned, flags=re.IGNORECASE)
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


_WRITING = re.compile(r"(?i)\b(?:documents?|papers?|reports?|memos?|memoranda|files?|dossiers?|leaks?|cables?|e-?mails?|"
                      r"records?|transcripts?|letters?|minutes|decrees?|orders?)\b")
_PRONOUN = re.compile(r"(?i:he|she|they|it|we|i|you|this|that|these|those|who|one|s/he)")


def line_name(root: str, root_kind: str, origins: list[ClaimOrigin], labels: dict[str, str]) -> str:
    """A line in words, by its origin and first reporter: 'The Guardian ← leaked documents',
    'Kremlin (Dmitry Peskov, spokesperson)', 'Christopher Steele ← Source E, a trusted compatriot'."""
    voiced = Counter(o.origin for o in origins if o.voice and o.origin)
    if root_kind != "document" and voiced:
        return sorted(voiced.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    if root_kind == "document":
        head, first = labels.get(root, root), [o for o in origins if o.document == root] or origins
    else:
        head = display_names([n for o in origins for n in (o.source, o.inner) if n]).get(root) or root.removeprefix("source:")
        # what the publication is relayed as saying on the authority of ("the Guardian" <- "the papers")
        first = [o for o in origins if o.source and source_key(o.source) == root] or origins
    inner = Counter(o.inner for o in first if o.inner and not o.voice and not o.inner.startswith("(")
                    and source_key(o.inner) not in (source_key(head), root) and not _PRONOUN.fullmatch(o.inner.strip()))
    # What the first reporter holds first ("leaked documents" before "independent experts"), and
    # a described source ("The Kremlin papers") before a bare one ("The document").
    bare = lambda name: bool(re.fullmatch(r"(?:the|this|that|these|those|its|their|a|an)\s+\S+", name.strip(), re.I))  # noqa: E731
    writing = lambda name: bool(_WRITING.search(name))  # noqa: E731
    named = [name for name, _ in sorted(inner.items(), key=lambda kv: (not writing(kv[0]), bare(kv[0]), -kv[1], kv[0]))[:2]]
    head = head[:1].upper() + head[1:] if head.lower().startswith("the ") else head
    return f"{head} \u2190 {', '.join(named)}" if named else head
