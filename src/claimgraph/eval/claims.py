"""Claim detection (span matching) and the attribution labels of matched claims."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from claimgraph.eval.gold import GoldIndex
from claimgraph.eval.match import (
    OVERLAP_THRESHOLD,
    content_words,
    locate_text,
    match_spans,
    normalise_name,
    source_matches,
    strip_notes,
    unnamed_cue,
)
from claimgraph.eval.scores import PRF, Accuracy
from claimgraph.models import CLAIM_ZONES


@dataclass
class ClaimScores:
    exact: PRF = field(default_factory=PRF)
    overlap: PRF = field(default_factory=PRF)
    in_scope_recall: Accuracy = field(default_factory=Accuracy)  # required + optional, overlap matching
    ignored_outside_claim_zones: int = 0  # system claims in furniture etc.: not scored at all

    def to_dict(self) -> dict[str, Any]:
        return {
            "exact": self.exact.to_dict(),
            "overlap": self.overlap.to_dict(),
            "in_scope_recall": self.in_scope_recall.to_dict(),
            "ignored_outside_claim_zones": self.ignored_outside_claim_zones,
        }


@dataclass
class AttributeScores:
    """Label accuracies over matched pairs of (required gold claim, system claim)."""

    speaker: Accuracy = field(default_factory=Accuracy)
    chain_nearest: Accuracy = field(default_factory=Accuracy)
    chain_innermost: Accuracy = field(default_factory=Accuracy)
    chain_exact: Accuracy = field(default_factory=Accuracy)
    chain_resolved_innermost: Accuracy = field(default_factory=Accuracy)
    chain_resolved_exact: Accuracy = field(default_factory=Accuracy)
    cue: Accuracy = field(default_factory=Accuracy)
    hedging: Accuracy = field(default_factory=Accuracy)
    polarity: Accuracy = field(default_factory=Accuracy)
    denied: PRF = field(default_factory=PRF)
    claim_type: Accuracy = field(default_factory=Accuracy)
    attribution: Accuracy = field(default_factory=Accuracy)

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name).to_dict() for name in self.__dataclass_fields__}


@dataclass
class ClaimMatching:
    """Which system claim each gold claim was matched to (overlap >= 0.5, one-to-one)."""

    pairs: dict[str, dict[str, Any]] = field(default_factory=dict)  # gold claim id -> system claim
    system_to_gold: dict[str, str] = field(default_factory=dict)  # system claim id -> gold claim id


def in_claim_zone(claim: dict[str, Any]) -> bool:
    """System claims outside claim zones are page furniture and are not scored."""
    return (claim.get("zone") or "body") in CLAIM_ZONES


def score_claims(
    index: GoldIndex, system_claims: dict[str, list[dict[str, Any]]], matched: set[str]
) -> tuple[ClaimScores, ClaimMatching]:
    """Required-claim recall, precision against any gold claim, at exact and overlap >= 0.5."""
    scores = ClaimScores()
    matching = ClaimMatching()
    for doc_id, gold in index.claims.items():
        every = system_claims.get(doc_id, []) if doc_id in matched else []
        system = [c for c in every if in_claim_zone(c)]
        scores.ignored_outside_claim_zones += len(every) - len(system)
        gold_spans = [(c["span_start"], c["span_end"]) for c in gold]
        system_spans = [(c["start"], c["end"]) for c in system]
        for prf, threshold in ((scores.exact, 1.0), (scores.overlap, OVERLAP_THRESHOLD)):
            pairs = match_spans(gold_spans, system_spans, threshold)
            prf.gold += sum(1 for c in gold if c["required"] and c["in_scope"])
            prf.true_positives += sum(1 for i in pairs if gold[i]["required"] and gold[i]["in_scope"])
            # A system claim on an out-of-scope gold claim (off-story promo) is neither right nor wrong.
            neutral = sum(1 for i in pairs if not gold[i]["in_scope"])
            prf.system += len(system) - neutral
            prf.system_correct += sum(1 for i in pairs if gold[i]["in_scope"])
            if threshold < 1.0:
                for i, j in pairs.items():
                    matching.pairs[gold[i]["id"]] = system[j]
                    matching.system_to_gold[str(system[j].get("id"))] = gold[i]["id"]
                for i, claim in enumerate(gold):
                    if claim["in_scope"]:
                        scores.in_scope_recall.add(i in pairs)
    return scores, matching


# ---------------------------------------------------------------- attribution labels


class NameBook:
    """Accepted names for a gold source: its own text, its entity's name and surface forms."""

    def __init__(self, index: GoldIndex) -> None:
        self.forms: dict[str, set[str]] = {
            entity: {normalise_name(form) for form in forms} - {""} for entity, forms in index.entity_forms.items()
        }
        self.by_form: dict[str, set[str]] = {}
        for entity, forms in self.forms.items():
            for form in forms:
                self.by_form.setdefault(form, set()).add(entity)

    def accepted(self, text: str | None, entity: Any = None) -> set[str]:
        """Normalised names that count as `text`; `entity` is a gold entity id, a list of them, or None."""
        whole = strip_notes(text or "")
        names: set[str] = set()
        # "X + Y" (two sources saying it together) accepts X, Y, or the whole.
        for part in {whole, *re.split(r"\s+\+\s+", whole)}:
            name = normalise_name(part)
            if name:
                names.add(name)
                for other in self.by_form.get(name, ()):
                    names |= self.forms[other]
        for one in entity if isinstance(entity, list) else [entity]:
            if isinstance(one, str) and one in self.forms:
                names |= self.forms[one]
        return names


def _name_of(element: Any) -> str:
    if isinstance(element, dict):
        return str(element.get("name") or element.get("text") or element.get("id") or "")
    return "" if element is None else str(element)


def _chain_element_ok(system: Any, gold_text: str, gold_entity: Any, book: NameBook) -> bool:
    return source_matches([_name_of(system)], book.accepted(gold_text, gold_entity), gold_text)


def _chain_scores(
    system_chain: list[Any], gold_chain: list[str], gold_entities: list[Any], book: NameBook
) -> tuple[bool, bool, bool]:
    """(nearest ok, innermost ok, whole chain ok); an empty gold chain wants an empty system chain."""
    entities = list(gold_entities) + [None] * (len(gold_chain) - len(gold_entities))
    if not gold_chain:
        empty = not system_chain
        return empty, empty, empty
    if not system_chain:
        return False, False, False
    nearest = _chain_element_ok(system_chain[0], gold_chain[0], entities[0], book)
    innermost = _chain_element_ok(system_chain[-1], gold_chain[-1], entities[-1], book)
    whole = len(system_chain) == len(gold_chain) and all(
        _chain_element_ok(s, g, e, book) for s, g, e in zip(system_chain, gold_chain, entities)
    )
    return nearest, innermost, whole


def speaker_ok(system: dict[str, Any], gold: dict[str, Any], book: NameBook, entity_names: list[str]) -> bool:
    """The speaker rule of docs/evaluation.md: None == None; else any accepted name matches."""
    gold_speaker = gold.get("speaker")
    system_speaker = system.get("speaker")
    if not gold_speaker:
        return not system_speaker and not system.get("speaker_entity")
    chain = gold.get("source_chain") or []
    chain_entities = gold.get("source_chain_entities") or []
    accepted = book.accepted(gold_speaker)
    if chain and unnamed_cue(chain[-1]) is None:
        accepted |= book.accepted(chain[-1], chain_entities[-1] if len(chain_entities) == len(chain) else None)
    return source_matches([system_speaker or "", *entity_names], accepted)


def gold_cue(gold: dict[str, Any]) -> str | None:
    """The gold cue without annotator notes; None when there is no cue."""
    cue = gold.get("cue")
    if not cue:
        return None
    return strip_notes(cue) or None


def gold_cue_spans(gold: dict[str, Any], text: str | None) -> list[tuple[int, int]]:
    """Where the gold cue's pieces ('reportedly ... deemed' has two) are in the claim's sentence."""
    cue = gold_cue(gold)
    if cue is None or text is None or "sentence_start" not in gold:
        return []
    spans = []
    sentence = (gold["sentence_start"], gold["sentence_end"])
    for piece in re.split(r"\s*(?:\.\.\.|\u2026)\s*", cue):
        span = locate_text(text, piece.strip(), within=sentence) if piece.strip() else None
        if span is not None:
            spans.append(span)
    return spans


def cue_ok(system: dict[str, Any], gold: dict[str, Any], text: str | None) -> bool:
    """Spans intersect when the gold cue is found in its sentence, else the cue texts share a word."""
    expected = gold_cue(gold)
    got = system.get("cue")
    if expected is None or not got:
        return expected is None and not got
    located = gold_cue_spans(gold, text)
    start, end = system.get("cue_start"), system.get("cue_end")
    if located and isinstance(start, int) and isinstance(end, int):
        return any(min(end, b) > max(start, a) for a, b in located)
    # Continuation cues ("told The Guardian (quote continues)") sit in an earlier sentence: compare words.
    return bool(content_words(got) & content_words(expected)) or normalise_name(got) == normalise_name(expected)


def score_attributes(
    index: GoldIndex,
    matching: ClaimMatching,
    texts: dict[str, str | None],
    entity_lookup: dict[tuple[str, str], dict[str, Any]],
    document_ids: dict[str, str],
) -> AttributeScores:
    """Label accuracies over required, in-scope gold claims that found a system claim."""
    scores = AttributeScores()
    book = NameBook(index)
    for doc_id, gold_claims in index.claims.items():
        for gold in gold_claims:
            system = matching.pairs.get(gold["id"])
            if system is None or not gold["required"] or not gold["in_scope"]:
                continue
            entity_names: list[str] = []
            key = system.get("speaker_entity")
            if key:
                entity = entity_lookup.get((document_ids.get(doc_id, ""), str(key)))
                entity = entity or entity_lookup.get(("", str(key)))
                if entity:
                    entity_names = [entity.get("name") or "", *(entity.get("aliases") or [])]
            scores.speaker.add(speaker_ok(system, gold, book, entity_names))
            chain = list(system.get("chain") or [])
            chain_entities = gold.get("source_chain_entities") or []
            nearest, innermost, whole = _chain_scores(chain, gold["source_chain"], chain_entities, book)
            scores.chain_nearest.add(nearest)
            scores.chain_innermost.add(innermost)
            scores.chain_exact.add(whole)
            resolved = gold.get("source_chain_resolved")
            if resolved is not None:
                resolved_entities = gold.get("source_chain_resolved_entities") or []
                _, innermost, whole = _chain_scores(chain, resolved, resolved_entities, book)
                scores.chain_resolved_innermost.add(innermost)
                scores.chain_resolved_exact.add(whole)
            scores.cue.add(cue_ok(system, gold, texts.get(doc_id)))
            hedges = {gold["hedging"], gold.get("hedging_alt")} - {None}
            scores.hedging.add(system.get("hedging") in hedges)
            system_denied = system.get("polarity") == "denied"
            gold_denied = gold["polarity"] == "denied"
            scores.polarity.add(system_denied == gold_denied)
            scores.denied.gold += int(gold_denied)
            scores.denied.system += int(system_denied)
            scores.denied.true_positives += int(gold_denied and system_denied)
            scores.denied.system_correct += int(gold_denied and system_denied)
            scores.claim_type.add(system.get("claim_type") == gold["claim_type"])
            scores.attribution.add(system.get("attribution") == gold["attribution"])
    return scores
