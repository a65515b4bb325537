"""The JSON API: read routes over the ledger, write routes for uploads and analyst corrections."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Header, Path, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import AfterValidator, BaseModel, Field

from claimgraph.store import Store
from claimgraph.store import ach as store_ach
from claimgraph.store import corrections as cx
from claimgraph.web import crossdoc, queries, story
from claimgraph.web.queries import MAX_LIMIT, ClaimFilter, PageRequest
from claimgraph.web.queries import freshness
from claimgraph.web.stages import LedgerStages, clean_name, grade_and_reassess
from claimgraph.web.uploads import ingest_upload

read_router = APIRouter(prefix="/api", tags=["read"])
write_router = APIRouter(prefix="/api", tags=["write"])

# Every integer a client sends is bounded here, once: past 2**63 SQLite cannot bind a value
# (an OverflowError, answered 500), and no listing is anywhere near MAX_OFFSET rows long.
MAX_OFFSET = 10**12
MAX_ROW_ID = 2**63 - 1
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"rows per page (1..{MAX_LIMIT})")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="rows to skip")]
CorrectionId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="a correction's number")]


def page_request(limit: Limit = 50, offset: Offset = 0) -> PageRequest:
    return PageRequest(limit=limit, offset=offset)


Page = Annotated[PageRequest, Depends(page_request)]


def _printable(value: str) -> str:
    cleaned = clean_name(value)
    if not cleaned:
        raise ValueError("a name is required (control characters and spaces alone are not one)")
    return cleaned


Name = Annotated[str, AfterValidator(_printable)]  # a name a person typed: control characters dropped

Hedging = Literal["none", "low", "medium", "high"]
Polarity = Literal["asserted", "denied"]


class PageOut(BaseModel):
    items: list[dict[str, Any]]
    total: int
    limit: int
    offset: int
    computed: bool | None = Field(None, description="False where the stage that makes these rows has not run yet")


class ErrorBody(BaseModel):
    status: int
    message: str


class ErrorOut(BaseModel):
    error: ErrorBody


class CorrectionIn(BaseModel):
    field: Literal["wrong", "speaker", "polarity", "hedging"]
    value: str = Field(..., max_length=500, description="wrong: true|false; polarity: asserted|denied; hedging: none|low|medium|high; speaker: free text ('' = the document's own voice)")
    author: str | None = Field(None, max_length=200, description="who corrects (else the X-Claimgraph-User header)")
    note: str | None = Field(None, max_length=2000)


class GradeIn(BaseModel):
    source: Name = Field(..., min_length=1, max_length=500, description="a source the ledger names (see /api/sources); control characters are dropped")
    grade: Literal["A", "B", "C", "D", "E", "F"]
    author: str | None = Field(None, max_length=200)
    note: str | None = Field(None, max_length=2000)


class UndoIn(BaseModel):
    author: str | None = Field(None, max_length=200)


class CorrectionOut(BaseModel):
    id: int
    target: str
    field: str
    value: str | None
    author: str
    created_at: str
    document_id: str | None = None
    claim_start: int | None = None
    claim_end: int | None = None
    source: str | None = None
    note: str | None = None
    undone_by: str | None = None
    undone_at: str | None = None
    active: bool
    reassessed: bool | None = Field(None, description="grades: the clusters were assessed again with it (false: nothing analysed yet)")


class OutcomeOut(BaseModel):
    origin: str
    status: str
    document_id: str | None = None
    reason: str | None = None
    near_duplicate_of: str | None = None


class FreshnessOut(BaseModel):
    documents: int = Field(..., description="current documents (newest version of each origin)")
    analysed: int
    linked: int = Field(..., description="analysed documents the last link took in")
    unanalysed: int
    unlinked: int = Field(..., description="analysed documents the last link did not take in")
    ever_linked: bool
    link_stale: bool = Field(..., description="clusters, lines, assessments miss documents analysed after the last link")
    stale: bool = Field(..., description="link_stale, or documents are waiting for analysis")


class UploadOut(BaseModel):
    outcomes: list[OutcomeOut]
    counts: dict[str, int]
    analysed_claims: int | None = Field(None, description="claims found, when analyse was asked")
    analysis_failed: list[list[str]] = Field([], description="[document, reason] of each document that could not be analysed")
    linked: bool = Field(False, description="the new documents were linked in and the clusters reassessed")
    freshness: FreshnessOut


Rating = Literal["CC", "C", "N", "NA", "I", "II"]


class HypothesisIn(BaseModel):
    text: str = Field(..., min_length=1, max_length=2000, description="the hypothesis, in a sentence")
    author: str | None = Field(None, max_length=200, description="who enters it (else the X-Claimgraph-User header)")


class HypothesisOut(BaseModel):
    id: str = Field(..., description="H-… (stable for the same text, case and spacing aside)")
    text: str


class CellIn(BaseModel):
    hypothesis: str = Field(..., min_length=1, max_length=40)
    cluster: str = Field(..., min_length=1, max_length=80)
    rating: Rating = Field(..., description="CC very consistent, C consistent, N neutral, NA not applicable, I inconsistent, II very inconsistent")
    reason: str | None = Field(None, max_length=2000)
    author: str | None = Field(None, max_length=200, description="who rates (else the X-Claimgraph-User header)")


class CellOut(BaseModel):
    hypothesis: str
    cluster: str
    rating: str
    origin: Literal["judge", "analyst"] = Field(..., description="judge: pre-filled by the structural judge; analyst: set by a person")
    reason: str | None = None
    set_by: str
    set_at: str


class AchCellOut(CellOut):
    relevance: float | None = Field(None, description="how near the cluster's nearest claim is to the hypothesis (MiniLM cosine), as the judge found it")


class EvidenceIn(BaseModel):
    cluster: str = Field(..., min_length=1, max_length=80, description="the cluster to put in the evidence set (a row of the matrix)")
    author: str | None = Field(None, max_length=200, description="who adds it (else the X-Claimgraph-User header)")


class EvidenceOut(BaseModel):
    cluster: str
    added_by: str
    added_at: str


class ProposalOut(BaseModel):
    cluster: str
    anchor: str | None = None
    relevance: float
    rating: str = Field(..., description="the cell's rating (the judge's unless an analyst set it)")


class HypothesisScoreOut(BaseModel):
    id: str
    text: str
    hypothesis: str
    inconsistency: float
    weighted_inconsistency: float
    consistency: float


class AchClusterOut(BaseModel):
    id: str
    anchor: str | None = None
    relevance: float = Field(0.0, description="its nearness to the nearest hypothesis (MiniLM cosine of its nearest claim)")
    chosen: bool = Field(False, description="in the analyst's evidence set (else proposed by relevance)")
    diagnosticity: float = Field(0.0, description="0 (rated alike under every hypothesis) .. 1 (docs/ach.md)")
    denied: bool = Field(False, description="most of its claims are denials")


class AchOut(BaseModel):
    computed: bool = Field(..., description="False until `claimgraph link` has made clusters (the matrix's rows)")
    hypotheses: list[HypothesisScoreOut] = Field(..., description="least (weighted) inconsistent first")
    evidence_chosen: bool = Field(False, description="rows are the analyst's evidence set; false: the evidence proposed for each hypothesis")
    evidence_gone: list[str] = Field([], description="clusters in the evidence set that the current link no longer makes")
    clusters: list[AchClusterOut] = Field(..., description="the rows: most diagnostic first, then the most relevant")
    cells: list[AchCellOut]
    matrix: dict[str, dict[str, str]] = Field(..., description="hypothesis id -> cluster id -> rating")
    diagnosticity: dict[str, float] = Field(..., description="cluster id -> 0 (rated alike everywhere) .. 1")
    proposals: dict[str, list[ProposalOut]] = Field({}, description="hypothesis id -> relevant clusters not in the rows, nearest first")
    step: str
    not_judged: int = Field(0, description="hypothesis x cluster pairs the judge did not read (a large ledger: it reads the "
                                           "clusters nearest each hypothesis and the evidence set); NA in the matrix")


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut}, 401: {"model": ErrorOut}, 403: {"model": ErrorOut},
    404: {"model": ErrorOut}, 413: {"model": ErrorOut}, 422: {"model": ErrorOut},
}


def _store(request: Request) -> Store:
    return request.app.state.store


def _stages(request: Request) -> LedgerStages:
    return request.app.state.analyser


def _paged(result: queries.Paged, computed: bool | None = None) -> dict[str, Any]:
    return {**result.as_json(), "computed": computed}


def author_of(given: str | None, header: str | None) -> str:
    return clean_name(given or header or "analyst")[:200] or "analyst"


# ---------------------------------------------------------------------- read


@read_router.get("/story", responses=ERRORS)
def story_view(request: Request, page: Page) -> dict[str, Any]:
    """The story page's data: allegations ranked by independent lines then grade, each with its named
    lines, denials and contradictions, full grade, hedging range and first/last report; and staleness."""
    store = _store(request)
    return {**story.story(store, limit=page.limit, offset=page.offset), "stale": queries.staleness(store),
            "freshness": freshness(store)}


@read_router.get("/overview", responses=ERRORS)
def overview(request: Request) -> dict[str, Any]:
    """Corpus counts and, once computed, the biggest and the most contested clusters."""
    store = _store(request)
    counts = queries.corpus_counts(store)
    top = crossdoc.list_clusters(store, PageRequest(limit=10)).items if counts["clusters"] else []
    return {"counts": counts, "top_clusters": top, "most_contested": crossdoc.most_contested(store) if counts["links"] else [],
            "freshness": freshness(store)}


@read_router.get("/freshness", response_model=FreshnessOut, responses=ERRORS)
def ledger_freshness(request: Request) -> dict[str, Any]:
    """Whether the cross-document layers (clusters, lines, assessments) are behind the documents."""
    return freshness(_store(request))


@read_router.get("/documents", response_model=PageOut, responses=ERRORS)
def documents(request: Request, page: Page) -> dict[str, Any]:
    """Stored documents without their text."""
    return _paged(queries.list_documents(_store(request), page))


@read_router.get("/documents/{ref}", responses=ERRORS)
def document(request: Request, ref: str) -> dict[str, Any]:
    """One document: text, zones, metadata (with where each value came from), analysis state."""
    return queries.document_detail(_store(request), ref)


@read_router.get("/claims", response_model=PageOut, responses=ERRORS)
def claims(
    request: Request, page: Page,
    document: str | None = Query(None, max_length=500, description="document id, id prefix, origin or file name"),
    speaker: str | None = Query(None, max_length=200, description="speaker contains this (case-insensitive)"),
    entity: str | None = Query(None, max_length=200, description="entity id DOCUMENT:KEY, or part of an entity's name"),
    hedging: Hedging | None = None,
    polarity: Polarity | None = None,
    wrong: bool | None = Query(None, description="only claims an analyst marked wrong (true) or not (false)"),
) -> dict[str, Any]:
    """Attributed claims, corrections applied, filtered and paginated."""
    selected = ClaimFilter(document=document, speaker=speaker, entity=entity, hedging=hedging, polarity=polarity, wrong=wrong)
    return _paged(queries.list_claims(_store(request), selected, page))


@read_router.get("/claims/{claim_id}", responses=ERRORS)
def claim(request: Request, claim_id: str) -> dict[str, Any]:
    """One claim with its corrections, and its clusters, links and lines where computed."""
    store = _store(request)
    return {**queries.get_claim(store, claim_id), "context": crossdoc.claim_context(store, claim_id)}


@read_router.get("/entities", response_model=PageOut, responses=ERRORS)
def entities(
    request: Request, page: Page,
    q: str | None = Query(None, max_length=200, description="part of a name or alias"),
    type: str | None = Query(None, max_length=24),
    document: str | None = Query(None, max_length=500),
) -> dict[str, Any]:
    """Entities (per document) with mention counts."""
    return _paged(queries.list_entities(_store(request), page, query=q, type_=type, document=document))


@read_router.get("/entities/{entity_id}", responses=ERRORS)
def entity(request: Request, entity_id: str) -> dict[str, Any]:
    """One entity with every mention in context."""
    return queries.entity_detail(_store(request), entity_id)


@read_router.get("/search", response_model=PageOut, responses=ERRORS)
def search(
    request: Request, page: Page,
    q: str = Query(..., min_length=1, max_length=500),
    kind: Literal["all", "documents", "claims"] = "all",
) -> dict[str, Any]:
    """Full-text search over documents and claims (every word must match)."""
    return _paged(queries.search(_store(request), q, page, kind=kind))


@read_router.get("/clusters", response_model=PageOut, responses=ERRORS)
def clusters(request: Request, page: Page) -> dict[str, Any]:
    """Claim clusters across documents, biggest first (empty until `claimgraph link` runs)."""
    result = crossdoc.list_clusters(_store(request), page)
    return _paged(result, computed=result.total > 0)


@read_router.get("/clusters/{cluster_id}", responses=ERRORS)
def cluster(request: Request, page: Page, cluster_id: str) -> dict[str, Any]:
    """One cluster: member claims (paginated), links, lines, assessment."""
    return crossdoc.cluster_detail(_store(request), cluster_id, page)


@read_router.get("/links", response_model=PageOut, responses=ERRORS)
def links(
    request: Request, page: Page,
    relation: Literal["same", "more_specific", "contradicts"] | None = None,
) -> dict[str, Any]:
    """Typed links between claims."""
    store = _store(request)
    result = crossdoc.list_links(store, page, relation=relation)
    return _paged(result, computed=crossdoc._count(store, crossdoc.t.links) > 0)


def _table_route(path: str, lister: Any, table: str, doc: str) -> None:
    def route(request: Request, page: Page) -> dict[str, Any]:
        store = _store(request)
        result = lister(store, page)
        return _paged(result, computed=crossdoc._count(store, getattr(crossdoc.t, table)) > 0)

    route.__doc__ = doc
    route.__name__ = table
    read_router.add_api_route(path, route, methods=["GET"], response_model=PageOut, responses=ERRORS)


_table_route("/lines", crossdoc.list_lines, "lines", "Independent lines of sourcing, with their documents.")
_table_route("/events", crossdoc.list_events, "events", "Dated events (the timeline), oldest first.")
_table_route("/assessments", crossdoc.list_assessments, "assessments", "Per-cluster credibility assessments.")
_table_route("/provenance", crossdoc.list_provenance, "provenance", "Provenance edges: who re-reports whom.")


@read_router.get("/timeline", response_model=PageOut, responses=ERRORS)
def timeline(request: Request, page: Page) -> dict[str, Any]:
    """Events when computed; until then the dated time expressions of each document (computed=false)."""
    store = _store(request)
    events = crossdoc.list_events(store, page)
    if events.total:
        return _paged(events, computed=True)
    return _paged(crossdoc.dated_claims(store, page), computed=False)


def ach_view(request: Request, *, prefill: bool = True) -> dict[str, Any]:
    from claimgraph.assess.matrix import VectorMemo

    state = request.app.state
    memo = getattr(state, "ach_vectors", None)
    if memo is None:  # the app's embedder, its vectors kept between reads: a new hypothesis embeds only itself
        memo = state.ach_vectors = VectorMemo(state.embedder)
    return crossdoc.ach(_store(request), embedder=memo, lock=state.ach_lock, prefill=prefill)


@read_router.get("/ach", response_model=AchOut, responses=ERRORS)
def ach(request: Request, prefill: bool = Query(True, description="rate empty cells with the judge first (writes judge cells)")) -> dict[str, Any]:
    """The ACH matrix: hypotheses x clusters, empty cells pre-filled by the judge, scored (Heuer)."""
    return ach_view(request, prefill=prefill)


@read_router.get("/sources", response_model=PageOut, responses=ERRORS)
def sources(request: Request, page: Page, q: str | None = Query(None, max_length=200)) -> dict[str, Any]:
    """Sources (outlets, people, documents, anonymous sources) with their reliability grade."""
    return _paged(crossdoc.list_sources(_store(request), page, query=q))


@read_router.get("/sources/graph", responses=ERRORS)
def source_graph(request: Request) -> dict[str, Any]:
    """The provenance graph (or, until computed, the graph of attribution chains), laid out."""
    return crossdoc.source_graph(_store(request))


@read_router.get("/source", responses=ERRORS)
def source(request: Request, page: Page, name: str = Query(..., min_length=1, max_length=500)) -> dict[str, Any]:
    """One source: grade with history, its documents and the claims that pass through it."""
    return crossdoc.source_detail(_store(request), name, page)


@read_router.get("/corrections", response_model=PageOut, responses=ERRORS)
def corrections(request: Request, page: Page, document: str | None = Query(None, max_length=500), source: str | None = Query(None, max_length=500)) -> dict[str, Any]:
    """Every analyst correction, newest first, undone ones included."""
    store = _store(request)
    document_id = store.get_document(document).id if document else None
    found, total = cx.list_corrections(store, document_id=document_id, source=source, limit=page.limit, offset=page.offset)
    return {"items": [crossdoc.vars_of(c) for c in found], "total": total, "limit": page.limit, "offset": page.offset, "computed": None}


# ---------------------------------------------------------------------- write


@write_router.post("/documents", response_model=UploadOut, status_code=201, responses={
    **ERRORS, 200: {"model": UploadOut, "description": "nothing new: every file was stored before (or a duplicate)"},
    422: {"model": ErrorOut, "description": "no file given, or every file failed (the body also has outcomes and counts)"}})
def upload(
    request: Request,
    files: list[UploadFile] = File(..., min_length=1, description="one or more files (at least one): txt, md, html, pdf, eml, jsonl, csv"),
    analyse: bool = Form(False, description="analyse the new documents right away and link them in (as `claimgraph analyse` "
                                            "then `claimgraph link`); otherwise `freshness` says they wait"),
) -> Any:
    """Ingest uploaded files exactly as `claimgraph ingest` does; failures are reported per file."""
    store = _store(request)
    limit = request.app.state.options.max_upload_bytes
    outcomes = [o for f in files for o in ingest_upload(store, f.filename, f.file, max_bytes=limit)]
    counts = {status: sum(1 for o in outcomes if o.status == status) for status in ("ingested", "new_version", "unchanged", "duplicate", "failed")}
    new = [o.document_id for o in outcomes if o.status in ("ingested", "new_version") and o.document_id]
    body: dict[str, Any] = {"outcomes": [asdict(o) for o in outcomes], "counts": counts, "analysed_claims": None,
                            "analysis_failed": [], "linked": False}
    if analyse and new:
        report = _stages(request).analyse_and_link(store)
        body.update(analysed_claims=report.claims, analysis_failed=[list(f) for f in report.failed], linked=report.linked)
    body["freshness"] = freshness(store)
    status = 201 if new else (422 if counts["failed"] == len(outcomes) else 200)
    if status == 422:
        body["error"] = {"status": 422, "message": "; ".join(f"{o.origin}: {o.reason}" for o in outcomes)}
    return JSONResponse(body, status_code=status)


@write_router.post("/claims/{claim_id}/corrections", response_model=CorrectionOut, status_code=201, responses=ERRORS)
def correct_claim(request: Request, claim_id: str, body: CorrectionIn, x_claimgraph_user: str | None = Header(None)) -> dict[str, Any]:
    """Record an analyst correction of a claim: mark it wrong, or fix its speaker, polarity or hedging."""
    store = _store(request)
    found = queries.get_claim(store, claim_id)
    made = cx.correct_claim(
        store, document_id=found["document_id"], start=found["start"], end=found["end"], field=body.field,
        value=body.value, author=author_of(body.author, x_claimgraph_user), note=body.note,
    )
    return crossdoc.vars_of(made)


@write_router.post("/sources/grade", response_model=CorrectionOut, status_code=201, responses=ERRORS)
def grade_source(request: Request, body: GradeIn, x_claimgraph_user: str | None = Header(None)) -> dict[str, Any]:
    """Set a source's reliability (Admiralty A–F; F = cannot be judged) and reassess the clusters,
    as `claimgraph source grade` does. 404 for a source the ledger does not name."""
    made, reassessed = grade_and_reassess(_store(request), _stages(request), source=body.source, grade=body.grade,
                                          author=author_of(body.author, x_claimgraph_user), note=body.note)
    return {**crossdoc.vars_of(made), "reassessed": reassessed}


@write_router.post("/corrections/{correction_id}/undo", response_model=CorrectionOut, responses=ERRORS)
def undo(request: Request, correction_id: CorrectionId, body: UndoIn | None = None, x_claimgraph_user: str | None = Header(None)) -> dict[str, Any]:
    """Undo a correction: it stays in the history and is no longer applied (an undone grade reassesses)."""
    store = _store(request)
    made = cx.undo_correction(store, correction_id, author=author_of(body.author if body else None, x_claimgraph_user))
    reassessed = _stages(request).reassess(store) if made.target == "source" else None
    return {**crossdoc.vars_of(made), "reassessed": reassessed}


@write_router.post("/ach/hypotheses", response_model=HypothesisOut, status_code=201, responses=ERRORS)
def add_hypothesis(request: Request, body: HypothesisIn, x_claimgraph_user: str | None = Header(None)) -> dict[str, Any]:
    """Enter an ACH hypothesis; its cells are pre-filled by the judge on the next read of the matrix."""
    store = _store(request)
    hypothesis_id = store_ach.add_hypothesis(store, body.text, who=author_of(body.author, x_claimgraph_user))
    return {"id": hypothesis_id, "text": dict(store_ach.list_hypotheses(store))[hypothesis_id]}


@write_router.delete("/ach/hypotheses/{hypothesis_id}", status_code=204, response_class=Response, responses=ERRORS)
def remove_hypothesis(request: Request, hypothesis_id: str) -> Response:
    """Remove a hypothesis and every rating of it (the judge's and the analysts')."""
    store_ach.remove_hypothesis(_store(request), hypothesis_id)
    return Response(status_code=204)


@write_router.post("/ach/cells", response_model=CellOut, responses=ERRORS)
def set_cell(request: Request, body: CellIn, x_claimgraph_user: str | None = Header(None)) -> dict[str, Any]:
    """Rate one cluster against one hypothesis; an analyst's rating replaces the judge's and is never pre-filled over."""
    store = _store(request)
    crossdoc.require_cluster(store, body.cluster)
    store_ach.set_cell(store, body.hypothesis, body.cluster, body.rating, who=author_of(body.author, x_claimgraph_user),
                       origin="analyst", reason=body.reason or None)
    return crossdoc.ach_cell(store, body.hypothesis, body.cluster)


@write_router.post("/ach/evidence", response_model=EvidenceOut, status_code=201, responses=ERRORS)
def add_evidence(request: Request, body: EvidenceIn, x_claimgraph_user: str | None = Header(None)) -> dict[str, Any]:
    """Put a cluster in the evidence set: once any is chosen, the matrix's rows are the evidence set."""
    store = _store(request)
    crossdoc.require_cluster(store, body.cluster)
    store_ach.add_evidence(store, body.cluster, who=author_of(body.author, x_claimgraph_user))
    return {"cluster": body.cluster, **store_ach.evidence(store)[body.cluster]}


@write_router.delete("/ach/evidence/{cluster_id}", status_code=204, response_class=Response, responses=ERRORS)
def remove_evidence(request: Request, cluster_id: str = Path(..., max_length=80)) -> Response:
    """Take a cluster out of the evidence set (its ratings stay, should it come back)."""
    store_ach.remove_evidence(_store(request), cluster_id)
    return Response(status_code=204)
