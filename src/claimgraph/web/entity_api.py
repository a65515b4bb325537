"""Write routes for analyst corrections of cross-document entities: merge, split, rename, undo."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Header, Query, Request
from pydantic import BaseModel, Field

from claimgraph.pipeline import entity_step
from claimgraph.store.entities import load_canonical_entities
from claimgraph.web.api import ERRORS, CorrectionId, Name, Page, author_of

router = APIRouter(prefix="/api", tags=["entities"])


class MergeIn(BaseModel):
    a: str = Field(..., min_length=1, max_length=500, description="canonical id (X-…), id prefix or name")
    b: str = Field(..., min_length=1, max_length=500)
    author: str | None = Field(None, max_length=200, description="who corrects (else the X-Claimgraph-User header)")


class SplitIn(BaseModel):
    entity: str = Field(..., min_length=1, max_length=500)
    document: str = Field(..., min_length=1, max_length=40, description="the member's document id (or a prefix)")
    key: str = Field(..., min_length=1, max_length=24, description="the member's document-local entity key (E3)")
    author: str | None = Field(None, max_length=200)


class RenameIn(BaseModel):
    entity: str = Field(..., min_length=1, max_length=500)
    name: Name = Field(..., min_length=1, max_length=500, description="the new name; control characters are dropped")
    author: str | None = Field(None, max_length=200)


class EntityUndoIn(BaseModel):
    author: str | None = Field(None, max_length=200)


def _answer(made: tuple[Any, Any]) -> dict[str, Any]:
    record, report = made
    return {"correction": {**asdict(record), "active": record.active}, "resolution": asdict(report)}


def _store(request: Request) -> Any:
    return request.app.state.store


@router.get("/canonical-entities", responses=ERRORS)
def canonical_entities(request: Request, page: Page, type: str | None = Query(None, max_length=24)) -> dict[str, Any]:
    """Entities resolved across documents, most documents first, with analyst corrections applied."""
    found = [e for e in load_canonical_entities(_store(request)) if type is None or e["type"] == type]
    found.sort(key=lambda e: (-len(e.get("documents", [])), e["name"]))
    return {"items": found[page.offset : page.offset + page.limit], "total": len(found), "limit": page.limit, "offset": page.offset,
            "computed": bool(found)}


@router.post("/canonical-entities/merge", status_code=201, responses=ERRORS)
def merge(request: Request, body: MergeIn, x_claimgraph_user: str | None = Header(None)) -> dict[str, Any]:
    """Record that two entities are one (kept when the corpus is re-resolved; reversible)."""
    return _answer(entity_step.merge_entities(_store(request), body.a, body.b, author=author_of(body.author, x_claimgraph_user)))


@router.post("/canonical-entities/split", status_code=201, responses=ERRORS)
def split(request: Request, body: SplitIn, x_claimgraph_user: str | None = Header(None)) -> dict[str, Any]:
    """Record that one document's entity is not the canonical entity it was resolved to."""
    return _answer(entity_step.split_entity(_store(request), body.entity, body.document, body.key,
                                             author=author_of(body.author, x_claimgraph_user)))


@router.post("/canonical-entities/rename", status_code=201, responses=ERRORS)
def rename(request: Request, body: RenameIn, x_claimgraph_user: str | None = Header(None)) -> dict[str, Any]:
    """Give an entity the analyst's name."""
    return _answer(entity_step.rename_entity(_store(request), body.entity, body.name, author=author_of(body.author, x_claimgraph_user)))


@router.post("/canonical-entities/corrections/{correction_id}/undo", responses=ERRORS)
def undo(request: Request, correction_id: CorrectionId, body: EntityUndoIn | None = None,
         x_claimgraph_user: str | None = Header(None)) -> dict[str, Any]:
    """Undo an entity correction: it stays in the history and is no longer applied."""
    return _answer(entity_step.undo_entity_correction(_store(request), correction_id,
                                                       author=author_of(body.author if body else None, x_claimgraph_user)))
