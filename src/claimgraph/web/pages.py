"""Server-rendered pages: the same view functions as the API, through Jinja2 templates (autoescaped)."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi import Path as Path_
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse

from claimgraph.pipeline import entity_step
from claimgraph.errors import NotFound
from claimgraph.store import ach as store_ach
from claimgraph.store import entities as entity_store
from claimgraph.store import corrections as cx
from claimgraph.web import crossdoc, entity_view, queries, rendering, story
from claimgraph.web.api import ach_view
from claimgraph.web.app import html
from claimgraph.web.queries import MAX_LIMIT, ClaimFilter, PageRequest
from claimgraph.web.stages import grade_and_reassess
from claimgraph.web.uploads import ingest_upload

router = APIRouter(include_in_schema=False)

PAGE = Query(50, ge=1, le=MAX_LIMIT)
OFFSET = Query(0, ge=0)


def _store(request: Request) -> Any:
    return request.app.state.store


def _pager(request: Request, result: queries.Paged) -> dict[str, Any]:
    """Links to the previous and next page, keeping the other query parameters."""
    params = {k: v for k, v in request.query_params.items() if k != "offset"}

    def link(offset: int | None) -> str | None:
        return None if offset is None else f"{request.url.path}?{urlencode({**params, 'offset': offset})}"

    return {
        "total": result.total,
        "first": result.offset + 1 if result.items else 0,
        "last": result.offset + len(result.items),
        "previous": link(result.previous_offset),
        "next": link(result.next_offset),
    }


def _back(target: str | None, fallback: str) -> str:
    """Only same-site paths are followed after a form (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return fallback


def _layered(request: Request, template: str, context: dict[str, Any]) -> HTMLResponse:
    """A page built on the cross-document layer: it says so when that layer is stale."""
    return html(request, template, {**context, "stale": queries.staleness(_store(request))})


STORY_PAGE = 10


@router.get("/", response_class=HTMLResponse)
def story_page(request: Request, offset: int = Query(0, ge=0, le=10_000)) -> HTMLResponse:
    store = _store(request)
    return _layered(request, "story.html", {
        "story": story.story(store, limit=STORY_PAGE, offset=offset), "counts": story.story_counts(store),
        "offset": offset, "limit": STORY_PAGE,
    })


@router.get("/overview", response_class=HTMLResponse)
def overview_page(request: Request) -> HTMLResponse:
    store = _store(request)
    counts = queries.corpus_counts(store)
    return _layered(request, "overview.html", {
        "counts": counts,
        "documents": queries.list_documents(store, PageRequest(limit=10)).items,
        "top_clusters": crossdoc.list_clusters(store, PageRequest(limit=10)).items if counts["clusters"] else None,
        "contested": crossdoc.most_contested(store) if counts["links"] else None,
    })


@router.get("/documents", response_class=HTMLResponse)
def documents_page(request: Request, limit: int = PAGE, offset: int = OFFSET) -> HTMLResponse:
    result = queries.list_documents(_store(request), PageRequest(limit=limit, offset=offset))
    return html(request, "documents.html", {"documents": result.items, "pager": _pager(request, result)})


CLAIM_WINDOW = 100  # claim details rendered per document page; the text always shows every claim


@router.get("/documents/{ref}", response_class=HTMLResponse)
def document_page(request: Request, ref: str, window: int = Query(0, ge=0)) -> HTMLResponse:
    store = _store(request)
    document = store.get_document(ref)
    claims = queries.document_claims(store, document.id)
    shown = claims[window * CLAIM_WINDOW : (window + 1) * CLAIM_WINDOW]
    contexts = crossdoc.document_contexts(store, document.id, [c["id"] for c in shown])
    history, _ = cx.list_corrections(store, document_id=document.id, limit=200)
    return _layered(request, "document.html", {
        "document": document,
        "title": queries.document_titles(store, {document.id}).get(document.id, document.id),
        "origin_names": [PurePath(o.split("#", 1)[0]).name or o for o in document.origins],  # never a server path
        "analysed": store.analysed().get(document.id),
        "runs": rendering.runs(document.text, document.zones, claims),
        "claims": claims,
        "shown": shown,
        "window": window,
        "window_size": CLAIM_WINDOW,
        "windows": (len(claims) + CLAIM_WINDOW - 1) // CLAIM_WINDOW,
        "claim_window": {c["id"]: i // CLAIM_WINDOW for i, c in enumerate(claims)},
        "contexts": contexts,
        "history": [crossdoc.vars_of(c) for c in history],
        "grades": {name: c.value for name, c in cx.source_grades(store).items()},
        "names": queries.entity_names(store, document.id),
    })


@router.post("/documents/{ref}/claims/{claim_id}/correct")
def correct_claim_form(
    request: Request, ref: str, claim_id: str, field: str = Form(..., max_length=16), value: str = Form("", max_length=500),
    author: str = Form("analyst", max_length=200), note: str = Form("", max_length=2000),
) -> RedirectResponse:
    store = _store(request)
    found = queries.get_claim(store, claim_id)
    cx.correct_claim(store, document_id=found["document_id"], start=found["start"], end=found["end"],
                     field=field, value=value, author=author or "analyst", note=note or None)
    return RedirectResponse(f"/documents/{found['document_id']}#claim-{claim_id}", status_code=303)


@router.post("/corrections/{correction_id}/undo")
def undo_form(request: Request, correction_id: int = Path_(..., ge=1, le=2**62), author: str = Form("analyst", max_length=200), next: str = Form("/", max_length=1000)) -> RedirectResponse:
    store = _store(request)
    undone = cx.undo_correction(store, correction_id, author=author or "analyst")
    if undone.target == "source":
        request.app.state.analyser.reassess(store)  # an undone grade no longer weighs in the assessments
    return RedirectResponse(_back(next, "/"), status_code=303)


@router.get("/claims", response_class=HTMLResponse)
def claims_page(
    request: Request, document: str | None = Query(None, max_length=500), speaker: str | None = Query(None, max_length=200),
    entity: str | None = Query(None, max_length=200), hedging: str | None = Query(None, pattern="^(none|low|medium|high)?$"),
    polarity: str | None = Query(None, pattern="^(asserted|denied)?$"), limit: int = PAGE, offset: int = OFFSET,
) -> HTMLResponse:
    chosen = ClaimFilter(document=document or None, speaker=speaker or None, entity=entity or None,
                         hedging=hedging or None, polarity=polarity or None)
    result = queries.list_claims(_store(request), chosen, PageRequest(limit=limit, offset=offset))
    return html(request, "claims.html", {"claims": result.items, "pager": _pager(request, result), "filter": chosen})


@router.get("/claims/{claim_id}", response_class=HTMLResponse)
def claim_page(request: Request, claim_id: str) -> HTMLResponse:
    store = _store(request)
    claim = queries.get_claim(store, claim_id)
    return _layered(request, "claim.html", {
        "claim": claim, "context": crossdoc.claim_context(store, claim_id),
        "document_title": queries.document_titles(store, {claim["document_id"]}).get(claim["document_id"]),
        "document": store.get_document(claim["document_id"]),
        "grades": {name: c.value for name, c in cx.source_grades(store).items()},
        "names": queries.entity_names(store, claim["document_id"]),
    })


@router.get("/entities", response_class=HTMLResponse)
def entities_page(request: Request, q: str | None = Query(None, max_length=200), per: str | None = Query(None, pattern="^document$"),
                  limit: int = PAGE, offset: int = OFFSET) -> HTMLResponse:
    store = _store(request)
    if per != "document" and entity_store.count_canonical_entities(store):
        result = entity_view.list_canonical(store, PageRequest(limit=limit, offset=offset), query=q or None)
        return html(request, "entities.html", {"canonical": result.items, "pager": _pager(request, result), "q": q or ""})
    result = queries.list_entities(store, PageRequest(limit=limit, offset=offset), query=q or None)
    return html(request, "entities.html", {"entities": result.items, "pager": _pager(request, result), "q": q or ""})


@router.get("/entities/{entity_id}", response_class=HTMLResponse)
def entity_page(request: Request, entity_id: str, limit: int = PAGE, offset: int = OFFSET) -> HTMLResponse:
    store = _store(request)
    if entity_id.startswith("X-"):
        detail = entity_view.canonical_detail(store, entity_id)
        return html(request, "canonical_entity.html", {"entity": detail})
    entity = queries.entity_detail(store, entity_id)
    claims = queries.list_claims(store, ClaimFilter(entity=entity_id), PageRequest(limit=limit, offset=offset))
    return html(request, "entity.html", {"entity": entity, "claims": claims.items, "pager": _pager(request, claims)})


@router.post("/entities/merge")
def merge_entities_form(request: Request, a: str = Form(..., min_length=1, max_length=500), b: str = Form(..., min_length=1, max_length=500),
                        author: str = Form("analyst", max_length=200)) -> RedirectResponse:
    store = _store(request)
    entity_step.merge_entities(store, a, b, author=author.strip() or "analyst")
    return RedirectResponse(_surviving(store, a), status_code=303)


def _surviving(store: Any, ref: str) -> str:
    """The page of the entity `ref` names now (a correction can give it another id), else the list."""
    try:
        return "/entities/" + quote(entity_step.find_canonical_entity(store, ref).id)
    except NotFound:
        return "/entities"


@router.post("/entities/split")
def split_entity_form(request: Request, entity: str = Form(..., min_length=1, max_length=500), document: str = Form(..., max_length=40),
                      key: str = Form(..., max_length=24), author: str = Form("analyst", max_length=200)) -> RedirectResponse:
    store = _store(request)
    entity_step.split_entity(store, entity, document, key, author=author.strip() or "analyst")
    return RedirectResponse(_surviving(store, entity), status_code=303)


@router.post("/entities/rename")
def rename_entity_form(request: Request, entity: str = Form(..., min_length=1, max_length=500), name: str = Form(..., min_length=1, max_length=500),
                       author: str = Form("analyst", max_length=200)) -> RedirectResponse:
    store = _store(request)
    entity_step.rename_entity(store, entity, name, author=author.strip() or "analyst")
    return RedirectResponse(_surviving(store, entity), status_code=303)


@router.post("/entities/corrections/{correction_id}/undo")
def undo_entity_form(request: Request, correction_id: int = Path_(..., ge=1, le=2**62), author: str = Form("analyst", max_length=200),
                     next: str = Form("/entities", max_length=1000)) -> RedirectResponse:
    entity_step.undo_entity_correction(_store(request), correction_id, author=author.strip() or "analyst")
    return RedirectResponse(_back(next, "/entities"), status_code=303)


@router.get("/clusters", response_class=HTMLResponse)
def clusters_page(request: Request, limit: int = PAGE, offset: int = OFFSET) -> HTMLResponse:
    result = crossdoc.list_clusters(_store(request), PageRequest(limit=limit, offset=offset))
    return _layered(request, "clusters.html", {"clusters": result.items, "pager": _pager(request, result)})


@router.get("/clusters/{cluster_id}", response_class=HTMLResponse)
def cluster_page(request: Request, cluster_id: str, limit: int = PAGE, offset: int = OFFSET) -> HTMLResponse:
    store = _store(request)
    detail = crossdoc.cluster_detail(store, cluster_id, PageRequest(limit=limit, offset=offset))
    paged = queries.Paged(**detail["claims"])
    return _layered(request, "cluster.html", {
        **detail, "pager": _pager(request, paged), "allegation": story.allegation(store, cluster_id),
        "claim_texts": crossdoc.claim_texts(store, {end for link in detail["links"] for end in (link["a"], link["b"])}),
    })


@router.get("/lines", response_class=HTMLResponse)
def lines_page(request: Request, limit: int = PAGE, offset: int = OFFSET) -> HTMLResponse:
    result = crossdoc.list_lines(_store(request), PageRequest(limit=limit, offset=offset))
    return _layered(request, "lines.html", {"lines": result.items, "pager": _pager(request, result)})


@router.get("/sources", response_class=HTMLResponse)
def sources_page(request: Request, cluster: str | None = Query(None, max_length=80), limit: int = PAGE, offset: int = OFFSET) -> HTMLResponse:
    store = _store(request)
    result = crossdoc.list_sources(store, PageRequest(limit=limit, offset=offset))
    focus = crossdoc.cluster_documents(store, cluster) if cluster else None
    return _layered(request, "sources.html", {
        "graph": crossdoc.source_graph(store, documents=focus["documents"] if focus else None), "focus": focus,
        "sources": result.items, "pager": _pager(request, result),
    })


@router.get("/source", response_class=HTMLResponse)
def source_page(request: Request, name: str = Query(..., min_length=1, max_length=500), limit: int = PAGE, offset: int = OFFSET) -> HTMLResponse:
    detail = crossdoc.source_detail(_store(request), name, PageRequest(limit=limit, offset=offset))
    return html(request, "source.html", {**detail, "grades": cx.GRADE_MEANING, "pager": _pager(request, queries.Paged(**detail["claims"]))})


@router.post("/source/grade")
def grade_form(request: Request, source: str = Form(..., max_length=500), grade: str = Form(..., max_length=1),
               author: str = Form("analyst", max_length=200), note: str = Form("", max_length=2000)) -> RedirectResponse:
    # As `claimgraph source grade` and the API: a known source only, and the clusters reassessed.
    grade_and_reassess(_store(request), request.app.state.analyser, source=source, grade=grade,
                       author=author or "analyst", note=note or None)
    return RedirectResponse("/source?" + urlencode({"name": cx.source_key(source)}), status_code=303)  # the key, not the label


@router.get("/brief", response_class=HTMLResponse)
def brief_page(request: Request) -> HTMLResponse:
    """The brief (`claimgraph brief --format html`): key judgements, sourcing, denials, what would change them."""
    from claimgraph.brief import render_brief

    return HTMLResponse(render_brief(_store(request), "html"))


@router.get("/brief.md", response_class=PlainTextResponse)
def brief_markdown_page(request: Request) -> PlainTextResponse:
    """The same brief as Markdown, to edit and send."""
    from claimgraph.brief import render_brief

    return PlainTextResponse(render_brief(_store(request), "md"), media_type="text/markdown; charset=utf-8",
                             headers={"Content-Disposition": 'attachment; filename="brief.md"'})


@router.get("/timeline", response_class=HTMLResponse)
def timeline_page(request: Request, limit: int = Query(200, ge=1, le=MAX_LIMIT), offset: int = OFFSET) -> HTMLResponse:
    store = _store(request)
    events = crossdoc.list_events(store, PageRequest(limit=limit, offset=offset))
    computed = events.total > 0
    result = events if computed else crossdoc.dated_claims(store, PageRequest(limit=limit, offset=offset))
    return _layered(request, "timeline.html", {
        "computed": computed, "items": result.items, "layout": rendering.timeline_layout(result.items), "pager": _pager(request, result),
    })


RATING_MEANING = {"CC": "very consistent", "C": "consistent", "N": "neutral", "NA": "not applicable",
                  "I": "inconsistent", "II": "very inconsistent"}


@router.get("/ach", response_class=HTMLResponse)
def ach_page(request: Request, limit: int = PAGE, offset: int = OFFSET) -> HTMLResponse:
    matrix = ach_view(request)
    clusters = matrix["clusters"]
    rows = queries.Paged(items=clusters[offset : offset + limit], total=len(clusters), limit=limit, offset=offset)
    cells = {(c["hypothesis"], c["cluster"]): c for c in matrix["cells"]}
    here = request.url.path + ("?" + request.url.query if request.url.query else "")
    return _layered(request, "ach.html", {
        "ach": matrix, "rows": rows.items, "cells": cells, "pager": _pager(request, rows), "here": here,
        "ratings": RATING_MEANING,
    })


@router.post("/ach/hypotheses")
def add_hypothesis_form(request: Request, text: str = Form(..., min_length=1, max_length=2000),
                        author: str = Form("analyst", max_length=200), next: str = Form("/ach", max_length=1000)) -> RedirectResponse:
    hypothesis_id = store_ach.add_hypothesis(_store(request), text, who=author.strip() or "analyst")
    return RedirectResponse(_back(next, "/ach") + "#hyp-" + quote(hypothesis_id), status_code=303)


@router.post("/ach/hypotheses/{hypothesis_id}/remove")
def remove_hypothesis_form(request: Request, hypothesis_id: str, next: str = Form("/ach", max_length=1000)) -> RedirectResponse:
    store_ach.remove_hypothesis(_store(request), hypothesis_id)
    return RedirectResponse(_back(next, "/ach"), status_code=303)


@router.post("/ach/cells")
def set_cell_form(request: Request, hypothesis: str = Form(..., max_length=40), cluster: str = Form(..., max_length=80),
                  rating: str = Form(..., max_length=2), author: str = Form("analyst", max_length=200),
                  next: str = Form("/ach", max_length=1000)) -> RedirectResponse:
    store = _store(request)
    crossdoc.require_cluster(store, cluster)
    store_ach.set_cell(store, hypothesis, cluster, rating, who=author.strip() or "analyst", origin="analyst")
    return RedirectResponse(_back(next, "/ach") + "#row-" + quote(cluster), status_code=303)


@router.post("/ach/evidence")
def add_evidence_form(request: Request, cluster: str = Form(..., max_length=80), author: str = Form("analyst", max_length=200),
                      next: str = Form("/ach", max_length=1000)) -> RedirectResponse:
    store = _store(request)
    crossdoc.require_cluster(store, cluster)
    store_ach.add_evidence(store, cluster, who=author.strip() or "analyst")
    return RedirectResponse(_back(next, "/ach") + "#row-" + quote(cluster), status_code=303)


@router.post("/ach/evidence/{cluster_id}/remove")
def remove_evidence_form(request: Request, cluster_id: str, next: str = Form("/ach", max_length=1000)) -> RedirectResponse:
    store_ach.remove_evidence(_store(request), cluster_id)
    return RedirectResponse(_back(next, "/ach"), status_code=303)


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, q: str = Query("", max_length=500), limit: int = PAGE, offset: int = OFFSET) -> HTMLResponse:
    result = queries.search(_store(request), q, PageRequest(limit=limit, offset=offset)) if q.strip() else None
    return html(request, "search.html", {"q": q, "hits": result.items if result else [], "pager": _pager(request, result) if result else None})


@router.get("/upload", response_class=HTMLResponse)
def upload_page(request: Request) -> HTMLResponse:
    return html(request, "upload.html", {"outcomes": None, "limit": request.app.state.options.max_upload_bytes})


@router.post("/upload", response_class=HTMLResponse)
def upload_form(request: Request, files: list[UploadFile] = File(...), analyse: bool = Form(False)) -> HTMLResponse:
    store = _store(request)
    limit = request.app.state.options.max_upload_bytes
    outcomes = [o for f in files if f.filename for o in ingest_upload(store, f.filename, f.file, max_bytes=limit)]
    new = [o.document_id for o in outcomes if o.status in ("ingested", "new_version") and o.document_id]
    analysed = request.app.state.analyser.analyse(store, new) if analyse and new else None
    status = 200 if any(o.status != "failed" for o in outcomes) else 422
    return html(request, "upload.html", {"outcomes": outcomes, "analysed": analysed, "limit": limit}, status=status)
