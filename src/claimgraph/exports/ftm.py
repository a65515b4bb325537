"""FollowTheMoney entities for Aleph / OpenAleph, one JSON object a line (`ftm import`-ready).

Documents become Article (a news outlet's piece) or Document; people and organisations
resolved across documents become Person and Organization, tied to each document that names
them by a Mention; each claim is a Note on its document (its proof), and a claim whose speaker
resolved to a person or organisation is also a Documentation of that speaker by the document
(role: the statement, or "denial"); each assessed cluster is a Note on the documents carrying it,
with its grade. The ids are stable ("cg-" + the ledger's own ids). Nothing here needs the
followthemoney package; the tests validate every entity with its model.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from claimgraph.exports.view import LedgerView

SCHEMA_OF_TYPE = {"PER": "Person", "ORG": "Organization"}


def _entity(entity_id: str, schema: str, **properties: Any) -> dict[str, Any]:
    """An FtM entity: every property a list of non-empty strings."""
    clean: dict[str, list[str]] = {}
    for name, value in properties.items():
        values = value if isinstance(value, list) else [value]
        kept = [str(v) for v in values if v is not None and str(v).strip()]
        if kept:
            clean[name] = list(dict.fromkeys(kept))
    return {"id": entity_id, "schema": schema, "properties": clean}


def document_id(document: str) -> str:
    return f"cg-doc-{document}"


def ftm_entities(view: LedgerView) -> Iterator[dict[str, Any]]:
    """Every entity of the export, documents first, in a stable order."""
    for document in view.ledger["documents"]:
        yield _entity(document_id(document["id"]), "Article" if document.get("outlet") else "Document",
                      title=view.title(document["id"]), publisher=document.get("outlet"), author=document.get("author"),
                      publishedAt=document.get("published"), sourceUrl=document.get("url"),
                      fileName=Path(document["origin"]).name, mimeType=document.get("media_type"),
                      contentHash=document.get("content_hash"), bodyText=document.get("text"))
    named: dict[str, str] = {}
    local_names: dict[tuple[str, str], str] = {(e["document_id"], e["key"]): e["name"] for e in view.ledger["entities"]}
    for entity in view.ledger.get("canonical_entities") or []:
        schema = SCHEMA_OF_TYPE.get(entity["type"])
        if schema is None:
            continue  # places, groups, events and anonymous sources have no FtM party schema
        named[entity["id"]] = f"cg-ent-{entity['id']}"
        yield _entity(named[entity["id"]], schema, name=entity["name"],
                      alias=[a for a in entity.get("aliases") or [] if a != entity["name"]])
        local = {(m["document_id"], m["key"]) for m in entity.get("members", [])}
        for document, key in sorted(local):
            yield _entity(f"cg-mention-{document}-{key}", "Mention", document=document_id(document),
                          resolved=named[entity["id"]], name=local_names.get((document, key), entity["name"]),
                          detectedSchema=schema)
    for claim in view.ledger["claims"]:
        if claim.get("wrong"):
            continue
        document = view.documents[claim["document_id"]]
        chain = " \u2192 ".join(claim.get("chain") or []) or "the document's own voice"
        summary = f"{chain}; hedging {claim['hedging']}; {claim['polarity']}; span {claim['start']}-{claim['end']}"
        yield _entity(f"cg-claim-{claim['id']}", "Note", name=claim["text"][:200], description=claim["text"],
                      summary=summary, entity=document_id(claim["document_id"]), proof=document_id(claim["document_id"]),
                      publisher=document.get("outlet"))
        speaker = view.entity_of(claim["document_id"], claim.get("speaker_entity"))
        if speaker and speaker["id"] in named:
            yield _entity(f"cg-statement-{claim['id']}", "Documentation", document=document_id(claim["document_id"]),
                          entity=named[speaker["id"]], role="denial" if claim["polarity"] == "denied" else "statement",
                          summary=claim["text"], date=document.get("published"))
    for cluster in view.ledger["clusters"]:
        a = view.assessments.get(cluster["id"])
        if not a:
            continue
        lines = "; ".join(view.line_names.get(line, line) for line in a["supporting_lines"]) or "none"
        yield _entity(f"cg-cluster-{cluster['id']}", "Note", name=cluster["anchor_text"][:200],
                      description=f"credibility {a['reliability']}{a['credibility']} ({a['label']}); "
                                  f"{len(a['supporting_lines'])} independent line(s): {lines}",
                      summary="; ".join(a.get("reasons", [])),
                      entity=[document_id(d) for d in cluster.get("documents") or []])


def write_ftm(view: LedgerView, path: Path) -> list[Path]:
    """The entities as FtM JSON lines (the format `ftm` and Aleph's importer read)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for entity in ftm_entities(view):
            out.write(json.dumps(entity, ensure_ascii=False, sort_keys=True) + "\n")
    return [path]
