"""The attribution lexicon (data/lexicon.json): reporting verbs and their hedging level, hedges,
denial predicates and terms, source nouns. Versioned with the file."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True)
class Lexicon:
    version: str
    reporting: dict[str, str]
    needs_clause: frozenset[str]
    predicative: frozenset[str]
    raising: dict[str, str]
    hedged_passives: frozenset[str]
    neutral_passives: frozenset[str]
    hedge_adverbs: dict[str, str | None]
    hedge_phrases: tuple[str, ...]
    state_modals: frozenset[str]
    denial_verbs: frozenset[str]
    denial_terms: tuple[str, ...]
    source_nouns: frozenset[str]
    thing_nouns: frozenset[str]
    carrying: frozenset[str]
    state_verbs: frozenset[str] = frozenset()  # internal states and intentions ("wants", "fears")
    trailing_only: frozenset[str] = frozenset()  # cues only after what they report ('"...," he continued')
    # Learned from PolNeAR train (train/train_cue_words.py): nouns and predicate adjectives that
    # are attribution cues when a source holds them ("her criticism of", "is skeptical that").
    cue_nouns: frozenset[str] = frozenset()
    cue_adjectives: frozenset[str] = frozenset()


def load_lexicon() -> Lexicon:
    """Read data/lexicon.json (cheap; callers hold the result, no module-level cache)."""
    raw = json.loads(resources.files("claimgraph").joinpath("data/lexicon.json").read_text("utf-8"))
    return Lexicon(
        version=raw["version"], reporting=raw["reporting_verbs"],
        needs_clause=frozenset(raw["needs_clause"]), predicative=frozenset(raw["predicative_verbs"]),
        raising=raw["raising_hedges"], hedged_passives=frozenset(raw["hedged_passives"]),
        neutral_passives=frozenset(raw["neutral_passives"]), hedge_adverbs=raw["hedge_adverbs"],
        hedge_phrases=tuple(raw["hedge_phrases"]), state_modals=frozenset(raw["state_modals"]),
        denial_verbs=frozenset(raw["denial_verbs"]), denial_terms=tuple(raw["denial_terms"]),
        source_nouns=frozenset(raw["source_nouns"]), thing_nouns=frozenset(raw["thing_nouns"]),
        carrying=frozenset(raw["carrying_verbs"]), state_verbs=frozenset(raw.get("state_verbs", ())),
        trailing_only=frozenset(raw.get("trailing_only", ())),
        cue_nouns=frozenset(raw.get("cue_nouns", ())), cue_adjectives=frozenset(raw.get("cue_adjectives", ())))
