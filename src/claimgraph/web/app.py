"""The web app: a JSON API under /api and server-rendered pages, over one ledger store.

    app = create_app(WebOptions(db="ledger.db"))

Pages and API routes call the same view functions (web/queries.py, web/crossdoc.py).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Mapping, MutableMapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from claimgraph import __version__
from claimgraph.errors import ClaimgraphError, IngestError, NotFound
from claimgraph.store import Store, open_store
from claimgraph.store.ach import AchError
from claimgraph.store.entities import EntityCorrectionError
from claimgraph.store.corrections import CorrectionError, source_key
from claimgraph.web.cache import LedgerRevision, ResponseCache
from claimgraph.web.security import LOOPBACK_HOSTS, Guard, GuardOptions
from claimgraph.web.stages import LedgerStages

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"


@dataclass(frozen=True, kw_only=True)
class WebOptions:
    """How the web app opens its store and guards its requests."""

    db: str | None = None  # --db / CLAIMGRAPH_DB / ./claimgraph.db
    token: str | None = None  # required on every request when set
    allowed_hosts: tuple[str, ...] | None = LOOPBACK_HOSTS
    max_body_bytes: int = 1_000_000
    max_upload_bytes: int = 20_000_000
    cache: bool = True  # keep GET responses per ledger revision (web/cache.py)


def allowed_methods(app: FastAPI, scope: MutableMapping[str, Any]) -> str:
    """The Allow header of a 405: every method some route at this path answers (GET and POST of
    /api/documents are two routes; Starlette would name only the first one's)."""
    from starlette.routing import Match, Mount

    def answers(route: Any, method: str) -> bool:
        if isinstance(route, Mount):  # static files
            return method in ("GET", "HEAD") and route.matches(scope)[0] == Match.FULL
        return route.matches({**scope, "method": method})[0] == Match.FULL

    return ", ".join(m for m in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
                     if any(answers(route, m) for route in app.router.routes))


def error_status(error: Exception) -> int:
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, (CorrectionError, IngestError, AchError, EntityCorrectionError)):
        return 422
    return 400


def _validation_message(error: RequestValidationError) -> str:
    parts = []
    for item in error.errors():
        where = " ".join(str(p) for p in item.get("loc", ()) if p != "body")
        parts.append(f"{where}: {item.get('msg', 'invalid')}".strip(": "))
    return "invalid request: " + "; ".join(parts)


def create_app(options: WebOptions = WebOptions(), *, store: Store | None = None, embedder: Any = None) -> FastAPI:
    """The FastAPI app for one ledger store.

    `embedder` pre-fills ACH cells (default: MiniLM, loaded on first use); tests pass a fast fake.
    """
    from claimgraph.link.embed import LazyMiniLM  # link pulls in onnxruntime: load it with the app, not on import
    from claimgraph.web import api, entity_api, pages

    app = FastAPI(
        title="claimgraph",
        version=__version__,
        description="The evidence ledger over HTTP: documents, attributed claims, entities, search, "
        "cross-document clusters/lines/timeline/assessments, and analyst corrections.",
        docs_url=None,  # the Swagger UI would load scripts from a CDN
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.store = store or open_store(options.db)
    app.state.options = options
    app.state.embedder = embedder or LazyMiniLM()
    # Analyse, link and reassess through the library, as the CLI does (web/stages.py).
    app.state.analyser = LedgerStages(embedder=app.state.embedder)
    app.state.ach_lock = threading.Lock()  # one pre-fill at a time: two would write the same cells
    templates = Jinja2Templates(directory=str(TEMPLATES))  # autoescape is on for .html
    templates.env.globals["version"] = __version__
    templates.env.filters["source_key"] = source_key
    app.state.templates = templates

    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    app.include_router(api.read_router)
    app.include_router(api.write_router)
    app.include_router(entity_api.router)
    app.include_router(pages.router)

    def wants_json(request: Request) -> bool:
        return request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", "")

    def respond(request: Request, status: int, message: str, headers: Mapping[str, str] | None = None) -> Any:
        if wants_json(request):
            return JSONResponse({"error": {"status": status, "message": message}}, status_code=status, headers=headers)
        return templates.TemplateResponse(
            request, "error.html", {"status": status, "message": message}, status_code=status, headers=headers
        )

    @app.exception_handler(ClaimgraphError)
    async def on_ledger_error(request: Request, error: ClaimgraphError) -> Any:
        return respond(request, error_status(error), str(error))

    @app.exception_handler(RequestValidationError)
    async def on_invalid(request: Request, error: RequestValidationError) -> Any:
        return respond(request, 422, _validation_message(error))

    @app.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, error: StarletteHTTPException) -> Any:
        message = error.detail if isinstance(error.detail, str) else "request failed"
        if error.status_code == 404 and message == "Not Found":
            message = f"nothing at {request.url.path}"
        if error.status_code == 405:
            allow = allowed_methods(app, request.scope)
            return respond(request, 405, f"{request.method} is not allowed on {request.url.path}; use {allow}", {"Allow": allow})
        if error.status_code == 400:  # a body that does not parse (a multipart request without its boundary)
            return respond(request, 422, f"invalid request body: {message}")
        return respond(request, error.status_code, message, error.headers)

    @app.exception_handler(Exception)
    async def on_crash(request: Request, error: Exception) -> Any:
        return respond(request, 500, f"internal error: {error.__class__.__name__}; see the server log")

    revision = LedgerRevision(app.state.store)
    app.state.revision = revision
    app.state.cache = ResponseCache(app, revision) if options.cache else None
    guarded = Guard(
        app.state.cache or app,
        GuardOptions(
            token=options.token,
            allowed_hosts=options.allowed_hosts,
            max_body_bytes=options.max_body_bytes,
            max_upload_bytes=options.max_upload_bytes,
        ),
    )
    app.state.guarded = guarded
    return app


def asgi_app(options: WebOptions = WebOptions(), *, store: Store | None = None, embedder: Any = None) -> Guard:
    """The app wrapped in its request guards: what a server (or a test client) should run."""
    return create_app(options, store=store, embedder=embedder).state.guarded


def html(request: Request, template: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, template, context, status_code=status)
