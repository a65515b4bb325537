"""Stages over the whole store: analyse what is not analysed yet, resumably."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
import json
from typing import Any

from claimgraph.store import Store


def model_name(nlp: Any) -> str:
    """The versioned model name stored on every analysis row."""
    return f"spacy:{nlp.meta['name']}-{nlp.meta['version']}"


@dataclass(frozen=True, kw_only=True)
class AnalyseOptions:
    force: bool = False  # re-analyse documents already analysed by this step and model


@dataclass(kw_only=True)
class AnalyseReport:
    analysed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (document id, reason)
    claims: int = 0


def analyse_store(
    store: Store,
    *,
    options: AnalyseOptions = AnalyseOptions(),
    nlp: Any = None,
    on_document: Callable[[str, str], None] | None = None,
) -> AnalyseReport:
    """Run the per-document analysis on every stored document that needs it.

    Each document's analysis is written in one transaction, so an interrupted run
    resumes where it stopped.
    """
    from claimgraph.analyse import STEP, analyse_document, load_nlp

    nlp = nlp or load_nlp()
    done = store.analysed()
    wanted = (STEP, model_name(nlp))
    report = AnalyseReport()
    for document in store.documents(with_text=False):
        if not options.force and done.get(document.id) == wanted:
            report.skipped.append(document.id)
            continue
        full = store.get_document(document.id)
        try:
            analysis = analyse_document(full, nlp=nlp)
        except Exception as error:  # noqa: BLE001 - one bad document must not stop the batch
            report.failed.append((document.id, f"{error.__class__.__name__}: {error}"))
            if on_document:
                on_document(document.id, "failed")
            continue
        store.save_analysis(analysis, analysed_at=datetime.now(timezone.utc).isoformat(timespec="seconds"))
        report.analysed.append(document.id)
        report.claims += len(analysis.claims)
        if on_document:
            on_document(document.id, "analysed")
    return report


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


def current_inputs(store: Store) -> list[tuple[Any, Any]]:
    """(document, analysis) of every analysed document that no newer version supersedes."""
    documents = store.documents(with_text=True)
    superseded = {d.supersedes for d in documents if d.supersedes}
    pairs = []
    for document in documents:
        if document.id in superseded:
            continue
        analysis = store.load_analysis(document.id)
        if analysis is not None:
            pairs.append((document, analysis))
    return pairs


def link_store(store: Store, *, options: LinkStoreOptions = LinkStoreOptions(), embedder: Any = None) -> LinkReport:
    """Cluster claims, build provenance, lines, events and assessments; store them.

    The linker's state is saved in the store, so a run after adding one document embeds,
    queries and judges only that document's claims.
    """
    from claimgraph.link import LinkOptions, Linker, NliJudge, OnnxMiniLM, StructuralJudge
    from claimgraph.link.events import build_events
    from claimgraph.link.state import StateError, linker_from_bytes, linker_to_bytes
    from claimgraph.store.links import load_state, save_layer, save_state, source_grades

    embedder = embedder or OnnxMiniLM()
    judge = NliJudge(options.judge_model) if options.judge_model else StructuralJudge()
    link_options = LinkOptions(reliability=source_grades(store))
    inputs = current_inputs(store)
    steps = sorted({analysis.step for _, analysis in inputs})
    key = json.dumps({"embedder": embedder.name, "judge": getattr(judge, "name", type(judge).__name__), "analysis": steps})
    saved = None if options.full else load_state(store, "linker")
    linker = None
    report = LinkReport(documents=len(inputs))
    if saved and saved[0] == key:
        wanted = {document.id for document, _ in inputs}
        try:
            restored = linker_from_bytes(saved[1], inputs, embedder=embedder, judge=judge, options=link_options)
        except StateError:
            restored = None
        # A document removed or superseded since the last run leaves stale claims: relink all.
        if restored is not None and {v.document_id for v in restored.state.views.values()} <= wanted:
            linker, report.incremental = restored, True
    if linker is None:
        linker = Linker(embedder=embedder, judge=judge, options=link_options)
    for document, analysis in sorted(inputs, key=lambda pair: (pair[0].published or "", pair[0].id)):
        if document.id not in linker.inputs:
            linker.add_document(document, analysis)
            report.added.append(document.id)
    result = linker.result()
    layer = result.to_dict()
    layer["events"] = [event.to_dict() for event in build_events(inputs, result.clusters)]
    save_layer(store, layer)
    save_state(store, "linker", key, linker_to_bytes(linker))
    report.clusters, report.lines, report.events = len(result.clusters), len(result.lines), len(layer["events"])
    return report
