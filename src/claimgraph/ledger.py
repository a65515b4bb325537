"""Stages over the whole store: analyse what is not analysed yet, resumably."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
import gc
import json
import time
from typing import Any

from claimgraph.assess.matrix import RATING_FROM_RELATION  # noqa: F401 (moved there; imported from here)
from claimgraph.pipeline.ach_step import ach_matrix  # noqa: F401 (moved there; imported from here)
from claimgraph.store import Store
from claimgraph.records import collector_paused


@dataclass(frozen=True, kw_only=True)
class AnalyseOptions:
    force: bool = False  # re-analyse documents already analysed by this step and model


@dataclass(kw_only=True)
class AnalyseReport:
    analysed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # ("ORIGIN (document ID)", reason)
    claims: int = 0


def analyse_store(
    store: Store,
    *,
    options: AnalyseOptions = AnalyseOptions(),
    nlp: Any = None,
    on_document: Callable[[str, str], None] | None = None,
    on_analysis: Callable[[Any, Any], None] | None = None,
) -> AnalyseReport:
    """Run the per-document analysis on every stored document that needs it.

    Each document's analysis is written in one transaction, so an interrupted run
    resumes where it stopped. `on_analysis(document, analysis)` sees each one once saved.
    """
    from claimgraph.analyse import STEP, analyse_document, load_nlp, model_name

    nlp = nlp or load_nlp()
    done = store.analysed()
    wanted = (STEP, model_name(nlp))
    report = AnalyseReport()
    for document in store.documents(with_text=False, zones=False):
        if not options.force and done.get(document.id) == wanted:
            report.skipped.append(document.id)
            continue
        full = store.get_document(document.id)
        try:
            analysis = analyse_document(full, nlp=nlp)
        except Exception as error:  # noqa: BLE001 - one bad document must not stop the batch
            report.failed.append(analysis_failure(full, error))
            if on_document:
                on_document(document.id, "failed")
            continue
        store.save_analysis(analysis, analysed_at=datetime.now(timezone.utc).isoformat(timespec="seconds"))
        report.analysed.append(document.id)
        report.claims += len(analysis.claims)
        if on_analysis:
            on_analysis(full, analysis)
        if on_document:
            on_document(document.id, "analysed")
    return report


def analysis_failure(document: Any, error: BaseException) -> tuple[str, str]:
    """A failed analysis as AnalyseReport.failed lists it: the line names the file the document
    was read from, as ingest's lines do."""
    first_line = str(error).splitlines()[0] if str(error) else ""
    return (f"{document.origin} (document {document.id})",
            f"could not be analysed ({error.__class__.__name__}: {first_line})")


@dataclass(frozen=True, kw_only=True)
class LinkStoreOptions:
    full: bool = False  # relink from scratch instead of adding only new documents
    judge_model: str | None = None  # path of a locally supplied NLI model (NliJudge)


@dataclass(kw_only=True)
class LinkReport:
    added: list[str] = field(default_factory=list)  # documents whose claims were linked in this run
    documents: int = 0
    clusters: int = 0
    lines: int = 0
    events: int = 0
    incremental: bool = False
    timings: dict[str, float] = field(default_factory=dict)  # phase -> seconds (for benchmarks)


def current_inputs(store: Store) -> list[tuple[Any, Any]]:
    """(document, analysis) of every analysed document that no newer version supersedes."""
    return _inputs(store, list(current_documents(store, with_text=True).values()))


def current_documents(store: Store, *, with_text: bool = False, analysed: dict[str, Any] | None = None) -> dict[str, Any]:
    """The analysed documents no newer version supersedes, by id (without texts, zones, origins
    and metadata by default: what the linker needs of documents it does not add). `analysed`:
    `store.analysed()`, when the caller has it."""
    documents = store.documents(with_text=with_text, zones=with_text, metadata=with_text)
    superseded = {d.supersedes for d in documents if d.supersedes}
    analysed = store.analysed() if analysed is None else analysed
    return {d.id: d for d in documents if d.id not in superseded and d.id in analysed}


def _inputs(store: Store, documents: list[Any]) -> list[tuple[Any, Any]]:
    """(document, analysis as the linker reads it) for these documents, in their order."""
    from claimgraph.store.corrections import active_claim_corrections

    analyses = store.load_analyses([d.id for d in documents])
    corrected = {document_id for document_id, _, _ in active_claim_corrections(store)}  # one query, not one per document
    return [
        (document, _corrected(store, analyses[document.id]) if document.id in corrected else analyses[document.id])
        for document in documents if document.id in analyses
    ]


def _linked_analysis(store: Store, document_id: str) -> Any:
    """A document's stored analysis as the linker reads it, or None when it has none."""
    analysis = store.load_analysis(document_id)
    return None if analysis is None else _corrected(store, analysis)


def _corrected(store: Store, analysis: Any) -> Any:
    from claimgraph.store.corrections import corrected_analysis

    # The analyst's word over the extractor's: corrected fields, and no claim marked wrong.
    analysis, wrong = corrected_analysis(store, analysis)
    if wrong:
        analysis = replace(analysis, claims=[c for c in analysis.claims if c.id not in wrong])
    return analysis


_NEW_BATCH = 50  # new documents read (texts and analyses) per batch


def link_store(store: Store, *, options: LinkStoreOptions = LinkStoreOptions(), embedder: Any = None) -> LinkReport:
    """Cluster claims, build provenance, lines, events and assessments; store them.

    The linker is saved in the store, so a run after adding one document embeds, queries and
    judges only that document's claims, reads only the saved rows that work needs, and writes
    only what it changed.
    """
    from claimgraph.link import NliJudge, StructuralJudge
    from claimgraph.link.embed import LazyMiniLM

    embedder = embedder or LazyMiniLM()
    judge = NliJudge(options.judge_model) if options.judge_model else StructuralJudge()
    # A run at 100k claims reads hundreds of thousands of objects (documents, the head) that all
    # live until it ends: the collector is paused while they are read, then leaves them alone
    # (gc.freeze) instead of walking them at every full collection (0.1 s each).
    with collector_paused():
        try:
            return _link_store(store, options, embedder, judge)
        finally:
            gc.unfreeze()


def _link_store(store: Store, options: LinkStoreOptions, embedder: Any, judge: Any) -> LinkReport:
    from claimgraph.link import LinkOptions, Linker
    from claimgraph.link.state import StateError, linker_rows
    from claimgraph.pipeline.link_step import load_head, regrade, restore_linker, save_linker
    from claimgraph.pipeline.steps import link_step_names
    from claimgraph.store.links import layer_counts, source_grades

    report = LinkReport()
    clock = _Clock(report.timings)
    link_options = LinkOptions(reliability=source_grades(store))
    analysed = store.analysed()
    documents = current_documents(store, analysed=analysed)
    report.documents = len(documents)
    steps = sorted({analysed[d][0] for d in documents})
    # The analyst's claim corrections in force: a change (a claim marked wrong, a polarity set)
    # alters claims already linked, which an incremental run would not read again: relink all.
    from claimgraph.store.corrections import corrections_digest

    # A new registered name of any link step (judge, clusters, lines, provenance, events: a rules
    # version bumped or the data it reads edited) relinks all: its output for the claims already
    # linked would differ.
    key = json.dumps({"embedder": embedder.name, "judge": getattr(judge, "name", type(judge).__name__), "analysis": steps,
                      "steps": link_step_names(), "corrections": corrections_digest(store)})
    clock("inputs")
    saved = None if options.full else load_head(store)
    linker, since, graded = None, (0, 0, 0), None
    if saved and saved[0] == key:
        try:
            # A document removed or superseded since the last run leaves stale claims: StateError, relink all.
            linker, since, graded = restore_linker(store, saved[1], documents, embedder=embedder, judge=judge,
                                                   options=link_options)
            report.incremental = True
        except StateError:
            linker, since = None, (0, 0, 0)
    if linker is None:
        linker = Linker(embedder=embedder, judge=judge, options=link_options)
    clock("restore")
    new = sorted((d for d in documents.values() if d.id not in linker), key=lambda d: (d.published or "", d.id))
    gc.freeze()  # what was read so far lives on (see link_store)
    gc.enable()
    for begin in range(0, len(new), _NEW_BATCH):
        batch = store.documents(ids=[d.id for d in new[begin : begin + _NEW_BATCH]])
        for document, analysis in sorted(_inputs(store, batch), key=lambda pair: (pair[0].published or "", pair[0].id)):
            linker.add_document(document, analysis)
            report.added.append(document.id)
    clock("add")
    regraded = report.incremental and graded != link_options.reliability
    if report.added or not report.incremental or regraded:
        save_linker(store, key, linker, linker_rows(linker, since=since), replace=not report.incremental)
        if regraded:
            regrade(store, linker)  # the analyst graded a source since: every cluster is assessed again
    clock("save")
    report.clusters, report.lines, report.events = layer_counts(store)
    from claimgraph.pipeline.entity_step import resolve_store_entities

    resolve_store_entities(store, full=options.full)  # canonical entities across documents, analyst corrections replayed
    clock("entities")
    return report


class _Clock:
    """Adds the seconds since the last call to `timings[phase]`."""

    def __init__(self, timings: dict[str, float]) -> None:
        self.timings = timings
        self.last = time.perf_counter()

    def __call__(self, phase: str) -> None:
        now = time.perf_counter()
        self.timings[phase] = self.timings.get(phase, 0.0) + now - self.last
        self.last = now


@dataclass(frozen=True, kw_only=True)
class RunOptions:
    analyse: AnalyseOptions = field(default_factory=AnalyseOptions)
    link: LinkStoreOptions = field(default_factory=LinkStoreOptions)


def prefetcher(store: Store, embedder: Any = None) -> tuple[Any, Callable[[Any, Any], None]]:
    """A PrefetchEmbedder over `embedder` (the packaged MiniLM by default) and the callback that,
    given a just saved (document, analysis), embeds its claims on a background thread."""
    from claimgraph.link.corpus import linkable
    from claimgraph.link.embed import EmbedOptions, LazyMiniLM, PrefetchEmbedder
    from claimgraph.link.proposition import proposition

    embedder = embedder or LazyMiniLM()
    # Beside the parser: one onnxruntime thread that does not spin (the other core is the parser's).
    background = LazyMiniLM(options=EmbedOptions(threads=1, spin=False)) if isinstance(embedder, LazyMiniLM) else None
    prefetching = PrefetchEmbedder(embedder, background=background)

    def prefetch(document: Any, _: Any) -> None:
        # The texts Linker.add_document will embed for this document, in its order: from the
        # analysis as stored and corrected (claims come back in text order), as link_store reads it.
        analysis = _linked_analysis(store, document.id)
        prefetching.prefetch([proposition(claim, analysis, document.text) for claim in linkable(analysis)])

    return prefetching, prefetch


def run_store(
    store: Store,
    *,
    options: RunOptions = RunOptions(),
    nlp: Any = None,
    embedder: Any = None,
    on_document: Callable[[str, str], None] | None = None,
) -> tuple[AnalyseReport, LinkReport]:
    """`analyse_store` then `link_store`, embedding each analysed document's claims on a second
    thread while the next document is parsed: the link stage then mostly waits for nothing.
    """
    prefetching, prefetch = prefetcher(store, embedder)
    try:
        analysed = analyse_store(store, options=options.analyse, nlp=nlp, on_document=on_document, on_analysis=prefetch)
        prefetching.stop_prefetching()  # what is left is embedded faster on both cores
        linked = link_store(store, options=options.link, embedder=prefetching)
    finally:
        prefetching.close()
    return analysed, linked
