"""The whole ledger as one JSON document (schema: schema/ledger.schema.json)."""

from __future__ import annotations

import json
from dataclasses import asdict
from importlib import resources
from typing import Any

from claimgraph.store import Store

EXPORT_VERSION = 1


def ledger_schema() -> dict[str, Any]:
    """The JSON Schema every export validates against."""
    return json.loads(resources.files("claimgraph").joinpath("schema/ledger.schema.json").read_text("utf-8"))


def export_ledger(store: Store) -> dict[str, Any]:
    """Every document, zone and analysis record in the store (analyst corrections applied)."""
    from claimgraph.store.corrections import corrected_analysis

    ledger: dict[str, Any] = {
        "claimgraph_export": EXPORT_VERSION,
        "store": store.display_url,
        "documents": [],
        "sentences": [],
        "entities": [],
        "mentions": [],
        "claims": [],
        "times": [],
        # Filled by `claimgraph link`; present (empty) before it so the shape never changes.
        "clusters": [],
        "links": [],
        "lines": [],
        "events": [],
        "assessments": [],
        "provenance": [],
        "canonical_entities": [],
    }
    for document in store.documents(with_text=True):
        row = asdict(document)
        row["metadata"] = {name: asdict(value) for name, value in document.metadata.items()}
        ledger["documents"].append(row)
        analysis = store.load_analysis(document.id)
        if analysis is None:
            continue
        analysis, wrong = corrected_analysis(store, analysis)
        row["analysis"] = {"step": analysis.step, "model": analysis.model}
        scoped = lambda records: [{"document_id": document.id, **asdict(r)} for r in records]  # noqa: E731
        ledger["sentences"] += scoped(analysis.sentences)
        ledger["mentions"] += scoped(analysis.mentions)
        ledger["times"] += scoped(analysis.times)
        ledger["claims"] += [{**claim, "wrong": claim["id"] in wrong} for claim in scoped(analysis.claims)]
        ledger["entities"] += [
            {"id": f"{document.id}:{entity.key}", "document_id": document.id, **asdict(entity)}
            for entity in analysis.entities
        ]
    from claimgraph.store.links import load_layer

    from claimgraph.store.entities import load_canonical_entities

    layer = load_layer(store)
    for key in ("clusters", "links", "lines", "events", "assessments", "provenance"):
        ledger[key] = layer[key]
    ledger["canonical_entities"] = load_canonical_entities(store)
    return ledger


def ledger_json(store: Store) -> str:
    """The export as text: the bytes `claimgraph export --format json` writes, less the final newline."""
    return json.dumps(export_ledger(store), ensure_ascii=False, indent=1)
