"""Stages over the whole store: analyse what is not analysed yet, resumably."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
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
