"""Loading and checking a gold file in the format of shared/gold/seeds.json."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from claimgraph.errors import GoldFormatError

# Fields every gold claim must carry; the evaluation reads each of them.
CLAIM_FIELDS: tuple[str, ...] = (
    "id",
    "doc_id",
    "span_start",
    "span_end",
    "zone",
    "speaker",
    "source_chain",
    "attribution",
    "cue",
    "hedging",
    "polarity",
    "claim_type",
    "required",
    "in_scope",
)
INSTANCE_FIELDS: tuple[str, ...] = ("text", "start", "end")


def gold_hash(path: str | Path) -> str:
    """sha256 of the gold file's bytes, so floors can be pinned to one gold version."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def load_gold(path: str | Path) -> dict[str, Any]:
    """Read and validate a gold file; GoldFormatError names the file and what is wrong."""
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise GoldFormatError(f"{path}: cannot read the gold file ({exc.strerror or exc})") from exc
    try:
        gold = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise GoldFormatError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from exc
    validate_gold(gold, source=str(path))
    return gold


def validate_gold(gold: Any, *, source: str = "gold") -> None:
    """Raise GoldFormatError unless `gold` has every field the evaluation reads."""
    hint = "; see shared/gold/seeds.json for the expected format"
    if not isinstance(gold, dict):
        raise GoldFormatError(f"{source}: the top level must be a JSON object{hint}")
    for key in ("documents", "claims"):
        if key not in gold:
            raise GoldFormatError(f"{source}: missing top-level field '{key}'{hint}")
        if not isinstance(gold[key], list):
            raise GoldFormatError(f"{source}: '{key}' must be a list{hint}")
    doc_ids: set[str] = set()
    for i, document in enumerate(gold["documents"]):
        if not isinstance(document, dict) or not isinstance(document.get("doc_id"), str):
            raise GoldFormatError(f"{source}: documents[{i}] lacks field 'doc_id' (the document's file name){hint}")
        doc_ids.add(document["doc_id"])
    for i, claim in enumerate(gold["claims"]):
        where = f"claims[{i}]" + (f" (id {claim.get('id')!r})" if isinstance(claim, dict) and "id" in claim else "")
        if not isinstance(claim, dict):
            raise GoldFormatError(f"{source}: {where} must be an object{hint}")
        for name in CLAIM_FIELDS:
            if name not in claim:
                raise GoldFormatError(f"{source}: {where} lacks field '{name}'{hint}")
        _check_span(source, where, claim["span_start"], claim["span_end"])
        if claim["doc_id"] not in doc_ids:
            raise GoldFormatError(f"{source}: {where} names doc_id {claim['doc_id']!r}, which is not in 'documents'")
        if not isinstance(claim["source_chain"], list):
            raise GoldFormatError(f"{source}: {where} field 'source_chain' must be a list")
    for i, entity in enumerate(gold.get("entities", [])):
        where = f"entities[{i}]"
        if not isinstance(entity, dict) or "id" not in entity or "mentions" not in entity:
            raise GoldFormatError(f"{source}: {where} lacks field 'id' or 'mentions'{hint}")
        for short, block in entity["mentions"].items():
            if resolve_doc_id(gold, short) is None:
                raise GoldFormatError(f"{source}: {where} ({entity['id']}) has mentions for unknown document {short!r}")
            for j, instance in enumerate(block.get("instances", [])):
                for name in INSTANCE_FIELDS:
                    if name not in instance:
                        raise GoldFormatError(
                            f"{source}: {where} ({entity['id']}) mentions[{short!r}].instances[{j}]"
                            f" lacks field '{name}'"
                        )
                _check_span(source, f"{where} mention {j}", instance["start"], instance["end"])
    for i, cluster in enumerate(gold.get("clusters", [])):
        if "id" not in cluster or "members" not in cluster:
            raise GoldFormatError(f"{source}: clusters[{i}] lacks field 'id' or 'members'{hint}")
    for i, event in enumerate(gold.get("timeline", [])):
        for name in ("id", "date", "expressions", "claims"):
            if name not in event:
                raise GoldFormatError(f"{source}: timeline[{i}] lacks field '{name}'{hint}")
        for j, expression in enumerate(event["expressions"]):
            for name in ("doc", "text", "precision"):
                if name not in expression:
                    raise GoldFormatError(f"{source}: timeline[{i}].expressions[{j}] lacks field '{name}'")
    for i, pair in enumerate(gold.get("hard_negatives", [])):
        if "a" not in pair or ("b" not in pair and "b_corpus" not in pair):
            raise GoldFormatError(f"{source}: hard_negatives[{i}] lacks field 'a', or both 'b' and 'b_corpus'")
    provenance = gold.get("provenance", {})
    for i, line in enumerate(provenance.get("independent_lines", []) if isinstance(provenance, dict) else []):
        if "docs" not in line:
            raise GoldFormatError(f"{source}: provenance.independent_lines[{i}] lacks field 'docs'")


def _check_span(source: str, where: str, start: Any, end: Any) -> None:
    if not isinstance(start, int) or not isinstance(end, int) or start < 0 or end < start:
        raise GoldFormatError(f"{source}: {where} has a bad span [{start!r}, {end!r}) (need 0 <= start <= end)")


def resolve_doc_id(gold: dict[str, Any], ref: str) -> str | None:
    """The full doc_id for a reference that is either a doc_id or its short form ("000")."""
    for document in gold["documents"]:
        doc_id = document["doc_id"]
        if ref == doc_id or doc_id.split("_", 1)[0] == ref or doc_id.rsplit(".", 1)[0] == ref:
            return doc_id
    return None


@dataclass
class GoldIndex:
    """The gold file re-keyed by full doc_id, built once per evaluation."""

    doc_ids: list[str]
    claims: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # doc_id -> claims
    mentions: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # doc_id -> instances (+ "entity")
    entity_forms: dict[str, set[str]] = field(default_factory=dict)  # entity id -> names and surfaces (raw)
    claim_by_id: dict[str, dict[str, Any]] = field(default_factory=dict)


def index_gold(gold: dict[str, Any]) -> GoldIndex:
    """Group the gold's claims and mention instances by document."""
    index = GoldIndex(doc_ids=[document["doc_id"] for document in gold["documents"]])
    for doc_id in index.doc_ids:
        index.claims[doc_id] = []
        index.mentions[doc_id] = []
    for claim in gold["claims"]:
        index.claims[claim["doc_id"]].append(claim)
        index.claim_by_id[claim["id"]] = claim
    for entity in gold.get("entities", []):
        forms = index.entity_forms.setdefault(entity["id"], set())
        forms.add(entity.get("name", ""))
        for short, block in entity["mentions"].items():
            mentioned_in = resolve_doc_id(gold, short)
            assert mentioned_in is not None  # validate_gold checked it
            for surface in block.get("surface_forms", []):
                forms.add(surface.get("surface", ""))
            for instance in block.get("instances", []):
                index.mentions[mentioned_in].append({**instance, "entity": entity["id"]})
                forms.add(instance["text"])
    for doc_id in index.doc_ids:
        index.mentions[doc_id].sort(key=lambda m: (m["start"], m["end"]))
    return index
