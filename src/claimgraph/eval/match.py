"""Span overlap, one-to-one span matching, name normalisation and document matching."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any

OVERLAP_THRESHOLD = 0.5

Span = tuple[int, int]


def overlap(a: Span, b: Span) -> float:
    """|a ∩ b| / max(|a|, |b|): 1.0 only for identical spans, symmetric, 0 for disjoint spans."""
    longest = max(a[1] - a[0], b[1] - b[0])
    if longest <= 0:
        return 1.0 if a == b else 0.0
    return max(0, min(a[1], b[1]) - max(a[0], b[0])) / longest


def match_spans(gold: Sequence[Span], system: Sequence[Span], threshold: float) -> dict[int, int]:
    """One-to-one matching gold index -> system index, greedy by overlap (best first).

    Ties break by gold order, then system order, so the result is deterministic.
    A threshold of 1.0 is exact matching.
    """
    candidates: list[tuple[float, int, int]] = []
    by_start = sorted(range(len(system)), key=lambda j: system[j][0])
    for i, g in enumerate(gold):
        for j in by_start:
            s = system[j]
            if s[0] > g[1]:
                break  # sorted by start: nothing further can intersect (or touch, for empty spans)
            score = overlap(g, s)
            if score >= threshold - 1e-12 and score > 0:
                candidates.append((score, i, j))
    candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
    pairs: dict[int, int] = {}
    taken: set[int] = set()
    for _, i, j in candidates:
        if i not in pairs and j not in taken:
            pairs[i] = j
            taken.add(j)
    return pairs


# ---------------------------------------------------------------- names

_PARENTHETICAL = re.compile(r"\s*\([^()]*\)")
_ARTICLE = re.compile(r"^(?:the|a|an)\s+")
_POSSESSIVE = re.compile(r"'s?$")


def strip_notes(text: str) -> str:
    """Drop annotator notes in parentheses: "Moscow (continuation of S24)" -> "Moscow"."""
    previous = None
    while previous != text:
        previous, text = text, _PARENTHETICAL.sub("", text)
    return text.strip()


def normalise_name(text: str | None) -> str:
    """Case-, article-, possessive-, quote- and whitespace-insensitive form of a source name."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    text = strip_notes(text).lower()
    text = re.sub(r"\s+", " ", text).strip(" \t\n\"'.,;:")
    text = _ARTICLE.sub("", text)
    text = _POSSESSIVE.sub("", text).strip()
    return text


_UNNAMED = re.compile(r"^\((?:unnamed|unspecified)[^:]*:\s*[\"\u201c]?(?P<cue>[^\"\u201d)]*)", re.I)
UNNAMED_MARKERS = frozenset({"unnamed", "unspecified", "anonymous", "unknown"})


def unnamed_cue(gold_element: str) -> str | None:
    """The cue of a gold '(unnamed reports: "reportedly")' chain element, else None."""
    found = _UNNAMED.match(gold_element.strip())
    return found.group("cue").strip() if found else None


def source_matches(system_names: Sequence[str], gold_names: set[str], gold_element: str | None = None) -> bool:
    """Whether any system name normalises to an accepted gold name.

    A gold '(unnamed ...: "cue")' element also accepts the cue text itself and
    any system name that says it is unnamed/unspecified/anonymous.
    """
    normalised = {normalise_name(name) for name in system_names if name}
    normalised.discard("")
    if normalised & gold_names:
        return True
    if gold_element is not None:
        cue = unnamed_cue(gold_element)
        if cue is not None:
            # normalise_name drops parenthesised text, so the raw form is checked for the marker.
            for raw in system_names:
                head = (raw or "").strip().lower().lstrip("(").split(":")[0].split(" ")[0]
                if head in UNNAMED_MARKERS or normalise_name(raw) == normalise_name(cue):
                    return True
    return False


# ---------------------------------------------------------------- text location


def locate_text(text: str, needle: str, *, near: int | None = None, within: Span | None = None) -> Span | None:
    """Offsets of `needle` in `text`: inside `within` if given, else the occurrence nearest to `near`."""
    if not needle:
        return None
    if within is not None:
        found = text.find(needle, within[0], within[1])
        return (found, found + len(needle)) if found >= 0 else None
    hits: list[int] = []
    found = text.find(needle)
    while found >= 0:
        hits.append(found)
        found = text.find(needle, found + 1)
    if not hits:
        return None
    if near is None:
        return (hits[0], hits[0] + len(needle))
    best = min(hits, key=lambda h: (abs(h - near), h))
    return (best, best + len(needle))


def content_words(text: str | None) -> set[str]:
    """Lower-cased words of three letters or more, for loose cue comparison."""
    return {w for w in re.findall(r"[a-z]{3,}", normalise_name(text or ""))}


# ---------------------------------------------------------------- documents


def _basenames(value: str) -> set[str]:
    names = set()
    for part in (value, value.split("#", 1)[0]):
        names.add(part.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1])
    return names


def match_documents(
    ledger_documents: Sequence[dict[str, Any]], gold_doc_ids: Sequence[str]
) -> dict[str, dict[str, Any]]:
    """gold doc_id -> ledger document whose origin (or one of its origins) has that basename.

    When several ledger documents qualify (re-ingested versions), the highest version wins.
    """
    wanted = set(gold_doc_ids)
    found: dict[str, dict[str, Any]] = {}
    for document in ledger_documents:
        origins = [document.get("origin") or ""] + list(document.get("origins") or [])
        names: set[str] = set()
        for origin in origins:
            names |= _basenames(origin)
        for doc_id in names & wanted:
            current = found.get(doc_id)
            if current is None or (document.get("version") or 0) > (current.get("version") or 0):
                found[doc_id] = document
    return found
