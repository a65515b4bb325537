"""Scoring an export against PolNeAR's brat attributions (Source / Cue / Content).

The definitions are those of the steering scorer (shared/tools/score-polnear), so the two agree
number for number: tokens are whitespace-separated words of the article text; content and cue
tokens are scored P/R/F1, micro over the articles; a gold attribution is recalled when at least
half of its content tokens lie in attributed claims; its source is right when a covering claim's
speaker or chain element shares at least half of the smaller word set with the gold source
(named sources; pronoun sources are scored apart: the speaker must be a named gold source
that comes earlier in the article).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["GoldAttribution", "PolnearScore", "oracle_export", "read_brat", "score_polnear"]

_STOP = {"the", "a", "an", "of", "his", "her", "its", "their", "s", "he", "she", "and", "in", "to"}
PRONOUNS = {"he", "she", "they", "it", "i", "we", "you", "his", "her", "their", "him", "them", "who", "which", "that"}


@dataclass(frozen=True)
class GoldAttribution:
    source: tuple[list[tuple[int, int]], str] | None
    cue: tuple[list[tuple[int, int]], str] | None
    content: tuple[list[tuple[int, int]], str] | None


@dataclass
class PolnearScore:
    documents: int = 0
    attributions: int = 0
    recalled: int = 0
    content: list[int] = field(default_factory=lambda: [0, 0, 0])  # true positives, system, gold
    cue: list[int] = field(default_factory=lambda: [0, 0, 0])
    named: list[int] = field(default_factory=lambda: [0, 0])  # right, scored
    pronoun: list[int] = field(default_factory=lambda: [0, 0])
    missed: list[dict[str, Any]] = field(default_factory=list)  # per missed gold attribution

    def as_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "content_tokens_PRF": _prf(*self.content),
            "cue_tokens_PRF": _prf(*self.cue),
            "attributions": self.attributions,
            "attributions_recalled": round(self.recalled / max(1, self.attributions), 3),
            "source_acc_named": round(self.named[0] / max(1, self.named[1]), 3),
            "source_scored": self.named[1],
            "source_acc_pronoun": round(self.pronoun[0] / max(1, self.pronoun[1]), 3),
            "pronoun_scored": self.pronoun[1],
        }


def _prf(tp: int, system: int, gold: int) -> list[float]:
    p = tp / max(1, system)
    r = tp / max(1, gold)
    return [round(p, 3), round(r, 3), round(2 * p * r / max(1e-9, p + r), 3)]


def _words(value: Any) -> set[str]:
    if value is None:
        return set()
    if isinstance(value, dict):
        value = value.get("name") or value.get("text") or ""
    lowered = str(value).lower().replace("\u2019", "'")
    return {w for w in re.findall(r"[a-z0-9]+", lowered) if w not in _STOP}


def same_source(a: Any, b: Any) -> bool:
    """Half of the smaller word set shared (the steering scorer's test)."""
    ta, tb = _words(a), _words(b)
    return bool(ta and tb) and len(ta & tb) / min(len(ta), len(tb)) >= 0.5


def _tokens(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]


def _covered(tokens: list[tuple[int, int]], spans: list[tuple[int, int]]) -> set[int]:
    out: set[int] = set()
    ordered = sorted(spans)
    for i, (a, b) in enumerate(tokens):
        for s, e in ordered:
            if s >= b:
                break
            if e > a:
                out.add(i)
                break
    return out


def read_brat(path: Path) -> list[GoldAttribution]:
    """The attribution events of one brat .ann file."""
    bounds: dict[str, tuple[str, list[tuple[int, int]], str]] = {}
    events: list[dict[str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("T"):
            _tid, middle, text = (line.split("\t") + ["", ""])[:3]
            if not middle.strip():
                continue  # a text-bound line without type or offsets (one train file has one)
            kind, *offsets = middle.replace(";", " ").split()
            numbers = list(map(int, offsets))
            bounds[_tid] = (kind, [(numbers[i], numbers[i + 1]) for i in range(0, len(numbers), 2)], text)
        elif line.startswith("E"):
            events.append(dict(part.split(":") for part in line.split("\t")[1].split()))
    out = []
    for event in events:
        parts = {role: (bounds[event[role]][1], bounds[event[role]][2])
                 for role in ("Source", "Cue", "Content") if event.get(role) in bounds}
        out.append(GoldAttribution(parts.get("Source"), parts.get("Cue"), parts.get("Content")))
    return out


def oracle_export(export: dict[str, Any], split_dir: Path, *, share: float = 0.5) -> dict[str, Any]:
    """The export with each claim attributed exactly when at least `share` of its words are gold
    content: what the best attribution decision scores with these claim units (their spans, frame
    included, are the seeds gold's), i.e. how much is left to gain without cutting claims anew."""
    gold_words: dict[str, tuple[list[tuple[int, int]], set[int]]] = {}
    for document in export.get("documents", []):
        name = Path(str(document.get("origin") or document.get("path") or "")).name
        anns = sorted((split_dir / "attributions").glob(Path(name).stem + "*.ann"))
        path = split_dir / "text" / name
        if not anns or not path.is_file():
            continue
        tokens = _tokens(path.read_text(encoding="utf-8"))
        wanted = set().union(*(_covered(tokens, a.content[0]) for a in read_brat(anns[0]) if a.content))
        gold_words[document["id"]] = (tokens, wanted)
    claims = []
    for claim in export.get("claims", []):
        tokens, wanted = gold_words.get(claim.get("document_id"), ([], set()))
        words = _covered(tokens, [(claim["start"], claim["end"])])
        content = bool(words) and len(words & wanted) / len(words) >= share
        claims.append({**claim, "attribution": "explicit" if content else "unattributed"})
    return {**export, "claims": claims}


def score_polnear(export: dict[str, Any], split_dir: Path, *, keep_missed: bool = False) -> PolnearScore:
    """Score an export (export_ledger's shape) against split_dir/text and split_dir/attributions."""
    by_name = {Path(str(d.get("origin") or d.get("path") or "")).name: d for d in export.get("documents", [])}
    claims: dict[str, list[dict[str, Any]]] = {}
    for claim in export.get("claims", []):
        claims.setdefault(claim.get("document_id"), []).append(claim)
    score = PolnearScore()
    for path in sorted((split_dir / "text").glob("*.txt")):
        document = by_name.get(path.name)
        anns = sorted((split_dir / "attributions").glob(path.stem + "*.ann"))
        if document is None or not anns:
            continue
        score.documents += 1
        text = path.read_text(encoding="utf-8")
        if document.get("text") and document["text"] != text:
            continue  # offsets only compare on identical text
        _score_document(score, text, read_brat(anns[0]), claims.get(document["id"], []), path.name, keep_missed)
    return score


def _score_document(score: PolnearScore, text: str, gold: list[GoldAttribution], claims: list[dict[str, Any]],
                    name: str, keep_missed: bool) -> None:
    tokens = _tokens(text)
    attributed = [c for c in claims if c.get("attribution") not in (None, "unattributed")]
    system_content = _covered(tokens, [(c["start"], c["end"]) for c in attributed])
    system_cue = _covered(tokens, [(c["cue_start"], c["cue_end"]) for c in claims
                                   if c.get("cue_start") is not None and c.get("cue_end") is not None])
    gold_content: set[int] = set()
    gold_cue: set[int] = set()
    for attribution in gold:
        if attribution.content:
            gold_content |= _covered(tokens, attribution.content[0])
        if attribution.cue:
            gold_cue |= _covered(tokens, attribution.cue[0])
    for tally, system, reference in ((score.content, system_content, gold_content), (score.cue, system_cue, gold_cue)):
        tally[0] += len(system & reference)
        tally[1] += len(system)
        tally[2] += len(reference)
    for attribution in gold:
        if attribution.content is None:
            continue
        score.attributions += 1
        wanted = _covered(tokens, attribution.content[0])
        if not wanted or len(wanted & system_content) / len(wanted) < 0.5:
            if keep_missed:
                score.missed.append({"document": name, "kind": "content", "content": attribution.content[1],
                                     "cue": attribution.cue[1] if attribution.cue else None,
                                     "source": attribution.source[1] if attribution.source else None,
                                     "start": attribution.content[0][0][0]})
            continue
        score.recalled += 1
        if attribution.source is None:
            continue
        source = attribution.source[1].strip()
        covering = [c for c in attributed if _covered(tokens, [(c["start"], c["end"])]) & wanted]
        names = [n for c in covering for n in [c.get("speaker"), *(c.get("chain") or [])]]
        if source.lower() in PRONOUNS:
            # PolNeAR links no pronoun to its antecedent: a pronoun source counts as right when the
            # speaker is one of the named gold sources before it in the article.
            score.pronoun[1] += 1
            at = attribution.source[0][0][0]
            earlier = [g.source[1] for g in gold if g.source and g.source[0][0][0] < at
                       and g.source[1].strip().lower() not in PRONOUNS]
            if any(c.get("speaker") and same_source(c["speaker"], e) for c in covering for e in earlier):
                score.pronoun[0] += 1
            continue
        score.named[1] += 1
        if any(n and same_source(n, source) for n in names):
            score.named[0] += 1
        elif keep_missed:
            score.missed.append({"document": name, "kind": "source", "source": source,
                                 "system": sorted({str(n) for n in names if n}),
                                 "content": attribution.content[1][:120]})
